"""The whole tutorial in one call: re-authenticate broken connections, then re-link and sync."""

from __future__ import annotations

from collections.abc import Mapping

from playwright.async_api import Page

from ..._models import BankProfile, Credentials, RestoreReport
from ..._otp import AsyncOtp
from ..._retry import RetryPolicy
from ...pages._async._base import logger
from ...pages._async.assoconnect import ASSOCONNECT_URL, AssoConnectLoginPage, RapprochementPage
from ...pages._async.bank import BankAuthPage
from ...pages._async.linxo import LINXO_URL, LinxoLoginPage, LinxoSettings

__all__ = ["restore"]


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
) -> RestoreReport:
    """Restore what is broken, as the tutorial does, and report the state before and after.

    Linxo: every broken connection is re-authenticated (the bank step by ``bank``/``otp``/
    ``profile``, or by a person in a headed browser). AssoConnect: every account of
    ``association`` whose import is not active is re-linked if needed (to ``links[account]``,
    else the Linxo account of the same name) and its sync forced.
    """
    await LinxoLoginPage(page, base_url=linxo_url, timeout=timeout).login(linxo)
    settings = await LinxoSettings(page, base_url=linxo_url, retry=retry, timeout=timeout).open()
    connections_before = await settings.connections()
    reauthentications = []
    for connection in connections_before:
        if connection.healthy:
            continue
        logger.info("re-authenticating %s", connection.bank)
        bank_auth = BankAuthPage(
            page, credentials=bank, otp=otp, profile=profile, timeout=bank_timeout
        )
        reauthentications.append(await settings.reauthenticate(connection.bank, bank_auth))
    connections_after = await settings.connections()

    await AssoConnectLoginPage(page, base_url=assoconnect_url, timeout=timeout).login(assoconnect)
    tab = await RapprochementPage(
        page, association=association, base_url=assoconnect_url, retry=retry, timeout=timeout
    ).open()
    accounts_before = await tab.accounts()
    syncs = []
    for account in accounts_before:
        if account.sync_active:
            continue
        logger.info("forcing the sync of %s", account.name)
        target = (links or {}).get(account.name)
        syncs.append(await tab.force_sync(account.name, linxo_account=target))
    accounts_after = await tab.accounts()
    return RestoreReport(
        association=tab.association,
        connections_before=connections_before,
        connections_after=connections_after,
        reauthentications=reauthentications,
        accounts_before=accounts_before,
        accounts_after=accounts_after,
        syncs=syncs,
    )
