"""AssoConnect: log in, Comptabilité › Rapprochement bancaire › « Import depuis votre banque »."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Self

from playwright.async_api import Locator, Page, expect

from ..._errors import AccountNotFound, SyncFailed, TransientSiteError
from ..._models import AssoBankAccount, Credentials, SyncResult, now_in_paris
from ..._retry import RetryPolicy
from ..._text import fold, label_regex, match_name, parse_french_datetime
from ._base import PageObject, logger, step

__all__ = ["ASSOCONNECT_URL", "AssoConnectLoginPage", "RapprochementPage"]

ASSOCONNECT_URL = "https://app.assoconnect.com"

ACTIVE = "Synchronisation active"
RUNNING = "Synchronisation en cours"
STATUSES = (
    ACTIVE,
    RUNNING,
    "Erreur lors du dernier import",
    "En attente de vérification par Linxo",
    "En attente de consentement DSP2",
    "Compte bancaire introuvable",
)
TRANSIENT = ("réessayez plus tard", "réessayer plus tard", "temporairement indisponible")
ACCOUNTS_LIST = "Mes comptes bancaires"
LINXO_CHOICE = "Sélection du compte Linxo associé"
MANAGE = "Gérer ses comptes bancaires synchronisés avec Linxo"
# A balance after the account's name. Its first digit group never starts with 0, so that a name
# ending in a number (« Compte courant 01 ») is not read as thousands.
_AMOUNT_AT_END = re.compile(
    r"\s+[-−–+]?(?:0|[1-9]\d{0,2}(?:[ \u00a0\u202f.]\d{3})*)(?:,\d{1,2})?\s*(?:€|EUR)\s*$"
)
_ICONS = "✓✔⚠⟳•"


_LAST_IMPORT = re.compile(r"dernier\s+import[\s:]*(.{0,40})", re.IGNORECASE | re.DOTALL)


def _last_import(panel_text: str) -> datetime | None:
    """« Dernier import : 29/05/2026 à 05:58 » in an account's panel; None for « jamais »."""
    found = _LAST_IMPORT.search(panel_text)
    return parse_french_datetime(found.group(1)) if found else None


def _is_active(status: str | None) -> bool:
    return status is not None and fold(status) == fold(ACTIVE)


def _status_in(text: str) -> str | None:
    """The status label a list item shows (a known one, else its last line)."""
    for status in STATUSES:
        if fold(status) in fold(text):
            return status
    lines = [line.strip(_ICONS + " ") for line in text.splitlines() if line.strip(_ICONS + " ")]
    return lines[-1] if len(lines) > 1 else None


class AssoConnectLoginPage(PageObject):
    """AssoConnect's login page, ``{base_url}/login``."""

    def __init__(
        self, page: Page, *, base_url: str = ASSOCONNECT_URL, timeout: float = 30.0
    ) -> None:
        super().__init__(page, timeout=timeout)
        self.base_url = base_url.rstrip("/")

    @step("se connecter à AssoConnect")
    async def login(self, credentials: Credentials) -> None:
        """Log in once (never retried) and land on the dashboard."""
        menu = self._by_role("Comptabilité", "button", "link")
        await self._log_in(
            f"{self.base_url}/login",
            credentials,
            site="AssoConnect",
            submit=("Se connecter",),
            landmark=menu.or_(self.page.get_by_text(label_regex("Comptabilité", exact=True))),
        )


