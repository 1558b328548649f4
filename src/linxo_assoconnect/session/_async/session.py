"""A browser with one context per site identity, saved logins, evidence and optional traces."""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError

from ..._core.browser import AsyncContextHook, chromium_launch_options, display_available
from ..._core.errors import BrowserNotFound, ConfigurationError, HumanActionRequired, LoginRequired
from ..._core.evidence import ContextSettings, use_settings
from ..._core.files import (
    EVIDENCE_ENV_VAR,
    default_evidence_dir,
    default_state_dir,
    ensure_writable,
    safe_address,
)
from ..._core.har import scrub_har
from ..._core.logins import LoginStore
from ..._core.models import BankConnection, Credentials, ReauthResult, RestoreReport
from ..._core.otp import AsyncOtp
from ..._core.profiles import AssoConnectProfile, BankProfile, LinxoProfile
from ..._core.retry import RetryPolicy
from ..._core.secrets import logger, remember
from ...flows._async.restore import repair_connections, tutorial
from ...flows._repair import Repair
from ...pages._async._base import start_tracing
from ...pages._async.assoconnect import ASSOCONNECT_URL, AssoConnectLoginPage, RapprochementPage
from ...pages._async.bank import BankAuthPage
from ...pages._async.linxo import LINXO_URL, LinxoLoginPage, LinxoSettings

__all__ = ["Session"]

LINXO, ASSOCONNECT = "Linxo", "AssoConnect"
_SECRET_PARAMETER = re.compile(r"token|key|secret|pass|auth|sig", re.IGNORECASE)


def _on_host(host: str, domain: str) -> bool:
    """Whether a cookie of ``domain`` (« .linxo.com », « wwws.linxo.com ») is sent to ``host``."""
    domain = domain.lstrip(".")
    return host == domain or host.endswith(f".{domain}")


# The lane of the running task: tasks in different lanes (one association each) never share a
# context, so two of them never drive the same page or the same site session.
_LANE: ContextVar[str] = ContextVar("linxo_assoconnect_lane", default="")


# A page's local storage, as Playwright's storage state writes it.
_LOCAL_STORAGE_JS = "() => Object.entries(localStorage).map(([name, value]) => ({name, value}))"


@dataclass
class _Identity:
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


@dataclass(frozen=True)
class _Steps:
    """The tutorial's steps (`flows.tutorial`) from a session's page objects."""

    session: Session
    association: str
    linxo: Credentials
    assoconnect: Credentials
    bank: Credentials | None
    otp: AsyncOtp | None
    profile: BankProfile | None
    linxo_otp: AsyncOtp | None

    async def linxo_side(self) -> Repair[BankConnection, ReauthResult]:
        return await self.session._repair_linxo(
            self.linxo, self.bank, self.otp, self.profile, self.linxo_otp
        )

    async def import_tab(self) -> RapprochementPage:
        return await self.session.rapprochement(self.assoconnect, self.association)


