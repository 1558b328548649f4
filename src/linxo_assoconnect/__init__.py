"""Restore a broken Linxo bank connection and make AssoConnect import the bank entries again.

The sync API lives here; `linxo_assoconnect.aio` has the async twin with the same names. The
names are listed once, in `linxo_assoconnect._api.PUBLIC`; the imports below only tell type
checkers where they come from (a test checks that both agree).
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from . import _api
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

if _TYPE_CHECKING:
    from ._core.browser import BROWSER_ENV_VAR, chromium_launch_options, find_chromium
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
    from .flows._sync.restore import restore
    from .pages._sync.assoconnect import AssoConnectLoginPage, RapprochementPage
    from .pages._sync.bank import BankAuthPage
    from .pages._sync.linxo import LinxoLoginPage, LinxoSettings
    from .session._sync.session import Session

__version__ = "0.1.0.dev0"

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
    "__version__",
    "chromium_launch_options",
    "find_chromium",
    "restore",
]

_api.publish(globals(), "sync")  # the errors, imported above


def __getattr__(name: str) -> _Any:
    value = _api.load(name, "sync")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
