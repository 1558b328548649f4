"""The bank's own strong authentication, done by a person or filled from a bank profile."""

from __future__ import annotations

from playwright.async_api import Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from ..._errors import BankAuthFailed, HumanActionRequired
from ..._models import BankProfile, Credentials
from ..._otp import AsyncOtp, call_otp_async
from ..._text import label_regex
from ._base import TYPED_MARKER, PageObject, host_of, logger, step

__all__ = ["BankAuthPage"]

# Runs in the browser, again after every navigation, until it returns a truthy value: "left"
# once off the bank's host, else the key of the first pattern in the visible text, ignoring
# the page a secret was just typed into and submitted from (its own labels are not the bank's
# answer) except for a refusal shown in place.
_OUTCOME_JS = f"""({{ bank, patterns }}) => {{
  if (location.hostname !== bank) return "left";
  if (document.readyState !== "complete" || !document.body) return false;
  const text = document.body.innerText;
  for (const [key, source] of patterns) {{
    if (window.{TYPED_MARKER} && key !== "refused") continue;
    if (new RegExp(source, "i").test(text)) return key;
  }}
  return false;
}}"""


class BankAuthPage(PageObject):
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

    @step("s’authentifier auprès de la banque")
    async def complete(self) -> None:
        """Finish the bank step; raise `BankAuthFailed` or `HumanActionRequired` otherwise."""
        await self.page.wait_for_load_state(timeout=self._ms)
        bank = host_of(self.page.url)
        if self.credentials is None:
            await self._wait_for_person(bank, "s’authentifier auprès de la banque")
            return
        profile = self.profile
        await self._fill(profile.identifier, self.credentials.username, "l’identifiant")
        password = await self._visible(self._field(profile.password), "le mot de passe")
        async with self._typing_secrets():
            await password.fill(self.credentials.password.get_secret_value())
            await self._press(*profile.submit, what="le bouton de validation")
            outcome = await self._outcome(
                bank,
                {
                    "refused": profile.wrong_password,
                    "app": profile.app_validation,
                    "code": profile.code,
                },
                "la suite de l’authentification",
            )
        if outcome == "refused":
            raise BankAuthFailed(
                "La banque refuse l’identifiant ou le mot de passe. Rien n’a été réessayé : "
                "vérifiez-les avant une nouvelle tentative (la banque bloque l’accès après "
                "quelques erreurs)."
            )
        if outcome == "app":  # on the person's phone: a headless browser can wait for it
            await self._wait_for_person(
                bank, "valider l’opération dans l’application de la banque", in_browser=False
            )
        elif outcome == "code":
            await self._enter_code(bank)

    def _field(self, labels: tuple[str, ...]) -> Locator:
        found = self.page.get_by_label(label_regex(labels[0]))
        for label in labels[1:]:
            found = found.or_(self.page.get_by_label(label_regex(label)))
        return found

    async def _fill(self, labels: tuple[str, ...], value: str, what: str) -> None:
        field = await self._visible(self._field(labels), what)
        await field.fill(value)

    async def _outcome(self, bank: str, texts: dict[str, tuple[str, ...]], what: str) -> str:
        """The key of the first ``texts`` the bank shows next, or ``"left"`` once it sent the
        browser away. Waits through navigations, without polling from here."""
        patterns = [[key, label_regex(t).pattern] for key, group in texts.items() for t in group]
        try:
            handle = await self.page.wait_for_function(
                _OUTCOME_JS, arg={"bank": bank, "patterns": patterns}, timeout=self._ms
            )
        except PlaywrightTimeoutError:
            raise await self._page_changed(what) from None
        outcome: str = await handle.json_value()
        return outcome

    async def _enter_code(self, bank: str) -> None:
        if self.otp is None:
            await self._wait_for_person(bank, "saisir le code reçu de la banque")
            return
        field = await self._visible(self._field(self.profile.code), "le champ du code")
        code = await call_otp_async(self.otp)
        async with self._typing_secrets():
            await field.fill(code)
            await self._press(*self.profile.code_submit, what="la validation du code")
            outcome = await self._outcome(
                bank, {"refused": self.profile.wrong_code}, "la réponse de la banque au code"
            )
        if outcome == "refused":
            raise BankAuthFailed(
                "La banque refuse le code. Il n’a pas été ressaisi : relancez la "
                "réauthentification pour recevoir un nouveau code."
            )

    async def _wait_for_person(self, bank: str, action: str, *, in_browser: bool = True) -> None:
        """Wait, bounded, until the bank sends the browser on; a person is doing ``action``."""
        if in_browser and await self._is_headless():
            raise HumanActionRequired(
                f"La banque demande de {action} : une personne doit le faire dans une fenêtre "
                "de navigateur visible (headless=False), ou donnez les identifiants de la "
                "banque et un moyen d’obtenir le code (otp)."
            )
        logger.warning("Dans la fenêtre du navigateur : %s (%g s au plus).", action, self.timeout)
        try:
            if in_browser:  # the person types the bank's password or code: no trace of it
                async with self._typing_secrets():
                    await self._wait_until_left(bank)
            else:
                await self._wait_until_left(bank)
        except PlaywrightTimeoutError:
            raise HumanActionRequired(
                f"Personne n’a pu {action} dans le temps imparti ({self.timeout:g} s)."
            ) from None

    async def _wait_until_left(self, bank: str) -> None:
        await self.page.wait_for_url(lambda url: host_of(url) != bank, timeout=self._ms)

    async def _is_headless(self) -> bool:
        if self.headless is not None:
            return self.headless
        agent: str = await self.page.evaluate("navigator.userAgent")
        return "Headless" in agent
