"""The sandbox's mutable state (what each site holds now) and its record (what happened)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "PARIS",
    "AssoAccount",
    "Association",
    "Connection",
    "Event",
    "LinxoAccount",
    "Record",
    "SyncJob",
    "now",
]

PARIS = ZoneInfo("Europe/Paris")

SYNC_ACTIVE = "Synchronisation active"
SYNC_RUNNING = "Synchronisation en cours"
IMPORT_ERROR = "Erreur lors du dernier import"
NOT_FOUND = "Compte bancaire introuvable"
AWAITING_LINXO = "En attente de vérification par Linxo"


def now() -> datetime:
    """The sandbox's clock: aware, Europe/Paris, to the second (as the sites display it)."""
    return datetime.now(PARIS).replace(microsecond=0)


@dataclass
class LinxoAccount:
    name: str
    balance: Decimal


@dataclass
class Connection:
    id: str
    bank: str
    healthy: bool
    updated_at: datetime
    accounts: list[LinxoAccount]
    owner: str
    """The Linxo user whose « Mes comptes » shows it."""

    @property
    def balance(self) -> Decimal:
        return sum((a.balance for a in self.accounts), Decimal(0))


@dataclass
class SyncJob:
    """An import started at a monotonic instant; its outcome is known once it has run."""

    started: float
    duration: float
    ok: bool

    @property
    def running(self) -> bool:
        return time.monotonic() < self.started + self.duration


@dataclass
class AssoAccount:
    id: str
    name: str
    iban: str
    linxo_account: str | None
    status: str
    last_import: datetime | None
    job: SyncJob | None = None

    def settle(self) -> None:
        """Apply the outcome of a finished import to the account's status."""
        if self.job is None or self.job.running:
            return
        if self.job.ok:
            self.status = SYNC_ACTIVE
            self.last_import = now()
        else:
            self.status = IMPORT_ERROR
        self.job = None

    @property
    def shown_status(self) -> str:
        self.settle()
        return SYNC_RUNNING if self.job is not None else self.status

    @property
    def sync_active(self) -> bool:
        return self.shown_status == SYNC_ACTIVE


@dataclass
class Association:
    id: str
    name: str
    accounts: list[AssoAccount]
    linxo_user: str
    """The Linxo user whose accounts can be linked to this association's accounts."""


EventKind = Literal[
    "login",
    "bank_credentials",
    "bank_code",
    "bank_app_validation",
    "linxo_code",
    "consent",
    "reauthentication",
    "link",
    "sync_click",
    "disconnect",
    "blocked_request",
]


@dataclass(frozen=True)
class Event:
    """One thing that happened on a sandboxed site. Never holds a password or a code."""

    kind: EventKind
    """What happened: « login », « bank_credentials », « linxo_code », « sync_click »,
    « disconnect », « consent »…"""
    site: str
    """The site: « linxo », « assoconnect », « bank » (« elsewhere » for a blocked request)."""
    subject: str = ""
    """Whom or what it concerns: a user name, an account, a bank."""
    outcome: str = ""
    """How it ended: « ok », « refused », the Linxo account chosen for a link…"""
    where: str = ""
    """Where a sync was clicked: from « Plus d'options » or the Linxo management page."""


@dataclass
class Record:
    """What happened in the sandbox, in order, for tests to assert on."""

    events: list[Event] = field(default_factory=list)
    """Everything, in order."""
    requests: list[str] = field(default_factory=list)
    """Every request served, as « METHOD URL »."""

    def add(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: EventKind, **match: str) -> list[Event]:
        """Events of one kind, optionally filtered on their fields (``subject="Livret A"``)."""
        return [
            e
            for e in self.events
            if e.kind == kind and all(getattr(e, k) == v for k, v in match.items())
        ]

    @property
    def logins(self) -> list[Event]:
        """Every login submitted, accepted or refused, on Linxo and AssoConnect."""
        return self.of("login")

    @property
    def credential_submissions(self) -> list[Event]:
        """Every identifier and password submitted to the bank."""
        return self.of("bank_credentials")

    @property
    def code_submissions(self) -> list[Event]:
        """Every one-time code submitted to the bank."""
        return self.of("bank_code")

    @property
    def linxo_code_submissions(self) -> list[Event]:
        """Every code submitted to Linxo (the one it sends by e-mail), never its value."""
        return self.of("linxo_code")

    @property
    def consents(self) -> list[Event]:
        """Every answer to a cookie banner: outcome « accepted » or « refused »."""
        return self.of("consent")

    @property
    def sync_clicks(self) -> list[Event]:
        """Every click on « Synchroniser », from « Plus d'options » or the Linxo page."""
        return self.of("sync_click")

    @property
    def disconnects(self) -> list[Event]:
        """Every click on « Déconnecter votre compte Linxo » (a tool must make none)."""
        return self.of("disconnect")

    @property
    def blocked(self) -> list[Event]:
        """Every request to a host the sandbox does not serve (aborted)."""
        return self.of("blocked_request")