class Session:
    """Start a browser and hand out ready page objects, logged in with saved logins reused.

        with Session() as session:              # async with, await: linxo_assoconnect.aio
            settings = session.linxo(linxo_credentials)
            report = session.restore(association="Association Exemple", linxo=…, …)

    Each site identity (site and user name) has a browser context of its own. A login is saved
    (mode 0600, in ``state_dir``, by default the per-user state folder) and reused while the
    site accepts it; an expired one costs one new login. Errors from page objects leave
    evidence in ``evidence_dir`` (by default ``evidence`` in the state folder); with ``trace``
    it holds a Playwright trace too, paused while a password or a code is typed. ``har_dir``
    receives each context's HAR file, scrubbed of secrets.

    The browser: ``browser``, a Browser of the caller's (left open: Playwright's sync API allows
    one Playwright per thread, so share it); else ``endpoint``, a remote one (``ws://…`` for a
    Playwright server, ``http://…`` for Chrome's DevTools); else a Chromium launched with
    ``executable`` and ``launch_options``. Headless by default; when the bank step needs a
    person (no bank credentials, or no ``otp``), it runs in a visible window of its own if this
    machine has a display; with neither, `HumanActionRequired` is raised before the bank is
    asked anything.
    """

    def __init__(
        self,
        *,
        headless: bool = True,
        browser: Browser | None = None,
        endpoint: str | None = None,
        executable: str | None = None,
        launch_options: Mapping[str, Any] | None = None,
        state_dir: str | Path | None = None,
        save_logins: bool = True,
        encrypt_logins: bool = False,
        evidence_dir: str | Path | None = None,
        trace: bool = False,
        har_dir: str | Path | None = None,
        linxo_url: str = LINXO_URL,
        assoconnect_url: str = ASSOCONNECT_URL,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        bank_timeout: float = 600.0,
        on_context: AsyncContextHook | None = None,
        context_options: Mapping[str, Any] | None = None,
        linxo_profile: LinxoProfile | None = None,
        assoconnect_profile: AssoConnectProfile | None = None,
    ) -> None:
        if browser is not None and endpoint is not None:
            raise ConfigurationError("Donnez soit browser, soit endpoint, pas les deux.")
        self.headless = headless
        self.browser = browser
        self.endpoint = endpoint
        self.executable = executable
        self.launch_options = dict(launch_options or {})
        self.state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
        self.save_logins = save_logins
        self.encrypt_logins = encrypt_logins
        self.evidence_dir = (
            Path(evidence_dir) if evidence_dir else default_evidence_dir(self.state_dir)
        )
        self.trace = trace
        self.har_dir = Path(har_dir) if har_dir is not None else None
        self.linxo_url = linxo_url
        self.assoconnect_url = assoconnect_url
        self.retry = retry
        self.timeout = timeout
        self.bank_timeout = bank_timeout
        self.on_context = on_context
        self.context_options = dict(context_options or {})
        self.linxo_profile = linxo_profile or LinxoProfile()
        """The words looked for on Linxo (`LinxoProfile`)."""
        self.assoconnect_profile = assoconnect_profile or AssoConnectProfile()
        """The words looked for on AssoConnect (`AssoConnectProfile`)."""
        self._store: LoginStore | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._window_browser: Browser | None = None
        self._raw_hars: Path | None = None
        self._identities: dict[tuple[str, str, bool, str], _Identity] = {}
        self._saved_login_holders: set[tuple[str, str]] = set()
        self._lanes: set[str] = set()
        self._parked: list[list[_Identity]] = []
        """The contexts of finished lanes, logged in, for the next lanes to take."""

    # Start and stop ----------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        # Folders first: a set-up mistake fails before any browser starts.
        ensure_writable(
            self.evidence_dir,
            "des preuves d’échec",
            f"le paramètre evidence_dir ou la variable {EVIDENCE_ENV_VAR}",
        )
        if self.save_logins:
            self._store = LoginStore.open(self.state_dir, encrypt=self.encrypt_logins)
        if self.har_dir is not None:
            ensure_writable(self.har_dir, "des fichiers HAR", "le paramètre har_dir")
            # Playwright writes them in clear: in a folder only this user can read, until
            # scrubbed into har_dir.
            self._raw_hars = Path(tempfile.mkdtemp(prefix="linxo-assoconnect-har-"))
        if self.browser is not None:
            self._browser = self.browser
            return self
        self._playwright = await async_playwright().start()
        try:
            self._browser = await (self._connect() if self.endpoint else self._launch())
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Save every login, close every context (scrubbing HAR files), stop the browser.

        Each step is done whatever became of the others; what fails is logged.
        """
        parked = [identity for group in self._parked for identity in group]
        await self._close_identities([*self._identities.values(), *parked])
        self._identities.clear()
        self._parked.clear()
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
        if self._raw_hars is not None:
            shutil.rmtree(self._raw_hars, ignore_errors=True)
            self._raw_hars = None

    @asynccontextmanager
    async def _lane(self, name: str) -> AsyncIterator[None]:
        """Run the block in a browser context of its own (one for both sites). When it ends,
        its logins are saved and the context is parked for the next lane, or closed."""
        if name in self._lanes:
            raise ConfigurationError(f"« {name} » est déjà en cours dans cette session.")
        self._lanes.add(name)
        token = _LANE.set(name)
        try:
            yield
        finally:
            _LANE.reset(token)
            self._lanes.discard(name)
            ending = [i for i in self._identities.values() if i.lane == name]
            for identity in ending:
                del self._identities[(*identity.who, identity.window, name)]
            await self._park_or_close(ending)

    async def _park_or_close(self, identities: list[_Identity]) -> None:
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
            if not any(_on_host(host, cookie["domain"]) for host in hosts):
                await context.clear_cookies(
                    name=cookie["name"], domain=cookie["domain"], path=cookie["path"]
                )
        page = await context.new_page()
        for identity in identities:
            identity.lane = lane
            identity.page = page
            self._identities[(*identity.who, identity.window, lane)] = identity

    async def _switch_out(self, identity: _Identity) -> None:
        """Log ``identity`` out of its lane's context (its login saved first), so that another
        user of the same site can log in there."""
        del self._identities[(*identity.who, identity.window, identity.lane)]
        await self._release(identity)
        for cookie in await identity.context.cookies(f"https://{self._host(identity.site)}/"):
            await identity.context.clear_cookies(
                name=cookie["name"], domain=cookie["domain"], path=cookie["path"]
            )

    async def _close_identities(self, identities: list[_Identity]) -> None:
        """Save each login, then close each context once (several identities may share one)."""
        for identity in identities:
            await self._release(identity)
        closed: set[int] = set()
        for identity in identities:
            if id(identity.context) not in closed:
                closed.add(id(identity.context))
                await self._close_context(identity)

    async def _release(self, identity: _Identity) -> None:
        """Save the login if it is the saved one, then let another context hold it."""
        try:
            if identity.logged_in:
                await self._save_login(identity)
        except (PlaywrightError, OSError):
            logger.warning("could not save the %s login", identity.site, exc_info=True)
        if identity.holds_saved_login:
            self._saved_login_holders.discard(identity.who)

    async def _close_context(self, identity: _Identity) -> None:
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
            raise ConfigurationError("La session n’est pas ouverte : « with Session() as … ».")
        extra = dict(self.launch_options)
        executable = self.executable or extra.pop("executable_path", None)
        options = chromium_launch_options(chromium, executable=executable)
        options["args"] = [*options["args"], *extra.pop("args", [])]
        options.update(extra)
        return await chromium.launch(headless=False if window else self.headless, **options)

    # Contexts and logins -----------------------------------------------------------------

    async def _identity(self, site: str, username: str, *, window: bool = False) -> _Identity:
        lane = _LANE.get()
        who = (site, username.casefold())
        key = (*who, window, lane)
        if key in self._identities:
            return self._identities[key]
        if self._browser is None:
            raise ConfigurationError("La session n’est pas ouverte : « with Session() as … ».")
        in_lane = [i for i in self._identities.values() if i.lane == lane]
        if lane and not window and not in_lane and self._parked:
            await self._adopt(lane)
            if key in self._identities:
                return self._identities[key]
            in_lane = [i for i in self._identities.values() if i.lane == lane]
        # In a lane (one association), both sites share one context: contexts are costly.
        shared = next((i for i in in_lane if not i.window), None) if lane and not window else None
        for other in [i for i in in_lane if (i.site, i.window) == (site, window)]:
            await self._switch_out(other)  # the previous association's user of this site
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
    ) -> _Identity:
        browser = self._browser
        if window:
            if self._window_browser is None:
                self._window_browser = await self._launch(window=True)
            browser = self._window_browser
        if browser is None:
            raise ConfigurationError("La session n’est pas ouverte : « with Session() as … ».")
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
        return _Identity(site, username, context, page, recording, lane, window, har)

    async def _known_login(
        self, site: str, username: str, twin: _Identity | None, holds: bool
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

    async def _save_login(self, identity: _Identity) -> None:
        """Save the site's cookies and storage (not the other site's, nor the bank's)."""
        if self._store is None or not identity.holds_saved_login:
            return
        host = self._host(identity.site)
        page = identity.page
        if not page.is_closed() and urlsplit(page.url).hostname == host:
            storage = await page.evaluate(_LOCAL_STORAGE_JS)
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
            identity.origins = [{"origin": origin, "localStorage": storage}] if storage else []
        cookies = [c for c in await identity.context.cookies() if _on_host(host, c["domain"])]
        state = {"cookies": cookies, "origins": identity.origins}
        self._store.save(identity.site, identity.username, state)

    # Ready page objects ------------------------------------------------------------------

    async def linxo(
        self, credentials: Credentials, *, window: bool = False, otp: AsyncOtp | None = None
    ) -> LinxoSettings:
        """Linxo's « Mes comptes » for ``credentials``, logged in (a saved login is reused).

        ``window``: in a visible browser window, for a person to do the bank step. ``otp``:
        where the code Linxo sends by e-mail comes from, if Linxo asks for one (without it, a
        person types it in a visible window, within ``bank_timeout``).
        """
        identity = await self._identity(LINXO, credentials.username, window=window)
        settings = LinxoSettings(
            identity.page,
            base_url=self.linxo_url,
            retry=self.retry,
            timeout=self.timeout,
            profile=self.linxo_profile,
        )
        login = LinxoLoginPage(
            identity.page,
            base_url=self.linxo_url,
            timeout=self.timeout,
            profile=self.linxo_profile,
            person_timeout=self.bank_timeout,
        )
        if not await self._reused(identity, settings):
            await login.login(credentials, otp=otp)
            await self._logged_in(identity)
            await settings.open()
        return settings

    async def rapprochement(self, credentials: Credentials, association: str) -> RapprochementPage:
        """AssoConnect's « Import depuis votre banque » tab of ``association``, logged in."""
        identity = await self._identity(ASSOCONNECT, credentials.username)
        tab = RapprochementPage(
            identity.page,
            association=association,
            base_url=self.assoconnect_url,
            retry=self.retry,
            timeout=self.timeout,
            profile=self.assoconnect_profile,
        )
        login = AssoConnectLoginPage(
            identity.page,
            base_url=self.assoconnect_url,
            timeout=self.timeout,
            profile=self.assoconnect_profile,
        )
        if not await self._reused(identity, tab):
            await login.login(credentials)
            await self._logged_in(identity)
            await tab.open()
        return tab

    async def _reused(self, identity: _Identity, entry: LinxoSettings | RapprochementPage) -> bool:
        """Open ``entry`` with the context's login, if it has one that the site still takes."""
        if not await identity.context.cookies(f"https://{self._host(identity.site)}/"):
            return False
        try:
            await entry.open()
        except LoginRequired:
            logger.info("the saved %s login has expired; logging in again", identity.site)
            identity.logged_in = False
            return False
        identity.logged_in = True
        return True

    async def _logged_in(self, identity: _Identity) -> None:
        identity.logged_in = True
        await self._save_login(identity)

    # The whole tutorial ------------------------------------------------------------------

    async def restore(
        self,
        *,
        association: str,
        linxo: Credentials,
        assoconnect: Credentials,
        bank: Credentials | None = None,
        otp: AsyncOtp | None = None,
        profile: BankProfile | None = None,
        links: Mapping[str, str] | None = None,
        linxo_otp: AsyncOtp | None = None,
    ) -> RestoreReport:
        """`linxo_assoconnect.restore` with this session's browser, logins and evidence."""
        steps = _Steps(self, association, linxo, assoconnect, bank, otp, profile, linxo_otp)
        return await tutorial(steps, links)

    async def _repair_linxo(
        self,
        linxo: Credentials,
        bank: Credentials | Callable[[str], Credentials | None] | None,
        otp: AsyncOtp | None,
        profile: BankProfile | None,
        linxo_otp: AsyncOtp | None = None,
    ) -> Repair[BankConnection, ReauthResult]:
        """Steps 1 to 4: every broken connection of ``linxo`` re-authenticated at its bank,
        with ``bank``'s login (or the one it gives for that bank's name), else by a person.
        ``linxo_otp`` gives Linxo's e-mail code, if Linxo asks for one."""
        bank_for = bank if callable(bank) else (lambda _name: bank)
        settings = await self.linxo(linxo, otp=linxo_otp)
        settings = await self._where_a_person_can_act(settings, linxo, bank_for, otp, linxo_otp)
        return await repair_connections(
            settings,
            lambda name: BankAuthPage(
                settings.page,
                credentials=bank_for(name),
                otp=otp,
                profile=profile,
                timeout=self.bank_timeout,
            ),
        )

    async def _where_a_person_can_act(
        self,
        settings: LinxoSettings,
        linxo: Credentials,
        bank_for: Callable[[str], Credentials | None],
        otp: AsyncOtp | None,
        linxo_otp: AsyncOtp | None,
    ) -> LinxoSettings:
        """« Mes comptes » where a person can do the bank step, if a connection needs it.

        A headless browser launched here and a display: the same login in a visible window.
        No display: nobody can, and the bank is not even asked (`HumanActionRequired`).
        """
        broken = [c.bank for c in await settings.connections() if not c.healthy]
        filled = all(bank_for(name) is not None for name in broken)
        local = self.browser is None and self.endpoint is None
        if not broken or (filled and otp is not None) or not self.headless or not local:
            return settings
        if display_available():
            return await self.linxo(linxo, window=True, otp=linxo_otp)
        if filled:  # the bank may validate in its app: no person at the browser
            return settings
        raise HumanActionRequired(
            f"{', '.join(broken)} : la banque demande une authentification que personne ne peut "
            "faire ici (navigateur sans fenêtre, pas d’écran). Lancez la restauration depuis "
            "un poste avec écran, ou donnez les identifiants de la banque et un moyen d’obtenir "
            "le code (otp)."
        )
