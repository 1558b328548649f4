"""``linxo-assoconnect demo``: the whole restore against the offline sandbox, before and after."""

from __future__ import annotations

import sys
import time

from pydantic import SecretStr

from .._core.errors import LinxoAssoconnectError
from .._core.models import AssoBankAccount, BankConnection, Credentials, RestoreReport
from .._core.retry import RetryPolicy
from .._core.text import euros, shown_at
from ..session._async.session import Session
from ..testing import (
    DEMO_ASSOCONNECT,
    DEMO_BANK,
    DEMO_LINXO,
    DEMO_SMS_CODE,
    SCENARIOS,
    DemoLogin,
    Sandbox,
)
from ._results import EXIT_CODES, outcome_of

__all__ = ["run_demo"]


def _credentials(login: DemoLogin) -> Credentials:
    return Credentials(username=login.username, password=SecretStr(login.password))


def _connection_line(connection: BankConnection) -> str:
    if connection.healthy:
        balance = "" if connection.balance is None else f"  solde {euros(connection.balance)}"
        return f"OK, mise à jour {shown_at(connection.updated_at)}{balance}"
    return f"EN ERREUR : {connection.message}"


def _account_line(account: AssoBankAccount) -> str:
    linked = (
        f" (compte Linxo : {account.linxo_account})"
        if account.linxo_account
        else " (aucun compte Linxo associé)"
    )
    return f"{account.status}{linked}"


def format_report(report: RestoreReport, seconds: float) -> str:
    """The before/after table a treasurer reads."""
    lines = ["", "Linxo : connexions bancaires"]
    after = {c.bank: c for c in report.connections_after}
    for before in report.connections_before:
        lines.append(f"  {before.bank}")
        lines.append(f"    avant : {_connection_line(before)}")
        lines.append(f"    après : {_connection_line(after[before.bank])}")
    lines += ["", f"AssoConnect : {report.association}, Import depuis votre banque"]
    accounts_after = {a.name: a for a in report.accounts_after}
    for before_account in report.accounts_before:
        lines.append(f"  {before_account.name}")
        lines.append(f"    avant : {_account_line(before_account)}")
        lines.append(f"    après : {_account_line(accounts_after[before_account.name])}")
    lines.append("")
    for reauth in report.reauthentications:
        lines.append(f"Réauthentifié auprès de la banque : {reauth.bank}")
    for sync in report.syncs:
        how = (
            " via « Gérer ses comptes bancaires synchronisés avec Linxo »"
            if sync.used_fallback
            else ""
        )
        lines.append(
            f"Synchronisation forcée : {sync.account}, {sync.attempts} clic(s){how} → {sync.status}"
        )
    verdict = "Tout est rétabli." if report.ok else "Il reste des problèmes (voir ci-dessus)."
    lines.append(f"{verdict} ({seconds:.1f} s)")
    return "\n".join(lines)


async def run_demo(
    scenario: str, *, markup: str = "a", headed: bool = False, as_json: bool = False
) -> int:
    """Restore the sandbox's broken connection and accounts; print before and after."""
    sandbox = Sandbox(SCENARIOS[scenario].model_copy(update={"variant": markup}))
    print(
        "Bac à sable hors ligne : Linxo, AssoConnect et « Banque Exemple » "
        f"(scénario {scenario}, balisage {markup}).",
        file=sys.stderr,
    )
    started = time.monotonic()
    session = Session(
        headless=not headed,
        save_logins=False,  # the demo's logins are the sandbox's: nothing worth keeping
        on_context=sandbox.attach_async,
        retry=RetryPolicy(initial_wait=0.2, max_wait=2.0, deadline=60.0),
        timeout=15.0,
        bank_timeout=30.0,
    )
    try:
        async with session:
            report = await session.restore(
                association="Association Exemple",
                linxo=_credentials(DEMO_LINXO),
                assoconnect=_credentials(DEMO_ASSOCONNECT),
                bank=_credentials(DEMO_BANK),
                otp=lambda: DEMO_SMS_CODE,
            )
    except LinxoAssoconnectError as error:
        print(f"Échec : {type(error).__name__}: {error}", file=sys.stderr)
        print(f"Balisage : {sandbox.markup.describe()}", file=sys.stderr)
        if error.evidence is not None and str(error.evidence) not in str(error):
            print(f"Ce que montrait la page : {error.evidence}", file=sys.stderr)
        return EXIT_CODES[outcome_of(error)]  # the codes of `--help`, as for `restore`
    if as_json:
        print(report.model_dump_json(indent=2))
    else:
        print(format_report(report, time.monotonic() - started))
    blocked = [e.subject for e in sandbox.record.blocked]
    if blocked:
        print(f"Requêtes bloquées (hors bac à sable) : {', '.join(blocked)}", file=sys.stderr)
    return 0 if report.ok else 1
