"""Linxo: log in, « Mes comptes », and re-authenticate a bank connection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from ..._core.errors import BankAuthFailed, HumanActionRequired, LoginFailed, LoginRequired
from ..._core.models import BankConnection, Credentials, ReauthResult, now_in_paris
from ..._core.otp import AsyncOtp, call_otp_async
from ..._core.profiles import LinxoProfile
from ..._core.retry import RetryPolicy
from ..._core.text import match_name, parse_amount, parse_linxo_update
from .._snapshot import Node, Snapshot, contains_word, matches
from ._base import PageObject, domain_of, host_of, logger, step
from ._evidence import typing_secrets
from ._login import LoginPageObject

if TYPE_CHECKING:
    from .bank import BankAuthPage

__all__ = ["LINXO_URL", "LinxoLoginPage", "LinxoSettings"]

LINXO_URL = "https://wwws.linxo.com"
_DATE_ONLY = re.compile(r"^[\d\s.,/:hH-]+$")


def _is_secured(url: str) -> bool:
    return "/secured/" in url


class LinxoLoginPage(LoginPageObject):
    """Linxo's login page, ``{base_url}/auth.page#Login``.

    ``person_timeout``: how long a person has to type Linxo's e-mail code in a visible window
    when no ``otp`` gives it. ``headless``: whether nobody can see the browser (read from the
    browser if None).
    """

    def __init__(
        self,
        page: Page,
        *,
        base_url: str = LINXO_URL,
        timeout: float = 30.0,
        profile: LinxoProfile | None = None,
        person_timeout: float = 600.0,
        headless: bool | None = None,
    ) -> None:
        super().__init__(page, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.profile = profile or LinxoProfile()
        self.person_timeout = person_timeout
        self.headless = headless
        self._site = self.profile
        self._home = domain_of(self.base_url)

    @step("se connecter à Linxo")
    async def login(self, credentials: Credentials, *, otp: AsyncOtp | None = None) -> None:
        """Log in once (never retried): one page, or the e-mail then the password; then, if
        Linxo asks, the code it sent by e-mail (from ``otp``, or typed by a person in a visible
        window). Lands on a secured page (``{base_url}/secured/…``)."""
        profile = self.profile

        def landed(s: Snapshot) -> bool:
            return (_is_secured(s.url) and self._password_field(s) is None) or bool(
                self._code_fields(s)
            )

        after = await self._log_in(
            f"{self.base_url}/auth.page#Login",
            credentials,
            site="Linxo",
            submit=profile.login_submit,
            landed=landed,
        )
        if not _is_secured(after.url) and self._code_fields(after):
            await self._enter_code(otp)

    def _code_fields(self, snapshot: Snapshot) -> list[Node]:
        fields = [n for n in snapshot.nodes if n.field and n.field_type != "password"]
        one_time = [
            n
            for n in fields
            if str(n.field.get("autocomplete")) == "one-time-code"  # type: ignore[union-attr]
            or n.field.get("maxlength") == 1  # type: ignore[union-attr]
        ]
        return one_time or snapshot.fields(self.profile.code)

    async def _enter_code(self, otp: AsyncOtp | None) -> None:
        if otp is None:
            await self._wait_for_person()
            return
        snapshot = await self._read()
        fields = self._code_fields(snapshot)
        code = await call_otp_async(otp)
        async with typing_secrets(self.page):
            if len(fields) > 1 and len(fields) == len(code):
                for field, digit in zip(fields, code, strict=True):
                    await self._fill(field, digit, "le code reçu par e-mail")
            else:
                await self._fill(fields[0], code, "le code reçu par e-mail")
            before = await self._read()
            button = self._submit_button(before, self.profile.code_submit, near=fields[-1])
            await self._press_or_enter(button, fields[-1], "la validation du code")

            def outcome(s: Snapshot) -> str | None:
                if _is_secured(s.url):
                    return ""
                return self._refusal(s, before, self.profile.code_refused) or None

            refused = await self._until(outcome, "la réponse de Linxo au code")
        if refused:
            raise LoginFailed(
                f"Linxo refuse le code reçu par e-mail : {refused} Il n’a pas été ressaisi."
            )
        logger.info("Linxo accepted the e-mail code")

    async def _wait_for_person(self) -> None:
        """Wait, bounded, until a person has typed the code and Linxo let them in."""
        if await self._is_headless(self.headless):
            raise HumanActionRequired(
                "Linxo demande le code envoyé par e-mail : passez otp= à login() (une fonction "
                "qui le renvoie), ou faites-le saisir dans une fenêtre visible (headless=False)."
            )
        logger.warning(
            "Dans la fenêtre du navigateur : saisir le code envoyé par Linxo (%g s au plus).",
            self.person_timeout,
        )
        try:
            async with typing_secrets(self.page):  # no trace of what the person types
                await self.page.wait_for_url(_is_secured, timeout=self.person_timeout * 1000)
        except PlaywrightError:
            raise HumanActionRequired(
                "Personne n’a saisi le code envoyé par Linxo dans le temps imparti "
                f"({self.person_timeout:g} s)."
            ) from None


@dataclass(frozen=True)
class _Card:
    """One bank connection as « Mes comptes » shows it."""

    bank: str
    box: Node
    authenticate: Node | None
    connection: BankConnection


class LinxoSettings(PageObject):
    """Linxo's settings › « Mes comptes »: the bank connections and their state."""

    def __init__(
        self,
        page: Page,
        *,
        base_url: str = LINXO_URL,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        profile: LinxoProfile | None = None,
    ) -> None:
        super().__init__(page, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.profile = profile or LinxoProfile()
        self._site = self.profile
        self._home = domain_of(self.base_url)

    @step("ouvrir « Mes comptes » sur Linxo")
    async def open(self) -> Self:
        """From the secured home: the gear › « Mes comptes »."""
        async for attempt in self.retry.async_retrying():
            with attempt:
                await self._open_once()
        return self

    async def _open_once(self) -> None:
        profile = self.profile
        if not (host_of(self.page.url) == host_of(self.base_url) and _is_secured(self.page.url)):
            await self._goto(f"{self.base_url}/secured/history.page", "la page d’accueil de Linxo")

        def next_move(s: Snapshot) -> tuple[str, Node | None] | None:
            if self._cards(s):
                return "there", None
            if not _is_secured(s.url) and self._password_field(s) is not None:
                return "login", None
            entry = s.controls(profile.my_accounts)
            if entry:
                return "entry", entry[0]
            gear = s.controls(profile.settings)
            if gear:
                return "gear", gear[0]
            return None

        move, node = await self._until(next_move, "la roue crantée « Paramètres »")
        if move == "there":
            return
        if move == "login":
            raise LoginRequired("Vous n’êtes pas connecté à Linxo : connectez-vous d’abord.")
        if move == "gear" and node is not None:
            await self._act(node, "la roue crantée « Paramètres »")
            node = await self._until(
                lambda s: next(iter(s.controls(profile.my_accounts)), None),
                "le menu « Mes comptes »",
            )
        if node is None:  # pragma: no cover - a move to make always comes with its element
            return
        await self._act(node, "le menu « Mes comptes »")
        await self._until(
            lambda s: self._cards(s) or None, "les connexions bancaires de « Mes comptes »"
        )

    # Reading -------------------------------------------------------------------------

    def _cards(self, s: Snapshot) -> list[_Card]:
        """Each connection: the part of the page around one « Mise à jour » (or one
        « M'authentifier » where no date shows) that shows a bank's name."""
        profile = self.profile
        dialogs = self._dialogs(s)

        def in_dialog(n: Node) -> bool:
            return any(s.within(d, n) for d, _ in dialogs)

        dates = [n for n in s.texts(profile.updated) if not in_dialog(n)]
        buttons = [n for n in s.controls(profile.authenticate) if not in_dialog(n)]
        anchors = dates or buttons
        if not anchors:
            return []
        page_level = [
            n
            for n in s.nodes
            if (n.own and matches(n.own, profile.my_accounts))
            or (n.c and any(matches(x, profile.settings) for x in n.names))
        ] + [d for d, _ in dialogs]
        cards: dict[str, _Card] = {}
        for anchor in anchors:
            found = self._card(s, anchor, anchors, page_level, buttons)
            if found is not None and found.bank not in cards:
                cards[found.bank] = found
        return list(cards.values())

    def _card(
        self,
        s: Snapshot,
        anchor: Node,
        anchors: list[Node],
        page_level: list[Node],
        buttons: list[Node],
    ) -> _Card | None:
        profile = self.profile
        box = s.block(anchor, anchors, stop=page_level)
        name = None
        for outer in [anchor, *s.ancestors(anchor)]:
            name = self._name_in(s, outer)
            if name is not None or outer is box:
                break
        if name is None:
            return None
        own_buttons = [b for b in buttons if s.within(box, b)]
        controls_text = {n.i for n in s.inside(box) if n.c}
        messages = [
            n.own
            for n in s.inside(box)
            if n.own
            and n.i not in controls_text
            and not s.within(name, n)
            and not contains_word(n.own, profile.updated)
            and contains_word(n.own, profile.broken)
            and not any(s.within(c, n) for c in own_buttons)
        ]
        message = " ".join(messages) or None
        text = s.text(box)
        rest = text.replace(name.own, " ", 1)
        return _Card(
            bank=name.own,
            box=box,
            authenticate=own_buttons[0] if own_buttons else None,
            connection=BankConnection(
                bank=name.own,
                healthy=message is None,
                message=message,
                updated_at=parse_linxo_update(text),
                balance=None if message else parse_amount(rest),
            ),
        )

    def _name_in(self, s: Snapshot, box: Node) -> Node | None:
        """The bank's name in ``box``: its most prominent text that is not a date, an amount,
        a message or a control."""
        profile = self.profile
        candidates = []
        for n in s.inside(box):
            text = n.own
            if not text or len(text) > 80 or n.field:
                continue
            if any(s.within(c, n) for c in s.inside(box) if c.c):
                continue
            if contains_word(text, profile.updated) or contains_word(text, profile.broken):
                continue
            if parse_amount(text) is not None or _DATE_ONLY.match(text):
                continue
            if not any(ch.isalpha() for ch in text):
                continue
            candidates.append(n)
        if not candidates:
            return None
        return s.prominent(candidates)

    def _dialogs(self, s: Snapshot) -> list[tuple[Node, Node]]:
        """Each « Connexion sécurisée » shown, with its confirming « M'authentifier »."""
        found = []
        for title in s.texts(self.profile.secure_connection):
            for outer in [title, *s.ancestors(title)]:
                confirm = s.controls(self.profile.authenticate, scope=outer)
                if confirm:
                    found.append((outer, confirm[-1]))
                    break
        return found

    @step("lire les connexions bancaires")
    async def connections(self) -> list[BankConnection]:
        """Every bank connection shown on « Mes comptes », with its state and balance."""
        cards = await self._until(
            lambda s: self._cards(s) or None, "les connexions bancaires de « Mes comptes »"
        )
        return [c.connection for c in cards]

    @step("réauthentifier une connexion bancaire", resumable=False)
    async def reauthenticate(
        self, bank: str, bank_auth: BankAuthPage, *, force: bool = False
    ) -> ReauthResult:
        """« M'authentifier » › « Connexion sécurisée » › the bank's own step › back on Linxo.

        A healthy connection is left alone unless ``force`` is true.
        """
        cards = {
            c.bank: c
            for c in await self._until(
                lambda s: self._cards(s) or None, "les connexions bancaires de « Mes comptes »"
            )
        }
        name = match_name(bank, cards, what="banque")
        before = cards[name].connection
        if before.healthy and not force:
            logger.info("%s is healthy; nothing to do", name)
            return ReauthResult(
                bank=name,
                balance=before.balance,
                completed_at=before.updated_at or now_in_paris(),
                already_healthy=True,
            )
        button = cards[name].authenticate
        if button is None:
            raise await self._page_changed(f"« {self.profile.authenticate[0]} » de {name}")
        linxo = domain_of(self.page.url)
        await self._act(button, f"« {self.profile.authenticate[0]} » de {name}")

        def confirmation(s: Snapshot) -> Node | str | None:
            if domain_of(s.url) != linxo:
                return "left"
            dialogs = self._dialogs(s)
            return dialogs[0][1] if dialogs else None

        confirm = await self._until(confirmation, "la fenêtre « Connexion sécurisée »")
        if isinstance(confirm, Node):
            await self._act(confirm, f"« {self.profile.authenticate[0]} » (confirmation)")
        await self._until(
            lambda s: domain_of(s.url) != linxo or None, "la redirection vers la banque"
        )
        logger.info("redirected to the bank for %s", name)
        bank_auth.return_domain = domain_of(self.base_url)
        await bank_auth.complete()
        # The bank may pass through other hosts on its way back: as long as its own step.
        await self._until(
            lambda s: domain_of(s.url) == linxo or None,
            "le retour de la banque vers Linxo",
            timeout=bank_auth.timeout,
        )
        await self._open_once()
        after_cards = {
            c.bank: c
            for c in await self._until(
                lambda s: self._cards(s) or None, "les connexions bancaires de « Mes comptes »"
            )
        }
        after = after_cards.get(name)
        if after is None or not after.connection.healthy:
            shown = after.connection.message if after else "la connexion a disparu"
            raise BankAuthFailed(
                f"Après l’authentification, Linxo montre toujours {name} en erreur : {shown}"
            )
        logger.info("%s re-authenticated; balance %s", name, after.connection.balance)
        return ReauthResult(
            bank=name, balance=after.connection.balance, completed_at=now_in_paris()
        )
