"""How the sandbox's pages are built: one choice per widget family, by preset or by seed."""

from __future__ import annotations

import dataclasses
import random
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

__all__ = ["PRESETS", "Markup", "check_variant"]

T = TypeVar("T")

PRESETS = ("a", "b", "bare")
"""The named markups: ``a`` and ``b`` (recorded pages) and ``bare`` (no ARIA at all)."""
_SEED = re.compile(r"random:(\d+)")

Control = Literal["button", "link", "a_role_button", "div_role_button", "div", "input"]
CONTROLS: tuple[Control, ...] = (
    "button",
    "link",
    "a_role_button",
    "div_role_button",
    "div",
    "input",
)
OnePage = Literal["one_page", "two_steps"]

EMAIL_LABELS = ("E-mail", "Adresse e-mail", "Email", "Identifiant", "Adresse email")
BROKEN_MESSAGES = (
    "Votre banque demande une nouvelle authentification. "
    "La synchronisation de vos comptes est interrompue.",
    "Pour synchroniser vos comptes, votre établissement financier demande de vous authentifier.",
    "Ce compte n’a pas pu être synchronisé car l’authentification a échoué.",
    "Vous devez vous connecter au site de votre banque pour mettre à jour votre mot de passe.",
    "Une action de votre part est nécessaire sur le site de votre banque.",
    "Ce compte n’a pas pu être synchronisé car votre banque demande la saisie d’une information "
    "supplémentaire.",
    "Connexion interrompue",
)


def check_variant(variant: str) -> str:
    """``variant`` if it names a markup, else a ValueError saying what is accepted."""
    if variant in PRESETS or _SEED.fullmatch(variant):
        return variant
    raise ValueError(
        f"balisage inconnu « {variant} » : acceptés {', '.join(PRESETS)} "
        "et random:N (N entier positif ou nul, par exemple random:17)"
    )


