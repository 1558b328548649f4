"""What a command found and did, association by association, and its exit code."""

from __future__ import annotations

import signal
import time
from collections.abc import Sequence
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from .._core.errors import (
    BankAuthFailed,
    ConfigurationError,
    HumanActionRequired,
    LinxoAssoconnectError,
    LoginFailed,
    LoginRequired,
    PageChanged,
    TransientSiteError,
)
from .._core.models import AssoBankAccount, SyncResult
from .._core.secrets import redact

__all__ = [
    "EXIT_CODES",
    "URGENCY",
    "AccountState",
    "AssociationResult",
    "ConnectionState",
    "Interrupted",
    "Outcome",
    "Summary",
    "account_state",
    "exit_code",
    "expiring",
    "failed",
    "interrupted",
    "outcome_of",
    "summary",
    "verdict",
]

Outcome = Literal[
    "ok",
    "fixed",
    "broken",
    "person",
    "site_changed",
    "transient",
    "failed",
    "config",
    "interrupted",
]

EXIT_CODES: dict[Outcome, int] = {
    "ok": 0,
    "fixed": 0,
    "broken": 1,
    "failed": 1,
    "config": 2,
    "person": 3,
    "site_changed": 4,
    "transient": 5,
    "interrupted": 130,
}
"""The command's exit code for each outcome; the run exits with the most urgent (`URGENCY`)."""

URGENCY: tuple[Outcome, ...] = (
    "interrupted",
    "site_changed",
    "person",
    "transient",
    "config",
    "failed",
    "broken",
)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConnectionState(_Model):
    """A Linxo connection as `status` shows it, with its consent's expected expiry."""

    bank: str
    healthy: bool
    message: str | None
    updated_at: AwareDatetime | None
    balance: str | None
    consent_expires: AwareDatetime | None
    """180 days (``consent_days``) after the last bank authentication this tool did or saw."""
    consent_known_from: Literal["performed", "seen"] | None
    expires_soon: bool


class AccountState(_Model):
    """An AssoConnect account as `status` shows it."""

    name: str
    sync_active: bool
    status: str | None
    linxo_account: str | None
    last_import: AwareDatetime | None


class AssociationResult(_Model):
    """What one association looked like and what was done to it."""

    association: str
    outcome: Outcome
    connections: list[ConnectionState] = Field(default_factory=list)
    accounts: list[AccountState] = Field(default_factory=list)
    reauthenticated: list[str] = Field(default_factory=list)
    syncs: list[SyncResult] = Field(default_factory=list)
    planned: list[str] = Field(default_factory=list)
    """With ``--dry-run``: what restore would do, in order."""
    resumed: bool = False
    """Done again in a new browser after the first one went away (the sites' state read
    first: nothing that had gone through was done twice)."""
    error: str | None = None
    """The error's name (`HumanActionRequired`, `PageChanged`…), if it failed."""
    message: str | None = None
    evidence: str | None = None


class Summary(_Model):
    """A whole run: every association's result and the exit code."""

    command: str
    results: list[AssociationResult]
    seconds: float
    exit_code: int
    stopped_by: str | None = None
    """The signal that stopped the run (« SIGTERM »), if one did: the exit code is then
    128 + its number (130 for SIGINT, 143 for SIGTERM)."""


class Interrupted(LinxoAssoconnectError):
    """The run was asked to stop (a signal) before this step: it was not started."""


def outcome_of(error: BaseException) -> Outcome:
    """How urgent an error is, for the exit code."""
    if isinstance(error, ConfigurationError):
        return "config"
    if isinstance(error, PageChanged):
        return "site_changed"
    if isinstance(error, (HumanActionRequired, LoginFailed, LoginRequired, BankAuthFailed)):
        return "person"
    if isinstance(error, TransientSiteError):
        return "transient"
    return "failed"


def exit_code(results: Sequence[AssociationResult]) -> int:
    """The exit code of the most urgent outcome among ``results``."""
    for outcome in URGENCY:
        if any(r.outcome == outcome for r in results):
            return EXIT_CODES[outcome]
    return 0


def interrupted(association: str, message: str, **known: object) -> AssociationResult:
    """An association the run stopped before its end; ``known``: what it did before."""
    return AssociationResult(
        association=association, outcome="interrupted", message=message, **known
    )


def failed(association: str, error: BaseException, **known: object) -> AssociationResult:
    evidence = getattr(error, "evidence", None)
    message = str(error)
    if not isinstance(error, LinxoAssoconnectError):  # not written for a treasurer: first line
        message = redact(message.splitlines()[0] if message else type(error).__name__)
    return AssociationResult(
        association=association,
        outcome=outcome_of(error),
        error=type(error).__name__,
        message=message,
        evidence=str(evidence) if evidence else None,
        **known,
    )


def account_state(account: AssoBankAccount) -> AccountState:
    return AccountState(
        name=account.name,
        sync_active=account.sync_active,
        status=account.status,
        linxo_account=account.linxo_account,
        last_import=account.last_import,
    )


def verdict(result: AssociationResult) -> str:
    words = {
        "ok": "en bon état",
        "fixed": "rétabli",
        "broken": "à rétablir",
        "interrupted": "arrêté avant la fin",
    }
    return words.get(result.outcome, f"échec ({result.error})")


def summary(
    command: str,
    results: list[AssociationResult],
    started: float,
    stopped_by: signal.Signals | None = None,
) -> Summary:
    """The run's summary, with its exit code (128 + the signal's number if one stopped it)."""
    return Summary(
        command=command,
        results=results,
        seconds=round(time.monotonic() - started, 1),
        exit_code=exit_code(results) if stopped_by is None else 128 + stopped_by.value,
        stopped_by=None if stopped_by is None else stopped_by.name,
    )


def expiring(results: list[AssociationResult]) -> list[tuple[str, ConnectionState]]:
    """(association, connection) whose consent expires soon."""
    return [(r.association, c) for r in results for c in r.connections if c.expires_soon]
