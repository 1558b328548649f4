"""AssoConnect's import tab (« Import depuis votre banque »), read from one `Snapshot`: the
bank accounts listed with their status, the selected one's panel and its Linxo radios, the last
import, and what the tab shows after « Enregistrer » or « Synchroniser ». Pure reading: nothing
here waits or acts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .._core.errors import AccountNotFound
from .._core.models import AssoBankAccount, SyncResult, now_in_paris
from .._core.profiles import AssoConnectProfile
from .._core.text import fold, label_regex, match_name, parse_amount, parse_french_datetime
from ._snapshot import Node, Snapshot, contains_word, matches

__all__ = ["AMOUNT_AT_END", "Entry", "Tab", "TabReader", "last_import", "resolve"]

# A balance after a Linxo account's name. Its first digit group never starts with 0, so that a
# name ending in a number (« Compte courant 01 ») is not read as thousands.
AMOUNT_AT_END = re.compile(
    r"\s+[-−–+]?(?:0|[1-9]\d{0,2}(?:[ \u00a0\u202f.]\d{3})*)(?:,\d{1,2})?\s*(?:€|EUR)\s*$"
)
_IBAN = re.compile(r"^[A-Z]{2}\d{2}(?:\s?[\dA-Z]{4}){3,}")
_DATE_ONLY = re.compile(r"^[\d\s.,/:hHà-]+$")
# Words that label a value rather than name an account (« Statut : … »).
_FIELD_LABELS = ("statut", "etat", "status", "iban", "solde", "compte linxo")


def last_import(text: str, words: tuple[str, ...]) -> datetime | None:
    """The date after « Dernier import » (the first of its mentions followed by a date)."""
    for word in words:
        for found in label_regex(word).finditer(text):
            moment = parse_french_datetime(text[found.end() : found.end() + 30])
            if moment is not None:
                return moment
    return None


def resolve(account: str | None, names: list[str]) -> str:
    """The listed account ``account`` names (matched loosely); the only one, for None."""
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


@dataclass(frozen=True)
class Entry:
    """One bank account in the import tab's list."""

    name: str
    box: Node
    label: Node
    status: str


@dataclass(frozen=True)
class Tab:
    """The import tab as read once: the accounts, and the panel of the one selected."""

    entries: list[Entry]
    panel: Node | None
    radios: list[Node]
    selected: str | None


