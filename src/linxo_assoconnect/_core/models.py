"""What the library reads and returns: frozen, JSON-serialisable pydantic models."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, SecretStr, field_validator

from .errors import ConfigurationError
from .files import APP_NAME
from .secrets import remember
from .text import PARIS

__all__ = [
    "ENV_PREFIX",
    "KEYRING_SERVICE",
    "AssoBankAccount",
    "AssoConnectProfile",
    "BankConnection",
    "BankProfile",
    "Credentials",
    "LinxoProfile",
    "ReauthResult",
    "RestoreReport",
    "SyncResult",
    "import_keyring",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


ENV_PREFIX = "LINXO_ASSOCONNECT_"
KEYRING_SERVICE = APP_NAME


def import_keyring() -> Any:
    """The ``keyring`` module (extra ``keyring``), or `ConfigurationError` saying how to get it."""
    try:
        import keyring
        import keyring.errors
    except ImportError:
        raise ConfigurationError(
            "Le trousseau du système demande l’extra keyring : "
            "pip install 'linxo-assoconnect[keyring]'."
        ) from None
    return keyring


class Credentials(_Model):
    """A login. The password is a `SecretStr`: masked in reprs, logs, JSON and error messages."""

    username: str
    """The login's identifier, as typed on the site (often an e-mail address)."""
    password: SecretStr
    """Never shown: `get_secret_value()` reads it."""

    def model_post_init(self, context: Any, /) -> None:
        remember(self.password.get_secret_value())

    def __str__(self) -> str:
        return f"{self.username} / **********"

    @classmethod
    def from_env(cls, name: str, *, environ: Mapping[str, str] | None = None) -> Self:
        """Read ``LINXO_ASSOCONNECT_<NAME>_USERNAME`` and ``…_PASSWORD`` (``name``: LINXO,
        ASSOCONNECT, BANK or any other)."""
        environ = os.environ if environ is None else environ
        prefix = f"{ENV_PREFIX}{name.upper()}_"
        missing = [f"{prefix}{k}" for k in ("USERNAME", "PASSWORD") if not environ.get(prefix + k)]
        if missing:
            raise ConfigurationError(f"Variable d’environnement absente : {', '.join(missing)}.")
        return cls(
            username=environ[f"{prefix}USERNAME"],
            password=SecretStr(environ[f"{prefix}PASSWORD"]),
        )

    @classmethod
    def from_keyring(cls, name: str, username: str) -> Self:
        """The password of ``username`` in the system's keyring (extra ``keyring``), under the
        service ``linxo-assoconnect-<name>`` (``name``: linxo, assoconnect, bank…)."""
        keyring = import_keyring()
        service = f"{KEYRING_SERVICE}-{name.lower()}"
        try:
            password = keyring.get_password(service, username)
        except keyring.errors.KeyringError as error:
            raise ConfigurationError(f"Le trousseau du système ne répond pas : {error}") from None
        if password is None:
            raise ConfigurationError(
                f"Aucun mot de passe pour {username} dans le trousseau (service « {service} ») : "
                f"ajoutez-le avec `keyring set {service} {username}`."
            )
        return cls(username=username, password=SecretStr(password))


class BankConnection(_Model):
    """One bank connection on Linxo's « Mes comptes » page, as a person sees it."""

    bank: str
    """The bank's name as Linxo shows it."""
    healthy: bool
    """False when Linxo shows the connection in error: it needs « M’authentifier »."""
    message: str | None = None
    """The error Linxo shows for a broken connection, if any."""
    updated_at: AwareDatetime | None = None
    """« Mise à jour: 28.01.24, 06h33 »."""
    balance: Decimal | None = None
    """Shown only while the connection is healthy."""


class ReauthResult(_Model):
    """A connection re-authenticated at its bank, with the balance Linxo then shows."""

    bank: str
    """The bank's name as Linxo shows it."""
    balance: Decimal | None
    """The balance Linxo shows once the connection is healthy again."""
    completed_at: AwareDatetime
    """When the bank step ended (Europe/Paris)."""
    already_healthy: bool = False
    """True when the connection was healthy and left alone (no bank step was done)."""


