"""What the library reads and returns: frozen, JSON-serialisable pydantic models."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from pydantic import AwareDatetime, SecretStr

from .base import Model
from .errors import ConfigurationError
from .files import APP_NAME
from .secrets import remember
from .text import PARIS

__all__ = [
    "ENV_PREFIX",
    "KEYRING_SERVICE",
    "AssoBankAccount",
    "BankConnection",
    "Credentials",
    "ReauthResult",
    "RestoreReport",
    "SyncResult",
    "import_keyring",
    "now_in_paris",
]


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


class Credentials(Model):
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


class BankConnection(Model):
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


class ReauthResult(Model):
    """A connection re-authenticated at its bank, with the balance Linxo then shows."""

    bank: str
    """The bank's name as Linxo shows it."""
    balance: Decimal | None
    """The balance Linxo shows once the connection is healthy again."""
    completed_at: AwareDatetime
    """When the bank step ended (Europe/Paris)."""
    already_healthy: bool = False
    """True when the connection was healthy and left alone (no bank step was done)."""


class AssoBankAccount(Model):
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


class SyncResult(Model):
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


class RestoreReport(Model):
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


def now_in_paris() -> datetime:
    """The current time, aware, in Europe/Paris (the sites' time zone)."""
    return datetime.now(PARIS)
