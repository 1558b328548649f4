"""Linxo: log in, « Mes comptes », and re-authenticate a bank connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from playwright.async_api import Locator, Page

from ..._errors import BankAuthFailed
from ..._models import BankConnection, Credentials, ReauthResult, now_in_paris
from ..._retry import RetryPolicy
from ..._text import match_name, parse_amount, parse_linxo_update
from ._base import PageObject, host_of, logger, step

if TYPE_CHECKING:
    from .bank import BankAuthPage

__all__ = ["LINXO_URL", "LinxoLoginPage", "LinxoSettings"]

LINXO_URL = "https://wwws.linxo.com"
AUTHENTICATE = "M’authentifier"
CARD_ROLES = ("group", "article", "listitem", "region")


class LinxoLoginPage(PageObject):
    """Linxo's login page, ``{base_url}/auth.page#Login``."""

    def __init__(self, page: Page, *, base_url: str = LINXO_URL, timeout: float = 30.0) -> None:
        super().__init__(page, timeout=timeout)
        self.base_url = base_url.rstrip("/")

    @step("se connecter à Linxo")
    async def login(self, credentials: Credentials) -> None:
        """Log in once (never retried) and land on the secured home page."""
        await self._log_in(
            f"{self.base_url}/auth.page#Login",
            credentials,
            site="Linxo",
            submit=("Je me connecte", "Se connecter"),
            landmark=self._by_role("Paramètres", "button", "link", exact=True),
        )


class LinxoSettings(PageObject):
    """Linxo's settings › « Mes comptes »: the bank connections and their state."""

    def __init__(
        self,
        page: Page,
        *,
        base_url: str = LINXO_URL,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(page, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()

    @step("ouvrir « Mes comptes » sur Linxo")
    async def open(self) -> Self:
        """From the secured home: the gear › « Mes comptes »."""
        async for attempt in self.retry.async_retrying():
            with attempt:
                await self._open_once()
        return self

    async def _open_once(self) -> None:
        gear = self._by_role("Paramètres", "button", "link", exact=True)
        home = f"{self.base_url}/secured/history.page"
        await self._enter(home, "Linxo", gear, "la roue crantée « Paramètres »")
        await self._click(gear, "la roue crantée « Paramètres »")
        await self._press("Mes comptes", what="le menu « Mes comptes »")
        await self._visible(
            self._authenticate_buttons(), "les connexions bancaires de « Mes comptes »"
        )

    def _authenticate_buttons(self, scope: Page | Locator | None = None) -> Locator:
        return self._by_role(AUTHENTICATE, "button", "link", scope=scope)

    async def _cards(self) -> dict[str, Locator]:
        """Each bank connection's card, by bank name (cards hold a « M'authentifier »)."""
        cards: dict[str, Locator] = {}
        containers = self.page.get_by_role(CARD_ROLES[0])  # type: ignore[arg-type]
        for role in CARD_ROLES[1:]:  # one query for every role a card may have
            containers = containers.or_(self.page.get_by_role(role))  # type: ignore[arg-type]
        for card in await containers.filter(has=self._authenticate_buttons()).all():
            if await self._authenticate_buttons(scope=card).count() != 1:
                continue  # a container of several cards, not one connection
            name = await self._accessible_name(card)
            if name and name not in cards:
                cards[name] = card
        return cards

    @step("lire les connexions bancaires")
    async def connections(self) -> list[BankConnection]:
        """Every bank connection shown on « Mes comptes », with its state and balance."""
        await self._visible(
            self._authenticate_buttons(), "les connexions bancaires de « Mes comptes »"
        )
        return [await self._read(bank, card) for bank, card in (await self._cards()).items()]

    async def _read(self, bank: str, card: Locator) -> BankConnection:
        text = await card.inner_text()
        alerts = await self._texts(card.get_by_role("alert"))
        message = " ".join(alerts) or None
        return BankConnection(
            bank=bank,
            healthy=message is None,
            message=message,
            updated_at=parse_linxo_update(text),
            balance=None if message else parse_amount(text),
        )

    @step("réauthentifier une connexion bancaire")
    async def reauthenticate(
        self, bank: str, bank_auth: BankAuthPage, *, force: bool = False
    ) -> ReauthResult:
        """« M'authentifier » › « Connexion sécurisée » › the bank's own step › back on Linxo.

        A healthy connection is left alone unless ``force`` is true.
        """
        connections = {c.bank: c for c in await self.connections()}
        name = match_name(bank, connections, what="banque")
        before = connections[name]
        if before.healthy and not force:
            logger.info("%s is healthy; nothing to do", name)
            return ReauthResult(
                bank=name,
                balance=before.balance,
                completed_at=before.updated_at or now_in_paris(),
                already_healthy=True,
            )
        card = (await self._cards())[name]
        await self._click(self._authenticate_buttons(scope=card), f"« {AUTHENTICATE} » de {name}")
        dialog = self._by_role("Connexion sécurisée", "dialog", "alertdialog")
        await self._visible(dialog, "la fenêtre « Connexion sécurisée »")
        linxo = host_of(self.page.url)
        await self._click(
            self._authenticate_buttons(scope=dialog), f"« {AUTHENTICATE} » (confirmation)"
        )
        with self._slow_site("la redirection vers la banque"):
            await self.page.wait_for_url(lambda url: host_of(url) != linxo, timeout=self._ms)
        logger.info("redirected to the bank for %s", name)
        await bank_auth.complete()
        # The bank may pass through other hosts on its way back: as long as its own step.
        with self._slow_site("le retour de la banque vers Linxo"):
            await self.page.wait_for_url(
                lambda url: host_of(url) == linxo, timeout=bank_auth.timeout * 1000
            )
        if not await self._authenticate_buttons().count():  # back elsewhere than « Mes comptes »
            await self._open_once()
        after = {c.bank: c for c in await self.connections()}.get(name)
        if after is None or not after.healthy:
            shown = after.message if after else "la connexion a disparu"
            raise BankAuthFailed(
                f"Après l’authentification, Linxo montre toujours {name} en erreur : {shown}"
            )
        logger.info("%s re-authenticated; balance %s", name, after.balance)
        return ReauthResult(bank=name, balance=after.balance, completed_at=now_in_paris())
