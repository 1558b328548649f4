"""Restore one association with `Session.restore` and print what it found and left.

The whole tutorial: « M'authentifier » on each broken Linxo connection and the bank's own
authentication, then on AssoConnect each account re-linked if needed and its synchronisation
forced and checked. Exit code 0 when everything is healthy afterwards, 1 when something is
still broken, 2 to 5 when an error stopped the restore (as `linxo-assoconnect` says: 3 a
person must act, 4 the site changed, 5 a site stayed unavailable).

    python examples/restore_one.py "Mon Association"     # logins: see examples/_setup.py
    python examples/restore_one.py --sandbox             # the offline sandbox, demo scenario
    python examples/restore_one.py --sandbox --scenario wrong_password
"""

from __future__ import annotations

import argparse
import sys

from _setup import add_options, explain, setup_from

from linxo_assoconnect import LinxoAssoconnectError, RestoreReport


def print_report(report: RestoreReport) -> None:
    after = {c.bank: c for c in report.connections_after}
    print("Linxo : connexions bancaires")
    for before in report.connections_before:
        healthy_now = after[before.bank].healthy
        print(f"  {before.bank} : avant {state(before.healthy)}, après {state(healthy_now)}")
    accounts_after = {a.name: a for a in report.accounts_after}
    print(f"AssoConnect ({report.association}) : Import depuis votre banque")
    for account in report.accounts_before:
        now = accounts_after[account.name]
        print(f"  {account.name} : avant « {account.status} », après « {now.status} »")
        if account.linxo_account != now.linxo_account:
            print(f"    associé au compte Linxo « {now.linxo_account} »")
    for reauth in report.reauthentications:
        if not reauth.already_healthy:
            print(f"Réauthentifié auprès de la banque : {reauth.bank}")
    for sync in report.syncs:
        print(f"Synchronisation forcée : {sync.account} → {sync.status} ({sync.attempts} clic(s))")


def state(healthy: bool) -> str:
    return "OK" if healthy else "EN ERREUR"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser)
    options = parser.parse_args(argv)
    try:
        setup = setup_from(options)
        with setup.session() as session:
            report = session.restore(
                association=setup.association,
                linxo=setup.linxo,
                assoconnect=setup.assoconnect,
                bank=setup.bank,
                otp=setup.otp,
            )
    except LinxoAssoconnectError as error:
        return explain(error)
    print_report(report)
    if report.ok:
        print("Tout est rétabli.")
        return 0
    print("Il reste des problèmes (voir ci-dessus).")
    return 1


if __name__ == "__main__":
    sys.exit(main())
