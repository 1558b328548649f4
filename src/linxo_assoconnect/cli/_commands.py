"""What `status`, `restore`, `sync`, `mail` and `config check` do, from a configuration."""

from __future__ import annotations

import asyncio
import getpass
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from .._core.errors import ConfigurationError
from .._core.files import default_state_dir
from .._core.models import Credentials
from .._core.otp import AsyncOtp
from .._core.secrets import logger
from .._core.text import euros, fold, shown_at
from ..session._lanes import LanedSession
from ._codes import linxo_codes
from ._config import AssociationConfig, Config, load_config
from ._consent import ConsentBook
from ._guard import stopped_by_signals
from ._lock import run_lock
from ._mail import MailAlert, alerts_from_files, alerts_from_imap
from ._many import Run
from ._results import (
    EXIT_CODES,
    AssociationResult,
    ConnectionState,
    Summary,
    expiring,
    summary,
)

__all__ = ["check_config", "list_mail", "run_command"]

EXIT_USAGE = EXIT_CODES["config"]


def _say(quiet: bool) -> Callable[[str, str], None]:
    def progress(association: str, step: str) -> None:
        if not quiet:
            print(f"[{association}] {step}", file=sys.stderr, flush=True)

    return progress


def _sandbox(config: Config) -> Any:
    """The built-in sandbox the configuration asks for, if any."""
    if config.sandbox is None:
        return None
    from ..testing import Sandbox
    from ..testing._scenario import scenario_from

    return Sandbox(scenario_from(config.sandbox))


def _session(config: Config, sandbox: Any, state_dir: Path) -> LanedSession:
    return LanedSession(
        headless=not config.chromium.headed,
        endpoint=config.chromium.endpoint,
        executable=config.chromium.executable,
        state_dir=state_dir,
        evidence_dir=config.evidence_dir,
        trace=config.trace,
        retry=config.retry,
        timeout=config.timeout,
        bank_timeout=config.bank_timeout,
        linxo_profile=config.linxo_profile,
        assoconnect_profile=config.assoconnect_profile,
        on_context=sandbox.attach_async if sandbox is not None else None,
    )


def _bank_step(
    associations: list[AssociationConfig], sandbox: Any
) -> tuple[Callable[[str, str], Credentials | None], AsyncOtp | None]:
    """Who fills the bank's form: the sandbox's simulated person; else, for the banks an
    association names in ``accounts``, its bank login with a code typed here; else a person
    in the bank's window."""
    if sandbox is not None:
        from ..testing import DEMO_BANK

        demo = Credentials(username=DEMO_BANK.username, password=SecretStr(DEMO_BANK.password))
        code = sandbox.scenario.sms_code.get_secret_value()
        return (lambda user, bank: demo), (lambda: code)
    logins: dict[tuple[str, str], Credentials] = {}
    for association in associations:
        if association.bank is not None:
            login = association.bank.credentials("bank")
            for link in association.accounts:
                if link.bank:
                    logins[(association.linxo.username.casefold(), fold(link.bank))] = login

    def bank_login(user: str, bank: str) -> Credentials | None:
        return next(
            (
                login
                for (who, name), login in logins.items()
                if who == user.casefold() and name in fold(bank)
            ),
            None,
        )

    if not logins or not sys.stdin.isatty():
        return bank_login, None

    async def typed_here() -> str:
        prompt = "Code reçu de la banque (la fenêtre du navigateur dit laquelle) : "
        return await asyncio.to_thread(getpass.getpass, prompt)

    return bank_login, typed_here


def _from_mail(
    config: Config, names: list[str], alerts: list[MailAlert]
) -> tuple[list[str], list[AssociationResult]]:
    """The alerted associations the configuration knows (among ``names``, if any), and a
    result for each it does not."""
    known = {fold(a.name) for a in config.associations}
    wanted = {fold(name) for name in names}
    picked = [
        a.association
        for a in alerts
        if fold(a.association) in known and (not wanted or fold(a.association) in wanted)
    ]
    unknown = [
        AssociationResult(
            association=alert.association,
            outcome="config",
            error="ConfigurationError",
            message="Association absente de la configuration : ajoutez-la pour la rétablir.",
        )
        for alert in alerts
        if fold(alert.association) not in known
    ]
    return picked, unknown


