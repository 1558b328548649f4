"""The async API: the same names and signatures as `linxo_assoconnect`, for asyncio and Jupyter.

from linxo_assoconnect.aio import LinxoLoginPage, LinxoSettings

await LinxoLoginPage(page).login(credentials)
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from . import _api

if _TYPE_CHECKING:
    from ._core.browser import BROWSER_ENV_VAR, chromium_launch_options, find_chromium
    from ._core.errors import (
        AccountNotFound,
        BankAuthFailed,
        BrowserClosed,
        BrowserNotFound,
        ConfigurationError,
        HumanActionRequired,
        LinxoAssoconnectError,
        LoginFailed,
        LoginRequired,
        PageChanged,
        SyncFailed,
        TransientSiteError,
    )
    from ._core.models import (
        AssoBankAccount,
        BankConnection,
        Credentials,
        ReauthResult,
        RestoreReport,
        SyncResult,
    )
    from ._core.profiles import AssoConnectProfile, BankProfile, LinxoProfile
    from ._core.retry import RetryPolicy
    from .flows._async.restore import restore
    from .pages._async.assoconnect import AssoConnectLoginPage, RapprochementPage
    from .pages._async.bank import BankAuthPage
    from .pages._async.linxo import LinxoLoginPage, LinxoSettings
    from .session._async.session import Session

__all__ = [
    "BROWSER_ENV_VAR",
    "AccountNotFound",
    "AssoBankAccount",
    "AssoConnectLoginPage",
    "AssoConnectProfile",
    "BankAuthFailed",
    "BankAuthPage",
    "BankConnection",
    "BankProfile",
    "BrowserClosed",
    "BrowserNotFound",
    "ConfigurationError",
    "Credentials",
    "HumanActionRequired",
    "LinxoAssoconnectError",
    "LinxoLoginPage",
    "LinxoProfile",
    "LinxoSettings",
    "LoginFailed",
    "LoginRequired",
    "PageChanged",
    "RapprochementPage",
    "ReauthResult",
    "RestoreReport",
    "RetryPolicy",
    "Session",
    "SyncFailed",
    "SyncResult",
    "TransientSiteError",
    "chromium_launch_options",
    "find_chromium",
    "restore",
]


def __getattr__(name: str) -> _Any:
    value = _api.load(name, "async")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
