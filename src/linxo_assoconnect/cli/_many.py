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
from datetime import timedelta
from typing import TypeVar

from .._core.errors import (
    AccountNotFound,
    LinxoAssoconnectError,
)
from .._core.models import (
    AssoBankAccount,
    BankConnection,
    Credentials,
    ReauthResult,
    now_in_paris,
)
from .._core.otp import AsyncOtp, call_otp_async
from .._core.secrets import logger
from .._core.text import fold, linked_to
from ..flows._async.restore import tutorial
from ..flows._repair import Repair
from ..pages._async.assoconnect import RapprochementPage
from ..session._lanes import LanedSession
from ._codes import LinxoCodes
from ._config import AssociationConfig, Config
from ._consent import ConsentBook
from ._results import (
    AssociationResult,
    ConnectionState,
    account_state,
    failed,
    verdict,
)

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
        self.progress = progress or (lambda association, step: None)
        self._limit = asyncio.Semaphore(config.concurrency)
        self._person = asyncio.Lock()
        self._linxo_logins: dict[str, Credentials] = {}
        self._assoconnect_logins: dict[str, Credentials] = {}

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
            if user in results:
                return await results[user]
            results[user] = asyncio.get_running_loop().create_future()
            try:
                result: T | _Failed = await work(association, credentials[user])
            except LinxoAssoconnectError as error:
                result = _Failed(error)
            except BaseException as error:
                results[user].set_exception(error)
                raise
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
            try:
                async with self._limit, self.session.lane(association.name):
                    result = await work(association)
            except LinxoAssoconnectError as error:
                result = failed(association.name, error)
            except Exception as error:  # an unforeseen bug must not stop the others
                logger.exception("unexpected failure for %s", association.name)
                result = failed(association.name, error)
            self.progress(association.name, verdict(result))
            return result

        return list(await asyncio.gather(*(one(a) for a in associations)))

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
                planned=_plan(association, connections, accounts),
            )

        return await self._per_association(associations, read)

    def _connections(
        self, association: AssociationConfig, connections: list[BankConnection]
    ) -> list[ConnectionState]:
        banks = {link.bank for link in association.accounts if link.bank}
        for bank in banks:
            if not any(_same_bank(bank, c.bank) for c in connections):
                raise AccountNotFound(
                    f"Aucune connexion Linxo ne correspond à la banque « {bank} » de la "
                    f"configuration (connexions : {', '.join(c.bank for c in connections)}).",
                    wanted=bank,
                    choices=[c.bank for c in connections],
                )
        soon = now_in_paris() + timedelta(days=self.config.warn_days)
        states = []
        for connection in connections:
            if banks and not any(_same_bank(bank, connection.bank) for bank in banks):
                continue  # the Linxo user's other associations' banks
            expires, source = self.consent.expiry(
                association.linxo.username, connection.bank, self.config.consent_days
            )
            states.append(
                ConnectionState(
                    bank=connection.bank,
                    healthy=connection.healthy,
                    message=connection.message,
                    updated_at=connection.updated_at,
                    balance=None if connection.balance is None else str(connection.balance),
                    consent_expires=expires,
                    consent_known_from=source,
                    expires_soon=connection.healthy and expires is not None and expires <= soon,
                )
            )
        return states

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
                self.progress(association.name, "AssoConnect : liaison et synchronisation")
                return await self.session.rapprochement(identity, association.name)

            restored = await tutorial(_Steps(linxo_side, import_tab), association.links)
            states = self._connections(association, restored.connections_after)
            after = restored.accounts_after
            healthy = all(c.healthy for c in states) and all(a.sync_active for a in after)
            reauthenticated = [r.bank for r in restored.reauthentications if not r.already_healthy]
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
            syncs, failure = [], None
            for account in await tab.accounts():  # one account failing leaves the others
                try:
                    target = linked_to(association.links, account.name)
                    syncs.append(await tab.force_sync(account.name, linxo_account=target))
                except LinxoAssoconnectError as error:
                    failure = failure or error
            accounts = [account_state(a) for a in await tab.accounts()]
            if failure is not None:
                return failed(tab.association, failure, accounts=accounts, syncs=syncs)
            return AssociationResult(
                association=tab.association,
                outcome="ok" if all(a.sync_active for a in accounts) else "broken",
                accounts=accounts,
                syncs=syncs,
            )

        return await self._per_association(associations, sync_one)


_NO_LOCK = contextlib.nullcontext()


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


def _same_bank(configured: str, shown: str) -> bool:
    """A bank named in the configuration is this connection (case, accents, part of it)."""
    return fold(configured) in fold(shown)


def _plan(
    association: AssociationConfig,
    connections: list[BankConnection],
    accounts: list[AssoBankAccount],
) -> list[str]:
    """What `restore` would do, in the tutorial's order."""
    steps = [
        f"Linxo : « M’authentifier » sur {c.bank}, puis l’authentification de la banque"
        for c in connections
        if not c.healthy
    ]
    for account in accounts:
        if account.sync_active:
            continue
        if account.linxo_account is None:
            target = linked_to(association.links, account.name) or "le compte Linxo du même nom"
            steps.append(f"AssoConnect : associer « {account.name} » à « {target} », Enregistrer")
        steps.append(f"AssoConnect : « Forcer la synchronisation » de « {account.name} »")
    return steps
