"""« Forcer la synchronisation » on AssoConnect only, for one account or all of them.

Nothing is done on Linxo: use this when the Linxo connection is healthy and AssoConnect just
has to import again. An unlinked account is first linked to the Linxo account whose name
matches (or the one given with ``--linxo-account``). Prints each `SyncResult`. Exit code 0 when
every sync took, 1 when one did not (the next accounts are still tried), 2 to 5 when an error
stopped it (as `linxo-assoconnect` says).

    python examples/force_sync.py "Mon Association"                 # every account
    python examples/force_sync.py "Mon Association" --account "Livret A"
    python examples/force_sync.py --sandbox --scenario transient_5xx
"""

from __future__ import annotations

import argparse
import sys

from _setup import add_options, explain, setup_from

from linxo_assoconnect import LinxoAssoconnectError, SyncFailed, SyncResult


def describe(result: SyncResult) -> str:
    return (
        f"{result.account} : ok={result.ok} status=« {result.status} » "
        f"attempts={result.attempts} used_fallback={result.used_fallback} "
        f"finished_at={result.finished_at:%d/%m/%Y %H:%M:%S}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser)
    parser.add_argument("--account", help="the AssoConnect account (default: every account)")
    parser.add_argument("--linxo-account", help="the Linxo account to link it to, if unlinked")
    options = parser.parse_args(argv)
    every_sync_took = True
    try:
        setup = setup_from(options)
        with setup.session() as session:
            tab = session.rapprochement(setup.assoconnect, setup.association)
            names = [options.account] if options.account else [a.name for a in tab.accounts()]
            for name in names:
                try:
                    result = tab.force_sync(name, linxo_account=options.linxo_account)
                except SyncFailed as error:  # the next account may still sync
                    explain(error)
                    every_sync_took = False
                    continue
                print(describe(result))
                every_sync_took = every_sync_took and result.ok
    except LinxoAssoconnectError as error:
        return explain(error)
    return 0 if every_sync_took else 1


if __name__ == "__main__":
    sys.exit(main())
