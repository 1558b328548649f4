"""Many associations at once: status, restore and sync, one browser, one context each.

Linxo's part is done once per Linxo login (an association's connections are its Linxo
user's), then AssoConnect's part once per association, each in a lane of its own so that no
two share a page or a site session. One association's failure never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from .._core.errors import (
    BrowserClosed,
    LinxoAssoconnectError,
)
from .._core.models import (
    BankConnection,
    Credentials,
    ReauthResult,
    SyncResult,
)
from .._core.otp import AsyncOtp, call_otp_async
from .._core.secrets import logger
from .._core.text import linked_to
from ..flows._async.restore import tutorial
from ..flows._repair import Repair
from ..pages._async.assoconnect import RapprochementPage
from ..session._lanes import LanedSession
from ._codes import LinxoCodes
from ._config import AssociationConfig, Config
from ._consent import ConsentBook
from ._guard import Guard, uncancel
from ._results import (
    AssociationResult,
    ConnectionState,
    Interrupted,
    account_state,
    failed,
    interrupted,
    verdict,
)
from ._states import connection_states, plan

T = TypeVar("T")
Progress = Callable[[str, str], None]

__all__ = ["Run"]


class _Failed(Exception):
    """Linxo's part failed for a login; its associations share the failure."""

    def __init__(self, error: LinxoAssoconnectError) -> None:
        self.error = error


