"""Find a Chromium to drive and the options to launch it with.

Order: the executable named by ``LINXO_ASSOCONNECT_BROWSER``; Playwright's own Chromium when
``playwright install chromium`` was run; a system Chromium or Chrome on ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from playwright.async_api import BrowserContext as AsyncBrowserContext
from playwright.sync_api import BrowserContext

from .errors import BrowserNotFound

__all__ = [
    "BROWSER_ENV_VAR",
    "AsyncContextHook",
    "SyncContextHook",
    "chromium_launch_options",
    "display_available",
    "find_chromium",
]

BROWSER_ENV_VAR = "LINXO_ASSOCONNECT_BROWSER"
"""The environment variable naming the Chromium or Chrome executable to drive."""

SYSTEM_CHROMIUMS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)

# Chromium otherwise keeps calling home (updates, sync, safe browsing), which is noise at best
# and, on a closed network, a stream of refused connections.
QUIET_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

HOW_TO_GET_ONE = (
    "Aucun navigateur Chromium n’a été trouvé. Installez-en un avec "
    "`python -m playwright install chromium`, ou le paquet de votre système (Debian, Ubuntu : "
    f"`sudo apt-get install chromium`), ou indiquez le chemin d’un Chromium ou d’un Chrome "
    f"dans la variable d’environnement {BROWSER_ENV_VAR}."
)


class _HasExecutablePath(Protocol):
    @property
    def executable_path(self) -> str: ...


def find_chromium(browser_type: _HasExecutablePath | None = None) -> str | None:
    """Return the Chromium executable to launch, or None to use Playwright's own.

    Raises `BrowserNotFound` when nothing usable exists, with a message saying how to get one.
    """
    override = os.environ.get(BROWSER_ENV_VAR)
    if override:
        path = shutil.which(override) or override
        if not (Path(path).is_file() and os.access(path, os.X_OK)):
            raise BrowserNotFound(
                f"{BROWSER_ENV_VAR}={override!r} n’est pas un fichier exécutable."
            )
        return path
    if browser_type is not None and Path(browser_type.executable_path).is_file():
        return None
    for name in SYSTEM_CHROMIUMS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound(HOW_TO_GET_ONE)


def chromium_launch_options(
    browser_type: _HasExecutablePath | None = None, *, executable: str | None = None
) -> dict[str, Any]:
    """Keyword arguments for ``BrowserType.launch`` (executable and flags; not ``headless``).

    ``executable`` is used as given; without it, `find_chromium` chooses.
    """
    args = list(QUIET_ARGS)
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    options: dict[str, Any] = {"args": args}
    executable = executable or find_chromium(browser_type)
    if executable is not None:
        options["executable_path"] = executable
    return options


def display_available() -> bool:
    """Whether a browser window can be shown to a person (no display under cron or SSH)."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


SyncContextHook = Callable[[BrowserContext], None]
"""Called with every browser context a sync `Session` opens (e.g. ``Sandbox.attach``)."""
AsyncContextHook = Callable[[AsyncBrowserContext], Awaitable[None]]
"""Called with every browser context an async `Session` opens (e.g. ``Sandbox.attach_async``)."""
