"""What the library reads and returns: frozen, JSON-serialisable pydantic models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, ConfigDict, SecretStr, field_validator

from ._text import PARIS

__all__ = [
    "AssoBankAccount",
    "BankConnection",
    "BankProfile",
    "Credentials",
    "ReauthResult",
    "RestoreReport",
    "SyncResult",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Credentials(_Model):
    """A login. The password is a `SecretStr`: masked in reprs, logs and JSON."""

    username: str
    password: SecretStr

    def __str__(self) -> str:
        return f"{self.username} / **********"


class BankConnection(_Model):
    """One bank connection on Linxo's « Mes comptes » page, as a person sees it."""

    bank: str
    healthy: bool
    message: str | None = None
    """The error Linxo shows for a broken connection, if any."""
    updated_at: AwareDatetime | None = None
    """« Mise à jour: 28.01.24, 06h33 »."""
    balance: Decimal | None = None
    """Shown only while the connection is healthy."""


class ReauthResult(_Model):
    """A connection re-authenticated at its bank, with the balance Linxo then shows."""

    bank: str
    balance: Decimal | None
    completed_at: AwareDatetime
    already_healthy: bool = False
    """True when the connection was healthy and left alone (no bank step was done)."""


class AssoBankAccount(_Model):
    """One bank account of the association on AssoConnect's « Import depuis votre banque » tab."""

    name: str
    sync_active: bool
    status: str | None
    """The label as shown, e.g. « Erreur lors du dernier import »."""
    linxo_account: str | None
    """The Linxo account selected in « Sélection du compte Linxo associé », if any."""


class SyncResult(_Model):
    """The outcome of a forced synchronisation."""

    account: str
    ok: bool
    status: str
    attempts: int
    used_fallback: bool
    finished_at: AwareDatetime


class RestoreReport(_Model):
    """What `restore` found and left: every connection and account, before and after."""

    association: str
    connections_before: list[BankConnection]
    connections_after: list[BankConnection]
    reauthentications: list[ReauthResult]
    accounts_before: list[AssoBankAccount]
    accounts_after: list[AssoBankAccount]
    syncs: list[SyncResult]

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
    password: tuple[str, ...] = ("Mot de passe", "Code secret", "Code personnel")
    submit: tuple[str, ...] = ("Valider", "Se connecter", "Continuer", "Connexion")
    code: tuple[str, ...] = ("Code reçu par SMS", "Code de sécurité", "Code SMS", "Code")
    code_submit: tuple[str, ...] = ("Valider", "Confirmer", "Continuer")
    wrong_password: tuple[str, ...] = (
        "mot de passe incorrect",
        "identifiant ou mot de passe incorrect",
        "identifiants incorrects",
    )
    wrong_code: tuple[str, ...] = ("code incorrect", "code erroné", "code invalide")
    app_validation: tuple[str, ...] = (
        "Validez l’opération dans votre application",
        "validation dans votre application",
        "Confirmez sur votre téléphone",
    )

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


def now_in_paris() -> datetime:
    """The current time, aware, in Europe/Paris (the sites' time zone)."""
    return datetime.now(PARIS)
