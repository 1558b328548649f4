"""What every page object shares: a Page, a timeout, and locating by visible words."""

from __future__ import annotations

import contextlib
import functools
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from ..._core.errors import (
    BrowserClosed,
    LinxoAssoconnectError,
    LoginRequired,
    PageChanged,
    TransientSiteError,
)
from ..._core.files import safe_address
from ..._core.profiles import SiteProfile
from ..._core.secrets import logger
from .._snapshot import CHANGED_JS, MARK, SNAPSHOT_JS, Node, Snapshot, contains_word
from ._evidence import TYPED_MARKER, resume_tracing, start_tracing, write_evidence
from ._failures import (
    BANK,
    BROWSER_ERROR_PAGE,
    GONE,
    AnswerLost,
    mapped,
    not_resumable,
)

__all__ = [
    "TYPED_MARKER",
    "AnswerLost",
    "PageObject",
    "host_of",
    "logger",
    "start_tracing",
    "step",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
P = TypeVar("P", bound="PageObject")
_READS = itertools.count()  # every read marks new elements with a prefix of its own


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def domain_of(url: str) -> str:
    """« assoconnect.com » for https://app.assoconnect.com/…: a site's hosts share it."""
    parts = host_of(url).split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else ".".join(parts)


def step(what: str, *, resumable: bool = True) -> Callable[[F], F]:
    """Mark a public method as one step of the flow: an error leaving it keeps evidence.

    ``resumable=False``: the step may send the bank a secret, so if the browser goes away
    during it, it is not to be done again in a new one (`BrowserClosed.resumable`)."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        async def run(self: PageObject, *args: Any, **kwargs: Any) -> Any:
            shared = self._run
            outer, shared.step = shared.step, shared.step or what
            try:
                await resume_tracing(self.page)
                return await method(self, *args, **kwargs)
            except LoginRequired:
                raise  # the login form: nothing for a person to look at
            except LinxoAssoconnectError as error:
                held = shared.sent or (not resumable and BANK)
                if isinstance(error, BrowserClosed) and error.resumable and held:
                    raise await self._evidenced(not_resumable(error, held)) from error
                if error.evidence is None:
                    error.evidence = await self._save_evidence(error)
                raise
            except PlaywrightError as raw:  # one error tree: Playwright's are mapped here
                failure = mapped(raw, what, self.page)
                held = shared.sent or (not resumable and BANK)
                if isinstance(failure, BrowserClosed) and held:
                    failure = not_resumable(failure, held)
                raise await self._evidenced(failure) from raw
            finally:
                shared.step = outer
                if not outer:
                    shared.sent = ""

        return cast(F, run)

    return decorate


@dataclass
class _Run:
    """What the page objects acting on one page for one public method share: the step being
    run (for evidence), and the interstitials answered (per document)."""

    step: str = ""
    answered: set[tuple[str, str]] = field(default_factory=set)
    sent: str = ""
    """What the step sent that is not to be sent again if the browser goes away before the
    step ends (« « Synchroniser » a été cliqué »)."""


class PageObject:
    """A plain class wrapping a Playwright Page; ``timeout`` is in seconds.

    A page is read in one call (`_read`), what to do is decided in Python on what it shows, and
    the element decided on is acted on through its mark. Waits are on the page changing, never
    on a clock: after an action, whatever the page then shows (a reload, an in-place update, a
    redirection) is read again until it shows an outcome.
    """

    _site: SiteProfile = SiteProfile()
    _home: str | None = None
    """The site's domain (« linxo.com »): interstitials are answered only there."""

    def __init__(self, page: Page, *, timeout: float = 30.0) -> None:
        self.page = page
        self.timeout = timeout
        self._run = _Run()

    def _part(self, part: P) -> P:
        """``part``, a page object for one part of this one's work on the same page: it runs
        within this one's steps (its evidence named after them) and knows what was answered."""
        part._run = self._run
        return part

    @property
    def _ms(self) -> float:
        return self.timeout * 1000

    # Reading ---------------------------------------------------------------------------

    async def _read(self) -> Snapshot:
        """What the page shows now, in one call (again if a navigation got in the way)."""
        for _ in range(20):
            try:
                raw = await self.page.evaluate(
                    SNAPSHOT_JS, {"gen": f"r{next(_READS)}", "mark": MARK}
                )
            except PlaywrightError as error:
                if not any(word in str(error) for word in GONE) or self._gone():
                    raise
                await self._loaded()
                continue
            return Snapshot.parse(raw)
        raise PageChanged("La page se recharge sans fin.")

    def _gone(self) -> bool:
        """Whether the page, or the browser, is no more (nothing to read again)."""
        browser = self.page.context.browser
        return self.page.is_closed() or (browser is not None and not browser.is_connected())

    async def _loaded(self) -> None:
        with contextlib.suppress(PlaywrightError):  # read again: the page says what it is
            await self.page.wait_for_load_state("domcontentloaded", timeout=self._ms)

    async def _changed(self, snapshot: Snapshot, seconds: float) -> None:
        """Wait, at most ``seconds``, for the page to change since ``snapshot``.

        At most a second, too: what CSS alone changes (a transition ending, a hover) is no
        change of the document, and is seen by reading the page again."""
        wait = min(max(seconds, 0.05), 1.0)
        try:
            await self.page.wait_for_function(
                CHANGED_JS, arg=[snapshot.doc, snapshot.changes], timeout=wait * 1000
            )
        except PlaywrightTimeoutError:
            return
        except PlaywrightError as error:
            if not any(word in str(error) for word in GONE):
                raise
            await self._loaded()

    async def _until(
        self,
        decide: Callable[[Snapshot], T | None],
        what: str,
        *,
        timeout: float | None = None,
    ) -> T:
        """Read the page until ``decide`` finds what it looks for in it; `PageChanged` (with
        evidence) if the page never shows it within ``timeout`` seconds.

        Meanwhile a cookie banner is answered (refused where it can be), news are closed, and
        nothing is decided while the page says it is loading.
        """
        found = await self._within(decide, self.timeout if timeout is None else timeout)
        if found is None:
            raise await self._page_changed(what)
        return found

    async def _within(self, decide: Callable[[Snapshot], T | None], seconds: float) -> T | None:
        """`_until`, but None once ``seconds`` have passed without the page showing it."""
        deadline = time.monotonic() + seconds
        while True:
            snapshot = await self._read()
            if snapshot.url.startswith(BROWSER_ERROR_PAGE):
                raise AnswerLost(
                    "La réponse du site s’est perdue en route (connexion coupée) ; rien n’a "
                    "été renvoyé sans relire l’état de la page."
                )
            if await self._clear_the_way(snapshot):
                continue
            if not self._loading(snapshot):
                found = decide(snapshot)
                if found is not None:
                    return found
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            await self._changed(snapshot, left)

    def _loading(self, snapshot: Snapshot) -> bool:
        if snapshot.busy:
            return True
        return any(
            len(n.own) < 40 and contains_word(n.own, self._site.busy) for n in snapshot.nodes
        )

    async def _clear_the_way(self, snapshot: Snapshot) -> bool:
        """Answer what real sites put in the way; True if something was clicked."""
        site = self._site
        if not self._at_home(snapshot.url):
            return False  # another site's page (the bank's, for a person): not ours to answer
        done = {kind for doc, kind in self._run.answered if doc == snapshot.doc}
        for kind, words, answers in (
            ("cookies", site.cookie_words, site.refuse_cookies),
            ("cookies", site.cookie_words, site.accept_cookies),
            ("news", site.news_words, site.close),
        ):
            if kind in done:
                continue  # answered on this page: what is left of it is fading out
            for answer in snapshot.controls(answers, strict=True):
                about = [n for n in snapshot.texts(words) if len(n.own) < 400]
                box = next(
                    (
                        box
                        for box in (snapshot.common([answer, n]) for n in about)
                        if box is not None and len(snapshot.text(box)) < 1500
                    ),
                    None,
                )
                key = (snapshot.doc, answer.m)
                if box is None or key in self._run.answered:
                    continue
                self._run.answered.update({key, (snapshot.doc, kind)})
                logger.info(
                    "answering « %s » on %s",
                    " ".join(answer.names[:1]) or answer.own,
                    host_of(snapshot.url),
                )
                try:  # it may vanish as it is clicked: the next read tells
                    await self._locate(answer).click(timeout=min(self._ms, 5000))
                except PlaywrightError:
                    logger.debug("the banner went away before the click", exc_info=True)
                return True
        return False

    def _at_home(self, url: str) -> bool:
        """Whether ``url`` is on this page object's site (any host of its domain)."""
        return self._home is None or domain_of(url) == self._home

    # Acting ----------------------------------------------------------------------------

    def _locate(self, node: Node) -> Any:
        return self.page.locator(f"[{MARK}='{node.m}']")

    async def _act(self, node: Node, what: str) -> None:
        """Click the element read as ``node`` (exactly that one)."""
        if not node.m:
            raise await self._page_changed(what)
        target = self.page.locator(f"[{MARK}='{node.via}']") if node.via else self._locate(node)
        try:
            await target.click(timeout=self._ms)
        except PlaywrightTimeoutError:
            raise await self._page_changed(f"{what} (impossible à cliquer)") from None

    async def _fill(self, node: Node, value: str, what: str) -> None:
        try:
            await self._locate(node).fill(value, timeout=self._ms)
        except PlaywrightTimeoutError:
            raise await self._page_changed(f"{what} (impossible à remplir)") from None

    async def _choose_option(self, node: Node, label: str) -> None:
        await self._locate(node).select_option(label=label, timeout=self._ms)

    async def _goto(self, url: str, what: str) -> None:
        """Open an entry page; a 5xx or no answer in time is a `TransientSiteError`."""
        try:
            response = await self.page.goto(url, timeout=self._ms)
        except PlaywrightTimeoutError as error:
            raise TransientSiteError(
                f"Le site ne répond pas à temps ({what}) ; réessayez plus tard."
            ) from error
        except PlaywrightError as error:
            if "net::" not in str(error) or self._gone():
                raise
            raise TransientSiteError(
                f"La connexion au site a été coupée ({what}) ; réessayez plus tard."
            ) from error
        if response is not None and response.status >= 500:
            raise TransientSiteError(
                f"{what} : le site répond {response.status} ; réessayez plus tard."
            )

    @staticmethod
    def _nearest(snapshot: Snapshot, candidates: Sequence[Node], near: Node | None) -> Node | None:
        """Of ``candidates``, the one closest to ``near`` in the page (same form, same card)."""
        if not candidates:
            return None
        if near is None:
            return candidates[0]

        def distance(node: Node) -> int:
            box = snapshot.common([node, near])
            return len(snapshot.inside(box)) if box else len(snapshot.nodes)

        return min(candidates, key=distance)

    # Logging in ----------------------------------------------------------------------

    def _password_field(self, snapshot: Snapshot) -> Node | None:
        """A login form's password field: every page tells by it that it is logged out."""
        found = snapshot.fields_of_type("password") or snapshot.fields(self._site.password)
        return found[0] if found else None

    # Evidence --------------------------------------------------------------------------

    async def _page_changed(self, what: str) -> PageChanged:
        where = safe_address(self.page.url)
        error = PageChanged(
            f"Introuvable après {self.timeout:g} s sur {where} : {what}. "
            "Le site a peut-être changé."
        )
        folder = await self._save_evidence(error, missing=what)
        if folder is None:
            return error
        screenshot, html = folder / "page.png", folder / "page.html"
        changed = PageChanged(
            f"{error} Capture d’écran et page enregistrées dans {folder}",
            screenshot=screenshot if screenshot.exists() else None,
            html=html if html.exists() else None,
        )
        changed.evidence = folder
        return changed

    async def _evidenced(self, error: LinxoAssoconnectError) -> LinxoAssoconnectError:
        if error.evidence is None:
            error.evidence = await self._save_evidence(error)
        return error

    async def _save_evidence(
        self, error: BaseException, *, missing: str | None = None
    ) -> Path | None:
        """A folder with a masked screenshot, the page, the step and the URL (and the trace).

        None if it cannot be written: the error it documents matters more than its evidence.
        """
        what = self._run.step or missing or type(self).__name__
        try:
            return await write_evidence(self.page, what, error, missing)
        except OSError as failure:
            logger.warning("%s: no evidence saved (%s)", what, failure)
            return None
