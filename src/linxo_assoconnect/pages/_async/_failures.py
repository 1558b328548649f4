"""How a page object's failures become the library's errors: Playwright's mapped, the browser
gone (`BrowserClosed`), an answer lost on the way back (`AnswerLost`)."""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from ..._core.errors import BrowserClosed, LinxoAssoconnectError, PageChanged, TransientSiteError

__all__ = [
    "BANK",
    "BROWSER_ERROR_PAGE",
    "GONE",
    "AnswerLost",
    "browser_closed",
    "mapped",
    "not_resumable",
]

# Playwright's messages when a page went away under a call (a navigation): read it again.
GONE = ("Execution context was destroyed", "navigat", "Target closed", "has been closed")
# What the browser shows when a page's answer never came (a connection reset, no network).
BROWSER_ERROR_PAGE = "chrome-error:"
# ... when its renderer died under it (a crash, the memory it needed), or the browser did.
_CRASHED = ("Target crashed", "Page crashed")
_CLOSED = ("Target page, context or browser has been closed", "Browser has been closed")


class AnswerLost(TransientSiteError):
    """A page's answer never reached the browser: what the site did is read, not redone."""


def browser_closed(error: PlaywrightError, page: Page, what: str) -> BrowserClosed | None:
    """``error`` as a `BrowserClosed` if the browser or ``page`` went away, else None."""
    text = str(error)
    browser = page.context.browser
    if any(word in text for word in _CRASHED):
        return BrowserClosed(
            f"La page du navigateur a planté pendant l’étape « {what} ».", step=what
        )
    gone = page.is_closed() or (browser is not None and not browser.is_connected())
    if gone or any(word in text for word in _CLOSED):
        return BrowserClosed(
            f"Le navigateur s’est fermé pendant l’étape « {what} » (arrêté ou tué).", step=what
        )
    return None


BANK = "la banque a pu recevoir un identifiant ou un code"


def not_resumable(error: BrowserClosed, why: str) -> BrowserClosed:
    return BrowserClosed(
        f"{error} L’étape n’a pas été recommencée ({why}) : vérifiez sur le site, ou relancez "
        "la restauration, qui relira l’état.",
        step=error.step,
        resumable=False,
    )


def mapped(error: PlaywrightError, what: str, page: Page) -> LinxoAssoconnectError:
    """Playwright's error as the library's: the browser gone is `BrowserClosed`; a timeout or
    a network failure is the site being slow or away (transient); anything else means the
    page did not behave as expected."""
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    closed = browser_closed(error, page, what)
    if closed is not None:
        return closed
    if isinstance(error, PlaywrightTimeoutError) or "net::" in first:
        return TransientSiteError(f"Le site ne répond pas ({what}) ; réessayez plus tard.")
    return PageChanged(f"La page n’a pas réagi comme prévu ({what}) : {first}")
