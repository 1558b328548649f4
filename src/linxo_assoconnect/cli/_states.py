"""What `status` tells of an association: its connections with their consent's expiry, and
what `restore` would do."""

from __future__ import annotations

from datetime import timedelta

from .._core.errors import AccountNotFound
from .._core.models import AssoBankAccount, BankConnection, now_in_paris
from .._core.text import fold, linked_to
from ._config import AssociationConfig, Config
from ._consent import ConsentBook
from ._results import ConnectionState

__all__ = ["connection_states", "plan"]


def connection_states(
    association: AssociationConfig,
    connections: list[BankConnection],
    consent: ConsentBook,
    config: Config,
) -> list[ConnectionState]:
    """The association's Linxo connections (those of the banks it names, if it names any),
    each with its consent's expected expiry; `AccountNotFound` for a bank Linxo lacks."""
    banks = {link.bank for link in association.accounts if link.bank}
    for bank in banks:
        if not any(_same_bank(bank, c.bank) for c in connections):
            raise AccountNotFound(
                f"Aucune connexion Linxo ne correspond à la banque « {bank} » de la "
                f"configuration (connexions : {', '.join(c.bank for c in connections)}).",
                wanted=bank,
                choices=[c.bank for c in connections],
            )
    soon = now_in_paris() + timedelta(days=config.warn_days)
    states = []
    for connection in connections:
        if banks and not any(_same_bank(bank, connection.bank) for bank in banks):
            continue  # the Linxo user's other associations' banks
        expires, source = consent.expiry(
            association.linxo.username, connection.bank, config.consent_days
        )
        states.append(
            ConnectionState(
                bank=connection.bank,
                healthy=connection.healthy,
                message=connection.message,
                updated_at=connection.updated_at,
                balance=None if connection.balance is None else str(connection.balance),
                consent_expires=expires,
                consent_known_from=source,
                expires_soon=connection.healthy and expires is not None and expires <= soon,
            )
        )
    return states


def _same_bank(configured: str, shown: str) -> bool:
    """A bank named in the configuration is this connection (case, accents, part of it)."""
    return fold(configured) in fold(shown)


def plan(
    association: AssociationConfig,
    connections: list[BankConnection],
    accounts: list[AssoBankAccount],
) -> list[str]:
    """What `restore` would do, in the tutorial's order."""
    steps = [
        f"Linxo : « M’authentifier » sur {c.bank}, puis l’authentification de la banque"
        for c in connections
        if not c.healthy
    ]
    for account in accounts:
        if account.sync_active:
            continue
        if account.linxo_account is None:
            target = linked_to(association.links, account.name) or "le compte Linxo du même nom"
            steps.append(f"AssoConnect : associer « {account.name} » à « {target} », Enregistrer")
        steps.append(f"AssoConnect : « Forcer la synchronisation » de « {account.name} »")
    return steps
