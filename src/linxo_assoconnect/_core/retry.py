"""Bounded retries with backoff for transient site failures, built on tenacity."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from tenacity import (
    AsyncRetrying,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from .errors import TransientSiteError

__all__ = ["RetryPolicy"]


class RetryPolicy(BaseModel):
    """How transient failures (5xx, timeouts, « réessayez plus tard ») are retried.

    At most ``attempts`` tries, exponential backoff with jitter from ``initial_wait`` up to
    ``max_wait`` seconds, and no new try once ``deadline`` seconds have passed. Only
    `TransientSiteError` is retried: credentials and one-time codes never are.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    attempts: int = Field(default=4, ge=1)
    """Tries in all, the first included."""
    initial_wait: float = Field(default=1.0, ge=0)
    """Seconds before the second try; doubled for each next one."""
    max_wait: float = Field(default=30.0, ge=0)
    """The longest wait between two tries, in seconds."""
    deadline: float = Field(default=300.0, gt=0)
    """Seconds after which no new try is made."""

    def _options(self) -> dict[str, object]:
        return {
            "retry": retry_if_exception_type(TransientSiteError),
            "stop": stop_after_attempt(self.attempts) | stop_after_delay(self.deadline),
            "wait": wait_exponential(multiplier=self.initial_wait, max=self.max_wait)
            + wait_random(0, self.initial_wait),
            "reraise": True,
        }

    def retrying(self) -> Retrying:
        """A tenacity `Retrying` following this policy (``for attempt in …: with attempt:``)."""
        return Retrying(**self._options())  # type: ignore[arg-type]

    def async_retrying(self) -> AsyncRetrying:
        """The same policy for async code (``async for attempt in …: with attempt:``)."""
        return AsyncRetrying(**self._options())  # type: ignore[arg-type]
