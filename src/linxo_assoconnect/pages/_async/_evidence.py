"""What a failure leaves for a person to look at, and a trace that never records a secret."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from ..._core.evidence import SECRET_FIELDS, new_evidence_dir, settings_for, write_error, write_html
from ..._core.files import safe_address
from ..._core.secrets import logger

__all__ = ["TYPED_MARKER", "resume_tracing", "start_tracing", "typing_secrets", "write_evidence"]

# Set on a document once a secret is typed into it (and the form submitted from it); a new
# document does not have it.
TYPED_MARKER = "__linxoAssoconnectSecretTyped"


async def start_tracing(context: BrowserContext) -> None:
    """Trace as a Session does: screenshots and DOM snapshots at every action."""
    await context.tracing.start(screenshots=True, snapshots=True)


async def write_evidence(page: Page, what: str, error: BaseException, missing: str | None) -> Path:
    """A new folder with a masked screenshot of ``page``, the page, the step, the URL, the
    error, and the trace since the last evidence (none while a secret may be on the page)."""
    context = page.context
    settings = settings_for(context)
    folder = new_evidence_dir(settings.evidence_dir, what)
    note = ""
    try:
        await page.screenshot(
            path=folder / "page.png", full_page=True, mask=[page.locator(SECRET_FIELDS)]
        )
        write_html(folder, await page.content())
    except PlaywrightError:
        logger.debug("could not save the page in %s", folder, exc_info=True)
    if settings.tracing and settings.trace_paused:
        note = "pas de trace : un secret était saisi sur cette page"
    elif settings.tracing:
        try:
            await context.tracing.stop_chunk(path=folder / "trace.zip")
            await context.tracing.start_chunk()
        except PlaywrightError:
            logger.debug("could not save the trace in %s", folder, exc_info=True)
    write_error(folder, step=what, missing=missing, url=page.url, error=error, note=note)
    where = safe_address(page.url)
    logger.info("%s: %s on %s; evidence in %s", what, type(error).__name__, where, folder)
    return folder


@asynccontextmanager
async def typing_secrets(page: Page) -> AsyncIterator[None]:
    """Type a password or a code inside: no trace records it, nor the page holding it.

    Tracing resumes once the page has been replaced by a new document. If the block fails,
    it stays paused: the secret may still be on the page the evidence would record.
    """
    settings = settings_for(page.context)
    await page.evaluate(f"window.{TYPED_MARKER} = true")
    if settings.tracing and not settings.trace_paused:
        # Stopped, not just a chunk ended: the network log spans chunks, and would keep
        # the form's body. No path: what was recorded so far is dropped.
        await page.context.tracing.stop()
        settings.trace_paused = True
    yield
    await resume_tracing(page)


async def resume_tracing(page: Page) -> None:
    """Trace again once the page a secret was typed in has been replaced."""
    settings = settings_for(page.context)
    if not settings.trace_paused:
        return
    try:
        still_there = await page.evaluate(f"window.{TYPED_MARKER} === true")
    except PlaywrightError:  # navigating: ask again at the next step
        return
    if not still_there:
        await start_tracing(page.context)
        settings.trace_paused = False
