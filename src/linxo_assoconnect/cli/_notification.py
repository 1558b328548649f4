"""A webhook notification and its request: the JSON body, the headers, the secrets to hide
and the outcome logged; the POST itself is in ``_async/notify.py`` and its generated twin."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict

from .._core.errors import ConfigurationError
from .._core.secrets import RedactingFilter, logger, remember

if TYPE_CHECKING:
    import httpx

__all__ = ["Notification", "failed", "missing_extra", "post_options", "remember_secrets", "sent"]

_SECRET_HEADER_WORDS = ("auth", "token", "key", "secret")
# httpx logs every request's full URL at INFO: mask the webhook's secret path there too.
_HTTPX_FILTER = RedactingFilter()


class Notification(BaseModel):
    """What to tell: the kind of event, the association, a short French title and message."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["person_must_act", "consent_expires_soon", "site_changed", "failed"]
    association: str
    title: str
    message: str
    evidence: str | None = None
    """The local folder holding what the page showed, for information only."""


def remember_secrets(url: str, headers: Mapping[str, str] | None) -> str:
    """Remember the secret parts of the URL and headers; return the URL's ``scheme://host``."""
    parts = urlsplit(url)
    if parts.path not in ("", "/"):
        remember(url)
        remember(parts.path)
        if parts.query:
            remember(f"{parts.path}?{parts.query}")
    if parts.query:
        remember(parts.query)
        for _, value in parse_qsl(parts.query):
            remember(value)
    if parts.password:
        remember(parts.password)
    for name, value in (headers or {}).items():
        if any(word in name.lower() for word in _SECRET_HEADER_WORDS):
            remember(value)
            _, _, credentials = value.partition(" ")  # "Bearer <token>": the token alone too
            remember(credentials.strip())
    httpx_logger = logging.getLogger("httpx")
    if _HTTPX_FILTER not in httpx_logger.filters:
        httpx_logger.addFilter(_HTTPX_FILTER)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def missing_extra() -> ConfigurationError:
    """The error saying how to install what notifications need."""
    return ConfigurationError(
        "Les notifications demandent l’extra webhook : pip install 'linxo-assoconnect[webhook]'."
    )


def post_options(
    notification: Notification,
    headers: Mapping[str, str] | None,
    topic: str | None,
    timeout: float,
) -> dict[str, Any]:
    """The keyword arguments of the POST: its JSON body, headers and limits."""
    body: dict[str, str | None] = {
        "title": notification.title,
        "message": notification.message,
        "text": f"{notification.title}\n{notification.message}",
        "kind": notification.kind,
        "association": notification.association,
        "evidence": notification.evidence,
    }
    if topic is not None:
        body["topic"] = topic
    request_headers = dict(headers or {})
    if not any(name.lower() == "content-type" for name in request_headers):
        request_headers["Content-Type"] = "application/json"
    return {
        # Encoded here, not by httpx, so that the bytes sent are the same in every httpx version.
        "content": json.dumps(body, ensure_ascii=False).encode("utf-8"),
        "headers": request_headers,
        "timeout": timeout,
        "follow_redirects": False,
    }


def sent(where: str, response: httpx.Response) -> bool:
    """`True` on a 2xx answer; else log the refusal (``where`` is scheme and host only)."""
    if response.is_success:
        return True
    logger.warning(
        "webhook notification to %s refused: HTTP %s %s",
        where,
        response.status_code,
        response.reason_phrase,
    )
    return False


def failed(where: str, error: Exception) -> bool:
    """Log a request that could not be made and give `False`."""
    # Only the error's kind: httpx's messages may quote the URL.
    logger.warning("webhook notification to %s failed: %s", where, type(error).__name__)
    return False
