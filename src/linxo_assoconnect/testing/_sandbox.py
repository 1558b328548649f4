"""The sandbox: Linxo, AssoConnect and a demo bank served offline at their real hostnames."""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import jinja2

from .._core.text import fold, label_regex
from . import _state as st
from ._data import ASSOCIATIONS, LINXO_CONNECTIONS, federation
from ._http import Request, Response
from ._parts import Parts
from ._scenario import SCENARIOS, Scenario
from ._serve import serve_async, serve_sync
from ._sites import ASSOCONNECT_HOST, BANK_HOST, LINXO_HOST, AssoConnectSite, BankSite, LinxoSite

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext as AsyncBrowserContext
    from playwright.sync_api import BrowserContext

    from ._replay import CapturedSandbox

__all__ = ["Sandbox"]

T = TypeVar("T")

FIXTURES = Path(__file__).parent / "fixtures"
NARROW_NBSP = "\u202f"
NBSP = "\u00a0"

# When the sandbox starts, a broken connection was last updated this long ago.
STALE = timedelta(days=183)


def euro(amount: Decimal) -> str:
    """« 1 234,56 € » as French sites print it (narrow no-break space between thousands)."""
    digits = f"{amount:,.2f}".replace(",", NARROW_NBSP).replace(".", ",")
    return f"{digits}{NBSP}€"


UNAVAILABLE = "Une erreur est survenue lors de la synchronisation, réessayez plus tard."
CONSENT_COOKIE = "consentement"
# Pages whose content a markup with ``late_content`` loads a moment after the page itself.
LATE_PAGES = {"settings.html", "import.html", "rapprochement.html", "historique.html"}


@functools.cache
def _templates(variant: str) -> jinja2.Environment:
    """The recorded pages of one markup variant, or the component renderer's pages
    (``variant`` « parts »), compiled once per process."""
    folders = [FIXTURES] if variant == "parts" else [FIXTURES / variant, FIXTURES]
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["euro"] = euro
    environment.filters["linxo_date"] = lambda d: d.strftime("%d.%m.%y, %Hh%M")
    environment.filters["fr_date"] = lambda d: d.strftime("%d/%m/%Y à %H:%M")
    return environment


