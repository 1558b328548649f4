"""What AssoConnect's page objects past the login share: the site's address and words, the
controls never clicked, and the count of the sync buttons clicked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from playwright.async_api import Page

from ..._core.errors import PageChanged, SyncFailed
from ..._core.profiles import AssoConnectProfile
from .._accounts import TabReader
from .._snapshot import Node, contains_word
from ._base import PageObject, domain_of

__all__ = ["ASSOCONNECT_URL", "AssoConnectPage", "Clicks"]

ASSOCONNECT_URL = "https://app.assoconnect.com"

A = TypeVar("A", bound="AssoConnectPage")


@dataclass
class Clicks:
    """The sync buttons one `force_sync` clicked (its `SyncResult.attempts`): « Synchroniser »
    on the import tab, then « Lancer la synchronisation » on the fallback page."""

    count: int = 0


class AssoConnectPage(PageObject):
    """A page object on AssoConnect, logged in. It never clicks « Déconnecter », « Supprimer »,
    « Dissocier » or « Désactiver » (`PageChanged` instead)."""

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

    def _beside(self, kind: type[A], **more: Any) -> A:
        """A page object of ``kind`` for a part of this one's work: on the same page, with the
        same address, timeout and words, run within this one's steps."""
        return self._part(
            kind(
                self.page,
                base_url=self.base_url,
                timeout=self.timeout,
                profile=self.profile,
                **more,
            )
        )

    @property
    def _tabs(self) -> TabReader:
        """The import tab's reader, with the profile's words."""
        return TabReader(self.profile)

    async def _act(self, node: Node, what: str) -> None:
        if self._forbidden(node):
            raise PageChanged(f"Refusé : {what} déconnecterait ou supprimerait quelque chose.")
        await super()._act(node, what)

    def _forbidden(self, node: Node) -> bool:
        """A control the library never clicks, or that would do something else than wanted."""
        avoid = (*self.profile.disconnect, "Supprimer", "Dissocier", "Désactiver")
        names = [x for x in (*node.names, node.own) if x and len(x) <= 80]
        return any(contains_word(x, avoid) for x in names)

    def _still_running(self, name: str) -> SyncFailed:
        return SyncFailed(
            f"La synchronisation de « {name} » est toujours en cours après "
            f"{self.timeout:g} s. Elle n’a pas été relancée : regardez à nouveau plus tard."
        )
