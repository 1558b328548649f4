"""What the sandbox's sites hold and how they behave: a typed, frozen scenario."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from ._data import DEMO_ASSOCONNECT, DEMO_BANK, DEMO_LINXO, DEMO_LINXO_CODE, DEMO_SMS_CODE
from ._markup import Markup, check_variant
from ._state import EventKind

__all__ = ["SCENARIOS", "Scenario", "scenario_from"]


class Scenario(BaseModel):
    """How the sandboxed Linxo, AssoConnect and demo bank behave.

    The defaults are a calm day: every connection healthy, every account linked and in sync.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    variant: str = "a"
    """How the pages are built: « a » and « b » (recorded pages), « bare » (no ARIA role or
    name on any container, ``div`` buttons, in-place updates, toasts, every interstitial), or
    « random:SEED » (every widget family drawn from the seed). See `Markup`."""

    cookie_consent: bool | None = None
    """A cookie banner blocks the page until answered (None: as the markup draws it)."""

    news_popup: bool | None = None
    """A « Nouveautés » pop-up shows after each login (None: as the markup draws it)."""

    late_content: bool | None = None
    """« Mes comptes » and the import tab load their content a moment after the page."""

    loading_overlay: bool | None = None
    """« Chargement en cours ... » covers the page for a moment after each action."""

    healthy_without_authenticate: bool | None = None
    """Healthy Linxo connections show no « M’authentifier »."""

    association_host: Literal["app", "slug"] | None = None
    """Where a chosen association's pages live: app.assoconnect.com, or a host of its own
    (``<slug>.assoconnect.com/organization/<id>/…``)."""

    assoconnect_landing: Literal["dashboard", "chooser"] | None = None
    """What AssoConnect shows after login: the last association's dashboard, or a page
    « Choisissez une association »."""

    assoconnect_login: Literal["one_page", "two_steps"] | None = None
    """AssoConnect's login on one page, or the e-mail first, then the password (same button)."""

    linxo_login: Literal["one_page", "two_steps"] | None = None
    """Linxo's login on one page, or e-mail › « Continuer » › password › « Je me connecte »."""

    bank_login: Literal["one_page", "two_steps"] | None = None
    """The bank's login on one page, or the identifier › « Continuer » › the password page."""

    linxo_asks_code: bool = False
    """After the password, Linxo asks for the code it sent by e-mail (never drawn by a seed)."""

    linxo_code: SecretStr = SecretStr(DEMO_LINXO_CODE)
    """The code Linxo « sends » by e-mail."""

    linxo_code_fields: Literal[1, 6] | None = None
    """The code in one field (``autocomplete=one-time-code``) or in six one-digit fields."""

    linxo_rejects_code: bool = False
    """Linxo answers « Code de confirmation incorrect. » whatever code is typed."""

    broken_banks: tuple[str, ...] = ()
    """Linxo connections (bank names) that lost their PSD2 consent."""

    unlinked_accounts: tuple[str, ...] = ()
    """AssoConnect accounts (names) no longer linked to a Linxo account."""

    failed_imports: tuple[str, ...] = ()
    """AssoConnect accounts (names) whose last import failed (« Erreur lors du dernier import »)."""

    sync_transient_failures: NonNegativeInt = 0
    """« Synchroniser » answers a 503 page this many times before a sync starts."""

    sync_running_at_start: bool = False
    """An import is already running on every account when the import tab is first shown."""

    sync_duration: NonNegativeFloat = 0.3
    """Seconds an import takes once started."""

    sync_fails_until_fallback: bool = False
    """Syncs started from « Plus d'options » always fail; only the Linxo management page works."""

    bank_sca: Literal["sms", "app"] = "sms"
    """The bank's strong authentication: a code by SMS, or a validation in its mobile app."""

    app_validation_delay: NonNegativeFloat = 0.5
    """Seconds before the (simulated) person validates in the bank's app."""

    bank_rejects_password: bool = False
    """The bank answers « Identifiant ou mot de passe incorrect » whatever is typed."""

    bank_rejects_code: bool = False
    """The bank answers « Code incorrect » whatever code is typed."""

    federation: NonNegativeInt = 0
    """This many more associations, each with its own Linxo user, bank connection and account:
    « Association Exemple 01 », « Banque Exemple 01 », « Compte courant 01 »… (see
    ``testing.federation_linxo``). The demo AssoConnect treasurer administers them all."""

    latency: NonNegativeFloat = 0.0
    """Seconds every response of every site is delayed by."""

    lost_answers: tuple[EventKind, ...] = ()
    """The answer to the first request that does each of these (« sync_click », « link »,
    « login », « bank_code »…) is lost on the way back: the site did it, the browser gets a
    reset connection."""

    changed_labels: dict[str, str] = Field(default_factory=dict)
    """Visible labels replaced in every page (simulates a site redesign: « Synchroniser » → …)."""

    linxo_password: SecretStr = SecretStr(DEMO_LINXO.password)
    """The password Linxo accepts for the demo treasurer (`DEMO_LINXO`'s by default)."""

    assoconnect_password: SecretStr = SecretStr(DEMO_ASSOCONNECT.password)
    """The password AssoConnect accepts for the demo treasurer."""

    bank_password: SecretStr = SecretStr(DEMO_BANK.password)
    """The password the demo bank accepts for `DEMO_BANK`'s identifier."""

    sms_code: SecretStr = SecretStr(DEMO_SMS_CODE)
    """The code the demo bank « sends » by SMS."""

    @field_validator("variant")
    @classmethod
    def _known_variant(cls, variant: str) -> str:
        return check_variant(variant)

    @model_validator(mode="after")
    def _recorded_pages_have_no_switches(self) -> Scenario:
        if self.variant not in ("a", "b"):
            return self
        recorded = Markup.of(self.variant)
        wanted = [
            name
            for name in (*_SWITCHES, "linxo_code_fields")
            if getattr(self, name) is not None and getattr(self, name) != getattr(recorded, name)
        ]
        wanted += ["linxo_asks_code"] if self.linxo_asks_code else []
        if wanted:
            raise ValueError(
                f"les pages enregistrées « {self.variant} » n’ont pas {', '.join(wanted)} : "
                "choisir variant=« bare » ou « random:N »"
            )
        return self

    @property
    def markup(self) -> Markup:
        """The markup the pages are built with: the variant's, with this scenario's switches."""
        switches = {name: getattr(self, name) for name in _SWITCHES}
        switches["linxo_code_fields"] = self.linxo_code_fields
        return dataclasses.replace(
            Markup.of(self.variant), **{k: v for k, v in switches.items() if v is not None}
        )


