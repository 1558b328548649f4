"""What the three sandboxed sites share: their hostnames, the sandbox they need, and helpers."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .. import _state as st
    from .._http import Response
    from .._markup import Markup
    from .._scenario import Scenario

__all__ = [
    "ASSOCONNECT",
    "ASSOCONNECT_HOST",
    "BANK",
    "BANK_HOST",
    "LINXO",
    "LINXO_HOST",
    "Host",
    "new_token",
    "set_cookie",
    "slug",
]

LINXO_HOST = "wwws.linxo.com"
"""Linxo's hostname, served by the sandbox."""
ASSOCONNECT_HOST = "app.assoconnect.com"
"""AssoConnect's hostname, served by the sandbox."""
BANK_HOST = "www.banque-exemple.example"
"""The demo bank's hostname (« Banque Populaire Exemple » sends its users there)."""

LINXO = f"https://{LINXO_HOST}"
ASSOCONNECT = f"https://{ASSOCONNECT_HOST}"
BANK = f"https://{BANK_HOST}"


class Host(Protocol):
    """What a site needs from the sandbox that serves it."""

    scenario: Scenario
    markup: Markup
    record: st.Record
    connections: list[st.Connection]
    associations: list[st.Association]

    @property
    def linxo_users(self) -> set[str]: ...

    def render(
        self, site: str, template: str, /, status: int = 200, **context: object
    ) -> Response: ...


def new_token() -> str:
    """A session id, a pending login, a PSD2 state: random, unguessable."""
    return secrets.token_urlsafe(16)


def set_cookie(name: str, value: str, domain: str | None = None) -> str:
    """A ``Set-Cookie`` header's value, as the sites set their session cookies."""
    where = f"; Domain={domain}" if domain else ""
    return f"{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax{where}"


def slug(name: str) -> str:
    """« Association Exemple » → « association-exemple » (the fake names are plain ASCII)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
