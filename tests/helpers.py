"""Sandboxed browsers for tests: the same helper in a sync and an async flavour.

Tests in tests/_async/ use `async_sandboxed`; their generated twins in tests/_sync/ use
`sandboxed`. Each opens a headless Chromium whose only sites are the sandbox's.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar

from playwright.async_api import Browser as AsyncBrowser
from playwright.async_api import Page as AsyncPage
from playwright.async_api import Playwright as AsyncPlaywright
from playwright.async_api import async_playwright
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from pydantic import SecretStr

from linxo_assoconnect import Credentials, RetryPolicy, chromium_launch_options
from linxo_assoconnect.testing import (
    DEMO_ASSOCONNECT,
    DEMO_BANK,
    DEMO_LINXO,
    DemoLogin,
    Sandbox,
    Scenario,
)

T = TypeVar("T")

CONTEXT = {"locale": "fr-FR", "timezone_id": "Europe/Paris"}


def credentials(login: DemoLogin, password: str | None = None) -> Credentials:
    return Credentials(username=login.username, password=SecretStr(password or login.password))


LINXO = credentials(DEMO_LINXO)
ASSOCONNECT = credentials(DEMO_ASSOCONNECT)
BANK = credentials(DEMO_BANK)
FAST_RETRY = RetryPolicy(attempts=4, initial_wait=0.05, max_wait=0.2, deadline=30)


class _Browsers:
    """One Chromium per flavour for the whole test session; each test gets a new context.

    Async tests all run on one event loop, in a thread of its own, so they can share theirs.
    """

    def __init__(self) -> None:
        self._sync: tuple[Playwright, Browser] | None = None
        self._async: tuple[AsyncPlaywright, AsyncBrowser] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def sync_browser(self) -> Browser:
        if self._sync is None:
            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(**chromium_launch_options(playwright.chromium))
            self._sync = (playwright, browser)
        return self._sync[1]

    async def async_browser(self) -> AsyncBrowser:
        if self._async is None:
            playwright = await async_playwright().start()
            options = chromium_launch_options(playwright.chromium)
            self._async = (playwright, await playwright.chromium.launch(**options))
        return self._async[1]

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            threading.Thread(target=self._loop.run_forever, daemon=True).start()
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def close(self) -> None:
        if self._async is not None:
            playwright, browser = self._async
            self.run(browser.close())
            self.run(playwright.stop())
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._sync is not None:
            playwright_sync, browser_sync = self._sync
            browser_sync.close()
            playwright_sync.stop()


BROWSERS = _Browsers()


@contextmanager
def sandboxed(scenario: Scenario) -> Iterator[tuple[Page, Sandbox]]:
    """A headless page (sync API) served by a new sandbox."""
    context = BROWSERS.sync_browser().new_context(**CONTEXT)  # type: ignore[arg-type]
    try:
        sandbox = Sandbox(scenario)
        sandbox.attach(context)
        yield context.new_page(), sandbox
    finally:
        context.close()


@asynccontextmanager
async def async_sandboxed(scenario: Scenario) -> AsyncIterator[tuple[AsyncPage, Sandbox]]:
    """A headless page (async API) served by a new sandbox."""
    context = await (await BROWSERS.async_browser()).new_context(**CONTEXT)  # type: ignore[arg-type]
    try:
        sandbox = Sandbox(scenario)
        await sandbox.attach_async(context)
        yield await context.new_page(), sandbox
    finally:
        await context.close()


def shared_browser() -> Browser:
    """The test session's Chromium (sync API): only one sync Playwright may run per thread."""
    return BROWSERS.sync_browser()


async def async_shared_browser() -> AsyncBrowser:
    """The test session's Chromium (async API)."""
    return await BROWSERS.async_browser()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on the tests' event loop (a thread of its own, shared by async tests)."""
    return BROWSERS.run(coroutine)


def main_in_thread(argv: list[str]) -> int:
    """The command line's ``main(argv)`` in a thread of its own, as in a process: its
    ``asyncio.run`` needs a thread where no event loop runs (a sync Playwright test leaves one)."""
    from concurrent.futures import ThreadPoolExecutor

    from linxo_assoconnect.cli import main

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(main, argv).result()
