"""A browser with one context per site identity, saved logins, evidence and optional traces.

The machinery is in the bases of `Session`: its browsers in ``_browsers``, its contexts, saved
logins and HAR files in ``_identities``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from playwright.async_api import Browser, async_playwright
from playwright.async_api import Error as PlaywrightError

from ..._core.browser import AsyncContextHook, display_available
from ..._core.errors import (
    BrowserClosed,
    ConfigurationError,
    HumanActionRequired,
    LoginRequired,
)
from ..._core.files import (
    EVIDENCE_ENV_VAR,
    default_evidence_dir,
    default_state_dir,
    ensure_writable,
)
from ..._core.logins import LoginStore
from ..._core.models import BankConnection, Credentials, ReauthResult, RestoreReport
from ..._core.otp import AsyncOtp
from ..._core.profiles import AssoConnectProfile, BankProfile, LinxoProfile
from ..._core.retry import RetryPolicy
from ..._core.secrets import logger
from ...flows._async.restore import repair_connections, tutorial
from ...flows._repair import Repair
from ...pages._async.assoconnect import ASSOCONNECT_URL, AssoConnectLoginPage, RapprochementPage
from ...pages._async.bank import BankAuthPage
from ...pages._async.linxo import LINXO_URL, LinxoLoginPage, LinxoSettings
from ._identities import ASSOCONNECT, LINXO, Contexts, Identity

__all__ = ["Session"]


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


class Session(Contexts):
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
        self._store = None
        self._playwright = None
        self._browser = None
        self._window_browser = None
        self._raw_hars = None
        self._identities = {}
        self._saved_login_holders = set()

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
        await self._close_identities(list(self._identities.values()))
        self._identities.clear()
        await self._stop_browsers()
        if self._raw_hars is not None:
            shutil.rmtree(self._raw_hars, ignore_errors=True)
            self._raw_hars = None

    # Ready page objects ------------------------------------------------------------------

    async def linxo(
        self, credentials: Credentials, *, window: bool = False, otp: AsyncOtp | None = None
    ) -> LinxoSettings:
        """Linxo's « Mes comptes » for ``credentials``, logged in (a saved login is reused).

        ``window``: in a visible browser window, for a person to do the bank step. ``otp``:
        where the code Linxo sends by e-mail comes from, if Linxo asks for one (without it, a
        person types it in a visible window, within ``bank_timeout``).
        """
        with self._browser_errors("ouvrir « Mes comptes » sur Linxo"):
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
        with self._browser_errors("ouvrir « Mes comptes » sur Linxo"):
            if not await self._reused(identity, settings):
                await login.login(credentials, otp=otp)
                await self._logged_in(identity)
                await settings.open()
        return settings

    async def rapprochement(self, credentials: Credentials, association: str) -> RapprochementPage:
        """AssoConnect's « Import depuis votre banque » tab of ``association``, logged in."""
        with self._browser_errors("ouvrir le rapprochement bancaire"):
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
        with self._browser_errors("ouvrir le rapprochement bancaire"):
            if not await self._reused(identity, tab):
                await login.login(credentials)
                await self._logged_in(identity)
                await tab.open()
        return tab

    @contextmanager
    def _browser_errors(self, what: str) -> Iterator[None]:
        """Playwright's errors of the session's own calls (contexts, cookies) when the browser
        went away: `BrowserClosed`, as the page objects raise it."""
        try:
            yield
        except PlaywrightError as raw:
            alive = self._browser is not None and self._browser.is_connected()
            if alive and "has been closed" not in str(raw):  # an old browser's context, too
                raise
            raise BrowserClosed(
                f"Le navigateur s’est fermé pendant l’étape « {what} » (arrêté ou tué).", step=what
            ) from raw

    async def _reused(self, identity: Identity, entry: LinxoSettings | RapprochementPage) -> bool:
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

    async def _logged_in(self, identity: Identity) -> None:
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
