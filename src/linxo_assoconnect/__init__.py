"""Restore a broken Linxo bank connection and make AssoConnect import the bank entries again.

The sync API lives here; `linxo_assoconnect.aio` has the async twin with the same names.
"""

from importlib import import_module as _import_module
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._core.errors import (
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

if _TYPE_CHECKING:
    from ._core.browser import BROWSER_ENV_VAR, chromium_launch_options, find_chromium
    from ._core.models import (
        AssoBankAccount,
        AssoConnectProfile,
        BankConnection,
        BankProfile,
        Credentials,
        LinxoProfile,
        ReauthResult,
        RestoreReport,
        SyncResult,
    )
    from ._core.retry import RetryPolicy
    from .flows._sync.restore import restore
    from .pages._sync.assoconnect import AssoConnectLoginPage, RapprochementPage
    from .pages._sync.bank import BankAuthPage
    from .pages._sync.linxo import LinxoLoginPage, LinxoSettings
    from .session._sync.session import Session

# Imported on first use (pydantic and Playwright take a few hundred milliseconds): `import
# linxo_assoconnect` stays quick for the command line and for tools that import it early.
_LAZY = {
    "AssoBankAccount": "._core.models",
    "BankConnection": "._core.models",
    "AssoConnectProfile": "._core.models",
    "BankProfile": "._core.models",
    "LinxoProfile": "._core.models",
    "Credentials": "._core.models",
    "ReauthResult": "._core.models",
    "RestoreReport": "._core.models",
    "SyncResult": "._core.models",
    "RetryPolicy": "._core.retry",
    "BROWSER_ENV_VAR": "._core.browser",
    "chromium_launch_options": "._core.browser",
    "find_chromium": "._core.browser",
    "restore": ".flows._sync.restore",
    "AssoConnectLoginPage": ".pages._sync.assoconnect",
    "RapprochementPage": ".pages._sync.assoconnect",
    "BankAuthPage": ".pages._sync.bank",
    "LinxoLoginPage": ".pages._sync.linxo",
    "LinxoSettings": ".pages._sync.linxo",
    "Session": ".session._sync.session",
}


def __getattr__(name: str) -> _Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
