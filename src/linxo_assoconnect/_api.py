"""The public names, in one table: where each is defined, in the sync API (`linxo_assoconnect`)
and in the async one (`linxo_assoconnect.aio`).

Both packages load a name from here on first use (pydantic and Playwright take a few hundred
milliseconds to import), and show it as theirs: ``linxo_assoconnect.LoginFailed`` in a
traceback, not the private module that defines it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Literal

__all__ = ["PUBLIC", "load", "publish"]

_PKG = "linxo_assoconnect"
_ERRORS = f"{_PKG}._core.errors"
_MODELS = f"{_PKG}._core.models"
_PROFILES = f"{_PKG}._core.profiles"
_BROWSER = f"{_PKG}._core.browser"


def _twin(module: str) -> tuple[str, str]:
    """A module generated in ``_sync/`` from its ``_async/`` source: (sync, async)."""
    folder, _, name = module.rpartition(".")
    return f"{_PKG}.{folder}._sync.{name}", f"{_PKG}.{folder}._async.{name}"


PUBLIC: dict[str, tuple[str, str]] = {
    # The errors: one tree, the same classes in both APIs.
    **{
        name: (_ERRORS, _ERRORS)
        for name in (
            "AccountNotFound",
            "BankAuthFailed",
            "BrowserClosed",
            "BrowserNotFound",
            "ConfigurationError",
            "HumanActionRequired",
            "LinxoAssoconnectError",
            "LoginFailed",
            "LoginRequired",
            "PageChanged",
            "SyncFailed",
            "TransientSiteError",
        )
    },
    # What the sites show, and what is given to them: the same in both APIs.
    **{
        name: (_MODELS, _MODELS)
        for name in (
            "AssoBankAccount",
            "BankConnection",
            "Credentials",
            "ReauthResult",
            "RestoreReport",
            "SyncResult",
        )
    },
    # The words looked for on each site.
    **{
        name: (_PROFILES, _PROFILES)
        for name in ("AssoConnectProfile", "BankProfile", "LinxoProfile")
    },
    "RetryPolicy": (f"{_PKG}._core.retry", f"{_PKG}._core.retry"),
    **{
        name: (_BROWSER, _BROWSER)
        for name in ("BROWSER_ENV_VAR", "chromium_launch_options", "find_chromium")
    },
    # The page objects, the session and the whole tutorial: a sync and an async twin each.
    "LinxoLoginPage": _twin("pages.linxo"),
    "LinxoSettings": _twin("pages.linxo"),
    "BankAuthPage": _twin("pages.bank"),
    "AssoConnectLoginPage": _twin("pages.assoconnect"),
    "RapprochementPage": _twin("pages.assoconnect"),
    "Session": _twin("session.session"),
    "restore": _twin("flows.restore"),
}
"""Each public name: (the module defining it for the sync API, the same for the async API)."""

Api = Literal["sync", "async"]
_HOME = {"sync": _PKG, "async": f"{_PKG}.aio"}


def _shown_as(value: Any, api: Api, name: str) -> None:
    if not isinstance(value, type) and not callable(value):
        return  # a constant has no module to show
    sync, asynchronous = PUBLIC[name]
    value.__module__ = _HOME["sync" if sync == asynchronous else api]


def publish(namespace: dict[str, Any], api: Api) -> None:
    """Show the public names already in ``namespace`` (a package's globals) as the package's."""
    for name, value in list(namespace.items()):
        if name in PUBLIC:
            _shown_as(value, api, name)


def load(name: str, api: Api) -> Any:
    """The public ``name`` of ``api``, imported now, shown as the package's own."""
    if name not in PUBLIC:
        raise AttributeError(f"module {_HOME[api]!r} has no attribute {name!r}")
    module = PUBLIC[name][0 if api == "sync" else 1]
    value = getattr(import_module(module), name)
    _shown_as(value, api, name)
    return value
