"""Webhook notifications: tell a person when they must act, or when a bank's consent expires.

One JSON POST to a chat webhook (Slack, Mattermost… read ``text``) or to a ntfy server's root
(JSON publishing, with ``topic``). A notification that fails is logged and reported as `False`,
never raised: it must not hide the run's real outcome. The webhook's URL path, its password and
its token headers are secrets, remembered so that no log or error shows them. Needs the extra
``webhook`` (httpx).
"""

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

__all__ = ["Notification", "missing_extra", "send_webhook", "send_webhook_sync"]

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


def _remember_secrets(url: str, headers: Mapping[str, str] | None) -> str:
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


def _request(
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


def _sent(where: str, response: httpx.Response) -> bool:
    if response.is_success:
        return True
    logger.warning(
        "webhook notification to %s refused: HTTP %s %s",
        where,
        response.status_code,
        response.reason_phrase,
    )
    return False


def _failed(where: str, error: Exception) -> bool:
    # Only the error's kind: httpx's messages may quote the URL.
    logger.warning("webhook notification to %s failed: %s", where, type(error).__name__)
    return False


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
    where = _remember_secrets(url, headers)
    try:
        import httpx
    except ImportError:
        raise missing_extra() from None
    request = _request(notification, headers, topic, timeout)
    try:
        if client is not None:
            response = await client.post(url, **request)
        else:
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as own:
                response = await own.post(url, **request)
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return _failed(where, error)
    return _sent(where, response)


def send_webhook_sync(
    url: str,
    notification: Notification,
    *,
    headers: Mapping[str, str] | None = None,
    topic: str | None = None,
    timeout: float = 10.0,
    client: httpx.Client | None = None,
) -> bool:
    """`send_webhook` for synchronous code: same body, same outcome, never raises but set-up."""
    where = _remember_secrets(url, headers)
    try:
        import httpx
    except ImportError:
        raise missing_extra() from None
    request = _request(notification, headers, topic, timeout)
    try:
        if client is not None:
            response = client.post(url, **request)
        else:
            with httpx.Client(timeout=timeout, follow_redirects=False) as own:
                response = own.post(url, **request)
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return _failed(where, error)
    return _sent(where, response)