class AssoBankAccount(_Model):
    """One bank account of the association on AssoConnect's « Import depuis votre banque » tab."""

    name: str
    """The account's name as AssoConnect shows it."""
    sync_active: bool
    """« Synchronisation active »: the account imports its entries."""
    status: str | None
    """The label as shown, e.g. « Erreur lors du dernier import »."""
    linxo_account: str | None
    """The Linxo account selected in « Sélection du compte Linxo associé », if any."""
    last_import: AwareDatetime | None = None
    """« Dernier import », as the account's detail shows it (None: « jamais », or not shown)."""


class SyncResult(_Model):
    """The outcome of a forced synchronisation."""

    account: str
    """The AssoConnect account synchronised."""
    ok: bool
    """The import took: the account's status is no longer in error."""
    status: str
    """The account's status label once the sync ended."""
    attempts: int
    """Clicks on « Synchroniser », transient failures included."""
    used_fallback: bool
    """Launched from « Gérer ses comptes bancaires synchronisés avec Linxo »."""
    finished_at: AwareDatetime
    """When the sync ended (Europe/Paris)."""


class RestoreReport(_Model):
    """What `restore` found and left: every connection and account, before and after."""

    association: str
    """The association as AssoConnect names it."""
    connections_before: list[BankConnection]
    """Linxo's connections as first seen."""
    connections_after: list[BankConnection]
    """Linxo's connections once the broken ones were re-authenticated."""
    reauthentications: list[ReauthResult]
    """The bank steps done, one per broken connection."""
    accounts_before: list[AssoBankAccount]
    """The association's AssoConnect accounts as first seen."""
    accounts_after: list[AssoBankAccount]
    """The accounts once re-linked and synchronised."""
    syncs: list[SyncResult]
    """The forced synchronisations, one per account that needed one."""

    @property
    def ok(self) -> bool:
        """Every connection healthy and every account's import active."""
        return all(c.healthy for c in self.connections_after) and all(
            a.sync_active for a in self.accounts_after
        )


def _labels(value: str | Sequence[str]) -> tuple[str, ...]:
    labels = (value,) if isinstance(value, str) else tuple(value)
    if not labels:
        raise ValueError("at least one label is needed")
    return labels


class BankProfile(_Model):
    """How to recognise a bank's login and code pages: the visible labels of each field.

    Each field accepts several labels (any one may match); matching ignores case, accents,
    apostrophe style and spacing. The defaults fit most French banks.
    """

    identifier: tuple[str, ...] = ("Identifiant", "Identifiant client", "Numéro client")
    """Labels of the identifier field."""
    password: tuple[str, ...] = ("Mot de passe", "Code secret", "Code personnel")
    """Labels of the password field."""
    submit: tuple[str, ...] = ("Valider", "Se connecter", "Continuer", "Connexion")
    """Labels of the button sending the identifier and password."""
    code: tuple[str, ...] = ("Code reçu par SMS", "Code de sécurité", "Code SMS", "Code")
    """Labels of the one-time code field."""
    code_submit: tuple[str, ...] = ("Valider", "Confirmer", "Continuer")
    """Labels of the button sending the code."""
    wrong_password: tuple[str, ...] = (
        "mot de passe incorrect",
        "identifiant ou mot de passe incorrect",
        "identifiants incorrects",
    )
    """Texts by which the bank says the identifier or password is wrong."""
    wrong_code: tuple[str, ...] = ("code incorrect", "code erroné", "code invalide")
    """Texts by which the bank says the code is wrong."""
    app_validation: tuple[str, ...] = (
        "Validez l’opération dans votre application",
        "validation dans votre application",
        "Confirmez sur votre téléphone",
    )
    """Texts by which the bank asks to validate in its mobile app."""

    _as_tuple = field_validator(
        "identifier",
        "password",
        "submit",
        "code",
        "code_submit",
        "wrong_password",
        "wrong_code",
        "app_validation",
        mode="before",
    )(_labels)