async def run_command(
    command: str,
    config: Config,
    names: list[str],
    *,
    quiet: bool = False,
    dry_run: bool = False,
    mail_alerts: list[MailAlert] | None = None,
) -> Summary:
    """``status``, ``restore`` or ``sync`` over the associations named (all if none).

    Every password and the webhook are looked up first: a mistake there changes nothing on
    any site.
    """
    started = time.monotonic()
    unknown: list[AssociationResult] = []
    if mail_alerts is not None:
        names, unknown = _from_mail(config, names, mail_alerts)
        if not names:
            return summary(command, unknown, started)
    associations = config.pick(names)
    sandbox = _sandbox(config)
    state_dir = config.state_dir or default_state_dir()
    if sandbox is not None:  # the sandbox's logins and consent dates are not the user's
        state_dir = state_dir / "sandbox"
    # One run at a time per state folder: its logins and consent book are read and written.
    with run_lock(state_dir, command=command, wait=config.lock_wait):
        consent = ConsentBook.open(state_dir)
        bank, otp = _bank_step(associations, sandbox)
        session = _session(config, sandbox, state_dir)
        run = Run(
            config,
            session,
            consent=consent,
            bank=bank,
            otp=otp,
            linxo_codes=linxo_codes(config, sandbox),
            person=sandbox is None,
            progress=_say(quiet),
        )
        run.credentials(associations, linxo_too=command != "sync")
        webhook = _webhook(config)
        with stopped_by_signals(run.guard) as stopped:
            try:
                async with session:
                    if command == "status" or dry_run:
                        results = await run.status(associations)
                    elif command == "restore":
                        results = await run.restore(associations)
                    else:
                        results = await run.sync(associations)
            finally:
                consent.save()
    done = summary(command, unknown + results, started, stopped_by=stopped[0] if stopped else None)
    if webhook is not None:
        await _notify(webhook, done)
    return done


def _webhook(config: Config) -> tuple[str, dict[str, str], str | None] | None:
    """The webhook's address, headers and topic, read now: a missing variable or extra is a
    set-up mistake to report before any site is touched."""
    if config.webhook is None:
        return None
    import importlib.util

    from ._config import reveal
    from ._notify import missing_extra

    if importlib.util.find_spec("httpx") is None:
        raise missing_extra()
    hook = config.webhook
    headers = {
        name: reveal(value, service="webhook", username=name).get_secret_value()
        for name, value in hook.headers.items()
    }
    return hook.address(), headers, hook.topic


async def _notify(webhook: tuple[str, dict[str, str], str | None], done: Summary) -> None:
    """The webhook, for what a person must do: act, or re-authenticate before expiry. A
    notification that cannot be sent is logged; it never changes the run's outcome."""
    from ._notify import Notification, send_webhook

    notes: list[Notification] = []
    for result in done.results:
        kind = {"person": "person_must_act", "site_changed": "site_changed"}.get(result.outcome)
        if kind is not None:
            notes.append(
                Notification(
                    kind=kind,
                    association=result.association,
                    title=f"{result.association} : une action est nécessaire",
                    message=result.message or "",
                    evidence=result.evidence,
                )
            )
    for association, connection in expiring(done.results):
        notes.append(
            Notification(
                kind="consent_expires_soon",
                association=association,
                title=f"{association} : consentement {connection.bank} bientôt expiré",
                message=(
                    f"Le consentement DSP2 de {connection.bank} expire vers le "
                    f"{shown_at(connection.consent_expires)} : lancez linxo-assoconnect restore "
                    "avant cette date."
                ),
            )
        )
    url, headers, topic = webhook
    for note in notes:
        try:
            await send_webhook(url, note, headers=headers, topic=topic)
        except Exception:
            logger.warning("the webhook could not be called", exc_info=True)


# Reading it -----------------------------------------------------------------------------------

STATES = {
    "ok": "EN BON ÉTAT",
    "fixed": "RÉTABLIE",
    "broken": "À RÉTABLIR",
    "person": "UNE PERSONNE DOIT AGIR",
    "site_changed": "LE SITE A CHANGÉ",
    "transient": "SITE INDISPONIBLE",
    "failed": "ÉCHEC",
    "config": "CONFIGURATION",
    "interrupted": "ARRÊTÉE AVANT LA FIN",
}