@dataclass(frozen=True)
class Markup:
    """One rendering of the three sites: a choice per widget family.

    ``Markup.of("bare")``, ``Markup.of("random:17")``: the same name always gives the same
    choices, and so the same pages. ``a`` and ``b`` are the recorded template sets
    (``components`` is False): only the component renderer reads the other fields.
    """

    name: str
    """The variant it was built from: « a », « b », « bare », « random:17 »."""
    components: bool = True
    """Rendered by the component renderer (every preset but « a » and « b »)."""

    # Blocks: a bank connection, an AssoConnect account.
    blocks: Literal["table", "list", "cards", "sections"] = "cards"
    block_roles: bool = False
    """Blocks carry an ARIA role (group/article) and an accessible name."""
    block_name: Literal["heading", "strong", "plain"] = "plain"
    reverse: bool = False
    """Connections and accounts shown in the reverse of the sites' own order."""

    # Controls, per site.
    linxo_control: Control = "div"
    assoconnect_control: Control = "div"
    bank_control: Control = "div"
    control_text: Literal["plain", "icon", "spans", "uppercase"] = "plain"
    apostrophe: Literal["’", "'"] = "’"

    fields: Literal["label_for", "label_wrap", "aria_label", "aria_labelledby", "placeholder"] = (
        "placeholder"
    )
    dialog: Literal["dialog", "role_dialog", "role_alertdialog", "overlay"] = "overlay"
    dialog_created: Literal["click", "hidden"] = "click"
    menu: Literal["expanded", "details", "menu", "hover"] = "hover"
    gear_name: Literal["aria_label", "title", "hidden_text", "visible_text"] = "title"
    switcher: Literal["button", "link", "select", "combobox"] = "select"
    tabs: Literal["links", "aria"] = "links"
    radios: Literal["native", "aria"] = "native"
    radio_text: Literal["one", "separate"] = "separate"

    outcome: Literal["reload", "in_place"] = "in_place"
    fallback_new_tab: bool = False
    """« Gérer ses comptes bancaires synchronisés avec Linxo » opens in a new tab."""
    message_role: Literal["status", "alert", "live", "none"] = "none"
    toasts: bool = True
    """Confirmations vanish after two seconds (errors stay)."""
    unavailable: Literal["status", "body"] = "body"
    """« réessayez plus tard » with an HTTP 503, or in a 200 page or JSON body."""

    # Words where the tutorial gives none.
    accounts_title: str | None = None
    linxo_email_label: str = "Adresse e-mail"
    assoconnect_email_label: str = "E-mail"
    assoconnect_submit: str = "Continuer"
    fallback_button: str = "Synchroniser"
    broken_message: str = BROKEN_MESSAGES[1]
    healthy_control: Literal["authenticate", "manage", "none"] = "none"
    broken_balance: bool = True
    """A broken connection still shows its last balance."""
    status_icons: bool = True
    notice_saved: str = "Enregistré"
    notice_sync: str = "Synchronisation lancée"
    bank_identifier: str = "Identifiant client"
    bank_password: str = "Code secret"  # noqa: S105 (the field's label, not a password)
    bank_submit: str = "Se connecter"
    bank_code: str = "Code SMS"
    bank_code_submit: str = "Confirmer"
    class_prefix: str = "GJYWTJUC"
    consent_refusal: Literal["Tout refuser", "Continuer sans accepter", "both"] = "both"
    news_close: Literal["Fermer", "×"] = "×"

    # Interstitials and flows, as drawn (a Scenario's own switch wins).
    cookie_consent: bool = True
    news_popup: bool = True
    late_content: bool = True
    loading_overlay: bool = True
    healthy_without_authenticate: bool = True
    association_host: Literal["app", "slug"] = "slug"
    assoconnect_landing: Literal["dashboard", "chooser"] = "chooser"
    assoconnect_login: OnePage = "two_steps"
    linxo_login: OnePage = "two_steps"
    bank_login: OnePage = "two_steps"
    linxo_code_fields: Literal[1, 6] = 6

    @classmethod
    def of(cls, variant: str) -> Markup:
        """The markup a variant names: a preset, or ``random:SEED``."""
        check_variant(variant)
        if variant in ("a", "b"):
            return cls(
                variant,
                components=False,
                cookie_consent=False,
                news_popup=False,
                late_content=False,
                loading_overlay=False,
                healthy_without_authenticate=False,
                association_host="app",
                assoconnect_landing="dashboard",
                assoconnect_login="one_page",
                linxo_login="one_page",
                bank_login="one_page",
                linxo_code_fields=1,
            )
        if variant == "bare":
            return cls(variant)
        return _draw(variant, int(variant.partition(":")[2]))

    def describe(self) -> str:
        """One line naming every choice, for failure messages and evidence."""
        if not self.components:
            return f"{self.name} (pages enregistrées)"
        fields = dataclasses.fields(self)
        chosen = (
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields
            if f.name not in ("name", "components")
        )
        return f"{self.name}: {', '.join(chosen)}"

    def word(self, text: str) -> str:
        """``text`` written with this markup's apostrophe."""
        return text.replace("’", self.apostrophe).replace("'", self.apostrophe)


