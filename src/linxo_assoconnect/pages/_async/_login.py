"""Logging in: the e-mail, the password, a submit button or Enter, and a refusal read."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..._core.errors import LoginFailed
from ..._core.models import Credentials
from .._snapshot import Node, Snapshot, contains_word
from ._base import PageObject, logger
from ._evidence import typing_secrets

__all__ = ["LoginPageObject"]


class LoginPageObject(PageObject):
    """A page object that types credentials or a code: Linxo's and AssoConnect's logins, the
    bank's authentication."""

    async def _log_in(
        self,
        url: str,
        credentials: Credentials,
        *,
        site: str,
        submit: Sequence[str],
        landed: Callable[[Snapshot], bool],
    ) -> Snapshot:
        """Fill the e-mail and the password (on one page or in two steps), submit once, and
        read the page until ``landed`` or a refusal; return what the page then shows.

        A refusal is `LoginFailed`: a login is never retried.
        """
        profile = self._site
        await self._goto(url, f"la page de connexion de {site}")

        def login_fields(s: Snapshot) -> tuple[Node, Node | None] | None:
            if s.ready != "complete":
                return None  # a password field may still come on this page
            password = self._password_field(s)
            email = self._email_field(s)
            if email is None:
                return None  # a password is never sent without its e-mail
            return (email, password)

        email, password = await self._until(login_fields, f"le formulaire de connexion de {site}")
        await self._fill(email, credentials.username, "le champ de l’adresse e-mail")
        if password is None:  # the e-mail first; the password comes next
            before = await self._read()
            button = self._submit_button(before, (*profile.next_step, *submit), near=email)
            await self._press_or_enter(button, email, "le bouton « Continuer »")

            def password_or_refusal(s: Snapshot) -> tuple[Node | None, str] | None:
                field = self._password_field(s)
                refused = "" if field else self._refusal(s, before, profile.login_refused)
                return (field, refused) if field or refused else None

            password, refused = await self._until(password_or_refusal, "le champ « Mot de passe »")
            if password is None:
                raise LoginFailed(
                    f"{site} refuse la connexion de {credentials.username} : {refused}"
                )
        async with typing_secrets(self.page):
            await self._fill(password, credentials.password.get_secret_value(), "le mot de passe")
            before = await self._read()
            button = self._submit_button(before, submit, near=password)
            await self._press_or_enter(button, password, "le bouton de connexion")
            self._run.sent = "le mot de passe a été envoyé"

            def outcome(s: Snapshot) -> tuple[str, Snapshot] | None:
                refused = self._refusal(s, before, profile.login_refused)
                if refused:
                    return refused, s
                if landed(s):
                    return "", s
                return None

            refused, after = await self._until(outcome, f"la page d’accueil de {site}")
        if refused:
            raise LoginFailed(f"{site} refuse la connexion de {credentials.username} : {refused}")
        logger.info("logged in to %s as %s", site, credentials.username)
        return after

    def _email_field(self, snapshot: Snapshot) -> Node | None:
        labelled = [n for n in snapshot.fields(self._site.email) if n.field_type != "password"]
        typed = [
            n
            for n in snapshot.nodes
            if n.field
            and (
                n.field_type == "email" or str(n.field.get("autocomplete")) in ("username", "email")
            )
        ]
        found = labelled or typed or self._field_before_password(snapshot)
        return found[0] if found else None

    def _field_before_password(self, snapshot: Snapshot) -> list[Node]:
        """The text field just before the password in the same form (an unlabelled e-mail)."""
        password = self._password_field(snapshot)
        if password is None:
            return []
        texts = [
            n
            for n in snapshot.nodes
            if n.field and n.field_type in ("text", "") and n.i < password.i
        ]
        return texts[-1:]

    def _submit_button(
        self, snapshot: Snapshot, words: Sequence[str], *, near: Node | None
    ) -> Node | None:
        return self._nearest(snapshot, snapshot.controls(words), near)

    async def _press_or_enter(self, button: Node | None, field: Node | None, what: str) -> None:
        """Click ``button``; with none, press Enter in ``field`` as a person would."""
        if button is not None:
            await self._act(button, what)
        elif field is not None:
            await self._locate(field).press("Enter", timeout=self._ms)
        else:
            raise await self._page_changed(what)

    @staticmethod
    def _refusal(now: Snapshot, before: Snapshot, words: Sequence[str]) -> str:
        """A message that appeared since ``before`` and holds one of ``words`` ('' if none)."""
        return next((t for t in now.new_texts(before) if contains_word(t, words)), "")

    async def _is_headless(self, told: bool | None) -> bool:
        """Whether nobody can see this browser: as ``told``, else as the browser says."""
        if told is not None:
            return told
        agent: str = await self.page.evaluate("navigator.userAgent")
        return "Headless" in agent
