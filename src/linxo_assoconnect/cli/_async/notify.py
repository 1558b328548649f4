"""The webhook POST: one JSON request, its outcome `True` or `False`, never an exception but
a missing extra."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .._notification import (
    Notification,
    failed,
    missing_extra,
    post_options,
    remember_secrets,
    sent,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["send_webhook"]


async def send_webhook(
    url: str,
    notification: Notification,
    *,
    headers: Mapping[str, str] | None = None,
    topic: str | None = None,
    timeout: float = 10.0,
    client: httpx.AsyncClient | None = None,
) -> bool:
    """POST ``notification`` as JSON to ``url``; `True` on a 2xx answer.

    HTTP errors, timeouts and connection failures are logged (scheme and host only) and give
    `False`. Raises `ConfigurationError` only when httpx (extra ``webhook``) is missing.
    ``topic`` is added to the body for ntfy's JSON publishing (POST to the server's root).
    """
    where = remember_secrets(url, headers)
    try:
        import httpx
    except ImportError:
        raise missing_extra() from None
    request = post_options(notification, headers, topic, timeout)
    try:
        if client is not None:
            response = await client.post(url, **request)
        else:
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as own:
                response = await own.post(url, **request)
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return failed(where, error)
    return sent(where, response)
