"""Opening one association of the account logged in on AssoConnect."""

from __future__ import annotations

import functools
import re

from playwright.async_api import Page

from ..._core.errors import LoginRequired
from ..._core.profiles import AssoConnectProfile
from ..._core.text import fold, label_regex, match_name
from .._snapshot import Node, Snapshot, matches
from ._site import ASSOCONNECT_URL, AssoConnectPage

__all__ = ["AssociationChooser"]


class AssociationChooser(AssoConnectPage):
    """Opens ``association`` wherever AssoConnect lands: a chooser (« Choisissez une
    association »), a list of associations, or the switcher of the one open.

    ``association`` is a name as asked (matched loosely: « club exemple »), or, with ``opened``,
    the name AssoConnect showed when it was opened before: if the page shows it, nothing is
    clicked.
    """

    def __init__(
        self,
        page: Page,
        *,
        association: str,
        opened: bool = False,
        base_url: str = ASSOCONNECT_URL,
        timeout: float = 30.0,
        profile: AssoConnectProfile | None = None,
    ) -> None:
        super().__init__(page, base_url=base_url, timeout=timeout, profile=profile)
        self.association = association
        self.opened = opened

    async def choose(self) -> str:
        """Open the association, from wherever AssoConnect landed; its name as shown."""
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
            return await self._pick(snapshot, self._chooser(snapshot) or [])
        if self.opened and self._current(snapshot):
            return self.association
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
                return name
            await self._choose_option(select, name)
            await self._until(
                functools.partial(self._landed_in, name=name, before=snapshot),
                f"l’association « {name} »",
            )
            return name
        current = self._current(snapshot)
        if current is not None:
            return current
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

        return await self._pick(*await self._until(choices, "la liste des associations"))

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

    async def _pick(self, snapshot: Snapshot, listed: list[Node]) -> str:
        """Click the association wanted among ``listed`` (read in ``snapshot``); its name."""
        by_name = {self._label(snapshot, n): n for n in listed}
        by_name.pop("", None)
        name = self._match(list(by_name))
        await self._act(by_name[name], f"l’association « {name} »")
        await self._until(lambda s: self._landed_in(s, name, snapshot), f"l’association « {name} »")
        return name

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
                return self.association if self.opened else self._full_name(text)
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