class _SiteProfile(_Model):
    """What every site shows around its own pages: interstitials and the login form."""

    email: tuple[str, ...] = ("E-mail", "Adresse e-mail", "Email", "Adresse email", "Identifiant")
    """Labels of the login's e-mail field (a field of type e-mail is accepted too)."""
    password: tuple[str, ...] = ("Mot de passe",)
    """Labels of the login's password field (a password field is accepted too)."""
    next_step: tuple[str, ...] = ("Continuer", "Suivant", "Valider")
    """Buttons that send the e-mail alone when the password comes next."""
    login_refused: tuple[str, ...] = (
        "incorrect",
        "incorrects",
        "invalide",
        "erroné",
        "refusé",
        "n’est pas reconnu",
        "ne correspondent pas",
    )
    """Words by which a login page says the e-mail or the password is wrong."""
    refuse_cookies: tuple[str, ...] = (
        "Tout refuser",
        "Continuer sans accepter",
        "Refuser",
        "Refuser tout",
        "Je refuse",
    )
    """Answers to a cookie banner that refuse (always preferred)."""
    accept_cookies: tuple[str, ...] = ("Tout accepter", "Accepter", "J’accepte", "OK")
    """Answers to a cookie banner that has no way to refuse."""
    cookie_words: tuple[str, ...] = ("cookies", "cookie", "traceurs")
    """Words by which a banner is about cookies."""
    news_words: tuple[str, ...] = ("Nouveautés", "Nouveauté", "Quoi de neuf")
    """Words by which a pop-up is news, to be closed."""
    close: tuple[str, ...] = ("Fermer", "×", "✕", "✖", "Plus tard", "J’ai compris")
    """Controls that close a news pop-up."""
    busy: tuple[str, ...] = ("Chargement en cours", "Chargement", "Veuillez patienter")
    """Texts shown while the page is loading (nothing is clicked meanwhile)."""
    transient: tuple[str, ...] = (
        "réessayez plus tard",
        "réessayer plus tard",
        "temporairement indisponible",
        "service indisponible",
    )
    """Texts by which a site says it is unavailable for a while."""

    _as_tuple = field_validator(
        "email",
        "password",
        "next_step",
        "login_refused",
        "refuse_cookies",
        "accept_cookies",
        "cookie_words",
        "news_words",
        "close",
        "busy",
        "transient",
        mode="before",
    )(_labels)


class LinxoProfile(_SiteProfile):
    """Every word the Linxo page objects look for, several accepted forms each.

    Defaults are the tutorial's words and what public sources show of Linxo; when Linxo renames
    something, override that field (in code, or in the configuration file's ``[linxo_profile]``).
    """

    login_submit: tuple[str, ...] = ("Je me connecte", "Se connecter", "Connexion", "Valider")
    """The login button."""
    code: tuple[str, ...] = ("Code", "Code de vérification", "Code de confirmation", "code reçu")
    """Labels of the field for the code Linxo sends by e-mail."""
    code_submit: tuple[str, ...] = ("Valider le code", "Valider", "Confirmer", "Continuer")
    """The button sending that code."""
    code_refused: tuple[str, ...] = (
        "Code de confirmation incorrect",
        "code incorrect",
        "code invalide",
        "code saisi a expiré",
    )
    """Texts by which Linxo refuses the code."""
    settings: tuple[str, ...] = ("Paramètres", "Réglages", "⚙")
    """The gear that opens the settings."""
    my_accounts: tuple[str, ...] = ("Mes comptes", "Profil & Comptes", "Profil et comptes")
    """The settings' entry listing the bank connections."""
    updated: tuple[str, ...] = ("Mise à jour", "Mis à jour", "Dernière mise à jour")
    """The words before a connection's last update (« Mise à jour: 28.01.24, 06h33 »)."""
    authenticate: tuple[str, ...] = ("M’authentifier", "S’authentifier", "Se réauthentifier")
    """The button that re-authenticates a connection, on its card and in the confirmation."""
    secure_connection: tuple[str, ...] = ("Connexion sécurisée",)
    """The title of the confirmation shown before going to the bank."""
    cancel: tuple[str, ...] = ("Annuler",)
    """The confirmation's way out (never clicked; tells the confirmation's two buttons apart)."""
    broken: tuple[str, ...] = (
        "authentifier",
        "nouvelle authentification",
        "authentification a échoué",
        "authentification est nécessaire",
        "réauthentification",
        "n’a pas pu être synchronisé",
        "action de votre part",
        "mettre à jour votre mot de passe",
        "information supplémentaire",
        "interrompue",
        "erreur",
        "échec",
        "a échoué",
        "n’était pas disponible",
        "expiré",
    )
    """Words of a connection's message that say it is broken (any message in a connection's
    card that holds one of them)."""

    _linxo_tuples = field_validator(
        "login_submit",
        "code",
        "code_submit",
        "code_refused",
        "settings",
        "my_accounts",
        "updated",
        "authenticate",
        "secure_connection",
        "cancel",
        "broken",
        mode="before",
    )(_labels)


