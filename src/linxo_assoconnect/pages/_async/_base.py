"""What every page object shares: a Page, a timeout, and locating by visible words."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from playwright.async_api import Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from ..._errors import LoginFailed, PageChanged, TransientSiteError
from ..._evidence import SECRET_FIELDS, evidence_dir
from ..._models import Credentials
from ..._text import label_regex

__all__ = ["PageObject", "host_of"]

logger = logging.getLogger("linxo_assoconnect")

CLICKABLE_ROLES = ("button", "link", "tab", "menuitem")
_SNAPSHOT_NAME = re.compile(r'^- [\w-]+ "(?P<name>(?:[^"\\]|\\.)*)"')


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class PageObject:
    """A plain class wrapping a Playwright Page; ``timeout`` is in seconds."""

    def __init__(self, page: Page, *, timeout: float = 30.0) -> None:
        self.page = page
        self.timeout = timeout

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
        await (await self._visible(password, "le champ « Mot de passe »")).fill(
            credentials.password.get_secret_value()
        )
        await self._press(*submit, what=f"le bouton « {submit[0]} »")
        alert = self.page.get_by_role("alert")
        await self._visible(landmark.or_(alert), f"la page d’accueil de {site}")
        if not await landmark.count():
            shown = " ".join(await self._texts(alert)) or "identifiant ou mot de passe refusé"
            raise LoginFailed(f"{site} refuse la connexion de {credentials.username} : {shown}")
        logger.info("logged in to %s as %s", site, credentials.username)

    async def _enter(self, url: str, site: str, landmark: Locator, what: str) -> None:
        """Open a logged-in entry page and wait for ``landmark`` on it.

        A 5xx is a `TransientSiteError` (retried by the caller's policy); the login form
        instead of the landmark means the session is gone: `LoginFailed`.
        """
        with self._slow_site(f"la page d’accueil de {site}"):
            response = await self.page.goto(url, timeout=self._ms)
        if response is not None and response.status >= 500:
            raise TransientSiteError(f"{site} répond {response.status} ; réessayez plus tard.")
        login_form = self.page.get_by_label(label_regex("Mot de passe"))
        await self._visible(landmark.or_(login_form), what)
        if not await landmark.count():
            raise LoginFailed(f"Vous n’êtes pas connecté à {site} : connectez-vous d’abord.")

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
        folder = evidence_dir(what)
        screenshot, html = folder / "page.png", folder / "page.html"
        try:
            await self.page.screenshot(
                path=screenshot, full_page=True, mask=[self.page.locator(SECRET_FIELDS)]
            )
            html.write_text(await self.page.content(), encoding="utf-8")
        except Exception:
            logger.debug("could not save evidence in %s", folder, exc_info=True)
        where = _without_query(self.page.url)  # a query may carry a token or a PSD2 code
        logger.info("%s not found on %s; evidence in %s", what, where, folder)
        return PageChanged(
            f"Introuvable après {self.timeout:g} s sur {where} : {what}. "
            f"Le site a peut-être changé ; capture d’écran et page enregistrées dans {folder}",
            screenshot=screenshot if screenshot.exists() else None,
            html=html if html.exists() else None,
        )

    @staticmethod
    async def _accessible_name(locator: Locator) -> str:
        """The accessible name of one element (a card's bank, an account's name)."""
        first_line = (await locator.aria_snapshot()).splitlines()[0]
        found = _SNAPSHOT_NAME.match(first_line)
        return found["name"].replace('\\"', '"') if found else ""

    @staticmethod
    async def _texts(locator: Locator) -> list[str]:
        return [" ".join(t.split()) for t in await locator.all_inner_texts()]
