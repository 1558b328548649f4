"""What one half of the restore found, did and left, and the report made of both halves."""

from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

from .._core.models import AssoBankAccount, BankConnection, ReauthResult, RestoreReport, SyncResult

__all__ = ["Repair", "report"]

Item = TypeVar("Item")
Action = TypeVar("Action")


class Repair(NamedTuple, Generic[Item, Action]):
    before: list[Item]
    done: list[Action]
    after: list[Item]


def report(
    association: str,
    linxo: Repair[BankConnection, ReauthResult],
    assoconnect: Repair[AssoBankAccount, SyncResult],
) -> RestoreReport:
    return RestoreReport(
        association=association,
        connections_before=linxo.before,
        connections_after=linxo.after,
        reauthentications=linxo.done,
        accounts_before=assoconnect.before,
        accounts_after=assoconnect.after,
        syncs=assoconnect.done,
    )
