"""What every page object shares: a Page, a timeout, and locating by visible words."""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Locator, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from ..._errors import (
    LinxoAssoconnectError,
    LoginFailed,
    LoginRequired,
    PageChanged,
    TransientSiteError,
)
from ..._evidence import (
    SECRET_FIELDS,
    new_evidence_dir,
    settings_for,
    write_error,
    write_html,
)
from ..._files import safe_address
from ..._models import Credentials
from ..._secrets import logger
from ..._text import label_regex

__all__ = ["TYPED_MARKER", "PageObject", "host_of", "logger", "start_tracing", "step"]

CLICKABLE_ROLES = ("button", "link", "tab", "menuitem")
_SNAPSHOT_NAME = re.compile(r'^- [\w-]+ "(?P<name>(?:[^"\\]|\\.)*)"')
# Set on a document once a secret is typed into it (and the form submitted from it); a new
# document does not have it.
TYPED_MARKER = "__linxoAssoconnectSecretTyped"

F = TypeVar("F", bound=Callable[..., Any])


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


async def start_tracing(context: BrowserContext) -> None:
    """Trace as a Session does: screenshots and DOM snapshots at every action."""
    await context.tracing.start(screenshots=True, snapshots=True)


def step(what: str) -> Callable[[F], F]:
    """Mark a public method as one step of the flow: an error leaving it keeps evidence."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        async def run(self: PageObject, *args: Any, **kwargs: Any) -> Any:
            await self._resume_tracing()
            outer, self._step = self._step, self._step or what
            try:
                return await method(self, *args, **kwargs)
            except LoginRequired:
                raise  # the login form: nothing for a person to look at
            except LinxoAssoconnectError as error:
                if error.evidence is None:
                    error.evidence = await self._save_evidence(error)
                raise
            finally:
                self._step = outer

        return cast(F, run)

    return decorate


class PageObject:
    """A plain class wrapping a Playwright Page; ``timeout`` is in seconds."""

    def __init__(self, page: Page, *, timeout: float = 30.0) -> None:
        self.page = page
        self.timeout = timeout
        self._step = ""  # the public step being run, for evidence

    @property
    def _ms(self) -> float:
        return self.timeout * 1000

    def _by_role(
        self, name: str, *roles: str, scope: Page | Locator | None = None, exact: bool = False
    ) -> Locator:
        """Elements of any of ``roles`` whose accessible name contains (or is) ``name``, loosely."""
        where = scope or self.page
        pattern = label_regex(name, exact=exact)
        found = where.get_by_role(roles[0], name=pattern)  # type: ignore[arg-type]
        for role in roles[1:]:
            found = found.or_(where.get_by_role(role, name=pattern))  # type: ignore[arg-type]
        return found

    @staticmethod
    @contextmanager
    def _slow_site(what: str) -> Iterator[None]:
        """A page that does not come in time is the site being slow: a transient failure."""
        try:
            yield
        except PlaywrightTimeoutError as error:
            raise TransientSiteError(
                f"Le site ne répond pas à temps ({what}) ; réessayez plus tard."
            ) from error

    async def _press(self, *names: str, what: str, scope: Page | Locator | None = None) -> None:
        """Click the button, link, tab or menu item named exactly by one of ``names``.

        An element showing exactly that text (a ``<summary>`` has no role) is the last resort.
        """
        where = scope or self.page
        controls = self._by_role(names[0], *CLICKABLE_ROLES, scope=where, exact=True)
        texts = where.get_by_text(label_regex(names[0], exact=True))
        for name in names[1:]:
            controls = controls.or_(self._by_role(name, *CLICKABLE_ROLES, scope=where, exact=True))
            texts = texts.or_(where.get_by_text(label_regex(name, exact=True)))
        await self._visible(controls.or_(texts), what)
        target = controls if await controls.count() else texts
        await target.first.click(timeout=self._ms)

    async def _log_in(
        self,
        url: str,
        credentials: Credentials,
        *,
        site: str,
        submit: tuple[str, ...],
        landmark: Locator,
    ) -> None:
        """Fill the e-mail and the password, submit once, and wait for ``landmark``.

        An alert instead (a refused password) is `LoginFailed`: a login is never retried.
        """
        with self._slow_site(f"la page de connexion de {site}"):
            await self.page.goto(url, timeout=self._ms)
        email = self.page.get_by_label(label_regex("e-mail"))
        await (await self._visible(email, "le champ de l’adresse e-mail")).fill(
            credentials.username
        )
        password = self.page.get_by_label(label_regex("Mot de passe"))
        field = await self._visible(password, "le champ « Mot de passe »")
        alert = self.page.get_by_role("alert")
        async with self._typing_secrets():
            await field.fill(credentials.password.get_secret_value())
            await self._press(*submit, what=f"le bouton « {submit[0]} »")
            await self._visible(landmark.or_(alert), f"la page d’accueil de {site}")
        if not await landmark.count():
            shown = " ".join(await self._texts(alert)) or "identifiant ou mot de passe refusé"
            raise LoginFailed(f"{site} refuse la connexion de {credentials.username} : {shown}")
        logger.info("logged in to %s as %s", site, credentials.username)

    async def _enter(self, url: str, site: str, landmark: Locator, what: str) -> None:
        """Open a logged-in entry page and wait for ``landmark`` on it.

        A 5xx is a `TransientSiteError` (retried by the caller's policy); the login form
        instead of the landmark means the session is gone: `LoginRequired`.
        """
        here = self.page.url.split("#")[0] == url.split("#", maxsplit=1)[0]
        if here and await landmark.count():
            return  # just landed there (after the login form): no need to load it again
        with self._slow_site(f"la page d’accueil de {site}"):
            response = await self.page.goto(url, timeout=self._ms)
        if response is not None and response.status >= 500:
            raise TransientSiteError(f"{site} répond {response.status} ; réessayez plus tard.")
        login_form = self.page.get_by_label(label_regex("Mot de passe"))
        await self._visible(landmark.or_(login_form), what)
        if not await landmark.count():
            raise LoginRequired(f"Vous n’êtes pas connecté à {site} : connectez-vous d’abord.")

    async def _visible(
        self, locator: Locator, what: str, *, timeout: float | None = None
    ) -> Locator:
        """Wait until ``locator`` shows; `PageChanged` (with evidence) if it never does."""
        try:
            await locator.first.wait_for(
                state="visible", timeout=self._ms if timeout is None else timeout * 1000
            )
        except PlaywrightTimeoutError:
            raise await self._page_changed(what) from None
        return locator.first

    async def _click(self, locator: Locator, what: str) -> None:
        target = await self._visible(locator, what)
        await target.click(timeout=self._ms)

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

    async def _save_evidence(
        self, error: BaseException, *, missing: str | None = None
    ) -> Path | None:
        """A folder with a masked screenshot, the page, the step and the URL (and the trace).

        None if it cannot be written: the error it documents matters more than its evidence.
        """
        what = self._step or missing or type(self).__name__
        try:
            return await self._write_evidence(what, error, missing)
        except OSError as failure:
            logger.warning("%s: no evidence saved (%s)", what, failure)
            return None

    async def _write_evidence(
        self, what: str, error: BaseException, missing: str | None
    ) -> Path:
        context = self.page.context
        settings = settings_for(context)
        folder = new_evidence_dir(settings.evidence_dir, what)
        note = ""
        try:
            await self.page.screenshot(
                path=folder / "page.png", full_page=True, mask=[self.page.locator(SECRET_FIELDS)]
            )
            write_html(folder, await self.page.content())
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
        write_error(folder, step=what, missing=missing, url=self.page.url, error=error, note=note)
        where = safe_address(self.page.url)
        logger.info("%s: %s on %s; evidence in %s", what, type(error).__name__, where, folder)
        return folder

    @asynccontextmanager
    async def _typing_secrets(self) -> AsyncIterator[None]:
        """Type a password or a code inside: no trace records it, nor the page holding it.

        Tracing resumes once the page has been replaced by a new document. If the block fails,
        it stays paused: the secret may still be on the page the evidence would record.
        """
        settings = settings_for(self.page.context)
        await self.page.evaluate(f"window.{TYPED_MARKER} = true")
        if settings.tracing and not settings.trace_paused:
            # Stopped, not just a chunk ended: the network log spans chunks, and would keep
            # the form's body. No path: what was recorded so far is dropped.
            await self.page.context.tracing.stop()
            settings.trace_paused = True
        yield
        await self._resume_tracing()

    async def _resume_tracing(self) -> None:
        settings = settings_for(self.page.context)
        if not settings.trace_paused:
            return
        try:
            still_there = await self.page.evaluate(f"window.{TYPED_MARKER} === true")
        except PlaywrightError:  # navigating: ask again at the next step
            return
        if not still_there:
            await start_tracing(self.page.context)
            settings.trace_paused = False

    @staticmethod
    async def _accessible_name(locator: Locator) -> str:
        """The accessible name of one element (a card's bank, an account's name)."""
        first_line = (await locator.aria_snapshot()).splitlines()[0]
        found = _SNAPSHOT_NAME.match(first_line)
        return found["name"].replace('\\"', '"') if found else ""

    @staticmethod
    async def _texts(locator: Locator) -> list[str]:
        return [" ".join(t.split()) for t in await locator.all_inner_texts()]
