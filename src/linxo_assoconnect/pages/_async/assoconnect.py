"""AssoConnect: log in, Comptabilité › Rapprochement bancaire › « Import depuis votre banque »."""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from playwright.async_api import Page

from ..._core.errors import (
    AccountNotFound,
    LoginRequired,
    PageChanged,
    SyncFailed,
    TransientSiteError,
)
from ..._core.models import (
    AssoBankAccount,
    AssoConnectProfile,
    Credentials,
    SyncResult,
    now_in_paris,
)
from ..._core.retry import RetryPolicy
from ..._core.text import fold, label_regex, match_name, parse_amount, parse_french_datetime
from .._snapshot import Node, Snapshot, contains_word, matches
from ._base import PageObject, domain_of, logger, step
from ._login import LoginPageObject

__all__ = ["ASSOCONNECT_URL", "AssoConnectLoginPage", "RapprochementPage"]

ASSOCONNECT_URL = "https://app.assoconnect.com"

# A balance after a Linxo account's name. Its first digit group never starts with 0, so that a
# name ending in a number (« Compte courant 01 ») is not read as thousands.
_AMOUNT_AT_END = re.compile(
    r"\s+[-−–+]?(?:0|[1-9]\d{0,2}(?:[ \u00a0\u202f.]\d{3})*)(?:,\d{1,2})?\s*(?:€|EUR)\s*$"
)
_IBAN = re.compile(r"^[A-Z]{2}\d{2}(?:\s?[\dA-Z]{4}){3,}")
_DATE_ONLY = re.compile(r"^[\d\s.,/:hHà-]+$")
# Words that label a value rather than name an account (« Statut : … »).
_FIELD_LABELS = ("statut", "etat", "status", "iban", "solde", "compte linxo")


def _last_import(text: str, words: tuple[str, ...]) -> datetime | None:
    """The date after « Dernier import » (the first of its mentions followed by a date)."""
    for word in words:
        for found in label_regex(word).finditer(text):
            moment = parse_french_datetime(text[found.end() : found.end() + 30])
            if moment is not None:
                return moment
    return None


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


@dataclass(frozen=True)
class _Entry:
    """One bank account in the import tab's list."""

    name: str
    box: Node
    label: Node
    status: str


