"""The sandboxed AssoConnect: its login, the association switcher and the bank reconciliation
(Comptabilité › Rapprochement bancaire), with its import from Linxo and its synchronisation."""

from __future__ import annotations

import re
import time

from .. import _state as st
from .._data import DEMO_ASSOCONNECT
from .._http import Handler, Request, Response, Routes
from ._common import ASSOCONNECT, ASSOCONNECT_HOST, Host, new_token, set_cookie, slug

__all__ = ["AssoConnectSite"]

# The confirmation AssoConnect shows after a form, by the ``ok`` of the page it redirects to.
NOTICES = {
    "enregistre": "Les modifications ont été enregistrées.",
    "synchro": "La synchronisation a été lancée.",
}


class AssoConnectSite:
    """app.assoconnect.com: login, association switcher, Comptabilité › Rapprochement bancaire.

    A chosen association's pages may live on a host of their own, as on the real site:
    ``https://<slug>.assoconnect.com/organization/<id>/…`` (see ``Scenario.association_host``).
    """

    name = "assoconnect"
    cookie = "PHPSESSID"
    IMPORT = "/comptabilite/rapprochement/import"
    MANAGE = "/comptabilite/linxo"
    ORGANIZATION = re.compile(r"/organization/(\d+)(/.*)?")
    UNCHOSEN = ("/", "/association/choisir")
    """The pages shown before an association is chosen."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.sessions: dict[str, str] = {}  # session → current association id ("": none yet)
        self.transient_left = host.scenario.sync_transient_failures
        self.running_at_first_view = host.scenario.sync_running_at_start
        self.routes = Routes()
        self.routes.add("GET", "/login", self.login_page)
        self.routes.add("POST", "/login", self.login)
        self.routes.add("GET", "/", self.secured(self.dashboard))
        self.routes.add("GET", "/association/choisir", self.secured(self.switch))
        self.routes.add("GET", "/comptabilite/rapprochement", self.secured(self.reconciliation))
        self.routes.add("GET", self.IMPORT, self.secured(self.import_tab))
        self.routes.add("GET", "/comptabilite/rapprochement/historique", self.secured(self.history))
        self.routes.add("POST", f"{self.IMPORT}/enregistrer", self.secured(self.link))
        self.routes.add("POST", f"{self.IMPORT}/synchroniser", self.secured(self.sync_import))
        self.routes.add("POST", f"{self.IMPORT}/deconnecter", self.secured(self.disconnect))
        self.routes.add("GET", self.MANAGE, self.secured(self.manage))
        self.routes.add("POST", f"{self.MANAGE}/synchroniser", self.secured(self.sync_manage))
        self.routes.add("GET", "/api/comptabilite/synchronisation", self.secured(self.sync_status))

    @classmethod
    def base_of(cls, request: Request) -> str:
        """Where the association ``request`` is on lives: its own host and id, or "" (app)."""
        found = cls.ORGANIZATION.fullmatch(request.path)
        if request.host == ASSOCONNECT_HOST or not request.host.endswith(".assoconnect.com"):
            return ""
        return f"https://{request.host}/organization/{found[1]}" if found else ""

    def find(self, request: Request) -> Handler | None:
        found = self.ORGANIZATION.fullmatch(request.path)
        if found is None or request.host == ASSOCONNECT_HOST:
            return self.routes.find(request)
        handler = self.routes.lookup(request.method, found[2] or "/")
        if handler is None or not any(a.id == found[1] for a in self.host.associations):
            return None

        def on_association(request: Request) -> Response:
            session = request.cookies.get(self.cookie, "")
            if session in self.sessions:  # the URL says which association the page is about
                self.sessions[session] = found[1]
            return handler(request)

        return on_association

    def url(self, path: str, association: st.Association | None) -> str:
        """The address of an association's page, on app.assoconnect.com or on its own host."""
        if association is None or self.host.markup.association_host == "app":
            return f"{ASSOCONNECT}{path}"
        return (
            f"https://{slug(association.name)}.assoconnect.com/organization/{association.id}{path}"
        )

    def here(self, request: Request, path: str) -> str:
        return self.url(path, self.current(request))

    def secured(self, handler: Handler) -> Handler:
        def guarded(request: Request) -> Response:
            session = request.cookies.get(self.cookie, "")
            if session not in self.sessions:
                return Response.redirect(f"{ASSOCONNECT}/login")
            if not self.sessions[session] and self.route_path(request) not in self.UNCHOSEN:
                return Response.redirect(f"{ASSOCONNECT}/")
            return handler(request)

        return guarded

    def route_path(self, request: Request) -> str:
        found = self.ORGANIZATION.fullmatch(request.path)
        return (found[2] or "/") if found and request.host != ASSOCONNECT_HOST else request.path

    def current(self, request: Request) -> st.Association | None:
        """The association the session is on, if one is chosen."""
        current = self.sessions.get(request.cookies.get(self.cookie, ""), "")
        return next((a for a in self.host.associations if a.id == current), None)

    def association(self, request: Request) -> st.Association:
        association = self.current(request)
        if association is None:  # `secured` lets no such request through
            raise LookupError("no association chosen")
        return association

    def account(self, request: Request, account_id: str | None = None) -> st.AssoAccount | None:
        association = self.association(request)
        wanted = account_id if account_id is not None else request.query.get("compte")
        if not wanted:
            return association.accounts[0] if association.accounts else None
        return next((a for a in association.accounts if a.id == wanted), None)

    def page(
        self, request: Request, template: str, status: int = 200, **context: object
    ) -> Response:
        return self.host.render(
            self.name,
            template,
            status=status,
            association=self.current(request),
            associations=self.host.associations,
            **context,
        )

    def login_page(
        self, request: Request, error: str | None = None, *, email: str = ""
    ) -> Response:
        step = "password" if email else "email"
        return self.host.render(self.name, "login.html", error=error, step=step, email=email)

    def login(self, request: Request) -> Response:
        email = request.form.get("email", "")
        if "password" not in request.form:  # the first of two steps: the e-mail only
            return self.login_page(request, email=email)
        ok = (email, request.form.get("password")) == (
            DEMO_ASSOCONNECT.username,
            self.host.scenario.assoconnect_password.get_secret_value(),
        )
        self.host.record.add(
            st.Event("login", self.name, subject=email, outcome="ok" if ok else "refused")
        )
        if not ok:
            return self.login_page(request, error="Identifiants incorrects. Veuillez réessayer.")
        session = new_token()
        markup = self.host.markup
        first = self.host.associations[0]
        chooser = markup.assoconnect_landing == "chooser"
        self.sessions[session] = "" if chooser else first.id
        domain = "assoconnect.com" if markup.association_host == "slug" else None
        landing = f"{ASSOCONNECT}/" if chooser else self.url("/", first)
        return Response.redirect(landing, cookie=set_cookie(self.cookie, session, domain))

    def dashboard(self, request: Request) -> Response:
        association = self.current(request)
        if association is None:
            return self.page(request, "chooser.html")
        if request.host == ASSOCONNECT_HOST and self.host.markup.association_host == "slug":
            return Response.redirect(self.url("/", association))
        return self.page(request, "dashboard.html")

    def switch(self, request: Request) -> Response:
        wanted = request.query.get("id", "")
        chosen = next((a for a in self.host.associations if a.id == wanted), None)
        if chosen is None:
            if not self.host.markup.components:  # the recorded pages have no chooser
                return Response.redirect(f"{ASSOCONNECT}/")
            return self.page(request, "chooser.html")
        self.sessions[request.cookies[self.cookie]] = wanted
        return Response.redirect(self.url("/", chosen))

    def _tab(self, request: Request, template: str, tab: str) -> Response:
        # One page holds every tab's panel in some markups: the import tab is shown there too.
        if self.running_at_first_view and (tab == "import" or self.host.markup.tabs == "aria"):
            self.running_at_first_view = False
            for account in self.association(request).accounts:
                account.job = st.SyncJob(
                    time.monotonic(), self.host.scenario.sync_duration, ok=True
                )
        return self.page(
            request,
            template,
            tab=tab,
            selected=self.account(request),
            linxo_accounts=self.linxo_accounts(request),
            notice=NOTICES.get(request.query.get("ok", "")),
        )

    def reconciliation(self, request: Request) -> Response:
        return self._tab(request, "rapprochement.html", "rapprochement")

    def history(self, request: Request) -> Response:
        return self._tab(request, "historique.html", "historique")

    def linxo_accounts(self, request: Request) -> list[st.LinxoAccount]:
        """The accounts of the association's Linxo (what its LinxoConnect link offers)."""
        owner = self.association(request).linxo_user
        return [a for c in self.host.connections if c.owner == owner for a in c.accounts]

    def import_tab(self, request: Request) -> Response:
        return self._tab(request, "import.html", "import")

    def link(self, request: Request) -> Response:
        account = self.account(request, request.form.get("compte", ""))
        chosen = request.form.get("compte_linxo", "")
        if account is None or chosen not in {a.name for a in self.linxo_accounts(request)}:
            return self.page(request, "error.html", status=400)
        account.linxo_account = chosen
        account.status = st.AWAITING_LINXO
        self.host.record.add(st.Event("link", self.name, subject=account.name, outcome=chosen))
        return Response.redirect(
            self.here(request, f"{self.IMPORT}?compte={account.id}&ok=enregistre")
        )

    def _start_sync(self, request: Request, where: str) -> tuple[st.AssoAccount | None, str]:
        account = self.account(request, request.form.get("compte", ""))
        if account is None:
            return None, "unknown"
        if account.shown_status == st.SYNC_RUNNING:
            outcome = "already_running"
        elif where == "import" and self.transient_left > 0:
            self.transient_left -= 1
            outcome = "transient_error"
        else:
            outcome = "started"
            account.job = st.SyncJob(
                time.monotonic(),
                self.host.scenario.sync_duration,
                self._will_succeed(account, where),
            )
        self.host.record.add(
            st.Event("sync_click", self.name, subject=account.name, outcome=outcome, where=where)
        )
        return account, outcome

    def _will_succeed(self, account: st.AssoAccount, where: str) -> bool:
        if where == "import" and self.host.scenario.sync_fails_until_fallback:
            return False
        linked = next(
            (
                c
                for c in self.host.connections
                for a in c.accounts
                if a.name == account.linxo_account
            ),
            None,
        )
        return linked is not None and linked.healthy

    def sync_import(self, request: Request) -> Response:
        account, outcome = self._start_sync(request, "import")
        if account is None:
            return self.page(request, "error.html", status=400)
        if outcome == "transient_error":
            return self.page(request, "unavailable.html", status=503)
        return Response.redirect(
            self.here(request, f"{self.IMPORT}?compte={account.id}&ok=synchro")
        )

    def sync_manage(self, request: Request) -> Response:
        account, _ = self._start_sync(request, "manage")
        if account is None:
            return self.page(request, "error.html", status=400)
        return Response.redirect(self.here(request, f"{self.MANAGE}?ok=synchro"))

    def disconnect(self, request: Request) -> Response:
        account = self.account(request, request.form.get("compte", ""))
        if account is None:
            return self.page(request, "error.html", status=400)
        account.linxo_account = None
        account.status = st.NOT_FOUND
        self.host.record.add(st.Event("disconnect", self.name, subject=account.name))
        return Response.redirect(self.here(request, f"{self.IMPORT}?compte={account.id}"))

    def manage(self, request: Request) -> Response:
        return self.page(request, "linxo.html", notice=NOTICES.get(request.query.get("ok", "")))

    def sync_status(self, request: Request) -> Response:
        account = self.account(request)
        if account is None:
            return Response.json({"error": "unknown"})
        status = account.shown_status
        return Response.json({"running": status == st.SYNC_RUNNING, "status": status})
