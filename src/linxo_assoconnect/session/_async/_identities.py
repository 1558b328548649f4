"""One browser context per site identity: saved logins loaded and saved, HAR files scrubbed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from ..._core.browser import AsyncContextHook
from ..._core.errors import ConfigurationError
from ..._core.evidence import ContextSettings, use_settings
from ..._core.har import scrub_har
from ..._core.logins import LoginStore
from ..._core.secrets import logger
from ...pages._async._base import start_tracing
from ._browsers import NOT_OPEN, Browsers

__all__ = ["ASSOCONNECT", "LINXO", "Contexts", "Identity", "on_host"]

LINXO, ASSOCONNECT = "Linxo", "AssoConnect"

# A page's local storage, as Playwright's storage state writes it.
_LOCAL_STORAGE_JS = "() => Object.entries(localStorage).map(([name, value]) => ({name, value}))"


def on_host(host: str, domain: str) -> bool:
    """Whether a cookie of ``domain`` (« .linxo.com », « wwws.linxo.com ») is sent to ``host``."""
    domain = domain.lstrip(".")
    return host == domain or host.endswith(f".{domain}")


@dataclass
class Identity:
    """One site identity's browser context and page, and whether it is logged in."""

    site: str
    username: str
    context: BrowserContext
    page: Page
    recording: ContextSettings
    lane: str = ""
    window: bool = False
    har: Path | None = None
    """Where Playwright records the HAR, in a private temporary folder until scrubbed."""
    logged_in: bool = False
    holds_saved_login: bool = False
    """Loads and saves the identity's saved login: one context at a time may, so that no two
    contexts share a site session."""
    origins: list[dict[str, Any]] = field(default_factory=list)
    """The site's local storage as last read, on its own page (reading it from elsewhere
    would cost Playwright a page load per origin)."""

    @property
    def who(self) -> tuple[str, str]:
        return self.site, self.username.casefold()


