"""The bank's own strong authentication, done by a person or filled from a bank profile."""

from __future__ import annotations

from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from ..._core.errors import BankAuthFailed, HumanActionRequired
from ..._core.models import Credentials
from ..._core.otp import AsyncOtp, call_otp_async
from ..._core.profiles import BankProfile
from .._snapshot import Node, Snapshot
from ._base import domain_of, host_of, logger, step
from ._evidence import typing_secrets
from ._login import LoginPageObject

__all__ = ["BankAuthPage"]


class BankAuthPage(LoginPageObject):
    """The bank page Linxo redirects to. `complete` returns once the bank sends the browser back.

    Without ``credentials`` a person does the bank step in a headed browser, within ``timeout``
    seconds. With them, the form is filled using ``profile`` (the bank's labels), the one-time
    code comes from ``otp``, and an app validation is waited for. Nothing is ever submitted twice.
    """

    def __init__(
        self,
        page: Page,
        *,
        credentials: Credentials | None = None,
        otp: AsyncOtp | None = None,
        profile: BankProfile | None = None,
        timeout: float = 600.0,
        headless: bool | None = None,
    ) -> None:
        super().__init__(page, timeout=timeout)
        self.credentials = credentials
        self.otp = otp
        self.profile = profile or BankProfile()
        self.headless = headless
        self.return_domain = "linxo.com"
        """The bank step is over once the browser is back on this domain (its caller's)."""

    @step("s’authentifier auprès de la banque", resumable=False)
    async def complete(self) -> None:
        """Finish the bank step; raise `BankAuthFailed` or `HumanActionRequired` otherwise."""
        await self._loaded()
        bank = host_of(self.page.url)
        if self.credentials is None:
            await self._wait_for_person(bank, "s’authentifier auprès de la banque")
            return
        profile = self.profile

        def login_fields(s: Snapshot) -> tuple[Node, Node | None] | None:
            if s.ready != "complete":
                return None  # a password field may still come on this page
            password = self._bank_password(s)
            identifier = next(
                (n for n in s.fields(profile.identifier) if n.field_type != "password"), None
            )
            # A password is never sent without its identifier (the bank counts the attempts).
            return (identifier, password) if identifier else None

        identifier, password = await self._until(login_fields, "l’identifiant")
        await self._fill(identifier, self.credentials.username, "l’identifiant")
        if password is None:  # the identifier first, the password on the next page
            before = await self._read()
            button = self._submit_button(before, profile.submit, near=identifier)
            await self._press_or_enter(button, identifier, "le bouton de validation")

            def password_or_refusal(s: Snapshot) -> tuple[Node | None, str] | None:
                field = self._bank_password(s)
                refused = "" if field else self._refusal(s, before, profile.wrong_password)
                return (field, refused) if field or refused else None

            password, _ = await self._until(password_or_refusal, "le mot de passe")
            if password is None:
                raise self._refused()
        async with typing_secrets(self.page):
            await self._fill(
                password, self.credentials.password.get_secret_value(), "le mot de passe"
            )
            before = await self._read()
            button = self._submit_button(before, profile.submit, near=password)
            await self._press_or_enter(button, password, "le bouton de validation")

            def outcome(s: Snapshot) -> str | None:
                if self._back(s.url):
                    return "left"
                if self._refusal(s, before, profile.wrong_password):
                    return "refused"
                if self._bank_password(s) is None:
                    if self._code_field(s) is not None:
                        return "code"
                    if s.shows(profile.app_validation):
                        return "app"
                return None

            result = await self._until(outcome, "la suite de l’authentification")
        if result == "refused":
            raise self._refused()
        if result == "app":  # on the person's phone: a headless browser can wait for it
            await self._wait_for_person(
                bank, "valider l’opération dans l’application de la banque", in_browser=False
            )
        elif result == "code":
            await self._enter_code(bank)

    @staticmethod
    def _refused() -> BankAuthFailed:
        return BankAuthFailed(
            "La banque refuse l’identifiant ou le mot de passe. Rien n’a été réessayé : "
            "vérifiez-les avant une nouvelle tentative (la banque bloque l’accès après "
            "quelques erreurs)."
        )

    def _bank_password(self, s: Snapshot) -> Node | None:
        found = s.fields_of_type("password") or s.fields(self.profile.password)
        return found[0] if found else None

    def _code_field(self, s: Snapshot) -> Node | None:
        found = [n for n in s.fields(self.profile.code) if n.field_type != "password"]
        found = found or [
            n for n in s.nodes if n.field and str(n.field.get("autocomplete")) == "one-time-code"
        ]
        return found[0] if found else None

    async def _enter_code(self, bank: str) -> None:
        if self.otp is None:
            await self._wait_for_person(bank, "saisir le code reçu de la banque")
            return
        field = await self._until(self._code_field, "le champ du code")
        code = await call_otp_async(self.otp)
        async with typing_secrets(self.page):
            await self._fill(field, code, "le code")
            before = await self._read()
            button = self._submit_button(before, self.profile.code_submit, near=field)
            await self._press_or_enter(button, field, "la validation du code")

            def outcome(s: Snapshot) -> str | None:
                if self._back(s.url):
                    return "left"
                if self._refusal(s, before, self.profile.wrong_code):
                    return "refused"
                return None

            result = await self._until(outcome, "la réponse de la banque au code")
        if result == "refused":
            raise BankAuthFailed(
                "La banque refuse le code. Il n’a pas été ressaisi : relancez la "
                "réauthentification pour recevoir un nouveau code."
            )

    async def _wait_for_person(self, bank: str, action: str, *, in_browser: bool = True) -> None:
        """Wait, bounded, until the bank sends the browser on; a person is doing ``action``."""
        if in_browser and await self._is_headless(self.headless):
            raise HumanActionRequired(
                f"La banque demande de {action} : une personne doit le faire dans une fenêtre "
                "de navigateur visible (headless=False), ou donnez les identifiants de la "
                "banque et un moyen d’obtenir le code (otp)."
            )
        logger.warning("Dans la fenêtre du navigateur : %s (%g s au plus).", action, self.timeout)
        try:
            if in_browser:  # the person types the bank's password or code: no trace of it
                async with typing_secrets(self.page):
                    await self._wait_until_left(bank)
            else:
                await self._wait_until_left(bank)
        except PlaywrightTimeoutError:
            raise HumanActionRequired(
                f"Personne n’a pu {action} dans le temps imparti ({self.timeout:g} s)."
            ) from None

    async def _wait_until_left(self, bank: str) -> None:
        await self.page.wait_for_url(self._back, timeout=self._ms)

    def _back(self, url: str) -> bool:
        """Whether the bank has sent the browser back (to Linxo: any host of its domain)."""
        return domain_of(url) == self.return_domain
