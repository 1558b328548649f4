"""The sandboxed Linxo (wwws.linxo.com): its login, its pages and its PSD2 redirection."""

from __future__ import annotations

from urllib.parse import urlencode

from .. import _state as st
from .._http import Handler, Request, Response, Routes
from ._common import BANK, LINXO, Host, new_token, set_cookie

__all__ = ["LinxoSite"]


class LinxoSite:
    """wwws.linxo.com: login, secured home, « Mes comptes », the PSD2 redirection."""

    name = "linxo"
    cookie = "JSESSIONID"

    def __init__(self, host: Host) -> None:
        self.host = host
        self.sessions: dict[str, str] = {}  # session → Linxo user
        self.pending: dict[str, str] = {}  # PSD2 state → connection id
        self.awaiting_code: dict[str, str] = {}  # pending login → Linxo user
        self.routes = Routes()
        self.routes.add("GET", "/auth.page", self.login_page)
        self.routes.add("POST", "/auth.page", self.login)
        self.routes.add("GET", "/auth/code.page", self.code_page)
        self.routes.add("POST", "/auth/code.page", self.code)
        self.routes.add("GET", "/secured/history.page", self.secured(self.home))
        self.routes.add("GET", "/secured/settings.page", self.secured(self.settings))
        self.routes.add("GET", "/secured/psd2/start", self.secured(self.psd2_start))
        self.routes.add("GET", "/secured/psd2/callback", self.secured(self.psd2_callback))

    def secured(self, handler: Handler) -> Handler:
        def guarded(request: Request) -> Response:
            if request.cookies.get(self.cookie) not in self.sessions:
                return Response.redirect(f"{LINXO}/auth.page#Login")
            return handler(request)

        return guarded

    def find(self, request: Request) -> Handler | None:
        return self.routes.find(request)

    def login_page(
        self, request: Request, error: str | None = None, *, email: str = ""
    ) -> Response:
        step = "password" if email else "email"
        return self.host.render(self.name, "login.html", error=error, step=step, email=email)

    def login(self, request: Request) -> Response:
        username = request.form.get("username", "")
        if "password" not in request.form:  # the first of two steps: the e-mail only
            return self.login_page(request, email=username)
        password = self.host.scenario.linxo_password.get_secret_value()
        ok = username in self.host.linxo_users and request.form.get("password") == password
        self.host.record.add(
            st.Event("login", self.name, subject=username, outcome="ok" if ok else "refused")
        )
        if not ok:
            return self.login_page(request, error="Adresse e-mail ou mot de passe incorrect.")
        if self.host.scenario.linxo_asks_code:
            pending = new_token()
            self.awaiting_code[pending] = username
            return Response.redirect(
                f"{LINXO}/auth/code.page", cookie=set_cookie(self.PENDING, pending)
            )
        return self._logged_in(username)

    PENDING = "LINXO_PENDING"

    def code_page(self, request: Request, error: str | None = None) -> Response:
        if request.cookies.get(self.PENDING) not in self.awaiting_code:
            return Response.redirect(f"{LINXO}/auth.page#Login")
        return self.host.render(self.name, "code.html", error=error)

    def code(self, request: Request) -> Response:
        username = self.awaiting_code.get(request.cookies.get(self.PENDING, ""))
        if username is None:
            return Response.redirect(f"{LINXO}/auth.page#Login")
        typed = request.form.get("code") or "".join(
            request.form.get(f"code_{n}", "") for n in range(1, 7)
        )
        expected = self.host.scenario.linxo_code.get_secret_value()
        ok = not self.host.scenario.linxo_rejects_code and typed == expected
        self.host.record.add(
            st.Event("linxo_code", self.name, subject=username, outcome="ok" if ok else "refused")
        )
        if not ok:
            return self.code_page(request, error="Code de confirmation incorrect.")
        del self.awaiting_code[request.cookies[self.PENDING]]
        return self._logged_in(username)

    def _logged_in(self, username: str) -> Response:
        session = new_token()
        self.sessions[session] = username
        return Response.redirect(
            f"{LINXO}/secured/history.page", cookie=set_cookie(self.cookie, session)
        )

    def connections(self, request: Request) -> list[st.Connection]:
        """The connections of the user logged in by ``request``."""
        user = self.sessions[request.cookies[self.cookie]]
        return [c for c in self.host.connections if c.owner == user]

    def home(self, request: Request) -> Response:
        return self.host.render(self.name, "home.html", connections=self.connections(request))

    def settings(self, request: Request) -> Response:
        updated = self.connection(request, request.query.get("updated", ""))
        return self.host.render(
            self.name, "settings.html", connections=self.connections(request), updated=updated
        )

    def connection(self, request: Request, connection_id: str) -> st.Connection | None:
        return next((c for c in self.connections(request) if c.id == connection_id), None)

    def psd2_start(self, request: Request) -> Response:
        connection = self.connection(request, request.query.get("connexion", ""))
        if connection is None:
            return self.host.render(self.name, "error.html", status=404)
        state = new_token()
        self.pending[state] = connection.id
        query = urlencode(
            {
                "state": state,
                "redirect_uri": f"{LINXO}/secured/psd2/callback",
                "bank": connection.bank,
            }
        )
        return Response.redirect(f"{BANK}/authorize?{query}")

    def psd2_callback(self, request: Request) -> Response:
        connection = self.connection(request, self.pending.pop(request.query.get("state", ""), ""))
        if connection is None or request.query.get("result") != "ok":
            return self.host.render(self.name, "error.html", status=400)
        connection.healthy = True
        connection.updated_at = st.now()
        self.host.record.add(st.Event("reauthentication", self.name, subject=connection.bank))
        return Response.redirect(f"{LINXO}/secured/settings.page?updated={connection.id}#Accounts")