class AssoConnectProfile(_SiteProfile):
    """Every word the AssoConnect page objects look for, several accepted forms each.

    Defaults are the tutorial's words and what public sources show of AssoConnect; override a
    field (in code, or in the configuration file's ``[assoconnect_profile]``) when it changes.
    """

    email: tuple[str, ...] = ("Adresse e-mail", "E-mail", "Email", "Adresse email", "Identifiant")
    login_submit: tuple[str, ...] = ("Se connecter", "Connexion", "Continuer", "Je me connecte")
    """The login button (on a two-step login, the same button sends the e-mail first)."""
    chooser: tuple[str, ...] = (
        "Choisissez une association",
        "Choisir une association",
        "Sélectionnez une association",
        "Mes associations",
        "Vos associations",
    )
    """The title of a page or menu listing the associations to choose from."""
    switcher: tuple[str, ...] = (
        "Changer d’association",
        "Changer de structure",
        "Choisir une association",
        "Mes associations",
        "Changer",
    )
    """Controls that open the list of associations."""
    accounting: tuple[str, ...] = ("Comptabilité",)
    """The menu holding « Rapprochement bancaire »."""
    reconciliation: tuple[str, ...] = ("Rapprochement bancaire",)
    """The menu entry of the reconciliation pages."""
    import_tab: tuple[str, ...] = ("Import depuis votre banque",)
    """The tab listing the bank accounts and their Linxo link."""
    linxo_choice: tuple[str, ...] = ("Sélection du compte Linxo associé",)
    """The title of the list of Linxo accounts one account can be linked to."""
    save: tuple[str, ...] = ("Enregistrer",)
    """The button saving the Linxo account chosen."""
    saved: tuple[str, ...] = ("enregistré", "enregistrées", "enregistrée", "sauvegardé")
    """Words of the confirmation of a save."""
    more_options: tuple[str, ...] = ("Plus d’options",)
    """The toggle showing « Forcer la synchronisation »."""
    sync: tuple[str, ...] = ("Synchroniser",)
    """The button of « Forcer la synchronisation »."""
    sync_started: tuple[str, ...] = (
        "synchronisation a été lancée",
        "synchronisation a bien été lancée",
        "synchronisation lancée",
        "synchronisation est lancée",
        "synchronisation démarrée",
        "import a été lancé",
        "import lancé",
        "a bien été lancée",
        "a été lancée",
    )
    """Words of the confirmation that a sync started."""
    manage: tuple[str, ...] = ("Gérer ses comptes bancaires synchronisés avec Linxo",)
    """The link to the Linxo management page (the fallback)."""
    manage_sync: tuple[str, ...] = ("Lancer la synchronisation", "Synchroniser")
    """The button that syncs one account on the Linxo management page."""
    disconnect: tuple[str, ...] = ("Déconnecter", "Déconnecter votre compte Linxo")
    """Never clicked: known so that nothing near it is mistaken for something else."""
    active: tuple[str, ...] = ("Synchronisation active", "Connexion active")
    """Statuses of an account whose imports work."""
    running: tuple[str, ...] = ("Synchronisation en cours", "Import en cours")
    """Statuses of an account whose sync is running (never clicked again meanwhile)."""
    statuses: tuple[str, ...] = (
        "Erreur lors du dernier import",
        "En attente de vérification par Linxo",
        "En attente de consentement DSP2",
        "Compte bancaire introuvable",
        "Connexion manuelle",
        "Compte bancaire clos",
        "Erreur de synchronisation",
    )
    """The other statuses an account shows (as the page writes them)."""
    last_import: tuple[str, ...] = (
        "dernier import",
        "dernière synchronisation",
        "dernière mise à jour",
    )
    """The words before an account's last import date."""

    _asso_tuples = field_validator(
        "login_submit",
        "chooser",
        "switcher",
        "accounting",
        "reconciliation",
        "import_tab",
        "linxo_choice",
        "save",
        "saved",
        "more_options",
        "sync",
        "sync_started",
        "manage",
        "manage_sync",
        "disconnect",
        "active",
        "running",
        "statuses",
        "last_import",
        mode="before",
    )(_labels)


def now_in_paris() -> datetime:
    """The current time, aware, in Europe/Paris (the sites' time zone)."""
    return datetime.now(PARIS)