def _draw(name: str, seed: int) -> Markup:
    """Every family drawn independently: a family's choice depends only on the seed."""

    def pick(family: str, options: Sequence[T]) -> T:
        return random.Random(f"{seed}:{family}").choice(list(options))  # noqa: S311 (no secret)

    def flag(family: str) -> bool:
        return pick(family, (False, True))

    prefix_rng = random.Random(f"{seed}:class_prefix")  # noqa: S311 (no secret)
    prefix = "G" + "".join(prefix_rng.choices(string.ascii_uppercase + string.digits, k=7))
    return Markup(
        name,
        blocks=pick("blocks", ("table", "list", "cards", "sections")),
        block_roles=flag("block_roles"),
        block_name=pick("block_name", ("heading", "strong", "plain")),
        reverse=flag("reverse"),
        linxo_control=pick("linxo_control", CONTROLS),
        assoconnect_control=pick("assoconnect_control", CONTROLS),
        bank_control=pick("bank_control", CONTROLS),
        control_text=pick("control_text", ("plain", "icon", "spans", "uppercase")),
        apostrophe=pick("apostrophe", ("’", "'")),
        fields=pick(
            "fields", ("label_for", "label_wrap", "aria_label", "aria_labelledby", "placeholder")
        ),
        dialog=pick("dialog", ("dialog", "role_dialog", "role_alertdialog", "overlay")),
        dialog_created=pick("dialog_created", ("click", "hidden")),
        menu=pick("menu", ("expanded", "details", "menu", "hover")),
        gear_name=pick("gear_name", ("aria_label", "title", "hidden_text", "visible_text")),
        switcher=pick("switcher", ("button", "link", "select", "combobox")),
        tabs=pick("tabs", ("links", "aria")),
        radios=pick("radios", ("native", "aria")),
        radio_text=pick("radio_text", ("one", "separate")),
        outcome=pick("outcome", ("reload", "in_place")),
        fallback_new_tab=flag("fallback_new_tab"),
        message_role=pick("message_role", ("status", "alert", "live", "none")),
        toasts=flag("toasts"),
        unavailable=pick("unavailable", ("status", "body")),
        accounts_title=pick(
            "accounts_title", ("Mon compte Explorateur", "Comptes bancaires", "Vos comptes", None)
        ),
        linxo_email_label=pick("linxo_email_label", EMAIL_LABELS),
        assoconnect_email_label=pick("assoconnect_email_label", EMAIL_LABELS),
        assoconnect_submit=pick("assoconnect_submit", ("Se connecter", "Connexion", "Continuer")),
        fallback_button=pick("fallback_button", ("Synchroniser", "Lancer la synchronisation")),
        broken_message=pick("broken_message", BROKEN_MESSAGES),
        healthy_control=pick("healthy_control", ("authenticate", "manage", "none")),
        broken_balance=flag("broken_balance"),
        status_icons=flag("status_icons"),
        notice_saved=pick(
            "notice_saved",
            ("Les modifications ont été enregistrées.", "Enregistré", "Modifications enregistrées"),
        ),
        notice_sync=pick(
            "notice_sync",
            (
                "La synchronisation a été lancée.",
                "Synchronisation lancée",
                "La synchronisation a bien été lancée",
            ),
        ),
        bank_identifier=pick(
            "bank_identifier", ("Identifiant", "Identifiant client", "Numéro client")
        ),
        bank_password=pick("bank_password", ("Mot de passe", "Code secret", "Code personnel")),
        bank_submit=pick("bank_submit", ("Valider", "Se connecter", "Connexion")),
        bank_code=pick("bank_code", ("Code reçu par SMS", "Code de sécurité", "Code SMS")),
        bank_code_submit=pick("bank_code_submit", ("Valider", "Confirmer")),
        class_prefix=prefix,
        consent_refusal=pick(
            "consent_refusal", ("Tout refuser", "Continuer sans accepter", "both")
        ),
        news_close=pick("news_close", ("Fermer", "×")),
        cookie_consent=flag("cookie_consent"),
        news_popup=flag("news_popup"),
        late_content=flag("late_content"),
        loading_overlay=flag("loading_overlay"),
        healthy_without_authenticate=flag("healthy_without_authenticate"),
        association_host=pick("association_host", ("app", "slug")),
        assoconnect_landing=pick("assoconnect_landing", ("dashboard", "chooser")),
        assoconnect_login=pick("assoconnect_login", ("one_page", "two_steps")),
        linxo_login=pick("linxo_login", ("one_page", "two_steps")),
        bank_login=pick("bank_login", ("one_page", "two_steps")),
        linxo_code_fields=pick("linxo_code_fields", (1, 6)),
    )
