"""Restore a broken Linxo bank connection and make AssoConnect import the bank entries again.

The sync API lives here; `linxo_assoconnect.aio` has the async twin with the same names.
"""

from ._browser import BROWSER_ENV_VAR, chromium_launch_options, find_chromium
from ._errors import (
    AccountNotFound,
    BankAuthFailed,
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
from ._models import (
    AssoBankAccount,
    BankConnection,
    BankProfile,
    Credentials,
    ReauthResult,
    RestoreReport,
    SyncResult,
)
from ._retry import RetryPolicy
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
    "BankAuthFailed",
    "BankAuthPage",
    "BankConnection",
    "BankProfile",
    "BrowserNotFound",
    "ConfigurationError",
    "Credentials",
    "HumanActionRequired",
    "LinxoAssoconnectError",
    "LinxoLoginPage",
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
