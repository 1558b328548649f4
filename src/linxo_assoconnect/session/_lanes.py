"""Lanes: many tasks (one association each) in one async `Session`, for the command line.

A lane's identities share one browser context (both sites). When the lane ends, its logins
are saved and its context is parked for the next lane to take, logged in, or closed.
Only the command line runs lanes, with asyncio: the sync API has none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import cached_property
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError

from .._core.errors import BrowserClosed, ConfigurationError
from .._core.secrets import logger
from ._async._identities import ASSOCONNECT, LINXO, Identity, on_host
from ._async.session import Session

__all__ = ["LanedSession"]

# The lane of the running task: tasks in different lanes (one association each) never share a
# context, so two of them never drive the same page or the same site session.
_LANE: ContextVar[str] = ContextVar("linxo_assoconnect_lane", default="")


class LanedSession(Session):
    """An async `Session` whose tasks run in lanes (`lane`), one browser context each."""

    @cached_property
    def _running(self) -> set[str]:
        """The lanes under way."""
        return set()

    @cached_property
    def _parked(self) -> list[list[Identity]]:
        """The contexts of finished lanes, logged in, for the next lanes to take."""
        return []

    @asynccontextmanager
    async def lane(self, name: str) -> AsyncIterator[None]:
        """Run the block in a browser context of its own (one for both sites). When it ends,
        its logins are saved and the context is parked for the next lane, or closed (always
        closed if the block's browser or page went away)."""
        if name in self._running:
            raise ConfigurationError(f"« {name} » est déjà en cours dans cette session.")
        self._running.add(name)
        token = _LANE.set(name)
        broken = False
        try:
            yield
        except BrowserClosed:
            broken = True
            raise
        finally:
            _LANE.reset(token)
            self._running.discard(name)
            ending = [i for i in self._identities.values() if i.lane == name]
            for identity in ending:
                del self._identities[(*identity.who, identity.window, name)]
            if broken:  # its page or browser is gone: its logins were saved at login
                for identity in ending:
                    identity.logged_in = False
                await self._close_identities(ending)
            else:
                await self._park_or_close(ending)

    @property
    def restartable(self) -> bool:
        """Whether `restart_browser` can start a new browser (not when it is the caller's)."""
        return self.browser is None

    def browser_gone(self) -> bool:
        """Whether the session's browser went away (killed, crashed, disconnected)."""
        return self._browser is None or not self._browser.is_connected()

    async def restart_browser(self) -> None:
        """A new browser in place of one that went away, for the lanes still to run. The old
        one's contexts are dropped: their logins were saved when they logged in."""
        def dead(identity: Identity) -> bool:
            browser = identity.context.browser
            return browser is None or not browser.is_connected()

        parked = [i for group in self._parked for i in group]
        gone = [i for i in [*self._identities.values(), *parked] if dead(i)]
        for key in [key for key, identity in self._identities.items() if dead(identity)]:
            del self._identities[key]
        self._parked[:] = [group for group in self._parked if not any(map(dead, group))]
        for identity in gone:
            identity.logged_in = False  # its page is gone: nothing to read and save
        await self._close_identities(gone)  # their saved logins free for others to hold
        for browser in (self._browser, self._window_browser):
            if browser is not None and browser is not self.browser and not browser.is_connected():
                try:
                    await browser.close()
                except PlaywrightError:
                    logger.debug("the old browser could not be closed", exc_info=True)
        if self._window_browser is not None and not self._window_browser.is_connected():
            self._window_browser = None  # a person's window still open stays
        self._browser = await (self._connect() if self.endpoint else self._launch())
        logger.info("the browser went away; a new one was started")

    async def close(self) -> None:
        """Close the parked contexts too (their logins saved), then the session."""
        parked = [identity for group in self._parked for identity in group]
        self._parked.clear()
        await self._close_identities(parked)
        await super().close()

    # The hooks of `Session` ------------------------------------------------------------------

    def _current_lane(self) -> str:
        return _LANE.get()

    async def _adopt_parked(self, lane: str, window: bool) -> None:
        if lane and not window and self._parked and not self._in_lane(lane):
            await self._adopt(lane)

    async def _lane_context(self, site: str, window: bool, lane: str) -> Identity | None:
        """The lane's context (both sites share it: contexts are costly), the lane's previous
        user of ``site`` logged out of it first."""
        in_lane = self._in_lane(lane)
        shared = next((i for i in in_lane if not i.window), None) if lane and not window else None
        for other in [i for i in in_lane if (i.site, i.window) == (site, window)]:
            await self._switch_out(other)  # the previous association's user of this site
        return shared

    # Parking and adopting --------------------------------------------------------------------

    def _in_lane(self, lane: str) -> list[Identity]:
        return [i for i in self._identities.values() if i.lane == lane]

    async def _park_or_close(self, identities: list[Identity]) -> None:
        """Park a finished lane's context for the next lane if it can serve one: a single
        context, logged in, whose sites keep nothing but cookies (cleared for another login)."""
        first = identities[0] if identities else None
        parkable = (
            first is not None
            and len({id(i.context) for i in identities}) == 1
            and not first.window
            and not first.page.is_closed()
            and all(i.logged_in for i in identities)
        )
        if parkable and first is not None:
            try:
                # Local storage is not cleared for the next lane's users: park only without it.
                # (One read per finished lane: Playwright loads a page per site to make it.)
                state = await first.context.storage_state()
                hosts = {self._host(LINXO), self._host(ASSOCONNECT)}
                if not any(urlsplit(o["origin"]).hostname in hosts for o in state["origins"]):
                    for identity in identities:
                        await self._save_login(identity)
                    # A waiting page costs CPU (each context's page is a window of its own);
                    # a context without one costs nothing. The next lane opens a new page.
                    await first.page.close()
                    self._parked.append(identities)
                    return
            except (PlaywrightError, OSError):
                logger.debug("could not park a finished context", exc_info=True)
        await self._close_identities(identities)

    async def _adopt(self, lane: str) -> None:
        """Give ``lane`` a parked context with its logins, on a new page; every other cookie
        (the bank's) is cleared, so nothing but those logins carries over."""
        identities = self._parked.pop()
        context = identities[0].context
        hosts = {self._host(identity.site) for identity in identities}
        for cookie in await context.cookies():
            if not any(on_host(host, cookie["domain"]) for host in hosts):
                await context.clear_cookies(
                    name=cookie["name"], domain=cookie["domain"], path=cookie["path"]
                )
        page = await context.new_page()
        for identity in identities:
            identity.lane = lane
            identity.page = page
            self._identities[(*identity.who, identity.window, lane)] = identity

    async def _switch_out(self, identity: Identity) -> None:
        """Log ``identity`` out of its lane's context (its login saved first), so that another
        user of the same site can log in there."""
        del self._identities[(*identity.who, identity.window, identity.lane)]
        await self._release(identity)
        for cookie in await identity.context.cookies(f"https://{self._host(identity.site)}/"):
            await identity.context.clear_cookies(
                name=cookie["name"], domain=cookie["domain"], path=cookie["path"]
            )
