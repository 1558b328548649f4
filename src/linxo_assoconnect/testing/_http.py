"""Requests and responses as the sandbox's sites see them, independent of Playwright."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Handler", "Request", "Response", "Routes"]


@dataclass(frozen=True)
class Request:
    """A request as a sandboxed site sees it (`Sandbox.handle` takes one)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None
    navigation: bool = False
    """The request loads a page in a frame (a link, a form, a redirection), not a resource."""

    @cached_property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @cached_property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @cached_property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query))

    @cached_property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl((self.body or b"").decode("utf-8")))

    @cached_property
    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        jar.load(self.headers.get("cookie", ""))
        return {name: morsel.value for name, morsel in jar.items()}


@dataclass
class Response:
    """What a sandboxed site answers."""

    status: int = 200
    body: str = ""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    location: str | None = None
    """Where a redirection sends the browser on."""
    message: str | None = None
    """The error a page shows (a refused login, a wrong code), for in-place answers."""
    unavailable: bool = False
    """The site says « réessayez plus tard » (whatever the HTTP status)."""
    lost: bool = False
    """Lost on the way back: the site did what was asked, the browser gets a reset connection."""

    @classmethod
    def redirect(cls, location: str, *, cookie: str | None = None) -> Response:
        """A page that sends the browser on at once.

        A fulfilled 3xx would leave Playwright's routing, so the sites redirect from the page,
        as many single-page apps and PSD2 redirections do.
        """
        target = json.dumps(location)
        body = (
            '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
            f"<title>Redirection…</title><script>window.location.replace({target});</script>"
            f'</head><body><p>Redirection vers <a href="{escape(location)}">la page suivante</a>…'
            "</p></body></html>"
        )
        headers = {"set-cookie": cookie} if cookie else {}
        return cls(body=body, headers=headers, location=location)

    @classmethod
    def json(cls, data: object, *, status: int = 200) -> Response:
        return cls(status=status, body=json.dumps(data), content_type="application/json")


Handler = Callable[[Request], Response]


class Routes:
    """A site's table of (method, path) → handler."""

    def __init__(self) -> None:
        self._table: dict[tuple[str, str], Handler] = {}

    def add(self, method: str, path: str, handler: Handler) -> None:
        self._table[(method, path)] = handler

    def find(self, request: Request) -> Handler | None:
        return self.lookup(request.method, request.path)

    def lookup(self, method: str, path: str) -> Handler | None:
        return self._table.get((method, path))
