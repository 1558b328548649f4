"""`status`, `restore`, `sync`, `mail` and `config check` against the sandbox.

The command line runs as a user runs it (a subprocess, real exit codes, JSON parsed); the
federation runs in-process too, to read what the sandbox saw.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from faults import inject
from helpers import run_async
from linxo_assoconnect.cli import _commands
from linxo_assoconnect.cli._config import Config, load_config
from linxo_assoconnect.cli._results import EXIT_CODES, exit_code, outcome_of
from linxo_assoconnect.testing import (
    DEMO_ASSOCONNECT,
    DEMO_LINXO,
    Sandbox,
    Scenario,
    federation_linxo,
)

MAIL = Path(__file__).parent / "mail"
ENV = {"ASSO_MDP": DEMO_ASSOCONNECT.password, "LINXO_MDP": DEMO_LINXO.password}


def federation_config(
    folder: Path,
    size: int,
    *,
    sandbox: str = "",
    wrong_linxo: int | None = None,
    extra: str = "",
) -> Path:
    """A configuration of ``size`` federation associations on the sandbox."""
    lines = [
        f'assoconnect = {{ username = "{DEMO_ASSOCONNECT.username}", password = "env:ASSO_MDP" }}',
        "concurrency = 5" if "concurrency" not in extra else "",
        "timeout = 15",
        extra,
        "[retry]",
        "initial_wait = 0.1",
        "max_wait = 1.0",
        "[sandbox]",
        f"federation = {size}",
        sandbox,
    ]
    for number in range(1, size + 1):
        password = "env:MAUVAIS_MDP" if number == wrong_linxo else "env:LINXO_MDP"
        lines += [
            "[[associations]]",
            f'name = "Association Exemple {number:02d}"',
            f'linxo = {{ username = "{federation_linxo(number).username}", '
            f'password = "{password}" }}',
            f'accounts = [{{ assoconnect = "Compte courant {number:02d}", linxo = '
            f'"Compte courant Exemple {number:02d}", bank = "Banque Exemple {number:02d}" }}]',
        ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linxo_assoconnect", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **ENV, **(env or {})},
    )


@pytest.fixture(autouse=True)
def _passwords(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINXO_ASSOCONNECT_STATE_DIR", str(tmp_path / "state"))
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MAUVAIS_MDP", "pas-le-bon-mot-de-passe")


# Exit codes -----------------------------------------------------------------------------------


def test_each_error_has_its_own_exit_code_and_the_most_urgent_wins() -> None:
    from linxo_assoconnect import (
        BankAuthFailed,
        ConfigurationError,
        HumanActionRequired,
        LoginFailed,
        PageChanged,
        SyncFailed,
        TransientSiteError,
    )
    from linxo_assoconnect.cli._results import AssociationResult

    codes = {
        kind.__name__: EXIT_CODES[outcome_of(kind("x"))]
        for kind in (
            ConfigurationError,
            PageChanged,
            HumanActionRequired,
            LoginFailed,
            BankAuthFailed,
            TransientSiteError,
            SyncFailed,
        )
    }
    assert codes == {
        "ConfigurationError": 2,
        "PageChanged": 4,
        "HumanActionRequired": 3,
        "LoginFailed": 3,
        "BankAuthFailed": 3,
        "TransientSiteError": 5,
        "SyncFailed": 1,
    }

    def results(*outcomes: Any) -> list[AssociationResult]:
        return [AssociationResult(association=str(i), outcome=o) for i, o in enumerate(outcomes)]

    assert exit_code(results("ok", "fixed")) == 0
    assert exit_code(results("ok", "broken", "transient", "person")) == 3
    assert exit_code(results("person", "site_changed", "failed")) == 4
    assert exit_code(results("config", "transient")) == 5  # an unknown alert hides no outage
    assert exit_code(results("config", "failed", "broken")) == 2
    help_text = cli("restore", "--help").stdout
    for code in ("0", "1", "2", "3", "4", "5"):
        assert f"\n  {code}  " in help_text


# config check ---------------------------------------------------------------------------------


def test_config_check_names_every_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "concurrency = 0\n"
        'assoconnect = "tresorier@example.org"\n'
        "\n"
        "[[associations]]\n"
        'name = "Association Exemple"\n'
        'linxo = { username = "a@example.org", password = "Sup3r-s3cret!" }\n'
        "\n"
        "[[associations]]\n"
        'name = "Club"\n'
        'linxo = "club@example.org"\n'
        'couleur = "bleu"\n',
        encoding="utf-8",
    )
    result = cli("-q", "config", "check", "--config", path)
    assert result.returncode == 2
    problems = result.stdout.splitlines()
    assert problems[0].startswith(f"{path}:1: concurrency:")
    assert problems[1].startswith(f"{path}:6: associations[0].linxo.password: un secret ne")
    assert "keyring" in problems[1] and "env:" in problems[1]
    assert problems[2].startswith(f"{path}:11: associations[1].couleur:")
    assert len(problems) == 3
    assert "Sup3r-s3cret!" not in result.stdout + result.stderr

    path.write_text(
        'assoconnect = { username = "t@example.org", password = "env:ASSO_MDP" }\n'
        "[[associations]]\n"
        'name = "Club"\n'
        'linxo = "club@example.org"\n'
        "[[associations]]\n"
        'name = "CLUB"\n'
        'linxo = "autre@example.org"\n',
        encoding="utf-8",
    )
    twice = cli("config", "check", "-c", path).stdout.splitlines()
    assert twice == [f"{path}:6: associations[1].name: « CLUB » est décrite deux fois"]
    overridden = cli("config", "check", "-c", path, env={"LINXO_ASSOCONNECT_CONCURRENCY": "0"})
    assert overridden.stdout.startswith("LINXO_ASSOCONNECT_CONCURRENCY (variable")

    good = federation_config(tmp_path, 2)
    result = cli("config", "check", "-c", good)
    assert result.returncode == 0 and "configuration correcte" in result.stdout


def test_config_check_says_which_environment_variable_is_missing(tmp_path: Path) -> None:
    path = federation_config(
        tmp_path,
        2,
        wrong_linxo=2,
        extra='webhook = { url = "https://chat.example/", headers = { Authorization = '
        '"env:JETON_CHAT" } }',
    )
    result = cli("config", "check", "-c", path, env={"MAUVAIS_MDP": "", "ASSO_MDP": ""})
    assert result.returncode == 2
    problems = result.stdout.splitlines()
    assert [p.split(": ", 1)[1].split(":")[0] for p in problems] == [
        "assoconnect.password",
        "webhook.headers.Authorization",
        "associations[1].linxo.password",
    ]
    assert all(p.startswith(f"{path}:") for p in problems)
    assert "ASSO_MDP" in problems[0] and "JETON_CHAT" in problems[1]


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINXO_ASSOCONNECT_CONCURRENCY", "9")
    monkeypatch.setenv("LINXO_ASSOCONNECT_CHROMIUM__HEADED", "true")
    config = load_config(federation_config(tmp_path, 1))
    assert config.concurrency == 9 and config.chromium.headed


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("status", "-a", "Association Inconnue"), "Association inconnue : Association Inconnue"),
        (("restore", "-c", "/nulle/part.toml"), "Pas de fichier de configuration"),
        (("restore", "--from-mail", str(MAIL / "absent.eml")), "absent.eml"),
    ],
    ids=["unknown-association", "no-config", "unreadable-mail"],
)
def test_bad_input_is_one_line_and_exit_code_2(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    config = federation_config(tmp_path, 1)
    extra = () if "-c" in args else ("-c", str(config))
    started = time.monotonic()
    result = cli(*args, *extra)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert time.monotonic() - started < 10  # refused before any browser started


async def test_unknown_association_changes_nothing_on_any_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = Sandbox(Scenario(federation=2, broken_banks=("Banque Exemple 01",)))
    monkeypatch.setattr(_commands, "_sandbox", lambda config: sandbox)
    config = load_config(federation_config(tmp_path, 2))
    with pytest.raises(Exception, match="Association inconnue"):
        await _commands.run_command("restore", config, ["Association Exemple 01", "Personne"])
    assert sandbox.record.requests == []


# status, restore, sync through the command line -------------------------------------------------


def test_status_json_tells_what_is_broken_and_exits_1(tmp_path: Path) -> None:
    config = federation_config(
        tmp_path, 3, sandbox='broken_banks = ["Banque Exemple 02"]\nunlinked_accounts = ["03"]'
    )
    started = datetime.now(UTC)
    result = cli("status", "-c", config, "--json", "-q")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""  # -q
    summary = json.loads(result.stdout)
    by_name = {r["association"]: r for r in summary["results"]}
    assert [by_name[f"Association Exemple {n:02d}"]["outcome"] for n in (1, 2, 3)] == [
        "ok",
        "broken",
        "broken",
    ]
    two = by_name["Association Exemple 02"]
    assert two["connections"][0]["bank"] == "Banque Exemple 02"
    assert two["connections"][0]["healthy"] is False
    one = by_name["Association Exemple 01"]["connections"][0]
    assert one["balance"] == "100.01" and one["updated_at"]
    three = by_name["Association Exemple 03"]["accounts"][0]
    broken_since = datetime.fromisoformat(three.pop("last_import"))
    assert broken_since < started - timedelta(days=100)  # its imports stopped long ago
    assert three == {
        "name": "Compte courant 03",
        "sync_active": False,
        "status": "Compte bancaire introuvable",
        "linxo_account": None,
    }
    last = datetime.fromisoformat(by_name["Association Exemple 01"]["accounts"][0]["last_import"])
    assert started - timedelta(days=2) < last < started  # imported last night
    assert summary["exit_code"] == 1


def test_restore_dry_run_says_what_it_would_do_without_clicking(tmp_path: Path) -> None:
    config = federation_config(
        tmp_path, 2, sandbox='broken_banks = ["Banque Exemple 01"]\nunlinked_accounts = ["02"]'
    )
    result = cli("restore", "--dry-run", "-c", config)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "ferait : Linxo : « M’authentifier » sur Banque Exemple 01" in out
    assert "ferait : AssoConnect : associer « Compte courant 02 »" in out
    assert "fait :" not in out
    assert "[Association Exemple 01] Linxo" in result.stderr  # progress


def test_sync_forces_the_sync_of_every_account(tmp_path: Path) -> None:
    config = federation_config(tmp_path, 2, sandbox='failed_imports = ["02"]')
    result = cli("sync", "-c", config, "--json", "-q")
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)["results"]
    assert {r["association"]: [s["ok"] for s in r["syncs"]] for r in results} == {
        "Association Exemple 01": [True],
        "Association Exemple 02": [True],
    }


# Many associations at once ----------------------------------------------------------------------


MIXED = (
    'broken_banks = ["Banque Exemple 02", "Banque Exemple 05", "Banque Exemple 09"]\n'
    'unlinked_accounts = ["Compte courant 03", "Compte courant 05"]\n'
    'failed_imports = ["Compte courant 08"]\n'
    "sync_transient_failures = 1\n"
)
# Real sites take a while to answer; a little latency lets the associations' waits overlap as
# they would there. The ratio of ten to one is measured by `./dev bench` (3a), not here.
LATENCY = "latency = 0.3"


@pytest.fixture
def sandboxes(monkeypatch: pytest.MonkeyPatch) -> list[Sandbox]:
    """The sandboxes the commands serve, in order, to read what they saw."""
    return inject(monkeypatch)


async def test_ten_associations_with_mixed_problems_in_one_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sandboxes: list[Sandbox]
) -> None:
    launches: list[object] = []
    from linxo_assoconnect.session._async.session import Session

    launch = Session._launch

    async def counted(self: Session, *, window: bool = False) -> Any:
        launches.append(window)
        return await launch(self, window=window)

    monkeypatch.setattr(Session, "_launch", counted)

    one = load_config(
        federation_config(
            tmp_path / "one", 1, sandbox=f'broken_banks = ["Banque Exemple 01"]\n{LATENCY}'
        )
    )
    started = time.monotonic()
    alone = await _commands.run_command("restore", one, [], quiet=True)
    one_seconds = time.monotonic() - started
    assert [r.outcome for r in alone.results] == ["fixed"]

    ten = load_config(
        federation_config(tmp_path / "ten", 10, sandbox=MIXED + LATENCY, wrong_linxo=7)
    )
    started = time.monotonic()
    done = await _commands.run_command("restore", ten, [], quiet=True)
    ten_seconds = time.monotonic() - started

    outcomes = {r.association[-2:]: r.outcome for r in done.results}
    assert outcomes == {
        "01": "ok",
        "02": "fixed",
        "03": "fixed",
        "04": "ok",
        "05": "fixed",
        "06": "ok",
        "07": "person",  # Linxo refuses the password: a person must fix it
        "08": "fixed",
        "09": "fixed",
        "10": "ok",
    }
    seven = next(r for r in done.results if r.association.endswith("07"))
    assert seven.error == "LoginFailed" and "mot de passe" in (seven.message or "")
    assert done.exit_code == 3
    record = sandboxes[-1].record
    assert sorted(e.subject for e in record.of("reauthentication")) == [
        "Banque Exemple 02",
        "Banque Exemple 05",
        "Banque Exemple 09",
    ]
    linked = sorted(e.subject for e in record.of("link"))
    assert linked == ["Compte courant 03", "Compte courant 05"]
    assert record.disconnects == []
    assert len(record.credential_submissions) == 3  # one bank step per broken connection
    assert all(s.sync_active for r in done.results if r.outcome != "person" for s in r.accounts)
    assert launches == [False, False]  # one browser per run, no other window
    # Only a hang is a failure here: how ten compare with one is a figure of ./dev bench.
    assert ten_seconds < 10 * one_seconds, (ten_seconds, one_seconds)


async def test_finished_lanes_hand_their_context_to_the_next_without_leaking_a_login(
    tmp_path: Path, sandboxes: list[Sandbox]
) -> None:
    config = load_config(federation_config(tmp_path, 3, extra="concurrency = 1"))
    done = await _commands.run_command("status", config, [], quiet=True)
    # Each association sees its own Linxo: the previous user's cookies were cleared.
    assert [[c.bank for c in r.connections] for r in done.results] == [
        ["Banque Exemple 01"],
        ["Banque Exemple 02"],
        ["Banque Exemple 03"],
    ]
    logins = sandboxes[0].record.logins
    assert [e.subject for e in logins if e.site == "linxo"] == [
        federation_linxo(n).username for n in (1, 2, 3)
    ]
    # One AssoConnect login, reused by the next associations' lanes.
    assert [e.site for e in logins].count("assoconnect") == 1


async def test_consent_expiry_is_counted_from_the_bank_step_and_warned_by_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Any] = []

    async def send_webhook(url: str, note: Any, **options: Any) -> bool:
        sent.append((url, note))
        return True

    monkeypatch.setattr("linxo_assoconnect.cli._notify.send_webhook", send_webhook)
    path = federation_config(
        tmp_path,
        2,
        sandbox='broken_banks = ["Banque Exemple 01"]',
        extra='warn_days = 200\nwebhook = { url = "https://ntfy.example/alertes" }',
    )
    restored = await _commands.run_command("restore", load_config(path), [], quiet=True)
    one = restored.results[0].connections[0]
    assert one.consent_known_from == "performed" and one.updated_at is not None
    assert one.consent_expires is not None
    assert abs((one.consent_expires - one.updated_at).days - 180) <= 1
    assert one.expires_soon  # within warn_days = 200
    never = restored.results[1].connections[0]
    assert never.consent_expires is None and not never.expires_soon  # the tool never saw it
    assert [(url, n.kind, n.association) for url, n in sent] == [
        ("https://ntfy.example/alertes", "consent_expires_soon", "Association Exemple 01")
    ]
    assert json.loads((tmp_path / "state" / "sandbox" / "consent.json").read_text())


async def test_a_person_must_act_sends_one_webhook_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Any] = []

    async def send_webhook(url: str, note: Any, **options: Any) -> bool:
        sent.append(note)
        return True

    monkeypatch.setattr("linxo_assoconnect.cli._notify.send_webhook", send_webhook)
    path = federation_config(
        tmp_path,
        2,
        sandbox='broken_banks = ["Banque Exemple 02"]\nbank_rejects_code = true',
        extra='webhook = { url = "https://chat.example/hooks" }',
    )
    done = await _commands.run_command("restore", load_config(path), [], quiet=True)
    assert [r.outcome for r in done.results] == ["ok", "person"]
    assert done.exit_code == 3
    assert [(n.kind, n.association) for n in sent] == [
        ("person_must_act", "Association Exemple 02")
    ]
    assert "code" in sent[0].message.lower()
    assert sent[0].evidence and "evidence" in sent[0].evidence


# mail -------------------------------------------------------------------------------------------


def test_mail_lists_the_associations_of_the_alerts(tmp_path: Path) -> None:
    result = cli("mail", "--json", MAIL)
    assert result.returncode == 0, result.stderr
    names = [alert["association"] for alert in json.loads(result.stdout)]
    assert "Comité des fêtes Exemple" in names and "Association Exemple" in names
    assert len(names) == len(set(names))
    readable = cli("mail", MAIL / "comite-des-fetes.eml")
    assert readable.stdout.startswith("Comité des fêtes Exemple : alerte du 20")


def test_restore_from_mail_acts_on_the_alerted_associations_only(tmp_path: Path) -> None:
    folder = tmp_path / "mails"
    folder.mkdir()
    alert = EmailMessage()
    alert["Subject"] = "Import avec Linxo"
    alert["From"] = "AssoConnect <notification@example.org>"
    alert["Date"] = "Sat, 28 Nov 2026 06:12:00 +0100"
    alert.set_content(
        "Bonjour,\n\nLa connexion entre LinxoConnect et AssoConnect ne fonctionne plus pour "
        "votre association Association Exemple 02.\n\nRétablir la connexion\n",
        cte="quoted-printable",
    )
    (folder / "alerte.eml").write_bytes(bytes(alert))
    config = federation_config(tmp_path, 2, sandbox='broken_banks = ["Banque Exemple 02"]')
    alerts = cli("mail", "--json", folder)
    assert [a["association"] for a in json.loads(alerts.stdout)] == ["Association Exemple 02"]
    result = cli("restore", "-c", config, "--from-mail", folder, "--json", "-q")
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)["results"]
    assert [(r["association"], r["outcome"]) for r in results] == [
        ("Association Exemple 02", "fixed")
    ]


def test_mail_and_restore_from_the_imap_mailbox_of_the_configuration(tmp_path: Path) -> None:
    from imap_server import ImapServer, make_certificate

    alert = EmailMessage()
    alert["Subject"] = "Import avec Linxo"
    alert["Date"] = "Sat, 28 Nov 2026 06:12:00 +0100"
    alert.set_content(
        "La connexion entre LinxoConnect et AssoConnect ne fonctionne plus pour votre "
        "association Association Exemple 01.\n"
    )
    cert, key = make_certificate(tmp_path)
    secret = "imap-Canari-cli-5Rt"
    with ImapServer(
        [bytes(alert), (MAIL / "newsletter.eml").read_bytes()],
        username="tresorier@example.org",
        password=secret,
        certfile=cert,
        keyfile=key,
    ) as server:
        mailbox = (
            f'mail = {{ host = "127.0.0.1", port = {server.port}, '
            'username = "tresorier@example.org", password = "env:IMAP_MDP" }'
        )
        config = federation_config(
            tmp_path, 2, sandbox='broken_banks = ["Banque Exemple 01"]', extra=mailbox
        )
        env = {"IMAP_MDP": secret, "SSL_CERT_FILE": str(cert)}  # trust the test's certificate
        listed = cli("mail", "-c", config, "--json", env=env)
        assert listed.returncode == 0, listed.stderr
        assert [(a["association"], a["configured"]) for a in json.loads(listed.stdout)] == [
            ("Association Exemple 01", True)
        ]
        restored = cli("restore", "-c", config, "--from-mail", "-q", env=env)
        assert restored.returncode == 0, restored.stderr
        assert "Association Exemple 01 : RÉTABLIE" in restored.stdout
        assert "Association Exemple 02" not in restored.stdout
        assert not any(c.startswith(("STORE", "COPY", "EXPUNGE")) for c in server.received())
        wrong = cli("mail", "-c", config, env={**env, "IMAP_MDP": "pas-le-bon"})
    assert wrong.returncode == 2
    assert len(wrong.stderr.strip().splitlines()) == 1
    assert "pas-le-bon" not in wrong.stderr and secret not in listed.stdout + restored.stdout


# Linxo's code by e-mail, read from the mailbox -------------------------------------------------


def linxo_code_mail(to: str, code: str, sent: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = "Linxo <no-reply@linxo.com>"
    message["To"] = to
    message["Subject"] = "Votre code de vérification"
    message["Date"] = format_datetime(sent)
    message.set_content(
        f"Bonjour,\n\nVotre code de vérification : {code}\n\nIl est valable 10 minutes.\n"
    )
    return bytes(message)


def test_restore_reads_linxo_s_code_from_the_mailbox(tmp_path: Path) -> None:
    from imap_server import ImapServer, make_certificate

    code, former_code = "482913", "105274"
    first = federation_linxo(1).username
    older = linxo_code_mail(first, former_code, datetime.now(UTC) - timedelta(minutes=10))
    cert, key = make_certificate(tmp_path)
    with ImapServer(
        [older], username="tresorier@example.org", password="imap-mdp", certfile=cert, keyfile=key
    ) as server:

        def linxo_sends_the_code() -> None:  # a second after the tool started waiting for it
            if server.client_logged_in.wait(timeout=120):
                arrives = threading.Timer(
                    1.0, lambda: server.deliver(linxo_code_mail(first, code, datetime.now(UTC)))
                )
                arrives.start()
                arrives.join()

        sender = threading.Thread(target=linxo_sends_the_code, daemon=True)
        sender.start()
        mailbox = (
            f'mail = {{ host = "127.0.0.1", port = {server.port}, code_wait = 5, '
            'username = "tresorier@example.org", password = "env:IMAP_MDP" }'
        )
        sandbox = "\n".join(
            [
                'variant = "bare"',
                'broken_banks = ["Banque Exemple 01"]',
                'linxo_login = "two_steps"',
                "linxo_asks_code = true",
                f'linxo_code = "{code}"',
            ]
        )
        config = federation_config(tmp_path, 2, sandbox=sandbox, extra=mailbox)
        env = {"IMAP_MDP": "imap-mdp", "SSL_CERT_FILE": str(cert)}
        started = time.monotonic()
        result = cli("restore", "-c", config, "--json", env=env)
        elapsed = time.monotonic() - started
        sender.join(timeout=5)
    assert result.returncode == 3, result.stderr
    outcomes = {r["association"]: r for r in json.loads(result.stdout)["results"]}
    assert outcomes["Association Exemple 01"]["outcome"] == "fixed"  # the new code, not the old
    assert outcomes["Association Exemple 02"]["outcome"] == "person"
    assert "5 s" in outcomes["Association Exemple 02"]["message"]
    assert elapsed < 120  # the wait for 02's code is bounded
    assert f"Linxo ({first}) : code envoyé par e-mail" in result.stderr
    assert code not in result.stdout + result.stderr
    assert former_code not in result.stdout + result.stderr
    for command in server.received():
        verb = command.removeprefix("UID ").split(" ")[0]
        assert verb in {"CAPABILITY", "LOGIN", "EXAMINE", "NOOP", "SEARCH", "FETCH", "LOGOUT"}
        assert verb != "FETCH" or "BODY.PEEK[]" in command, command
    assert all(not m.flags for m in server.messages)  # nothing marked read


class Terminal(io.StringIO):
    def __init__(self, attached: bool) -> None:
        super().__init__()
        self.attached = attached

    def isatty(self) -> bool:
        return self.attached


def test_linxo_s_code_is_typed_hidden_at_a_terminal_else_a_person_must_act(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from linxo_assoconnect import HumanActionRequired
    from linxo_assoconnect._core.otp import call_otp_async
    from linxo_assoconnect.cli import _codes

    prompts: list[str] = []

    def getpass(prompt: str) -> str:  # what the person types, hidden
        prompts.append(prompt)
        return " 48 "

    monkeypatch.setattr("getpass.getpass", getpass)
    monkeypatch.setattr(sys, "stdin", Terminal(attached=True))
    typed = _codes.linxo_codes(Config(), None)("tresorier@example.org")
    assert typed is not None
    assert run_async(call_otp_async(typed)) == "48"  # on the tests' event loop
    assert prompts == ["Code envoyé par Linxo à tresorier@example.org (saisie masquée) : "]

    monkeypatch.setattr(sys, "stdin", Terminal(attached=False))
    nobody = _codes.linxo_codes(Config(), None)("tresorier@example.org")
    assert nobody is not None
    with pytest.raises(HumanActionRequired, match=r"\[mail\]"):
        run_async(call_otp_async(nobody))
    assert len(prompts) == 1  # nothing asked without a terminal
    headed = Config(chromium={"headed": True})
    assert _codes.linxo_codes(headed, None)("tresorier@example.org") is None  # in the window