_SWITCHES = (
    "cookie_consent",
    "news_popup",
    "late_content",
    "loading_overlay",
    "healthy_without_authenticate",
    "association_host",
    "assoconnect_landing",
    "assoconnect_login",
    "linxo_login",
    "bank_login",
)


SCENARIOS: dict[str, Scenario] = {
    "healthy": Scenario(),
    "broken_connection": Scenario(broken_banks=("Banque Populaire Exemple",)),
    "unlinked_account": Scenario(unlinked_accounts=("Livret A",)),
    "transient_5xx": Scenario(failed_imports=("Compte courant",), sync_transient_failures=2),
    "sync_running": Scenario(sync_running_at_start=True, sync_duration=1.0),
    "sync_needs_fallback": Scenario(
        failed_imports=("Compte courant",), sync_fails_until_fallback=True
    ),
    "wrong_password": Scenario(
        broken_banks=("Banque Populaire Exemple",), bank_rejects_password=True
    ),
    "wrong_code": Scenario(broken_banks=("Banque Populaire Exemple",), bank_rejects_code=True),
    "sms_code": Scenario(broken_banks=("Banque Populaire Exemple",), bank_sca="sms"),
    "app_validation": Scenario(broken_banks=("Banque Populaire Exemple",), bank_sca="app"),
    "layout_changed": Scenario(
        broken_banks=("Banque Populaire Exemple",),
        changed_labels={"Synchroniser": "Lancer l’import", "M’authentifier": "Se reconnecter"},
    ),
    "demo": Scenario(
        broken_banks=("Banque Populaire Exemple",),
        unlinked_accounts=("Livret A",),
        sync_transient_failures=1,
    ),
}
"""Named scenarios, as used by tests and by ``linxo-assoconnect demo --scenario NAME``."""


def scenario_from(settings: Mapping[str, Any]) -> Scenario:
    """The scenario a configuration's ``[sandbox]`` describes: ``scenario`` (a name of
    `SCENARIOS`, « healthy » by default) and any `Scenario` field on top of it."""
    fields = dict(settings)
    name = fields.pop("scenario", "healthy")
    if name not in SCENARIOS:
        raise ValueError(f"scénario inconnu « {name} » (connus : {', '.join(sorted(SCENARIOS))})")
    try:
        return Scenario.model_validate({**SCENARIOS[name].model_dump(), **fields})
    except ValidationError as error:
        raise ValueError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        ) from None
