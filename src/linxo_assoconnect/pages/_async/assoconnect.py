"""AssoConnect: log in, Comptabilité › Rapprochement bancaire › « Import depuis votre banque »."""

from __future__ import annotations

import time
from typing import Self

from playwright.async_api import Page

from ..._core.errors import (
    AccountNotFound,
    LoginRequired,
    PageChanged,
    SyncFailed,
    TransientSiteError,
)
from ..._core.models import AssoBankAccount, Credentials, SyncResult
from ..._core.profiles import AssoConnectProfile
from ..._core.retry import RetryPolicy
from ..._core.text import match_name
from .._accounts import Entry, Tab, resolve
from .._snapshot import Node, Snapshot
from ._associations import AssociationChooser
from ._base import AnswerLost, domain_of, logger, step
from ._login import LoginPageObject
from ._manage import ManagePage
from ._site import ASSOCONNECT_URL, AssoConnectPage, Clicks

__all__ = ["ASSOCONNECT_URL", "AssoConnectLoginPage", "RapprochementPage"]


class AssoConnectLoginPage(LoginPageObject):
    """AssoConnect's login page, ``{base_url}/login``."""

    def __init__(
        self,
        page: Page,
        *,
        base_url: str = ASSOCONNECT_URL,
        timeout: float = 30.0,
        profile: AssoConnectProfile | None = None,
    ) -> None:
        super().__init__(page, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.profile = profile or AssoConnectProfile()
        self._site = self.profile
        self._home = domain_of(self.base_url)

    @step("se connecter à AssoConnect")
    async def login(self, credentials: Credentials) -> None:
        """Log in once (never retried): one page, or the e-mail then the password on the same
        page. Lands on whatever AssoConnect shows first (a chooser, or an association)."""
        login_url = f"{self.base_url}/login"

        def landed(s: Snapshot) -> bool:
            away = s.url.split("?")[0].split("#")[0].rstrip("/") != login_url
            return away and self._password_field(s) is None and any(n.c for n in s.nodes)

        await self._log_in(
            login_url,
            credentials,
            site="AssoConnect",
            submit=self.profile.login_submit,
            landed=landed,
        )


class RapprochementPage(AssoConnectPage):
    """Comptabilité › Rapprochement bancaire › « Import depuis votre banque » of one association.

    ``association`` is the name asked (matched loosely: « club exemple »); once `open` has
    opened it, the name AssoConnect shows (« Club Exemple de Voile »).
    """

    def __init__(
        self,
        page: Page,
        *,
        association: str,
        base_url: str = ASSOCONNECT_URL,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        profile: AssoConnectProfile | None = None,
    ) -> None:
        super().__init__(page, base_url=base_url, timeout=timeout, profile=profile)
        self.association = association
        self.retry = retry or RetryPolicy()
        self._opened = False  # whether ``association`` is the name shown, opened before

    # Navigation ----------------------------------------------------------------------

    @step("ouvrir le rapprochement bancaire")
    async def open(self) -> Self:
        """The association › Comptabilité › Rapprochement bancaire › the import tab."""
        async for attempt in self.retry.async_retrying():
            with attempt:
                await self._open_once()
        return self

    def _on_site(self, url: str) -> bool:
        return domain_of(url) == domain_of(self.base_url)

    async def _open_once(self) -> None:
        profile = self.profile
        if not self._on_site(self.page.url):
            await self._goto(f"{self.base_url}/", "la page d’accueil d’AssoConnect")
        chooser = self._beside(
            AssociationChooser, association=self.association, opened=self._opened
        )
        self.association = await chooser.choose()
        self._opened = True
        clicked: dict[str, int] = {}

        def next_move(s: Snapshot) -> tuple[str, Node | None] | None:
            if self._password_field(s) is not None:
                return "login", None
            if self._tabs.tab(s) is not None:
                return "there", None
            for key, words in (
                ("import", profile.import_tab),
                ("reconciliation", profile.reconciliation),
                ("accounting", profile.accounting),
            ):
                found = s.controls(words)
                if found and clicked.get(key, 0) < 3:
                    return key, found[0]
            return None

        while True:
            move, node = await self._until(next_move, f"l’onglet « {profile.import_tab[0]} »")
            if move == "there":
                return
            if move == "login":
                raise LoginRequired(
                    "Vous n’êtes pas connecté à AssoConnect : connectez-vous d’abord."
                )
            if node is None:  # pragma: no cover - every other move comes with its element
                continue
            clicked[move] = clicked.get(move, 0) + 1
            before = await self._read()
            await self._act(node, f"« {' '.join(node.names[:1]) or node.own} »")
            await self._changed(before, self.timeout)

    # The tab ---------------------------------------------------------------------------

    async def _read_tab(self) -> tuple[Snapshot, Tab]:
        """The tab as shown now; back to it by the menus if the page is elsewhere."""
        snapshot = await self._read()
        tab = self._tabs.tab(snapshot)
        if tab is None or not tab.entries:
            await self._open_once()

            def shown(s: Snapshot) -> tuple[Snapshot, Tab] | None:
                t = self._tabs.tab(s)
                return (s, t) if t is not None and t.entries else None

            return await self._until(shown, "la liste des comptes bancaires")
        return snapshot, tab

    async def _names(self) -> list[str]:
        _, tab = await self._read_tab()
        return [e.name for e in tab.entries]

    async def _select(self, name: str) -> tuple[Snapshot, Tab]:
        """Select an account in the list; the page then shows its panel."""
        snapshot, tab = await self._read_tab()
        if tab.selected == name and tab.panel is not None:
            return snapshot, tab
        entry = self._tabs.entry(tab, name)
        await self._act(self._clickable(snapshot, entry), f"le compte « {name} »")

        def selected(s: Snapshot) -> tuple[Snapshot, Tab] | None:
            t = self._tabs.tab(s)
            return (s, t) if t is not None and t.selected == name and t.panel else None

        return await self._until(selected, f"le détail du compte « {name} »")

    def _clickable(self, s: Snapshot, entry: Entry) -> Node:
        """What a person clicks to select an account: its name (or the control around it)."""
        for outer in [entry.label, *s.ancestors(entry.label)]:
            if outer.c and not self._forbidden(outer):
                return outer
            if outer is entry.box:
                break
        return entry.label

    # Reading -------------------------------------------------------------------------

    @step("lire les comptes bancaires")
    async def accounts(self) -> list[AssoBankAccount]:
        """The association's bank accounts with their status and linked Linxo account."""
        return [await self._account(name) for name in await self._names()]

    async def _account(self, name: str) -> AssoBankAccount:
        snapshot, tab = await self._select(name)
        return self._tabs.account(snapshot, tab, name)

    async def _resolve(self, account: str | None) -> str:
        return resolve(account, await self._names())

    # Actions -------------------------------------------------------------------------

    @step("associer un compte Linxo")
    async def link(self, account: str, linxo_account: str) -> AssoBankAccount:
        """Select ``account``, choose its Linxo account, « Enregistrer »."""
        profile = self.profile
        name = await self._resolve(account)
        snapshot, tab = await self._select(name)
        radios = {self._tabs.radio_name(snapshot, r): r for r in tab.radios}
        chosen = match_name(linxo_account, radios, what="compte Linxo")
        if not radios[chosen].checked:
            await self._act(radios[chosen], f"le compte Linxo « {chosen} »")

            def checked(s: Snapshot) -> tuple[Snapshot, Tab] | None:
                t = self._tabs.tab(s)
                if t is None:
                    return None
                on = [self._tabs.radio_name(s, r) for r in t.radios if r.checked]
                return (s, t) if on == [chosen] else None

            snapshot, tab = await self._until(checked, f"le compte Linxo « {chosen} » choisi")
        entry = self._tabs.entry(tab, name)
        save = self._nearest(snapshot, snapshot.controls(profile.save), tab.radios[0])
        if save is None:
            raise await self._page_changed(f"le bouton « {profile.save[0]} »")
        await self._act(save, f"le bouton « {profile.save[0]} »")
        before = snapshot

        try:
            outcome = await self._until(
                lambda s: self._tabs.save_outcome(s, before, entry),
                "la confirmation de l’enregistrement",
            )
        except AnswerLost:  # saved or not: the account, read again below, tells
            await self._goto(f"{self.base_url}/", "la page d’accueil d’AssoConnect")
            outcome = "lost"
        if outcome == "transient":
            raise TransientSiteError("AssoConnect est indisponible ; réessayez plus tard.")
        logger.info("%s linked to the Linxo account %s", name, chosen)
        result = await self._account(name)
        if result.linxo_account != chosen:
            raise AccountNotFound(
                f"AssoConnect n’a pas enregistré « {chosen} » pour « {name} ».",
                wanted=chosen,
                choices=list(radios),
            )
        return result

    @step("forcer la synchronisation")
    async def force_sync(
        self, account: str | None = None, *, linxo_account: str | None = None
    ) -> SyncResult:
        """« Plus d'options » › « Forcer la synchronisation » › « Synchroniser », verified.

        An unlinked account is first linked (to ``linxo_account``, or to the one Linxo account
        whose name matches). Transient failures are retried with the policy; if the import
        still fails, the sync is launched from « Gérer ses comptes bancaires synchronisés avec
        Linxo ». A running sync is waited for, never clicked again.
        """
        manage = self.profile.manage[0]
        name = await self._resolve(account)
        current = await self._account(name)
        if self._tabs.is_running(current.status):
            status, _ = await self._settled(name)
            if self._tabs.is_active(status):  # the sync that was running did the job
                return self._tabs.sync_result(name, status, 0, used_fallback=False)
            current = await self._account(name)
        if current.linxo_account is None:
            snapshot, tab = await self._select(name)
            choices = [self._tabs.radio_name(snapshot, r) for r in tab.radios]
            target = linxo_account or match_name(name, choices, what="compte Linxo")
            current = await self.link(name, target)
        clicks = Clicks()
        status = current.status or ""
        try:
            async for attempt in self.retry.async_retrying():
                with attempt:
                    status = await self._sync_once(name, clicks)
        except TransientSiteError as error:
            logger.warning(
                "sync of %s still failing after %d clicks: %s", name, clicks.count, error
            )
            status = str(error)
        if self._tabs.is_active(status):
            return self._tabs.sync_result(name, status, clicks.count, used_fallback=False)
        logger.info("sync of %s ended with « %s »; trying %s", name, status, manage)
        status = await self._sync_from_manage_page(name, clicks)
        attempts = clicks.count
        if not self._tabs.is_active(status):
            raise SyncFailed(
                f"La synchronisation de « {name} » échoue toujours (« {status} ») après "
                f"{attempts} tentative(s), y compris depuis « {manage} ». Vérifiez la connexion "
                "de la banque sur Linxo."
            )
        return self._tabs.sync_result(name, status, attempts, used_fallback=True)

    async def _sync_once(self, name: str, clicks: Clicks) -> str:
        """One try: wait out a running sync, click « Synchroniser » once, return the outcome.
        The click is counted in ``clicks`` (a try that meets a running sync clicks nothing)."""
        profile = self.profile
        status, was_running = await self._settled(name)
        if was_running and self._tabs.is_active(status):
            return status  # the sync that was running did the job
        snapshot, tab = await self._select(name)
        sync = self._sync_button(snapshot, tab)
        if sync is None:
            toggle = self._nearest(snapshot, snapshot.controls(profile.more_options), tab.panel)
            if toggle is None:
                raise await self._page_changed(f"le bouton « {profile.more_options[0]} »")
            await self._act(toggle, f"le bouton « {profile.more_options[0]} »")

            def shown(s: Snapshot) -> tuple[Snapshot, Node] | None:
                t = self._tabs.tab(s)
                button = self._sync_button(s, t) if t else None
                return (s, button) if button else None

            snapshot, sync = await self._until(shown, f"le bouton « {profile.sync[0]} »")
        if sync is None:  # pragma: no cover - `shown` returns only a button it found
            raise await self._page_changed(f"le bouton « {profile.sync[0]} »")
        before = snapshot
        before_tab = self._tabs.tab(before) or tab
        entry = self._tabs.entry(before_tab, name)
        was = self._tabs.panel_import(before, before_tab)
        await self._act(sync, f"le bouton « {profile.sync[0]} »")
        clicks.count += 1
        self._run.sent = f"« {profile.sync[0]} » a été cliqué"
        try:
            outcome = await self._until(
                lambda s: self._tabs.sync_outcome(s, before, entry, was),
                "la réponse au clic sur « Synchroniser »",
            )
            if outcome == "transient":  # the site said so: no sync started, a new try may click
                raise TransientSiteError("AssoConnect est indisponible ; réessayez plus tard.")
            status, _ = await self._settled(name)
        except (PageChanged, TransientSiteError) as error:
            if isinstance(error, TransientSiteError) and str(error).startswith("AssoConnect est"):
                raise
            # Clicked, but its outcome was not seen: the account's state says what became of
            # it, read from the site's entry; never clicked again without knowing.
            seen = await self._after_lost_answer(name, before_status=entry.status)
            if seen is not None:
                return seen
            raise SyncFailed(
                f"« {profile.sync[0]} » a été cliqué pour « {name} », mais la page n’a montré "
                f"aucun résultat ({error}). Il n’a pas été recliqué : vérifiez l’état du compte."
            ) from error
        return status

    async def _after_lost_answer(self, name: str, *, before_status: str | None) -> str | None:
        """The status of a sync whose answer was lost, if it is seen to have started."""
        try:
            await self._goto(f"{self.base_url}/", "la page d’accueil d’AssoConnect")
            status, was_running = await self._settled(name)
        except (PageChanged, TransientSiteError):
            return None
        changed = status != before_status and self._tabs.is_active(status)
        return status if was_running or changed else None

    def _sync_button(self, s: Snapshot, tab: Tab | None) -> Node | None:
        found = [n for n in s.controls(self.profile.sync) if not self._forbidden(n)]
        near = tab.panel if tab else None
        return self._nearest(s, found, near)

    async def _settled(self, name: str) -> tuple[str, bool]:
        """The account's status once no sync runs, and whether one was running."""
        _, tab = await self._read_tab()
        entry = next((e for e in tab.entries if e.name == name), None)
        was_running = entry is not None and self._tabs.is_running(entry.status)
        if was_running:
            logger.info("a sync of %s is running; waiting for it to end", name)

        def settled(s: Snapshot) -> str | None:
            t = self._tabs.tab(s)
            e = next((x for x in t.entries if x.name == name), None) if t else None
            if e is None or self._tabs.is_running(e.status):
                return None
            return e.status

        # A page that does not update by itself is read again as a person would: from the
        # site's entry, by the menus (never by reloading what may be a form's answer).
        deadline = time.monotonic() + self.timeout
        while (left := deadline - time.monotonic()) > 0:
            status = await self._within(settled, min(left, max(self.timeout / 3, 2.0)))
            if status is not None:
                return status, was_running
            if time.monotonic() < deadline:
                await self._goto(f"{self.base_url}/", "la page d’accueil d’AssoConnect")
                await self._select(name)
        raise self._still_running(name)

    async def _sync_from_manage_page(self, name: str, clicks: Clicks) -> str:
        """The fallback: « Gérer ses comptes… » › the account's « Lancer la synchronisation »."""
        profile = self.profile
        manage = profile.manage[0]
        snapshot, tab = await self._select(name)
        link = self._nearest(snapshot, snapshot.controls(profile.manage), tab.panel)
        if link is None:
            raise await self._page_changed(f"le lien « {manage} »")
        await self._act(link, f"le lien « {manage} »")
        return await self._beside(ManagePage).sync(name, clicks)