class Contexts(Browsers):
    """Opens, saves and closes the contexts of the site identities (a base of `Session`, which
    sets these attributes in its constructor)."""

    evidence_dir: Path
    trace: bool
    har_dir: Path | None
    linxo_url: str
    assoconnect_url: str
    on_context: AsyncContextHook | None
    context_options: dict[str, Any]
    _store: LoginStore | None
    _raw_hars: Path | None
    _identities: dict[tuple[str, str, bool, str], Identity]
    """Each open identity, by site, user name (casefolded), window and lane."""
    _saved_login_holders: set[tuple[str, str]]

    # Where lanes come in (`LanedSession`, the command line's): none in a plain session -----

    def _current_lane(self) -> str:
        """The lane of the running task, whose identities are its own ("" outside any)."""
        return ""

    async def _adopt_parked(self, lane: str, window: bool) -> None:
        """Called before ``lane`` opens a context: it may take one a finished lane left."""

    async def _lane_context(self, site: str, window: bool, lane: str) -> Identity | None:
        """The identity whose context a new one of ``site`` shares in ``lane``, else None."""
        return None

    # Contexts and logins -----------------------------------------------------------------

    async def _identity(self, site: str, username: str, *, window: bool = False) -> Identity:
        lane = self._current_lane()
        who = (site, username.casefold())
        key = (*who, window, lane)
        if key in self._identities:
            return self._identities[key]
        if self._browser is None:
            raise ConfigurationError(NOT_OPEN)
        await self._adopt_parked(lane, window)
        if key in self._identities:
            return self._identities[key]
        shared = await self._lane_context(site, window, lane)
        in_lane = [i for i in self._identities.values() if i.lane == lane]
        twin = next((i for i in in_lane if i.who == who and i.logged_in), None)
        holds = twin is None and who not in self._saved_login_holders
        if holds:  # claimed before any await: another lane may be creating the same identity
            self._saved_login_holders.add(who)
        try:
            state = await self._known_login(site, username, twin, holds)
            if shared is not None:
                if state:
                    await shared.context.add_cookies(state.get("cookies", []))
                identity = replace(
                    shared, site=site, username=username, logged_in=False, origins=[]
                )
            else:
                identity = await self._new_identity(site, username, state, window, lane)
        except BaseException:
            if holds:
                self._saved_login_holders.discard(who)
            raise
        identity.holds_saved_login = holds
        if state and not identity.origins:
            host = self._host(site)
            identity.origins = [
                o for o in state.get("origins", []) if urlsplit(o["origin"]).hostname == host
            ]
        self._identities[key] = identity
        return identity

    async def _new_identity(
        self, site: str, username: str, state: dict[str, Any] | None, window: bool, lane: str
    ) -> Identity:
        browser = await self._browser_for(window=window)
        options: dict[str, Any] = {"locale": "fr-FR", "timezone_id": "Europe/Paris"}
        options.update(self.context_options)
        har = None
        if self._raw_hars is not None:
            har = self._raw_hars / f"{site.lower()}-{secrets.token_hex(4)}.har"
            options.update(record_har_path=har, record_har_content="omit")
        context = await browser.new_context(storage_state=state, **options)  # type: ignore[arg-type]
        try:
            recording = ContextSettings(self.evidence_dir, tracing=self.trace)
            use_settings(context, recording)
            if self.on_context is not None:
                await self.on_context(context)
            if self.trace:
                await start_tracing(context)
            page = await context.new_page()
        except BaseException:
            await context.close()
            raise
        return Identity(site, username, context, page, recording, lane, window, har)

    async def _known_login(
        self, site: str, username: str, twin: Identity | None, holds: bool
    ) -> dict[str, Any] | None:
        """The login of the lane's open context of the same identity (a window for the bank
        step), else the saved one if no other lane holds it, else none."""
        if twin is not None:
            return dict(await twin.context.storage_state())
        if holds and self._store is not None:
            return self._store.load(site, username)
        return None

    def _host(self, site: str) -> str:
        return urlsplit(self.linxo_url if site == LINXO else self.assoconnect_url).hostname or ""

    async def _save_login(self, identity: Identity) -> None:
        """Save the site's cookies and storage (not the other site's, nor the bank's).

        A state folder that cannot be written (full, read-only) is a warning: the login saved
        before is kept, and the run goes on.
        """
        store = self._store
        if store is None or not identity.holds_saved_login:
            return
        host = self._host(identity.site)
        page = identity.page
        if not page.is_closed() and urlsplit(page.url).hostname == host:
            storage = await page.evaluate(_LOCAL_STORAGE_JS)
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
            identity.origins = [{"origin": origin, "localStorage": storage}] if storage else []
        cookies = [c for c in await identity.context.cookies() if on_host(host, c["domain"])]
        state = {"cookies": cookies, "origins": identity.origins}
        try:
            store.save(identity.site, identity.username, state)
        except OSError as error:
            logger.warning(
                "could not save the %s login in %s (%s): the one saved before is kept",
                identity.site,
                store.path(identity.site, identity.username),
                error.strerror or error,
            )

    # Closing -----------------------------------------------------------------------------

    async def _close_identities(self, identities: list[Identity]) -> None:
        """Save each login, then close each context once (several identities may share one)."""
        for identity in identities:
            await self._release(identity)
        closed: set[int] = set()
        for identity in identities:
            if id(identity.context) not in closed:
                closed.add(id(identity.context))
                await self._close_context(identity)

    async def _release(self, identity: Identity) -> None:
        """Save the login if it is the saved one, then let another context hold it."""
        try:
            if identity.logged_in:
                await self._save_login(identity)
        except PlaywrightError as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            logger.warning("could not save the %s login (%s)", identity.site, reason)
            logger.debug("could not save the %s login", identity.site, exc_info=True)
        if identity.holds_saved_login:
            self._saved_login_holders.discard(identity.who)

    async def _close_context(self, identity: Identity) -> None:
        try:
            if identity.recording.tracing and not identity.recording.trace_paused:
                await identity.context.tracing.stop()  # nothing failed: nothing kept
            await identity.context.close()
        except PlaywrightError:
            logger.debug("could not close the %s context", identity.site, exc_info=True)
        if identity.har is not None and identity.har.exists() and self.har_dir is not None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            destination = self.har_dir / f"{stamp}-{identity.har.name}"
            try:
                scrub_har(identity.har, destination)
            except (OSError, ValueError):
                logger.warning("could not scrub %s: not kept", identity.har.name, exc_info=True)
            finally:
                identity.har.unlink(missing_ok=True)