class Sandbox:
    """Serves the three sites to a Playwright BrowserContext through routing, offline.

    Stateful: connections break and are re-authenticated, accounts are re-linked, syncs run.
    Everything that happens is in `record`; any request to another host is aborted.
    """

    hosts = (LINXO_HOST, ASSOCONNECT_HOST, BANK_HOST)

    def __init__(self, scenario: Scenario | str | None = None) -> None:
        if isinstance(scenario, str):
            scenario = SCENARIOS[scenario]
        self.scenario = scenario or Scenario()
        """How the sites behave."""
        self.markup = self.scenario.markup
        """How the pages are built (the scenario's variant, with its switches)."""
        self.record = st.Record()
        """What happened, for tests to assert on."""
        self._lock = threading.Lock()
        more_connections, more_associations = federation(self.scenario.federation)
        self._connection_seeds = LINXO_CONNECTIONS + more_connections
        self._association_seeds = ASSOCIATIONS + more_associations
        self.connections = self._seed_connections()
        self.associations = self._seed_associations()
        self._templates = _templates("parts" if self.markup.components else self.scenario.variant)
        self._request: Request | None = None  # the one being answered (under the lock)
        self._news_seen: set[str] = set()
        self._lost: set[str] = set()  # the kinds of `Scenario.lost_answers` already lost
        self._sites: dict[str, LinxoSite | BankSite | AssoConnectSite] = {
            LINXO_HOST: LinxoSite(self),
            BANK_HOST: BankSite(self),
            ASSOCONNECT_HOST: AssoConnectSite(self),
        }

    @staticmethod
    def from_capture(folder: str | Path) -> CapturedSandbox:
        """Serve a set recorded by ``linxo-assoconnect capture`` instead of the built-in pages."""
        from ._replay import CapturedSandbox

        return CapturedSandbox(folder)

    # State -----------------------------------------------------------------------------

    def _seed_connections(self) -> list[st.Connection]:
        broken = {fold(b) for b in self.scenario.broken_banks}
        now = st.now()
        connections = []
        for number, seed in enumerate(self._connection_seeds, start=1):
            healthy = not any(b in fold(seed.bank) for b in broken)
            connections.append(
                st.Connection(
                    id=str(4100 + number),
                    bank=seed.bank,
                    healthy=healthy,
                    updated_at=now - timedelta(hours=2) if healthy else now - STALE,
                    accounts=[st.LinxoAccount(a.name, a.balance) for a in seed.accounts],
                    owner=seed.owner,
                )
            )
        return connections

    def _seed_associations(self) -> list[st.Association]:
        unlinked = [fold(name) for name in self.scenario.unlinked_accounts]
        failed = [fold(name) for name in self.scenario.failed_imports]
        broken_accounts = {a.name for c in self.connections if not c.healthy for a in c.accounts}
        now = st.now()
        associations = []
        for number, seed in enumerate(self._association_seeds, start=1):
            accounts = []
            for index, account in enumerate(seed.accounts, start=1):
                is_unlinked = any(u in fold(account.name) for u in unlinked)
                if is_unlinked:
                    status = st.NOT_FOUND
                elif account.linxo_account in broken_accounts or any(
                    f in fold(account.name) for f in failed
                ):
                    status = st.IMPORT_ERROR
                else:
                    status = st.SYNC_ACTIVE
                asso_account = st.AssoAccount(
                    id=f"{number}{index:03d}",
                    name=account.name,
                    iban=account.iban,
                    linxo_account=None if is_unlinked else account.linxo_account,
                    status=status,
                    last_import=now - timedelta(days=1)
                    if status == st.SYNC_ACTIVE
                    else now - STALE,
                )
                accounts.append(asso_account)
            associations.append(
                st.Association(str(52000 + number), seed.name, accounts, seed.linxo_user)
            )
        return associations

    # Serving ---------------------------------------------------------------------------

    def render(self, site: str, template: str, /, status: int = 200, **context: object) -> Response:
        unavailable = template == "unavailable.html"
        if self.markup.components:
            name = f"parts/{site}/{template}"
            context = {**self._component_context(site, template), **context}
            if unavailable and self.markup.unavailable == "body":
                status = 200
        else:
            name = f"{site}/{template}"
        html = self._templates.get_template(name).render(
            scenario=self.scenario, now=st.now(), **context
        )
        for old, new in self.scenario.changed_labels.items():
            # Whatever apostrophes or case the markup variant writes the label with.
            html = re.sub(
                rf">(\s*){label_regex(old).pattern}(\s*)<", rf">\g<1>{new}\g<2><", html, flags=re.I
            )
        error = context.get("error")
        return Response(
            status=status,
            body=html,
            message=error if isinstance(error, str) else None,
            unavailable=unavailable,
        )

    def _component_context(self, site: str, template: str) -> dict[str, object]:
        """What every component-rendered page needs besides its site's own context."""
        request, markup = self._request, self.markup
        cookies = request.cookies if request is not None else {}
        session = cookies.get({"linxo": LinxoSite.cookie}.get(site, AssoConnectSite.cookie), "")
        news = (
            markup.news_popup
            and site != "bank"
            and template not in ("login.html", "code.html", "error.html")
            and bool(session)
            and session not in self._news_seen
        )
        if news:
            self._news_seen.add(session)
        late = (
            markup.late_content
            and template in LATE_PAGES
            and (template == "import.html" or markup.tabs == "aria" or site == "linxo")
            and request is not None
            and request.query.get("fragment") != "1"
        )
        url = request.url.split("#")[0] if request is not None else ""
        base = "" if request is None else AssoConnectSite.base_of(request)
        return {
            "ui": Parts(markup, site, self.scenario.changed_labels),
            "m": markup,
            "consent": markup.cookie_consent and site != "bank" and CONSENT_COOKIE not in cookies,
            "news": news,
            "late": late,
            "late_url": f"{url}{'&' if '?' in url else '?'}fragment=1",
            "app": f"https://{ASSOCONNECT_HOST}",
            "base": base,
            "poll_url": f"{base}/api/comptabilite/synchronisation",
            "unavailable_text": UNAVAILABLE,
            "ok": request.query.get("ok") if request is not None else None,
            "user": "tresorier@association-exemple.fr",
            "association": None,
            "associations": [],
            "error": None,
        }

    @property
    def latency(self) -> float:
        """Seconds every response is delayed by."""
        return self.scenario.latency

    def _site(self, host: str) -> LinxoSite | BankSite | AssoConnectSite | None:
        if host.endswith(".assoconnect.com"):
            return self._sites[ASSOCONNECT_HOST]  # an association's own host, as the real site does
        return self._sites.get(host)

    def handle(self, request: Request) -> Response | None:
        """Answer one request, or None when the sandbox serves nothing at that address."""
        return self.respond(request) if self.serves(request.host) else None

    def serves(self, host: str) -> bool:
        """Whether ``host`` is one of the sandbox's sites (any ``*.assoconnect.com`` too)."""
        return self._site(host) is not None

    def blocked(self, url: str) -> None:
        """Note a request to an address outside the sandbox (it is aborted)."""
        with self._lock:
            self.record.add(
                st.Event("blocked_request", "elsewhere", subject=url.split("?", maxsplit=1)[0])
            )

    def respond(self, request: Request) -> Response:
        """Answer one request to one of the sandbox's sites, as that site would."""
        site = self._site(request.host)
        if site is None:
            raise ValueError(f"the sandbox serves no site at {request.host}")
        with self._lock:
            self._request = request
            self.record.requests.append(f"{request.method} {request.url.split('?')[0]}")
            if request.method == "POST" and request.path == "/consentement":
                return self._consent(site.name, request)
            handler = site.find(request)
            if handler is None:
                return self.render(site.name, "error.html", status=404)
            done = len(self.record.events)
            response = handler(request)
            if request.headers.get("x-requested-with") == "XMLHttpRequest":
                response = self._in_place(response)
            for event in self.record.events[done:]:
                if event.kind in self.scenario.lost_answers and event.kind not in self._lost:
                    self._lost.add(event.kind)
                    response.lost = True
            return response

    def _consent(self, site: str, request: Request) -> Response:
        """The cookie banner's answer: recorded (never clicked twice), then remembered."""
        choice = "accepted" if request.form.get("choix") == "accepted" else "refused"
        self.record.add(st.Event("consent", site, outcome=choice))
        domain = "; Domain=assoconnect.com" if site == "assoconnect" else ""
        response = Response.json({"ok": True})
        response.headers["set-cookie"] = f"{CONSENT_COOKIE}={choice}; Path=/; Secure{domain}"
        return response

    def _in_place(self, response: Response) -> Response:
        """A form's outcome as a page updating in place reads it: where to go on, the page to
        show instead, or the error to show (with the site's own status, or a 200)."""
        if response.location is not None:
            answer = Response.json({"next": response.location})
        elif response.unavailable:
            status = 503 if self.markup.unavailable == "status" else 200
            answer = Response.json({"error": UNAVAILABLE}, status=status)
        else:
            answer = Response.json({"html": response.body, "error": response.message})
        answer.headers.update(response.headers)
        return answer

    def attach(self, context: BrowserContext) -> None:
        """Serve the sandbox to a sync-API BrowserContext; every other request is aborted."""
        serve_sync(context, self)

    async def attach_async(self, context: AsyncBrowserContext) -> None:
        """Serve the sandbox to an async-API BrowserContext; every other request is aborted."""
        await serve_async(context, self)

    @property
    def linxo_users(self) -> set[str]:
        """The user names Linxo knows."""
        return {c.owner for c in self.connections}

    def expire_logins(self) -> None:
        """Forget every login session, as the sites do after a while: saved logins expire."""
        with self._lock:
            for site in self._sites.values():
                if isinstance(site, (LinxoSite, AssoConnectSite)):
                    site.sessions.clear()

    # Views for tests -------------------------------------------------------------------

    def connection(self, bank: str) -> st.Connection:
        """The sandbox's own view of a Linxo connection (to assert what a person would see)."""
        return _one(self.connections, bank, lambda c: c.bank)

    def account(self, name: str, association: str = "Association Exemple") -> st.AssoAccount:
        """The sandbox's own view of an AssoConnect account."""
        asso = _one(self.associations, association, lambda a: a.name)
        return _one(asso.accounts, name, lambda a: a.name)


def _one(items: list[T], wanted: str, name: Callable[[T], str]) -> T:
    found = [item for item in items if fold(wanted) in fold(name(item))]
    if len(found) != 1:
        raise KeyError(f"{wanted!r} names {len(found)} of {[name(i) for i in items]}")
    return found[0]
