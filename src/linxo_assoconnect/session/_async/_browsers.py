"""The session's browsers: the caller's, a remote one at an endpoint, or a Chromium launched."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from playwright.async_api import Browser, Playwright
from playwright.async_api import Error as PlaywrightError

from ..._core.browser import chromium_launch_options
from ..._core.errors import BrowserNotFound, ConfigurationError
from ..._core.files import safe_address
from ..._core.secrets import logger, remember

__all__ = ["NOT_OPEN", "Browsers"]

NOT_OPEN = "La session n’est pas ouverte : « with Session() as … »."
_SECRET_PARAMETER = re.compile(r"token|key|secret|pass|auth|sig", re.IGNORECASE)


class Browsers:
    """Joins, launches and stops the session's browsers (a base of `Session`, which sets these
    attributes in its constructor)."""

    headless: bool
    browser: Browser | None
    """The caller's browser, if any: never closed here."""
    endpoint: str | None
    executable: str | None
    launch_options: dict[str, Any]
    timeout: float
    _playwright: Playwright | None
    _browser: Browser | None
    """The browser of the session's contexts: the caller's, the remote one or a launched one."""
    _window_browser: Browser | None
    """A visible Chromium for the bank step, launched when first needed."""

    async def _connect(self) -> Browser:
        """The remote browser at ``endpoint``."""
        if self._playwright is None or self.endpoint is None:
            raise ConfigurationError("Aucun navigateur distant à joindre.")
        endpoint, chromium = self.endpoint, self._playwright.chromium
        # A grid's address may carry its access token: never shown in a message or a log.
        parts = urlsplit(endpoint)
        remember(parts.password or "")
        for name, value in parse_qsl(parts.query):
            if _SECRET_PARAMETER.search(name):
                remember(value)
        try:
            if endpoint.startswith(("ws://", "wss://")):
                return await chromium.connect(endpoint, timeout=self.timeout * 1000)
            if endpoint.startswith(("http://", "https://")):
                return await chromium.connect_over_cdp(endpoint, timeout=self.timeout * 1000)
        except PlaywrightError as error:
            raise BrowserNotFound(
                f"Le navigateur distant {safe_address(endpoint)} ne répond pas : "
                f"{str(error).splitlines()[0]}"
            ) from None
        raise ConfigurationError(
            f"Adresse de navigateur distant inconnue : {safe_address(endpoint)} (ws://… pour un "
            "serveur Playwright, http://… pour le port DevTools de Chrome)."
        )

    async def _launch(self, *, window: bool = False) -> Browser:
        """A local Chromium: headless as asked, or a visible window for the bank step."""
        if self._browser is not None:  # the caller's or the session's: the same kind
            chromium = self._browser.browser_type
        elif self._playwright is not None:
            chromium = self._playwright.chromium
        else:
            raise ConfigurationError(NOT_OPEN)
        extra = dict(self.launch_options)
        executable = self.executable or extra.pop("executable_path", None)
        options = chromium_launch_options(chromium, executable=executable)
        options["args"] = [*options["args"], *extra.pop("args", [])]
        # A Ctrl-C or a SIGTERM is the caller's to handle: the browser stays up meanwhile, so
        # that logins can still be saved and what was done read before it closes.
        options.update(handle_sigint=False, handle_sigterm=False, handle_sighup=False)
        options.update(extra)
        return await chromium.launch(headless=False if window else self.headless, **options)

    async def _browser_for(self, *, window: bool) -> Browser:
        """The browser of a new context: the session's, or the visible one for the bank step."""
        if window and self._window_browser is None:
            self._window_browser = await self._launch(window=True)
        browser = self._window_browser if window else self._browser
        if browser is None:
            raise ConfigurationError(NOT_OPEN)
        return browser

    async def _stop_browsers(self) -> None:
        """Close the browsers started here (not the caller's), then Playwright."""
        for browser in (self._window_browser, self._browser):
            if browser is not None and browser is not self.browser:  # not the caller's
                try:
                    await browser.close()
                except PlaywrightError:
                    logger.debug("could not close the browser", exc_info=True)
        self._browser = self._window_browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