def _connection(connection: ConnectionState) -> str:
    if not connection.healthy:
        return f"EN ERREUR : {connection.message or 'connexion perdue'}"
    text = f"OK, mise à jour {shown_at(connection.updated_at)}"
    if connection.balance is not None:
        text += f", solde {euros(Decimal(connection.balance))}"
    if connection.consent_expires is not None:
        how = "" if connection.consent_known_from == "performed" else ", estimé"
        warning = " ⚠ BIENTÔT" if connection.expires_soon else ""
        text += f", consentement jusqu’au {connection.consent_expires:%d/%m/%Y}{how}{warning}"
    else:
        text += ", fin du consentement inconnue"
    return text


def format_summary(done: Summary, *, dry_run: bool = False) -> str:
    """The table a person reads: each association, its connections, accounts and verdict."""
    lines: list[str] = []
    for result in done.results:
        lines.append(f"{result.association} : {STATES[result.outcome]}")
        for connection in result.connections:
            lines.append(f"  Linxo       {connection.bank} : {_connection(connection)}")
        for account in result.accounts:
            linked = account.linxo_account or "aucun compte Linxo associé"
            last = account.last_import and f", dernier import {shown_at(account.last_import)}"
            lines.append(f"  AssoConnect {account.name} : {account.status} ({linked}){last or ''}")
        for bank in result.reauthenticated:
            lines.append(f"  fait : réauthentifié auprès de {bank}")
        for sync in result.syncs:
            lines.append(f"  fait : synchronisation de {sync.account} → {sync.status}")
        if result.resumed:
            lines.append("  reprise dans un nouveau navigateur, l’état des sites relu d’abord")
        if dry_run:
            lines += [f"  ferait : {step}" for step in result.planned] or ["  rien à faire"]
        if result.error:
            lines.append(f"  {result.error} : {result.message}")
        elif result.message:
            lines.append(f"  {result.message}")
        if result.evidence:
            lines.append(f"  ce que montrait la page : {result.evidence}")
    counts: dict[str, int] = {}
    for result in done.results:
        counts[STATES[result.outcome].lower()] = counts.get(STATES[result.outcome].lower(), 0) + 1
    tally = ", ".join(f"{state} : {n}" for state, n in counts.items())
    lines.append("")
    stopped = f", arrêtée par {done.stopped_by}" if done.stopped_by else ""
    lines.append(
        f"{len(done.results)} association(s) : {tally or 'aucune'} ({done.seconds:.1f} s, "
        f"code de sortie {done.exit_code}{stopped})"
    )
    return "\n".join(lines)


# mail and config check --------------------------------------------------------------------------


def read_alerts(config: Config | None, files: list[str]) -> list[MailAlert]:
    """The alerts in ``files`` (.eml or folders), else in the configured IMAP mailbox."""
    if files:
        return alerts_from_files(files)
    if config is None or config.mail is None:
        raise ConfigurationError(
            "Donnez des fichiers .eml, ou une boîte IMAP dans la configuration (section [mail])."
        )
    from datetime import timedelta

    from .._core.models import now_in_paris
    from ._config import reveal

    mail = config.mail
    return alerts_from_imap(
        host=mail.host,
        port=mail.port,
        username=mail.username,
        password=reveal(mail.password, service="mail", username=mail.username),
        folder=mail.folder,
        since=(now_in_paris() - timedelta(days=mail.days)).date(),
        timeout=config.timeout,
    )


def list_mail(config: Config | None, alerts: list[MailAlert]) -> list[dict[str, object]]:
    """Each alert, and whether the configuration knows its association."""
    known = {fold(a.name) for a in config.associations} if config else set()
    return [
        {**alert.model_dump(mode="json"), "configured": fold(alert.association) in known}
        for alert in alerts
    ]


def check_config(path: Path) -> list[str]:
    """Every problem of the configuration file, with its line; nothing means it is good."""
    from ._config import ConfigError, missing_variables

    try:
        load_config(path)
    except ConfigError as error:
        return error.problems
    except ConfigurationError as error:
        return [str(error)]
    return missing_variables(path)
