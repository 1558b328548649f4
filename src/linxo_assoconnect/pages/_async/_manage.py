"""« Gérer ses comptes bancaires synchronisés avec Linxo »: each account's row, with its
« Lancer la synchronisation » and its status (`force_sync`'s fallback)."""

from __future__ import annotations

from ..._core.errors import PageChanged
from ..._core.text import match_name
from .._snapshot import Node, Snapshot, contains_word
from ._site import AssoConnectPage, Clicks

__all__ = ["ManagePage"]


class ManagePage(AssoConnectPage):
    """The page listing the association's accounts synchronised with Linxo."""

    def _rows(self, s: Snapshot) -> dict[str, tuple[Node, Node | None, str]]:
        """On the management page: each account's row, its sync button and its status."""
        profile, tabs = self.profile, self._tabs
        words = tabs.status_words()
        buttons = [b for b in s.controls(profile.manage_sync)]
        rows: dict[str, tuple[Node, Node | None, str]] = {}
        for button in buttons:
            box = s.block(button, buttons)
            statuses = [n for n in s.inside(box) if n.own and contains_word(n.own, words)]
            status = statuses[0] if statuses else None
            label = tabs.name_in(s, box, status or button)
            if label is None:
                continue
            shown = tabs.status_label(status.own) if status else ""
            rows.setdefault(label.own, (box, button, shown))
        return rows

    async def sync(self, name: str, clicks: Clicks) -> str:
        """On this page, just opened: the account ``name``'s status once no sync runs. A
        running sync is waited for; else « Lancer la synchronisation » is clicked once (counted
        in ``clicks``). The site's message if it says it is unavailable."""
        profile = self.profile
        manage = profile.manage[0]

        def row(s: Snapshot) -> tuple[Snapshot, str, tuple[Node, Node | None, str]] | None:
            if self._tabs.tab(s) is not None:
                return None  # still the import tab
            rows = self._rows(s)
            if not rows:
                return None
            key = match_name(name, rows, what="compte bancaire")
            return s, key, rows[key]

        snapshot, key, (_, button, status) = await self._until(
            row, f"le compte « {name} » sur la page « {manage} »"
        )
        if self._tabs.is_running(status):
            status = await self._row_settled(key)
            if self._tabs.is_active(status):
                return status
            snapshot, key, (_, button, status) = await self._until(row, f"le compte « {name} »")
        if button is None:
            raise await self._page_changed(f"le bouton « {profile.manage_sync[0]} »")
        before = snapshot
        await self._act(button, f"le bouton « {profile.manage_sync[0]} »")
        clicks.count += 1
        self._run.sent = f"« {profile.manage_sync[0]} » a été cliqué"

        def started(s: Snapshot) -> str | None:
            new = s.new_texts(before)
            if any(contains_word(t, profile.transient) for t in new):
                return "transient"
            if any(contains_word(t, profile.sync_started) for t in new):
                return "started"
            rows = self._rows(s)
            if key in rows and (self._tabs.is_running(rows[key][2]) or s.doc != before.doc):
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
            if key not in rows or self._tabs.is_running(rows[key][2]):
                return None
            return rows[key][2]

        try:
            return await self._until(settled, f"la fin de la synchronisation de « {key} »")
        except PageChanged:
            raise self._still_running(key) from None