class RapprochementPage(PageObject):
    """Comptabilité › Rapprochement bancaire › « Import depuis votre banque » of one association."""

    def __init__(
        self,
        page: Page,
        *,
        association: str,
        base_url: str = ASSOCONNECT_URL,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(page, timeout=timeout)
        self.association = association
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self._clicks = 0
        self._chosen = False

    # Navigation ----------------------------------------------------------------------

    @step("ouvrir le rapprochement bancaire")
    async def open(self) -> Self:
        """Dashboard › the association › Comptabilité › Rapprochement bancaire › the import tab."""
        async for attempt in self.retry.async_retrying():
            with attempt:
                await self._open_once()
        return self

    async def _open_once(self) -> None:
        switcher = self._by_role("Changer d’association", "button")
        await self._enter(
            f"{self.base_url}/", "AssoConnect", switcher, "le sélecteur d’association"
        )
        await self._choose_association(switcher)
        reconciliation = self._by_role("Rapprochement bancaire", "link", exact=True)
        if not await reconciliation.is_visible():  # the menu is a toggle: open it only if shut
            await self._press("Comptabilité", what="le menu « Comptabilité »")
        await self._click(reconciliation, "le lien « Rapprochement bancaire »")
        await self._click(
            self._by_role("Import depuis votre banque", "tab", "link"),
            "l’onglet « Import depuis votre banque »",
        )
        await self._visible(self._accounts_list(), f"la liste « {ACCOUNTS_LIST} »")

    async def _choose_association(self, switcher: Locator) -> None:
        shown = " ".join((await switcher.first.inner_text()).split())
        if self._chosen and fold(self.association) in fold(shown):
            return  # already chosen once, and still the current one
        before = set(await self._visible_names(self.page.get_by_role("link")))
        await switcher.first.click(timeout=self._ms)
        menu_items = self.page.get_by_role("menuitem").or_(self.page.get_by_role("option"))
        choices = await self._visible_names(menu_items)
        if not choices:  # a plain list of links: the ones the switcher just showed
            links = await self._visible_names(self.page.get_by_role("link"))
            choices = [name for name in links if name not in before]
        name = match_name(self.association, choices, what="association")
        await self._click(
            self._by_role(name, "menuitem", "option", "link", exact=True),
            f"l’association « {name} »",
        )
        try:
            await expect(switcher.first).to_contain_text(name, timeout=self._ms)
        except AssertionError:
            raise await self._page_changed(f"l’association « {name} » une fois choisie") from None
        self.association = name
        self._chosen = True

    @staticmethod
    async def _visible_names(locator: Locator) -> list[str]:
        texts: list[str] = await locator.evaluate_all(
            "els => els.filter(e => e.checkVisibility()).map(e => e.innerText)"
        )
        return [name for name in (" ".join(t.split()) for t in texts) if name]

    def _accounts_list(self) -> Locator:
        return self._by_role(ACCOUNTS_LIST, "region", "navigation", "list")

    async def _back_on_the_tab(self) -> Locator:
        """The accounts list, after coming back to the tab from elsewhere (an error page…)."""
        if not await self._accounts_list().count():
            await self._open_once()
        return await self._visible(self._accounts_list(), f"la liste « {ACCOUNTS_LIST} »")

    async def _names(self) -> list[str]:
        """The accounts' names as the list shows them (each entry's first line)."""
        accounts = await self._back_on_the_tab()
        entries = accounts.get_by_role("listitem")
        if not await entries.count():
            entries = accounts.get_by_role("link")
        lines = [text.strip().splitlines() for text in await entries.all_inner_texts()]
        return [first.strip() for first, *_ in (line for line in lines if line)]

    async def _select(self, name: str) -> Locator:
        """Select an account in the list; return its panel on the right."""
        panel = self.page.get_by_role("region", name=label_regex(name, exact=True))
        if await panel.count() and await panel.get_by_role("radio").count():
            return panel
        await self._back_on_the_tab()
        item = self._item_for(name)
        link = item.get_by_role("link")
        await (link if await link.count() else item).click(timeout=self._ms)
        return await self._visible(panel, f"le détail du compte « {name} »")

    # Reading -------------------------------------------------------------------------

    @step("lire les comptes bancaires")
    async def accounts(self) -> list[AssoBankAccount]:
        """The association's bank accounts with their status and linked Linxo account."""
        return [await self._account(name) for name in await self._names()]

    async def _account(self, name: str) -> AssoBankAccount:
        panel = await self._select(name)
        status = _status_in(await self._item_for(name).inner_text())
        chosen = self._linxo_radios(panel, checked=True)
        linxo = await self._radio_name(chosen.first) if await chosen.count() else None
        return AssoBankAccount(
            name=name,
            sync_active=_is_active(status),
            status=status,
            linxo_account=linxo,
            last_import=_last_import(await panel.inner_text()),
        )

    def _linxo_radios(self, panel: Locator, *, checked: bool | None = None) -> Locator:
        group = self._by_role(LINXO_CHOICE, "group", "radiogroup", scope=panel)
        return group.get_by_role("radio", checked=checked)

    async def _radio_name(self, radio: Locator) -> str:
        return _AMOUNT_AT_END.sub("", await self._accessible_name(radio)).strip()

    async def _resolve(self, account: str | None) -> str:
        names = await self._names()
        if account is None:
            if len(names) == 1:
                return names[0]
            raise AccountNotFound(
                "Plusieurs comptes bancaires : précisez lequel ("
                + ", ".join(f"« {n} »" for n in names)
                + ").",
                wanted="",
                choices=names,
            )
        return match_name(account, names, what="compte bancaire")

    # Actions -------------------------------------------------------------------------

    @step("associer un compte Linxo")
    async def link(self, account: str, linxo_account: str) -> AssoBankAccount:
        """Select ``account``, choose its Linxo account, « Enregistrer »."""
        name = await self._resolve(account)
        panel = await self._select(name)
        radios = {await self._radio_name(r): r for r in await self._linxo_radios(panel).all()}
        chosen = match_name(linxo_account, radios, what="compte Linxo")
        await radios[chosen].check(timeout=self._ms)
        with self._slow_site("l’enregistrement"):
            async with self.page.expect_navigation(timeout=self._ms):
                await self._click(
                    self._by_role("Enregistrer", "button", scope=panel), "le bouton « Enregistrer »"
                )
        saved = self.page.get_by_role("status").filter(has_text=label_regex("enregistr"))
        await self._visible(saved, "la confirmation de l’enregistrement")
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
        name = await self._resolve(account)
        current = await self._account(name)
        if current.status and fold(current.status) == fold(RUNNING):
            status, _ = await self._settled_status(name)
            if _is_active(status):  # the sync that was running did the job
                return self._result(name, status, 0, used_fallback=False)
            current = await self._account(name)
        if current.linxo_account is None:
            panel = await self._select(name)
            choices = [await self._radio_name(r) for r in await self._linxo_radios(panel).all()]
            target = linxo_account or match_name(name, choices, what="compte Linxo")
            current = await self.link(name, target)
        self._clicks = 0
        status = current.status or ""
        try:
            async for attempt in self.retry.async_retrying():
                with attempt:
                    status = await self._sync_once(name)
        except TransientSiteError as error:
            logger.warning(
                "sync of %s still failing after %d clicks: %s", name, self._clicks, error
            )
            status = str(error)
        if _is_active(status):
            return self._result(name, status, self._clicks, used_fallback=False)
        logger.info("sync of %s ended with « %s »; trying %s", name, status, MANAGE)
        status = await self._sync_from_manage_page(name)
        attempts = self._clicks
        if not _is_active(status):
            raise SyncFailed(
                f"La synchronisation de « {name} » échoue toujours (« {status} ») après "
                f"{attempts} tentative(s), y compris depuis « {MANAGE} ». Vérifiez la connexion "
                "de la banque sur Linxo."
            )
        return self._result(name, status, attempts, used_fallback=True)

    @staticmethod
    def _result(name: str, status: str, attempts: int, *, used_fallback: bool) -> SyncResult:
        return SyncResult(
            account=name,
            ok=_is_active(status),
            status=status,
            attempts=attempts,
            used_fallback=used_fallback,
            finished_at=now_in_paris(),
        )

    async def _sync_once(self, name: str) -> str:
        """One try: wait out a running sync, click « Synchroniser », return the outcome shown.

        Counts the clicks in ``self._clicks`` (a try that meets a running sync clicks nothing).
        """
        await self._select(name)
        status, was_running = await self._settled_status(name)
        if was_running and _is_active(status):
            return status  # the sync that was running did the job
        panel = await self._select(name)
        sync = self._by_role("Synchroniser", "button", scope=panel, exact=True)
        if not await sync.is_visible():
            await self._press("Plus d’options", what="le bouton « Plus d’options »", scope=panel)
        # The page reloads on submit: wait for the new one, not a notice left on the old one.
        with self._slow_site("la synchronisation"):
            async with self.page.expect_navigation(timeout=self._ms):
                await self._click(sync, "le bouton « Synchroniser »")
        self._clicks += 1
        started = self.page.get_by_role("status").filter(has_text=label_regex("synchronisation"))
        transient = self.page.get_by_text(label_regex(TRANSIENT[0]))
        for text in TRANSIENT[1:]:
            transient = transient.or_(self.page.get_by_text(label_regex(text)))
        await self._visible(started.or_(transient), "la réponse au clic sur « Synchroniser »")
        if await transient.count():
            raise TransientSiteError("AssoConnect est indisponible ; réessayez plus tard.")
        status, _ = await self._settled_status(name)
        return status

    async def _settled_status(self, name: str) -> tuple[str, bool]:
        """The account's status once no sync runs, and whether one was running."""
        item = self._item_for(name)
        was_running = fold(RUNNING) in fold(await item.inner_text())
        if was_running:
            logger.info("a sync of %s is running; waiting for it to end", name)
        await self._wait_while_running(item, name)
        return _status_in(await item.inner_text()) or "", was_running

    async def _wait_while_running(self, entry: Locator, name: str) -> None:
        """Wait for a running sync to end; one still running is never clicked again."""
        try:
            await expect(entry).not_to_contain_text(label_regex(RUNNING), timeout=self._ms)
        except AssertionError:
            raise SyncFailed(
                f"La synchronisation de « {name} » est toujours en cours après "
                f"{self.timeout:g} s. Elle n’a pas été relancée : regardez à nouveau plus tard."
            ) from None

    def _item_for(self, name: str) -> Locator:
        """The account's entry in the list: the list item, or its link when there are none."""
        accounts = self._accounts_list()
        named = self._shows_exactly(name)
        items = accounts.get_by_role("listitem").filter(has=named)
        return items.or_(accounts.get_by_role("link").filter(has=named)).first

    def _shows_exactly(self, name: str) -> Locator:
        """An element whose whole text is ``name`` (so not « Compte courant 2 »)."""
        return self.page.get_by_text(label_regex(name, exact=True))

    async def _sync_from_manage_page(self, name: str) -> str:
        """The fallback: « Gérer ses comptes… » › « Lancer la synchronisation »."""
        if not await self._by_role(MANAGE, "link").count():
            await self._open_once()
            await self._select(name)
        await self._click(self._by_role(MANAGE, "link"), f"le lien « {MANAGE} »")
        rows = self.page.get_by_role("row").or_(self.page.get_by_role("listitem"))
        row = rows.filter(has=self._shows_exactly(name)).first
        await self._visible(row, f"le compte « {name} » sur la page « {MANAGE} »")
        if fold(RUNNING) in fold(await row.inner_text()):
            await self._wait_while_running(row, name)
            status = _status_in(await row.inner_text()) or ""
            if _is_active(status):
                return status
        with self._slow_site("la synchronisation"):
            async with self.page.expect_navigation(timeout=self._ms):
                await self._click(
                    self._by_role("Lancer la synchronisation", "button", scope=row),
                    "le bouton « Lancer la synchronisation »",
                )
        self._clicks += 1
        started = self.page.get_by_role("status").filter(has_text=label_regex("synchronisation"))
        await self._visible(started, "la confirmation du lancement de la synchronisation")
        await self._wait_while_running(row, name)
        return _status_in(await row.inner_text()) or ""