class TabReader:
    """Reads the import tab with the words of an `AssoConnectProfile`."""

    def __init__(self, profile: AssoConnectProfile) -> None:
        self.profile = profile

    def tab(self, s: Snapshot) -> Tab | None:
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
        entries = self.entries(s)
        panel, radios = self.panel(s, titles)
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
        return Tab(entries, panel, radios, selected)

    @staticmethod
    def entry(tab: Tab, name: str) -> Entry:
        found = next((e for e in tab.entries if e.name == name), None)
        if found is None:
            raise AccountNotFound(
                f"Le compte « {name} » n’est plus dans la liste.",
                wanted=name,
                choices=[e.name for e in tab.entries],
            )
        return found

    def status_words(self) -> tuple[str, ...]:
        p = self.profile
        return (*p.active, *p.running, *p.statuses)

    def entries(self, s: Snapshot) -> list[Entry]:
        profile = self.profile
        statuses = self.status_words()
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
        entries: dict[str, Entry] = {}
        for anchor in anchors:
            box = s.block(anchor, anchors, stop=stop)
            label = None
            for outer in [anchor, *s.ancestors(anchor)]:
                label = self.name_in(s, outer, anchor)
                if label is not None or outer is box:
                    break
            if label is None:
                continue
            status = self.status_label(anchor.own)
            name = self.strip_status(label.own) if label is anchor else label.own
            if name and name not in entries:
                entries[name] = Entry(name, box, label, status)
        return list(entries.values())

    def status_label(self, text: str) -> str:
        """The profile's status that ``text`` shows (as the profile writes it), else ``text``."""
        return next((w for w in self.status_words() if contains_word(text, (w,))), text)

    def strip_status(self, text: str) -> str:
        for word in self.status_words():
            text = re.sub(re.escape(word), " ", text, flags=re.IGNORECASE)
        return " ".join(text.strip(" -–—:·✓✔⚠⟳•").split())

    def name_in(self, s: Snapshot, box: Node, anchor: Node) -> Node | None:
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
                if len(self.strip_status(text)) > 2:
                    candidates.append(n)
                continue
            if contains_word(text, self.status_words()) or contains_word(text, profile.last_import):
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

    def panel(self, s: Snapshot, titles: list[Node]) -> tuple[Node | None, list[Node]]:
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
        statuses = self.status_words()
        anchors = [n for n in s.inside(box) if n.own and not n.c and contains_word(n.own, statuses)]
        return len(anchors) > 1

    def radio_name(self, s: Snapshot, radio: Node) -> str:
        label = radio.labels[0] if radio.labels else ""
        if not label:  # a radio with no label: the text beside it
            parent = s.nodes[radio.p] if radio.p >= 0 else radio
            label = s.text(parent)
        return AMOUNT_AT_END.sub("", " ".join(label.split())).strip(" -–—:·|")

    def account(self, s: Snapshot, tab: Tab, name: str) -> AssoBankAccount:
        """The account ``name`` as the tab shows it, selected (its panel open)."""
        entry = self.entry(tab, name)
        chosen = [r for r in tab.radios if r.checked]
        panel_text = s.text(tab.panel) if tab.panel else ""
        return AssoBankAccount(
            name=name,
            sync_active=self.is_active(entry.status),
            status=entry.status,
            linxo_account=self.radio_name(s, chosen[0]) if chosen else None,
            last_import=last_import(panel_text, self.profile.last_import)
            or last_import(s.text(entry.box), self.profile.last_import),
        )

    def sync_result(
        self, name: str, status: str, attempts: int, *, used_fallback: bool
    ) -> SyncResult:
        """What a forced sync of ``name`` ended with, shown as ``status``."""
        return SyncResult(
            account=name,
            ok=self.is_active(status),
            status=status,
            attempts=attempts,
            used_fallback=used_fallback,
            finished_at=now_in_paris(),
        )

    def is_active(self, status: str | None) -> bool:
        return status is not None and matches(status, self.profile.active)

    def is_running(self, status: str | None) -> bool:
        return status is not None and contains_word(status, self.profile.running)

    def panel_import(self, s: Snapshot, tab: Tab) -> datetime | None:
        if tab.panel is None:
            return None
        return last_import(s.text(tab.panel), self.profile.last_import)

    # What the tab shows after an action ----------------------------------------------

    def save_outcome(self, s: Snapshot, before: Snapshot, entry: Entry) -> str | None:
        """What the page shows after « Enregistrer » (read in ``before``): saved (a message, a
        new page, the status changed), or the site unavailable."""
        profile = self.profile
        new = s.new_texts(before)
        if any(contains_word(t, profile.transient) for t in new):
            return "transient"
        if any(contains_word(t, profile.saved) for t in new):
            return "saved"
        t = self.tab(s)
        if t is None:
            return None
        now = next((e for e in t.entries if e.name == entry.name), None)
        if s.doc != before.doc or (now is not None and now.status != entry.status):
            return "saved"
        return None

    def sync_outcome(
        self, s: Snapshot, before: Snapshot, entry: Entry, was: datetime | None
    ) -> str | None:
        """What the page shows after « Synchroniser »: a sync started (a message, the status
        running or changed), or the site unavailable. A page merely reloaded says neither."""
        profile = self.profile
        new = s.new_texts(before)
        tab = self.tab(s)
        if any(contains_word(t, profile.transient) for t in new):
            return "transient"
        if tab is None and s.doc != before.doc and s.shows(profile.transient):
            return "transient"  # an error page instead of the tab
        if any(contains_word(t, profile.sync_started) for t in new):
            return "started"
        now = next((e for e in tab.entries if e.name == entry.name), None) if tab else None
        if now is not None and (self.is_running(now.status) or now.status != entry.status):
            return "started"
        if tab is not None and tab.selected == entry.name:
            shown = self.panel_import(s, tab)
            if shown is not None and shown != was:
                return "started"
        return None
