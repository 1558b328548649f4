"""The tutorial, chained once (`tutorial`): re-authenticate broken connections, then re-link
and sync. `restore` runs it on one page; `Session.restore` and the command line run it with
steps of their own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from playwright.async_api import Page

from ..._core.models import (
    AssoBankAccount,
    BankConnection,
    Credentials,
    ReauthResult,
    RestoreReport,
    SyncResult,
)
from ..._core.otp import AsyncOtp
from ..._core.profiles import BankProfile
from ..._core.retry import RetryPolicy
from ..._core.text import linked_to
from ...pages._async._base import logger
from ...pages._async.assoconnect import ASSOCONNECT_URL, AssoConnectLoginPage, RapprochementPage
from ...pages._async.bank import BankAuthPage
from ...pages._async.linxo import LINXO_URL, LinxoLoginPage, LinxoSettings
from .._repair import Repair, report

__all__ = ["Steps", "repair_accounts", "repair_connections", "restore", "tutorial"]


class Steps(Protocol):
    """Where the tutorial's page objects come from, ready: one page, a `Session`'s logins, or
    the command line's (Linxo's side done once per Linxo login)."""

    async def linxo_side(self) -> Repair[BankConnection, ReauthResult]:
        """Steps 1 to 4: every broken connection re-authenticated (`repair_connections`)."""
        ...

    async def import_tab(self) -> RapprochementPage:
        """Step 5: the association's « Import depuis votre banque » tab, logged in, open."""
        ...


async def tutorial(steps: Steps, links: Mapping[str, str] | None = None) -> RestoreReport:
    """The tutorial's eight steps, in order, for one association: Linxo's side, then every
    account whose import is not active re-linked if needed and synced (`repair_accounts`)."""
    linxo_side = await steps.linxo_side()
    tab = await steps.import_tab()
    return report(tab.association, linxo_side, await repair_accounts(tab, links))


@dataclass(frozen=True, kw_only=True)
class _OnePage:
    """The tutorial's page objects on one page, logging in to each site on the way."""

    page: Page
    association: str
    linxo: Credentials
    assoconnect: Credentials
    bank: Credentials | None
    otp: AsyncOtp | None
    profile: BankProfile | None
    linxo_otp: AsyncOtp | None
    linxo_url: str
    assoconnect_url: str
    retry: RetryPolicy | None
    timeout: float
    bank_timeout: float

    async def linxo_side(self) -> Repair[BankConnection, ReauthResult]:
        await LinxoLoginPage(
            self.page,
            base_url=self.linxo_url,
            timeout=self.timeout,
            person_timeout=self.bank_timeout,
        ).login(self.linxo, otp=self.linxo_otp)
        settings = await LinxoSettings(
            self.page, base_url=self.linxo_url, retry=self.retry, timeout=self.timeout
        ).open()
        return await repair_connections(
            settings,
            lambda _bank: BankAuthPage(
                self.page,
                credentials=self.bank,
                otp=self.otp,
                profile=self.profile,
                timeout=self.bank_timeout,
            ),
        )

    async def import_tab(self) -> RapprochementPage:
        await AssoConnectLoginPage(
            self.page, base_url=self.assoconnect_url, timeout=self.timeout
        ).login(self.assoconnect)
        return await RapprochementPage(
            self.page,
            association=self.association,
            base_url=self.assoconnect_url,
            retry=self.retry,
            timeout=self.timeout,
        ).open()


async def restore(
    page: Page,
    *,
    association: str,
    linxo: Credentials,
    assoconnect: Credentials,
    bank: Credentials | None = None,
    otp: AsyncOtp | None = None,
    profile: BankProfile | None = None,
    links: Mapping[str, str] | None = None,
    linxo_url: str = LINXO_URL,
    assoconnect_url: str = ASSOCONNECT_URL,
    retry: RetryPolicy | None = None,
    timeout: float = 30.0,
    bank_timeout: float = 600.0,
    linxo_otp: AsyncOtp | None = None,
) -> RestoreReport:
    """Restore what is broken, as the tutorial does, and report the state before and after.

    Linxo: the login (``linxo_otp`` gives the code Linxo may send by e-mail; without it a
    person types it in a headed browser); every broken connection is re-authenticated (the
    bank step by ``bank``/``otp``/``profile``, or by a person in a headed browser).
    AssoConnect: every account of ``association`` whose import is not active is re-linked if
    needed (to ``links[account]``, else the Linxo account of the same name) and its sync forced.
    """
    steps = _OnePage(
        page=page,
        association=association,
        linxo=linxo,
        assoconnect=assoconnect,
        bank=bank,
        otp=otp,
        profile=profile,
        linxo_otp=linxo_otp,
        linxo_url=linxo_url,
        assoconnect_url=assoconnect_url,
        retry=retry,
        timeout=timeout,
        bank_timeout=bank_timeout,
    )
    return await tutorial(steps, links)


async def repair_connections(
    settings: LinxoSettings, bank_step: Callable[[str], BankAuthPage]
) -> Repair[BankConnection, ReauthResult]:
    """Re-authenticate every broken connection on an open « Mes comptes »; ``bank_step``
    gives the bank page object for a connection's bank."""
    before = await settings.connections()
    done = []
    for connection in before:
        if connection.healthy:
            continue
        logger.info("re-authenticating %s", connection.bank)
        done.append(await settings.reauthenticate(connection.bank, bank_step(connection.bank)))
    return Repair(before, done, await settings.connections() if done else before)


async def repair_accounts(
    tab: RapprochementPage, links: Mapping[str, str] | None = None
) -> Repair[AssoBankAccount, SyncResult]:
    """Re-link if needed and force the sync of every account whose import is not active."""
    before = await tab.accounts()
    done = []
    for account in before:
        if account.sync_active:
            continue
        logger.info("forcing the sync of %s", account.name)
        target = linked_to(links or {}, account.name)
        done.append(await tab.force_sync(account.name, linxo_account=target))
    return Repair(before, done, await tab.accounts() if done else before)
