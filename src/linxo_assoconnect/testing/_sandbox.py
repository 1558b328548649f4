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

from .._text import fold, label_regex
from . import _state as st
from ._data import ASSOCIATIONS, LINXO_CONNECTIONS, federation
from ._http import Request, Response
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


@functools.cache
def _templates(variant: str) -> jinja2.Environment:
    """The recorded pages of one markup variant (compiled once per process)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([FIXTURES / variant, FIXTURES]),
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
        self.record = st.Record()
        """What happened, for tests to assert on."""
        self._lock = threading.Lock()
        more_connections, more_associations = federation(self.scenario.federation)
        self._connection_seeds = LINXO_CONNECTIONS + more_connections
        self._association_seeds = ASSOCIATIONS + more_associations
        self.connections = self._seed_connections()
        self.associations = self._seed_associations()
        self._templates = _templates(self.scenario.variant)
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
        html = self._templates.get_template(f"{site}/{template}").render(
            scenario=self.scenario, now=st.now(), **context
        )
        for old, new in self.scenario.changed_labels.items():
            # Whatever apostrophes or case the markup variant writes the label with.
            html = re.sub(
                rf">(\s*){label_regex(old).pattern}(\s*)<", rf">\g<1>{new}\g<2><", html, flags=re.I
            )
        return Response(status=status, body=html)

    @property
    def latency(self) -> float:
        """Seconds every response is delayed by."""
        return self.scenario.latency

    def handle(self, request: Request) -> Response | None:
        """Answer one request, or None when the sandbox serves nothing at that address."""
        return self.respond(request) if request.host in self._sites else None

    def serves(self, host: str) -> bool:
        """Whether ``host`` is one of the sandbox's sites."""
        return host in self._sites

    def blocked(self, url: str) -> None:
        """Note a request to an address outside the sandbox (it is aborted)."""
        with self._lock:
            self.record.add(
                st.Event("blocked_request", "elsewhere", subject=url.split("?", maxsplit=1)[0])
            )

    def respond(self, request: Request) -> Response:
        """Answer one request to one of the sandbox's sites, as that site would."""
        site = self._sites[request.host]
        with self._lock:
            self.record.requests.append(f"{request.method} {request.url.split('?')[0]}")
            handler = site.routes.find(request)
            if handler is None:
                return self.render(site.name, "error.html", status=404)
            return handler(request)

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
