"""When each bank's PSD2 consent was last given, as far as this tool knows, to foresee expiry."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from .._core.files import write_private
from .._core.models import BankConnection, now_in_paris
from .._core.secrets import logger
from .._core.text import fold

__all__ = ["Consent", "ConsentBook"]

Source = Literal["performed", "seen"]


class Consent(BaseModel):
    """What is known of one connection's consent."""

    model_config = ConfigDict(extra="forbid")

    authenticated_at: AwareDatetime | None = None
    """The last bank authentication this tool performed, or noticed a person had done."""
    source: Source | None = None
    healthy: bool | None = None
    """How the connection was last seen."""


class ConsentBook:
    """``consent.json`` in the state folder: per Linxo user and bank, the last authentication.

    ``performed``: this tool re-authenticated the connection. ``seen``: a connection this tool
    saw broken was healthy the next time, so a person re-authenticated it in between (dated by
    Linxo's « Mise à jour », the best estimate there is).
    """

    FILE = "consent.json"

    def __init__(self, path: Path, entries: dict[str, dict[str, Consent]]) -> None:
        self.path = path
        self.entries = entries

    @classmethod
    def open(cls, state_dir: Path) -> ConsentBook:
        """The book in ``state_dir`` (empty if there is none yet, or it cannot be read)."""
        path = state_dir / cls.FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries = {
                user: {bank: Consent.model_validate(c) for bank, c in banks.items()}
                for user, banks in raw.items()
            }
        except FileNotFoundError:
            entries = {}
        except (OSError, ValueError, AttributeError, ValidationError):
            logger.warning("%s cannot be read: consent dates start afresh", path)
            entries = {}
        return cls(path, entries)

    def _entry(self, user: str, bank: str) -> Consent:
        return self.entries.setdefault(user.casefold(), {}).setdefault(fold(bank), Consent())

    def performed(self, user: str, bank: str, at: datetime) -> None:
        """The tool re-authenticated ``bank`` for Linxo user ``user`` at ``at``."""
        entry = self._entry(user, bank)
        entry.authenticated_at, entry.source, entry.healthy = at, "performed", True

    def observe(self, user: str, connections: list[BankConnection]) -> None:
        """Note how each connection is now; broken then healthy means a person re-authenticated."""
        for connection in connections:
            entry = self._entry(user, connection.bank)
            if connection.healthy and entry.healthy is False:
                entry.authenticated_at = connection.updated_at or now_in_paris()
                entry.source = "seen"
            entry.healthy = connection.healthy

    def expiry(self, user: str, bank: str, days: int) -> tuple[datetime | None, Source | None]:
        """When the consent of ``bank`` should expire, and how that is known; (None, None)
        when the tool never saw it given."""
        entry = self.entries.get(user.casefold(), {}).get(fold(bank))
        if entry is None or entry.authenticated_at is None:
            return None, None
        return entry.authenticated_at + timedelta(days=days), entry.source

    def save(self) -> None:
        """Write the book (atomically); a failure is logged, never raised."""
        data = {
            user: {bank: c.model_dump(mode="json") for bank, c in banks.items()}
            for user, banks in self.entries.items()
        }
        try:
            write_private(self.path, json.dumps(data, indent=2, sort_keys=True).encode())
        except OSError as error:
            logger.warning(
                "could not write %s (%s): this run's consent dates are not kept",
                self.path,
                error.strerror or error,
            )