class Run:
    """One command over the configured associations, in one `aio.Session`."""

    def __init__(
        self,
        config: Config,
        session: LanedSession,
        *,
        consent: ConsentBook,
        bank: Callable[[str, str], Credentials | None] = lambda user, bank: None,
        otp: AsyncOtp | None = None,
        linxo_codes: LinxoCodes = lambda user: None,
        person: bool = True,
        progress: Progress | None = None,
    ) -> None:
        self.config = config
        self.session = session
        self.consent = consent
        self.bank = bank
        """The bank's login for a Linxo user's connection to a bank, if the tool may fill it."""
        self.otp = otp
        self.linxo_codes = linxo_codes
        """Where the code Linxo sends by e-mail comes from, for a login about to start."""
        self.person = person
        """A person takes part in the bank step (window or code): one bank step at a time."""
        self._say = progress or (lambda association, step: None)
        self._limit = asyncio.Semaphore(config.concurrency)
        self._person = asyncio.Lock()
        self._linxo_logins: dict[str, Credentials] = {}
        self._assoconnect_logins: dict[str, Credentials] = {}
        self._synced: dict[str, list[SyncResult]] = {}
        """The syncs `sync` did, by association (kept if a new browser goes on)."""
        self._forced: dict[str, dict[str, datetime | None]] = {}
        """The accounts `sync` forced, by association, with their last import before."""
        self.guard = Guard(session)
        """Its stop requests (signals) and its one browser restart."""

    def progress(self, association: str, step: str) -> None:
        self.guard.steps[association] = step
        self._say(association, step)

    # Each association, concurrently ----------------------------------------------------------

    def _per_linxo_login(
        self,
        credentials: dict[str, Credentials],
        work: Callable[[AssociationConfig, Credentials], Awaitable[T]],
    ) -> Callable[[AssociationConfig], Awaitable[T | _Failed]]:
        """``work`` once per Linxo login, in the lane of the first association that asks; the
        others naming the same login wait for it (no second bank step for one connection)."""
        results: dict[str, asyncio.Future[T | _Failed]] = {}

        async def done_for(association: AssociationConfig) -> T | _Failed:
            user = association.linxo.username.casefold()
            if user in results:  # shielded: a waiter cancelled leaves the others theirs
                return await asyncio.shield(results[user])
            results[user] = asyncio.get_running_loop().create_future()
            try:
                self.guard.safe_point(f"Linxo ({user})")
                result: T | _Failed = await work(association, credentials[user])
            except LinxoAssoconnectError as error:
                resumable = isinstance(error, BrowserClosed) and error.resumable
                if resumable or isinstance(error, Interrupted):
                    # Not this login's result: done again by the next association that asks.
                    _settle(results.pop(user), error)
                    raise
                result = _Failed(error)  # kept: a bank step cut short is not done again
            except BaseException as error:
                _settle(results.pop(user), error)
                raise
            if not results[user].done():
                results[user].set_result(result)
            return result

        return done_for

    async def _per_association(
        self,
        associations: list[AssociationConfig],
        work: Callable[[AssociationConfig], Awaitable[AssociationResult]],
    ) -> list[AssociationResult]:
        """``work`` for each association in a lane of its own (one browser context for both
        sites), at most ``concurrency`` at once; a failure becomes that association's result."""

        async def one(association: AssociationConfig) -> AssociationResult:
            name = association.name
            for again in (False, True):
                closed = None
                try:
                    async with self._limit:
                        self.guard.safe_point()
                        async with self.session.lane(name):
                            result = await work(association)
                except BrowserClosed as error:
                    closed = error
                    result = self.guard.closed(name, error)
                except asyncio.CancelledError:
                    uncancel()
                    result = self.guard.cut_short(name)
                except Interrupted as error:
                    result = interrupted(name, str(error))
                except LinxoAssoconnectError as error:
                    result = failed(name, error)
                except Exception as error:  # an unforeseen bug must not stop the others
                    logger.exception("unexpected failure for %s", name)
                    result = failed(name, self.guard.browser_error(error))
                if closed is not None and not again:
                    try:
                        if await self.guard.new_browser(closed):
                            self.progress(name, "nouveau navigateur : reprise, l’état relu d’abord")
                            continue
                    except asyncio.CancelledError:
                        uncancel()
                        result = self.guard.cut_short(name)
                if again and result.outcome != "interrupted":
                    result = result.model_copy(update={"resumed": True})
                break
            self.progress(name, verdict(result))
            return result

        self.guard.tasks = [asyncio.ensure_future(one(a)) for a in associations]
        return list(await asyncio.gather(*self.guard.tasks))

    def _linxo_code(self, association: AssociationConfig, user: str) -> AsyncOtp | None:
        """Linxo's e-mail code for a login of ``user`` starting now, saying when it is asked."""
        source = self.linxo_codes(user)
        if source is None:
            return None

        async def asked() -> str:
            self.progress(association.name, f"Linxo ({user}) : code envoyé par e-mail")
            return await call_otp_async(source)

        return asked

    # Credentials first: a missing password fails before any site is asked anything ------------

    def credentials(
        self, associations: list[AssociationConfig], *, linxo_too: bool = True
    ) -> tuple[dict[str, Credentials], dict[str, Credentials]]:
        """Every Linxo and AssoConnect login needed, by user name; `ConfigurationError` first."""
        linxo, assoconnect = self._linxo_logins, self._assoconnect_logins
        for association in associations:
            user = association.linxo.username.casefold()
            if linxo_too and user not in linxo:
                linxo[user] = association.linxo.credentials("linxo")
            identity = self.config.login(association)
            if identity.username.casefold() not in assoconnect:
                assoconnect[identity.username.casefold()] = identity.credentials("assoconnect")
        return linxo, assoconnect

    def _assoconnect(
        self, credentials: dict[str, Credentials], association: AssociationConfig
    ) -> Credentials:
        return credentials[self.config.login(association).username.casefold()]

    # status -----------------------------------------------------------------------------------

    async def status(self, associations: list[AssociationConfig]) -> list[AssociationResult]:
        """Every connection and account as the sites show them, consent expiry included."""
        linxo, assoconnect = self.credentials(associations)

        async def read_linxo(
            association: AssociationConfig, credentials: Credentials
        ) -> list[BankConnection]:
            self.progress(association.name, f"Linxo ({credentials.username}) : « Mes comptes »")
            otp = self._linxo_code(association, credentials.username)
            connections = await (await self.session.linxo(credentials, otp=otp)).connections()
            self.consent.observe(credentials.username, connections)
            return connections

        seen = self._per_linxo_login(linxo, read_linxo)

        async def read(association: AssociationConfig) -> AssociationResult:
            connections = await seen(association)
            if isinstance(connections, _Failed):
                return failed(association.name, connections.error)
            self.progress(association.name, "AssoConnect : « Import depuis votre banque »")
            tab = await self.session.rapprochement(
                self._assoconnect(assoconnect, association), association.name
            )
            accounts = await tab.accounts()
            states = self._connections(association, connections)
            healthy = all(c.healthy for c in states) and all(a.sync_active for a in accounts)
            return AssociationResult(
                association=tab.association,
                outcome="ok" if healthy else "broken",
                connections=states,
                accounts=[account_state(a) for a in accounts],
                planned=plan(association, connections, accounts),
            )

        return await self._per_association(associations, read)

    def _connections(
        self, association: AssociationConfig, connections: list[BankConnection]
    ) -> list[ConnectionState]:
        return connection_states(association, connections, self.consent, self.config)

    # restore ----------------------------------------------------------------------------------

    async def restore(self, associations: list[AssociationConfig]) -> list[AssociationResult]:
        """The whole tutorial for each association; healthy ones are only read."""
        linxo, assoconnect = self.credentials(associations)

        async def repair_linxo(
            association: AssociationConfig, credentials: Credentials
        ) -> Repair[BankConnection, ReauthResult]:
            self.progress(association.name, f"Linxo ({credentials.username}) : connexions")
            user = credentials.username
            linxo_otp = self._linxo_code(association, user)
            seen = await (await self.session.linxo(credentials, otp=linxo_otp)).connections()
            broken = [c.bank for c in seen if not c.healthy]
            if not broken:
                self.consent.observe(user, seen)
                return Repair(seen, [], seen)
            self.guard.safe_point("banque : authentification")
            self.progress(association.name, f"banque : authentification ({', '.join(broken)})")
            async with self._person if self.person else _NO_LOCK:  # a person: one at a time
                repaired = await self.session._repair_linxo(
                    credentials, lambda bank: self.bank(user, bank), self.otp, None, linxo_otp
                )
            for reauth in repaired.done:
                if not reauth.already_healthy:
                    self.consent.performed(credentials.username, reauth.bank, reauth.completed_at)
            self.consent.observe(credentials.username, repaired.after)
            return repaired

        done = self._per_linxo_login(linxo, repair_linxo)

        async def repair(association: AssociationConfig) -> AssociationResult:
            linxo_side = await done(association)
            if isinstance(linxo_side, _Failed):
                return failed(association.name, linxo_side.error)
            identity = self._assoconnect(assoconnect, association)

            async def import_tab() -> RapprochementPage:
                self.guard.safe_point("AssoConnect : liaison et synchronisation")
                self.progress(association.name, "AssoConnect : liaison et synchronisation")
                return await self.session.rapprochement(identity, association.name)

            reauthenticated = [r.bank for r in linxo_side.done if not r.already_healthy]
            try:
                restored = await tutorial(_Steps(linxo_side, import_tab), association.links)
            except Interrupted as stopped:  # Linxo's side done: say so
                return interrupted(
                    association.name,
                    str(stopped),
                    connections=self._connections(association, linxo_side.after),
                    reauthenticated=reauthenticated,
                )
            states = self._connections(association, restored.connections_after)
            after = restored.accounts_after
            healthy = all(c.healthy for c in states) and all(a.sync_active for a in after)
            changed = reauthenticated or restored.syncs
            return AssociationResult(
                association=restored.association,
                outcome=("fixed" if changed else "ok") if healthy else "broken",
                connections=states,
                accounts=[account_state(a) for a in after],
                reauthenticated=reauthenticated,
                syncs=restored.syncs,
            )

        return await self._per_association(associations, repair)

    # sync -------------------------------------------------------------------------------------

    async def sync(self, associations: list[AssociationConfig]) -> list[AssociationResult]:
        """« Forcer la synchronisation » of every account, nothing else."""
        _, assoconnect = self.credentials(associations, linxo_too=False)

        async def sync_one(association: AssociationConfig) -> AssociationResult:
            self.progress(association.name, "AssoConnect : synchronisation forcée")
            tab = await self.session.rapprochement(
                self._assoconnect(assoconnect, association), association.name
            )
            failure = None
            syncs = self._synced.setdefault(association.name, [])  # a resumed run's too
            # Forced before a browser went away, and imported since: not forced again.
            forced = self._forced.setdefault(association.name, {})
            for account in await tab.accounts():  # one account failing leaves the others
                if account.name in forced and forced[account.name] != account.last_import:
                    continue
                try:
                    self.guard.safe_point(f"synchronisation de {account.name}")
                except Interrupted as stopped:
                    return interrupted(tab.association, str(stopped), syncs=list(syncs))
                forced[account.name] = account.last_import
                try:
                    target = linked_to(association.links, account.name)
                    syncs.append(await tab.force_sync(account.name, linxo_account=target))
                except BrowserClosed:
                    raise
                except LinxoAssoconnectError as error:
                    failure = failure or error
            accounts = [account_state(a) for a in await tab.accounts()]
            if failure is not None:
                return failed(tab.association, failure, accounts=accounts, syncs=list(syncs))
            return AssociationResult(
                association=tab.association,
                outcome="ok" if all(a.sync_active for a in accounts) else "broken",
                accounts=accounts,
                syncs=list(syncs),
            )

        return await self._per_association(associations, sync_one)


_NO_LOCK = contextlib.nullcontext()


def _settle(future: asyncio.Future[T | _Failed], error: BaseException) -> None:
    """End ``future`` with ``error`` for whoever waits on it (retrieved: nobody may)."""
    if not future.done():
        future.set_exception(error)
        future.exception()


@dataclass(frozen=True)
class _Steps:
    """The tutorial's steps for one association: Linxo's side done already (once per Linxo
    login), then the association's import tab."""

    done_on_linxo: Repair[BankConnection, ReauthResult]
    open_import_tab: Callable[[], Awaitable[RapprochementPage]]

    async def linxo_side(self) -> Repair[BankConnection, ReauthResult]:
        return self.done_on_linxo

    async def import_tab(self) -> RapprochementPage:
        return await self.open_import_tab()
