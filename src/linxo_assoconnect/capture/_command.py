"""``linxo-assoconnect capture``: a browser window for the person, the scrubbed set when done."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from playwright.async_api import async_playwright

from .._core.browser import AsyncContextHook, chromium_launch_options, display_available
from .._core.errors import ConfigurationError
from ._format import MANIFEST
from ._record import Capture

__all__ = ["START", "run_capture"]

START = "https://wwws.linxo.com/auth.page#Login"


async def run_capture(
    folder: Path,
    private: Mapping[str, str | None],
    *,
    on_context: AsyncContextHook | None = None,
) -> int:
    """``linxo-assoconnect capture``: a window for the person, the scrubbed set when done.

    ``on_context`` is called with the capture's browser context before its first page (the
    command line's ``--sandbox`` passes the sandbox's ``attach_async`` there).
    """
    if not display_available():
        raise ConfigurationError(
            "La capture montre une fenêtre où vous suivez le tutoriel : lancez-la depuis une "
            "session graphique (pas depuis cron ni SSH)."
        )
    if (folder / MANIFEST).exists():
        raise ConfigurationError(
            f"{folder} contient déjà une capture : choisissez un autre dossier."
        )
    async with async_playwright() as playwright:
        options = chromium_launch_options(playwright.chromium)
        browser = await playwright.chromium.launch(headless=False, **options)
        try:
            async with Capture(browser, folder, private=private, on_context=on_context) as capture:
                await capture.page.goto(START)
                print(
                    "Suivez le tutoriel dans la fenêtre : Linxo (« Mes comptes », "
                    "« M’authentifier »…), puis AssoConnect (Comptabilité › Rapprochement "
                    "bancaire › « Import depuis votre banque »). Chaque page est enregistrée.\n"
                    "Quand vous avez fini, fermez la fenêtre ou appuyez sur Entrée ici.",
                    file=sys.stderr,
                )
                loop = asyncio.get_running_loop()
                done = loop.create_future()

                def finished() -> None:
                    if not done.done():
                        done.set_result(None)

                def enter() -> None:
                    sys.stdin.readline()
                    loop.call_soon_threadsafe(finished)

                # A daemon thread: a person who closes the window must not have to press Enter.
                threading.Thread(target=enter, daemon=True).start()
                closed = asyncio.ensure_future(capture.page.wait_for_event("close", timeout=0))
                await asyncio.wait([done, closed], return_when=asyncio.FIRST_COMPLETED)
                closed.cancel()
        finally:
            await browser.close()
    result = await capture.finish()  # already written when the block ended: the same result
    print(f"{result.pages} page(s) enregistrée(s), nettoyées, dans {result.folder}.")
    for refusal in result.refused:
        print(f"  {refusal}", file=sys.stderr)
    print(
        "Relisez-les avant de les partager : les noms sont remplacés au mieux "
        "(--private « Nom » pour en ajouter).",
        file=sys.stderr,
    )
    return 0 if result.ok else 1
