"""The whole tutorial in one call: re-authenticate broken connections, then re-link and sync."""

from __future__ import annotations

from collections.abc import Callable, Mapping

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

__all__ = ["repair_accounts", "repair_connections", "restore"]


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
    await LinxoLoginPage(
        page, base_url=linxo_url, timeout=timeout, person_timeout=bank_timeout
    ).login(linxo, otp=linxo_otp)
    settings = await LinxoSettings(page, base_url=linxo_url, retry=retry, timeout=timeout).open()
    linxo_side = await repair_connections(
        settings,
        lambda _bank: BankAuthPage(
            page, credentials=bank, otp=otp, profile=profile, timeout=bank_timeout
        ),
    )
    await AssoConnectLoginPage(page, base_url=assoconnect_url, timeout=timeout).login(assoconnect)
    tab = await RapprochementPage(
        page, association=association, base_url=assoconnect_url, retry=retry, timeout=timeout
    ).open()
    return report(tab.association, linxo_side, await repair_accounts(tab, links))


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
