"""Say whether one association's bank entries still reach AssoConnect; change nothing.

Prints each Linxo connection (state, « Mise à jour », balance) and each AssoConnect account
(status, linked Linxo account, last import). Exit code 0 when everything is healthy, 1 when
something needs a restore (examples/restore_one.py), 2 to 5 when the check itself could not be
done (as `linxo-assoconnect` says): fit for a scheduled run.

    python examples/check_status.py "Mon Association"     # logins: see examples/_setup.py
    python examples/check_status.py --sandbox             # the offline sandbox, demo scenario
    python examples/check_status.py --sandbox --scenario healthy
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from decimal import Decimal

from _setup import add_options, explain, setup_from

from linxo_assoconnect import AssoBankAccount, BankConnection, LinxoAssoconnectError


def when(moment: datetime | None) -> str:
    return moment.strftime("%d/%m/%Y %H:%M") if moment else "jamais"


def euros(amount: Decimal) -> str:
    return f"{amount:,.2f} €".replace(",", " ").replace(".", ",")


def connection_line(connection: BankConnection) -> str:
    if not connection.healthy:
        return f"EN ERREUR : {connection.message or 'connexion perdue'}"
    balance = "" if connection.balance is None else f", solde {euros(connection.balance)}"
    return f"OK, mise à jour {when(connection.updated_at)}{balance}"


def account_line(account: AssoBankAccount) -> str:
    state = "OK" if account.sync_active else "À RÉTABLIR"
    linked = account.linxo_account or "aucun compte Linxo associé"
    return (
        f"{state} : {account.status or 'sans statut'} (compte Linxo : {linked}), "
        f"dernier import {when(account.last_import)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser)
    options = parser.parse_args(argv)
    try:
        setup = setup_from(options)
        with setup.session() as session:
            connections = session.linxo(setup.linxo).connections()
            accounts = session.rapprochement(setup.assoconnect, setup.association).accounts()
    except LinxoAssoconnectError as error:
        return explain(error)

    print(f"Linxo ({setup.linxo.username}) : connexions bancaires")
    for connection in connections:
        print(f"  {connection.bank} : {connection_line(connection)}")
    print(f"AssoConnect ({setup.association}) : Import depuis votre banque")
    for account in accounts:
        print(f"  {account.name} : {account_line(account)}")

    to_restore = [c.bank for c in connections if not c.healthy]
    to_restore += [a.name for a in accounts if not a.sync_active or a.linxo_account is None]
    if to_restore:
        print(f"À restaurer : {', '.join(to_restore)}.")
        return 1
    print("Tout va bien.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
