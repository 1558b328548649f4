"""Helpers for tests of the async API, run with asyncio.run() inside plain test functions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from playwright.async_api import Page, async_playwright

from linxo_assoconnect import chromium_launch_options
from linxo_assoconnect.testing import Sandbox, Scenario

T = TypeVar("T")


@asynccontextmanager
async def async_sandbox(scenario: Scenario) -> AsyncIterator[tuple[Page, Sandbox]]:
    """A headless async page served by a new sandbox."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            headless=True, **chromium_launch_options(playwright.chromium)
        )
        context = await browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
        sandbox = Sandbox(scenario)
        await sandbox.attach_async(context)
        try:
            yield await context.new_page(), sandbox
        finally:
            await browser.close()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own event loop, in a thread of its own.

    pytest-playwright keeps a sync Playwright (and so a loop) on the main thread for the session.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
