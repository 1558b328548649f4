"""HAR files recorded by a Session, cleaned of secrets once their context is closed.

Form bodies, queries, cookies and authorisation headers are masked whatever they hold: a login
form's password, a bank's one-time code or a PSD2 redirection's token all travel there, and
redirections carry them in ``Location``, ``Referer`` and ``redirectURL``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .files import safe_address, write_private
from .secrets import MASK, redact

__all__ = ["scrub_har"]

_SECRET_HEADERS = {"cookie", "set-cookie", "authorization", "proxy-authorization"}
_ADDRESS_HEADERS = {"location", "referer", "content-location", "origin"}


def _mask_values(items: list[dict[str, Any]]) -> None:
    for item in items:
        if "value" in item:
            item["value"] = MASK


def _scrub_message(message: dict[str, Any]) -> None:
    for header in message.get("headers", []):
        name = header.get("name", "").lower()
        if name in _SECRET_HEADERS:
            header["value"] = MASK
        elif name in _ADDRESS_HEADERS:
            header["value"] = safe_address(header.get("value", ""))
    _mask_values(message.get("cookies", []))
    for key in ("url", "redirectURL"):
        if message.get(key):
            message[key] = safe_address(message[key])


def scrub_har(raw: Path, destination: Path) -> Path:
    """Write the HAR at ``raw`` to ``destination`` (mode 0600), every secret-bearing value
    masked."""
    har = json.loads(raw.read_text(encoding="utf-8"))
    for entry in har.get("log", {}).get("entries", []):
        request = entry.get("request", {})
        _scrub_message(request)
        _scrub_message(entry.get("response", {}))
        _mask_values(request.get("queryString", []))
        post = request.get("postData")
        if post:
            post["text"] = MASK
            _mask_values(post.get("params", []))
    text = json.dumps(_redacted(har), ensure_ascii=False, indent=1)
    return write_private(destination, text.encode())


def _redacted(value: Any) -> Any:
    """Every string in ``value`` redacted; numbers left alone (a numeric code must not turn a
    timing into invalid JSON)."""
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return redact(value) if isinstance(value, str) else value
