"""Find a Chromium to drive and the options to launch it with.

Order: the executable named by ``LINXO_ASSOCONNECT_BROWSER``; Playwright's own Chromium when
``playwright install chromium`` was run; a system Chromium or Chrome on ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any, Protocol

from ._errors import BrowserNotFound

__all__ = ["BROWSER_ENV_VAR", "chromium_launch_options", "find_chromium"]

BROWSER_ENV_VAR = "LINXO_ASSOCONNECT_BROWSER"

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


def chromium_launch_options(browser_type: _HasExecutablePath | None = None) -> dict[str, Any]:
    """Keyword arguments for ``BrowserType.launch`` (executable and flags; not ``headless``)."""
    args = list(QUIET_ARGS)
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    options: dict[str, Any] = {"args": args}
    executable = find_chromium(browser_type)
    if executable is not None:
        options["executable_path"] = executable
    return options