@dataclass(frozen=True)
class _Tab:
    """The import tab as read once: the accounts, and the panel of the one selected."""

    entries: list[_Entry]
    panel: Node | None
    radios: list[Node]
    selected: str | None


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
        profile: AssoConnectProfile | None = None,
    ) -> None:
        super().__init__(page, timeout=timeout)
        self.association = association
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.profile = profile or AssoConnectProfile()
        self._site = self.profile
        self._home = domain_of(self.base_url)
        self._clicks = 0
        self._chosen = False

    async def _act(self, node: Node, what: str) -> None:
        if self._forbidden(node):
            raise PageChanged(f"Refusé : {what} déconnecterait ou supprimerait quelque chose.")
        await super()._act(node, what)

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
        await self._choose_association()
        clicked: dict[str, int] = {}

        def next_move(s: Snapshot) -> tuple[str, Node | None] | None:
            if self._password_field(s) is not None:
                return "login", None
            if self._tab(s) is not None:
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

    # Choosing the association ----------------------------------------------------------

    async def _choose_association(self) -> None:
        profile = self.profile

        def landing(s: Snapshot) -> Snapshot | None:
            if self._password_field(s) is not None:
                raise LoginRequired(
                    "Vous n’êtes pas connecté à AssoConnect : connectez-vous d’abord."
                )
            if s.controls(profile.accounting) or self._chooser(s) or s.controls(profile.switcher):
                return s
            return None

        snapshot = await self._until(landing, "l’espace de l’association")
        if self._chooser(snapshot):
            await self._pick(snapshot, self._chooser(snapshot) or [])
            return
        if self._chosen and self._current(snapshot):
            return
        wanted = fold(self.association)
        selects = [
            n
            for n in snapshot.nodes
            if n.tag == "select" and any(wanted in fold(o) for o in n.options)
        ]
        if not selects and not snapshot.controls(profile.switcher, loose=True, strict=True):
            # A list of associations that names none like it: let the error list them.
            selects = [n for n in snapshot.nodes if n.tag == "select" and len(n.options) > 1]
        for select in selects[:1]:
            name = self._match([o for o in select.options if o.strip("-— ")])
            if fold(select.selected) == fold(name):
                self._done(name)
                return
            await self._choose_option(select, name)
            await self._until(
                functools.partial(self._landed_in, name=name, before=snapshot),
                f"l’association « {name} »",
            )
            self._done(name)
            return
        current = self._current(snapshot)
        if current is not None:
            self._done(current)
            return
        switcher = snapshot.controls(profile.switcher, loose=True)
        if not switcher:
            raise await self._page_changed("le sélecteur d’association")
        await self._act(switcher[0], "le sélecteur d’association")

        def choices(s: Snapshot) -> tuple[Snapshot, list[Node]] | None:
            listed = self._chooser(s)
            if listed:
                return s, listed
            seen = {fold(" ".join(n.names)) for n in snapshot.nodes if n.c}
            new = [
                n
                for n in s.nodes
                if n.c
                and n.names
                and fold(" ".join(n.names)) not in seen
                and not any(matches(x, profile.switcher) for x in n.names)
            ]
            return (s, new) if new else None

        await self._pick(*await self._until(choices, "la liste des associations"))

    def _chooser(self, s: Snapshot) -> list[Node]:
        """The associations a chooser lists under its title (« Choisissez une association »)."""
        for title in s.texts(self.profile.chooser):
            if title.c:
                continue
            for outer in s.ancestors(title):
                listed = [n for n in s.inside(outer) if n.c and n.i > title.i and n.names]
                if listed:
                    return listed
        return []

    def _match(self, names: list[str]) -> str:
        return match_name(self.association, names, what="association")

    async def _pick(self, snapshot: Snapshot, listed: list[Node]) -> None:
        """Click the association wanted among ``listed`` (read in ``snapshot``)."""
        by_name = {self._label(snapshot, n): n for n in listed}
        by_name.pop("", None)
        name = self._match(list(by_name))
        await self._act(by_name[name], f"l’association « {name} »")
        await self._until(lambda s: self._landed_in(s, name, snapshot), f"l’association « {name} »")
        self._done(name)

    @staticmethod
    def _label(s: Snapshot, node: Node) -> str:
        """The name a control shows: its most prominent text, else its accessible name."""
        texts = [x for x in s.inside(node) if x.own and any(c.isalpha() for c in x.own)]
        if texts:
            return s.prominent(texts).own
        return node.names[0] if node.names else ""

    def _landed_in(self, s: Snapshot, name: str, before: Snapshot) -> bool | None:
        if self._chooser(s) or not s.controls(self.profile.accounting):
            return None
        shown = fold(name) in fold(
            " ".join((s.title, *(" ".join(n.names) for n in s.nodes if n.c)))
        )
        return (s.doc != before.doc or shown) or None

    def _current(self, s: Snapshot) -> str | None:
        """The association the page says is open, if it is the one wanted."""
        shown = [
            *(n.selected for n in s.nodes if n.tag == "select"),
            *(n.names[0] for n in s.nodes if n.c and n.names and len(n.names[0]) < 80),
            s.title,
            *(n.own for n in s.nodes if n.heading),
        ]
        wanted = fold(self.association)
        for text in shown:
            if wanted and wanted in fold(text):
                return self.association if self._chosen else self._full_name(text)
        return None

    def _full_name(self, text: str) -> str:
        """The association's whole name where ``text`` shows it: « Club Exemple de Voile »
        from « Bonjour, bienvenue sur l’espace de Club Exemple de Voile » or a switcher's
        « Club Exemple de Voile ▾ », for « club exemple »."""
        pattern = label_regex(self.association)
        for piece in re.split(r"\s[-–—|·▾▼]\s?|\s{2,}|[▾▼]", text):
            found = pattern.search(piece)
            if found:
                return piece[found.start() :].strip(" .!")
        return self.association

    def _done(self, name: str) -> None:
        self.association = name
        self._chosen = True

    # Reading the tab -----------------------------------------------------------------

    def _tab(self, s: Snapshot) -> _Tab | None:
        """The import tab as the page shows it, or None if it is not shown."""
        profile = self.profile
        titles = s.texts(profile.linxo_choice)
        landmark = (
            titles
            or s.controls(profile.more_options, strict=True)
            or s.controls(profile.manage, strict=True)
        )
        if not landmark:
            return None
        entries = self._entries(s)
        panel, radios = self._panel(s, titles)
        if not entries and panel is None:
            return None
        selected = None
        marked = [e for e in entries if any(n.current for n in s.inside(e.box))]
        if len(marked) == 1:
            selected = marked[0].name
        elif panel is not None:
            named = [
                e.name
                for e in entries
                if any(n.own and fold(n.own) == fold(e.name) for n in s.inside(panel))
            ]
            if len(named) == 1:
                selected = named[0]
        if selected is None and len(entries) == 1 and panel is not None:
            selected = entries[0].name
        return _Tab(entries, panel, radios, selected)

    @staticmethod
    def _entry(tab: _Tab, name: str) -> _Entry:
        found = next((e for e in tab.entries if e.name == name), None)
        if found is None:
            raise AccountNotFound(
                f"Le compte « {name} » n’est plus dans la liste.",
                wanted=name,
                choices=[e.name for e in tab.entries],
            )
        return found

    def _status_words(self) -> tuple[str, ...]:
        p = self.profile
        return (*p.active, *p.running, *p.statuses)

    def _entries(self, s: Snapshot) -> list[_Entry]:
        profile = self.profile
        statuses = self._status_words()
        anchors = [n for n in s.texts(statuses) if not n.c and len(n.own) < 120]
        stop = [
            *s.texts(profile.linxo_choice),
            *s.radios(),
            *s.controls(profile.save),
            *s.controls(profile.more_options),
            *s.controls(profile.import_tab),
            *s.controls(profile.manage),
            *s.controls(profile.sync),
        ]
        entries: dict[str, _Entry] = {}
        for anchor in anchors:
            box = s.block(anchor, anchors, stop=stop)
            label = None
            for outer in [anchor, *s.ancestors(anchor)]:
                label = self._name_in(s, outer, anchor)
                if label is not None or outer is box:
                    break
            if label is None:
                continue
            status = self._status_label(anchor.own)
            name = self._strip_status(label.own) if label is anchor else label.own
            if name and name not in entries:
                entries[name] = _Entry(name, box, label, status)
        return list(entries.values())

    def _status_label(self, text: str) -> str:
        """The profile's status that ``text`` shows (as the profile writes it), else ``text``."""
        return next((w for w in self._status_words() if contains_word(text, (w,))), text)

    def _strip_status(self, text: str) -> str:
        for word in self._status_words():
            text = re.sub(re.escape(word), " ", text, flags=re.IGNORECASE)
        return " ".join(text.strip(" -–—:·✓✔⚠⟳•").split())

    def _name_in(self, s: Snapshot, box: Node, anchor: Node) -> Node | None:
        """The account's name in ``box``: its most prominent text that is not a status, a
        date, an amount or a control; an IBAN only when nothing else names it."""
        profile = self.profile
        candidates: list[Node] = []
        ibans: list[Node] = []
        for n in s.inside(box):
            text = n.own
            if not text or len(text) > 80 or n.field or n.is_radio:
                continue
            if n is anchor:
                if len(self._strip_status(text)) > 2:
                    candidates.append(n)
                continue
            if contains_word(text, self._status_words()) or contains_word(
                text, profile.last_import
            ):
                continue
            if fold(text.strip(" :")) in _FIELD_LABELS or text.rstrip().endswith(":"):
                continue
            if (
                parse_amount(text) is not None
                or _DATE_ONLY.match(text)
                or not any(c.isalpha() for c in text)
            ):
                continue
            if n.c and any(
                matches(
                    x, (*profile.sync, *profile.more_options, *profile.save, *profile.disconnect)
                )
                for x in n.names
            ):
                continue
            (ibans if _IBAN.match(text) else candidates).append(n)
        found = candidates or ibans
        if not found:
            return None
        return s.prominent(found)

    def _panel(self, s: Snapshot, titles: list[Node]) -> tuple[Node | None, list[Node]]:
        """The selected account's panel (around « Sélection du compte Linxo associé ») and its
        radios."""
        for title in titles:
            for outer in [title, *s.ancestors(title)]:
                radios = s.radios(outer)
                if radios:
                    panel = outer
                    for wider in s.ancestors(outer):
                        if self._entries_inside(s, wider):
                            break
                        panel = wider
                    return panel, radios
        return None, []

    def _entries_inside(self, s: Snapshot, box: Node) -> bool:
        statuses = self._status_words()
        anchors = [n for n in s.inside(box) if n.own and not n.c and contains_word(n.own, statuses)]
        return len(anchors) > 1

    def _radio_name(self, s: Snapshot, radio: Node) -> str:
        label = radio.labels[0] if radio.labels else ""
        if not label:  # a radio with no label: the text beside it
            parent = s.nodes[radio.p] if radio.p >= 0 else radio
            label = s.text(parent)
        return _AMOUNT_AT_END.sub("", " ".join(label.split())).strip(" -–—:·|")

    async def _read_tab(self) -> tuple[Snapshot, _Tab]:
        """The tab as shown now; back to it by the menus if the page is elsewhere."""
        snapshot = await self._read()
        tab = self._tab(snapshot)
        if tab is None or not tab.entries:
            await self._open_once()

            def shown(s: Snapshot) -> tuple[Snapshot, _Tab] | None:
                t = self._tab(s)
                return (s, t) if t is not None and t.entries else None

            return await self._until(shown, "la liste des comptes bancaires")
        return snapshot, tab

    async def _names(self) -> list[str]:
        _, tab = await self._read_tab()
        return [e.name for e in tab.entries]

    async def _select(self, name: str) -> tuple[Snapshot, _Tab]:
        """Select an account in the list; the page then shows its panel."""
        snapshot, tab = await self._read_tab()
        if tab.selected == name and tab.panel is not None:
            return snapshot, tab
        entry = self._entry(tab, name)
        await self._act(self._clickable(snapshot, entry), f"le compte « {name} »")

        def selected(s: Snapshot) -> tuple[Snapshot, _Tab] | None:
            t = self._tab(s)
            return (s, t) if t is not None and t.selected == name and t.panel else None

        return await self._until(selected, f"le détail du compte « {name} »")

    def _clickable(self, s: Snapshot, entry: _Entry) -> Node:
        """What a person clicks to select an account: its name (or the control around it)."""
        for outer in [entry.label, *s.ancestors(entry.label)]:
            if outer.c and not self._forbidden(outer):
                return outer
            if outer is entry.box:
                break
        return entry.label

    def _forbidden(self, node: Node) -> bool:
        """A control the library never clicks, or that would do something else than wanted."""
        avoid = (*self.profile.disconnect, "Supprimer", "Dissocier", "Désactiver")
        names = [x for x in (*node.names, node.own) if x and len(x) <= 80]
        return any(contains_word(x, avoid) for x in names)

    # Reading -------------------------------------------------------------------------

    @step("lire les comptes bancaires")
    async def accounts(self) -> list[AssoBankAccount]:
        """The association's bank accounts with their status and linked Linxo account."""
        return [await self._account(name) for name in await self._names()]

    async def _account(self, name: str) -> AssoBankAccount:
        snapshot, tab = await self._select(name)
        entry = self._entry(tab, name)
        chosen = [r for r in tab.radios if r.checked]
        panel_text = snapshot.text(tab.panel) if tab.panel else ""
        return AssoBankAccount(
            name=name,
            sync_active=self._is_active(entry.status),
            status=entry.status,
            linxo_account=self._radio_name(snapshot, chosen[0]) if chosen else None,
            last_import=_last_import(panel_text, self.profile.last_import)
            or _last_import(snapshot.text(entry.box), self.profile.last_import),
        )

    def _is_active(self, status: str | None) -> bool:
        return status is not None and matches(status, self.profile.active)

    def _is_running(self, status: str | None) -> bool:
        return status is not None and contains_word(status, self.profile.running)

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
        profile = self.profile
        name = await self._resolve(account)
        snapshot, tab = await self._select(name)
        radios = {self._radio_name(snapshot, r): r for r in tab.radios}
        chosen = match_name(linxo_account, radios, what="compte Linxo")
        if not radios[chosen].checked:
            await self._act(radios[chosen], f"le compte Linxo « {chosen} »")

            def checked(s: Snapshot) -> tuple[Snapshot, _Tab] | None:
                t = self._tab(s)
                if t is None:
                    return None
                on = [self._radio_name(s, r) for r in t.radios if r.checked]
                return (s, t) if on == [chosen] else None

            snapshot, tab = await self._until(checked, f"le compte Linxo « {chosen} » choisi")
        entry = self._entry(tab, name)
        save = self._nearest(snapshot, snapshot.controls(profile.save), tab.radios[0])
        if save is None:
            raise await self._page_changed(f"le bouton « {profile.save[0]} »")
        await self._act(save, f"le bouton « {profile.save[0]} »")
        before = snapshot

        def saved(s: Snapshot) -> str | None:
            new = s.new_texts(before)
            if any(contains_word(t, profile.transient) for t in new):
                return "transient"
            if any(contains_word(t, profile.saved) for t in new):
                return "saved"
            t = self._tab(s)
            if t is None:
                return None
            now = next((e for e in t.entries if e.name == name), None)
            if s.doc != before.doc or (now is not None and now.status != entry.status):
                return "saved"
            return None

        outcome = await self._until(saved, "la confirmation de l’enregistrement")
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
        if self._is_running(current.status):
            status, _ = await self._settled(name)
            if self._is_active(status):  # the sync that was running did the job
                return self._result(name, status, 0, used_fallback=False)
            current = await self._account(name)
        if current.linxo_account is None:
            snapshot, tab = await self._select(name)
            choices = [self._radio_name(snapshot, r) for r in tab.radios]
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
        if self._is_active(status):
            return self._result(name, status, self._clicks, used_fallback=False)
        logger.info("sync of %s ended with « %s »; trying %s", name, status, manage)
        status = await self._sync_from_manage_page(name)
        attempts = self._clicks
        if not self._is_active(status):
            raise SyncFailed(
                f"La synchronisation de « {name} » échoue toujours (« {status} ») après "
                f"{attempts} tentative(s), y compris depuis « {manage} ». Vérifiez la connexion "
                "de la banque sur Linxo."
            )
        return self._result(name, status, attempts, used_fallback=True)

    def _result(self, name: str, status: str, attempts: int, *, used_fallback: bool) -> SyncResult:
        return SyncResult(
            account=name,
            ok=self._is_active(status),
            status=status,
            attempts=attempts,
            used_fallback=used_fallback,
            finished_at=now_in_paris(),
        )

    async def _sync_once(self, name: str) -> str:
        """One try: wait out a running sync, click « Synchroniser » once, return the outcome.

        Counts the clicks in ``self._clicks`` (a try that meets a running sync clicks nothing).
        """
        profile = self.profile
        status, was_running = await self._settled(name)
        if was_running and self._is_active(status):
            return status  # the sync that was running did the job
        snapshot, tab = await self._select(name)
        sync = self._sync_button(snapshot, tab)
        if sync is None:
            toggle = self._nearest(snapshot, snapshot.controls(profile.more_options), tab.panel)
            if toggle is None:
                raise await self._page_changed(f"le bouton « {profile.more_options[0]} »")
            await self._act(toggle, f"le bouton « {profile.more_options[0]} »")

            def shown(s: Snapshot) -> tuple[Snapshot, Node] | None:
                t = self._tab(s)
                button = self._sync_button(s, t) if t else None
                return (s, button) if button else None

            snapshot, sync = await self._until(shown, f"le bouton « {profile.sync[0]} »")
        if sync is None:  # pragma: no cover - `shown` returns only a button it found
            raise await self._page_changed(f"le bouton « {profile.sync[0]} »")
        before = snapshot
        before_tab = self._tab(before) or tab
        entry = self._entry(before_tab, name)
        was = self._panel_import(before, before_tab)
        await self._act(sync, f"le bouton « {profile.sync[0]} »")
        self._clicks += 1
        try:
            outcome = await self._until(
                lambda s: self._sync_outcome(s, before, entry, was),
                "la réponse au clic sur « Synchroniser »",
            )
            if outcome == "transient":  # the site said so: no sync started, a new try may click
                raise TransientSiteError("AssoConnect est indisponible ; réessayez plus tard.")
            status, _ = await self._settled(name)
        except (PageChanged, TransientSiteError) as error:
            if isinstance(error, TransientSiteError) and str(error).startswith("AssoConnect est"):
                raise
            # Clicked, but its outcome was not seen: never clicked again without knowing.
            raise SyncFailed(
                f"« {profile.sync[0]} » a été cliqué pour « {name} », mais la page n’a montré "
                f"aucun résultat ({error}). Il n’a pas été recliqué : vérifiez l’état du compte."
            ) from error
        return status

    def _sync_button(self, s: Snapshot, tab: _Tab | None) -> Node | None:
        found = [n for n in s.controls(self.profile.sync) if not self._forbidden(n)]
        near = tab.panel if tab else None
        return self._nearest(s, found, near)

    def _panel_import(self, s: Snapshot, tab: _Tab) -> datetime | None:
        if tab.panel is None:
            return None
        return _last_import(s.text(tab.panel), self.profile.last_import)

    def _sync_outcome(
        self, s: Snapshot, before: Snapshot, entry: _Entry, was: datetime | None
    ) -> str | None:
        """What the page shows after « Synchroniser »: a sync started (a message, the status
        running or changed), or the site unavailable. A page merely reloaded says neither."""
        profile = self.profile
        new = s.new_texts(before)
        tab = self._tab(s)
        if any(contains_word(t, profile.transient) for t in new):
            return "transient"
        if tab is None and s.doc != before.doc and s.shows(profile.transient):
            return "transient"  # an error page instead of the tab
        if any(contains_word(t, profile.sync_started) for t in new):
            return "started"
        now = next((e for e in tab.entries if e.name == entry.name), None) if tab else None
        if now is not None and (self._is_running(now.status) or now.status != entry.status):
            return "started"
        if tab is not None and tab.selected == entry.name:
            shown = self._panel_import(s, tab)
            if shown is not None and shown != was:
                return "started"
        return None

    async def _settled(self, name: str) -> tuple[str, bool]:
        """The account's status once no sync runs, and whether one was running."""
        _, tab = await self._read_tab()
        entry = next((e for e in tab.entries if e.name == name), None)
        was_running = entry is not None and self._is_running(entry.status)
        if was_running:
            logger.info("a sync of %s is running; waiting for it to end", name)

        def settled(s: Snapshot) -> str | None:
            t = self._tab(s)
            e = next((x for x in t.entries if x.name == name), None) if t else None
            if e is None or self._is_running(e.status):
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

    def _still_running(self, name: str) -> SyncFailed:
        return SyncFailed(
            f"La synchronisation de « {name} » est toujours en cours après "
            f"{self.timeout:g} s. Elle n’a pas été relancée : regardez à nouveau plus tard."
        )

    # The fallback page -----------------------------------------------------------------

    def _rows(self, s: Snapshot) -> dict[str, tuple[Node, Node | None, str]]:
        """On the management page: each account's row, its sync button and its status."""
        profile = self.profile
        buttons = [b for b in s.controls(profile.manage_sync)]
        rows: dict[str, tuple[Node, Node | None, str]] = {}
        for button in buttons:
            box = s.block(button, buttons)
            statuses = [
                n for n in s.inside(box) if n.own and contains_word(n.own, self._status_words())
            ]
            status = statuses[0] if statuses else None
            label = self._name_in(s, box, status or button)
            if label is None:
                continue
            shown = self._status_label(status.own) if status else ""
            rows.setdefault(label.own, (box, button, shown))
        return rows

    async def _sync_from_manage_page(self, name: str) -> str:
        """The fallback: « Gérer ses comptes… » › the account's « Lancer la synchronisation »."""
        profile = self.profile
        manage = profile.manage[0]
        snapshot, tab = await self._select(name)
        link = self._nearest(snapshot, snapshot.controls(profile.manage), tab.panel)
        if link is None:
            raise await self._page_changed(f"le lien « {manage} »")
        await self._act(link, f"le lien « {manage} »")

        def row(s: Snapshot) -> tuple[Snapshot, str, tuple[Node, Node | None, str]] | None:
            if self._tab(s) is not None:
                return None  # still the import tab
            rows = self._rows(s)
            if not rows:
                return None
            key = match_name(name, rows, what="compte bancaire")
            return s, key, rows[key]

        snapshot, key, (_, button, status) = await self._until(
            row, f"le compte « {name} » sur la page « {manage} »"
        )
        if self._is_running(status):
            status = await self._row_settled(key)
            if self._is_active(status):
                return status
            snapshot, key, (_, button, status) = await self._until(row, f"le compte « {name} »")
        if button is None:
            raise await self._page_changed(f"le bouton « {profile.manage_sync[0]} »")
        before = snapshot
        await self._act(button, f"le bouton « {profile.manage_sync[0]} »")
        self._clicks += 1

        def started(s: Snapshot) -> str | None:
            new = s.new_texts(before)
            if any(contains_word(t, profile.transient) for t in new):
                return "transient"
            if any(contains_word(t, profile.sync_started) for t in new):
                return "started"
            rows = self._rows(s)
            if key in rows and (self._is_running(rows[key][2]) or s.doc != before.doc):
                return "started"
            return None

        if (
            await self._until(started, "la confirmation du lancement de la synchronisation")
            == "transient"
        ):
            return "AssoConnect est indisponible ; réessayez plus tard."
        return await self._row_settled(key)

    async def _row_settled(self, key: str) -> str:
        def settled(s: Snapshot) -> str | None:
            rows = self._rows(s)
            if key not in rows or self._is_running(rows[key][2]):
                return None
            return rows[key][2]

        try:
            return await self._until(settled, f"la fin de la synchronisation de « {key} »")
        except PageChanged:
            raise self._still_running(key) from None
