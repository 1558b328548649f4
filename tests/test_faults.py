"""Faults around a run, one test per row of the fault matrix (docs/troubleshooting.md).

Each fault is injected on the sandbox (`faults.Fault`) or on the process; each test checks
what the user sees (the summary, the exit code, no traceback) and what the sites saw (the
sandbox's record: nothing done twice).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faults import Fault, inject
from helpers import main_in_thread
from linxo_assoconnect.cli import _commands
from linxo_assoconnect.cli._config import load_config
from linxo_assoconnect.session._async.session import Session
from linxo_assoconnect.testing import Sandbox
from test_commands import ENV, _passwords, federation_config  # noqa: F401 (an autouse fixture)


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every browser a command launches (True: a visible window)."""
    launched: list[bool] = []
    launch = Session._launch

    async def counted(self: Session, *, window: bool = False) -> Any:
        launched.append(window)
        return await launch(self, window=window)

    monkeypatch.setattr(Session, "_launch", counted)
    return launched


def _broken(*numbers: int) -> str:
    banks = ", ".join(f'"Banque Exemple {n:02d}"' for n in numbers)
    return f"broken_banks = [{banks}]"


async def test_chromium_killed_during_linxo_s_part_a_new_browser_finishes_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launches: list[bool]
) -> None:
    # Logged in, reading « Mes comptes »: a password sent and not answered yet would not be
    # sent again (the association would fail, as for a bank step).
    fault = Fault(lambda record: True, "kill", url="/secured/settings.page")
    sandboxes = inject(monkeypatch, fault)
    config = load_config(
        federation_config(tmp_path, 3, sandbox=_broken(1, 2, 3), extra="concurrency = 1")
    )

    done = await _commands.run_command("restore", config, [], quiet=True)

    assert fault.fired_at is not None
    assert [r.outcome for r in done.results] == ["fixed", "fixed", "fixed"]
    assert any(r.resumed for r in done.results)
    assert done.exit_code == 0
    assert launches == [False, False]  # one new browser, once
    record = sandboxes[0].record
    # Each bank step once: what had gone through was read, not done again.
    assert sorted(e.subject for e in record.of("reauthentication")) == [
        "Banque Exemple 01",
        "Banque Exemple 02",
        "Banque Exemple 03",
    ]
    assert len(record.credential_submissions) == 3
    assert record.disconnects == []
    # The saved logins were reused: no password sent twice.
    assert len(record.of("login", site="linxo")) == 3


async def test_chromium_killed_during_the_bank_step_it_is_not_done_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launches: list[bool]
) -> None:
    fault = Fault(lambda record: bool(record.credential_submissions), "kill")
    sandboxes = inject(monkeypatch, fault)
    config = load_config(
        federation_config(tmp_path, 3, sandbox=_broken(1, 2, 3), extra="concurrency = 1")
    )

    done = await _commands.run_command("restore", config, [], quiet=True)

    first, *others = done.results
    assert first.outcome == "failed" and first.error == "BrowserClosed"
    assert "banque" in (first.message or "") and "pas été recommencée" in (first.message or "")
    assert first.evidence is not None and (Path(first.evidence) / "error.json").exists()
    assert [r.outcome for r in others] == ["fixed", "fixed"]
    assert done.exit_code == 1
    assert launches == [False, False]
    sandbox = sandboxes[0]
    # One bank login each: the interrupted one's was not sent again.
    assert len(sandbox.record.credential_submissions) == 3
    assert [e.subject for e in sandbox.record.of("reauthentication")] == [
        "Banque Exemple 02",
        "Banque Exemple 03",
    ]
    assert not sandbox.connection("Banque Exemple 01").healthy


async def test_chromium_killed_right_after_synchroniser_it_is_not_clicked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launches: list[bool]
) -> None:
    fault = Fault(lambda record: bool(record.sync_clicks), "kill")
    sandboxes = inject(monkeypatch, fault)
    scenario = 'failed_imports = ["Compte courant 01"]\nsync_duration = 2.0'
    config = load_config(federation_config(tmp_path, 2, sandbox=scenario))

    done = await _commands.run_command("restore", config, [], quiet=True)

    first, second = done.results
    assert first.outcome == "failed" and first.error == "BrowserClosed", first
    assert "« Synchroniser » a été cliqué" in (first.message or "")
    assert second.outcome == "ok"
    sandbox = sandboxes[0]
    assert [e.subject for e in sandbox.record.sync_clicks] == ["Compte courant 01"]
    assert sandbox.record.sync_clicks[0].outcome == "started"  # the click went through


async def test_chromium_killed_during_the_sync_command_no_account_is_forced_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launches: list[bool]
) -> None:
    fault = Fault(lambda record: bool(record.sync_clicks), "kill")
    sandboxes = inject(monkeypatch, fault)
    config = load_config(federation_config(tmp_path, 2, sandbox="sync_duration = 3.0"))

    done = await _commands.run_command("sync", config, [], quiet=True)

    assert fault.fired_at is not None
    cut = [r for r in done.results if r.outcome == "failed"]
    assert len(cut) == 1 and "a été cliqué" in (cut[0].message or ""), done.results
    assert [r.outcome for r in done.results if r not in cut] == ["ok"]
    assert launches == [False, False]
    clicked = sorted(e.subject for e in sandboxes[0].record.sync_clicks)
    assert clicked == ["Compte courant 01", "Compte courant 02"]  # each once


async def test_a_crashed_page_is_done_again_in_a_new_page_of_the_same_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launches: list[bool]
) -> None:
    # On the import tab's way: the page crashed is one the association goes on with.
    fault = Fault(
        lambda record: bool(record.of("login", site="assoconnect")), "crash", url="/comptabilite"
    )
    sandboxes = inject(monkeypatch, fault)
    config = load_config(federation_config(tmp_path, 2, sandbox=_broken(1, 2)))

    done = await _commands.run_command("restore", config, [], quiet=True)

    assert fault.fired_at is not None
    assert [r.outcome for r in done.results] == ["fixed", "fixed"]
    assert any(r.resumed for r in done.results)
    assert launches == [False]  # the browser itself was fine
    assert len(sandboxes[0].record.credential_submissions) == 2


def test_chromium_killed_during_the_demo_says_so_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from linxo_assoconnect.cli import _demo

    fault = Fault(lambda record: bool(record.of("login", site="linxo")), "kill")

    def sandbox(scenario: Any) -> Sandbox:
        made = Sandbox(scenario)
        made.attach_async = fault.attach(made)  # type: ignore[method-assign,assignment]
        return made

    monkeypatch.setattr(_demo, "Sandbox", sandbox)

    code = main_in_thread(["demo"])

    err = capsys.readouterr().err
    assert code == 1
    assert "BrowserClosed" in err and "navigateur" in err
    assert "Traceback" not in err


# Signals and overlapping runs: the command as a user runs it --------------------------------


_RUNNING: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_command_left() -> Iterator[None]:
    yield
    while _RUNNING:
        process = _RUNNING.pop()
        if process.poll() is None:
            process.kill()
        process.communicate()


class _Command:
    """``linxo-assoconnect ARGS`` as a subprocess, its stderr read line by line as it comes."""

    def __init__(self, *args: str | Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "linxo_assoconnect", *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **ENV, **(env or {})},
        )
        _RUNNING.append(self.process)
        self.lines: queue.Queue[tuple[float, str] | None] = queue.Queue()
        self.seen: list[tuple[float, str]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put((time.monotonic(), line))
        self.lines.put(None)  # stderr closed

    def _next(self, deadline: float) -> bool:
        line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.1))
        if line is None:
            return False
        self.seen.append(line)
        return True

    def wait_for(self, count: int, words: str, timeout: float = 240) -> None:
        """Until ``count`` lines of stderr have held ``words``."""
        deadline = time.monotonic() + timeout
        while sum(words in line for _, line in self.seen) < count:
            assert self._next(deadline), "".join(line for _, line in self.seen)

    def end(self, timeout: float = 240) -> tuple[int, str, str]:
        """Exit code, stdout, stderr (whole)."""
        assert self.process.stdout is not None
        out = self.process.stdout.read()
        code = self.process.wait(timeout=timeout)
        self.ended = time.monotonic()
        deadline = time.monotonic() + timeout
        while self._next(deadline):
            pass
        return code, out, "".join(line for _, line in self.seen)


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_sigterm_during_ten_associations_prints_the_summary_and_exits_143(
    tmp_path: Path,
) -> None:
    config = federation_config(
        tmp_path, 10, sandbox="latency = 0.2", extra="concurrency = 2\nlock_wait = 0"
    )
    # The run's own temporary folder (Chromium's profile), short: its socket's path is bounded.
    temporary = Path(tempfile.mkdtemp(prefix="la-"))
    command = _Command("restore", "-c", config, "--json", env={"TMPDIR": str(temporary)})
    command.wait_for(2, "] en bon état")
    command.process.send_signal(signal.SIGTERM)
    code, out, err = command.end()

    assert code == 143, err
    assert "Arrêt demandé (SIGTERM)" in err and "Traceback" not in err
    done = json.loads(out)
    assert done["stopped_by"] == "SIGTERM" and done["exit_code"] == 143
    outcomes = [r["outcome"] for r in done["results"]]
    assert len(outcomes) == 10 and set(outcomes) <= {"ok", "interrupted"}, outcomes
    assert outcomes.count("ok") >= 2 and "interrupted" in outcomes
    stopped = next(r for r in done["results"] if r["outcome"] == "interrupted")
    assert "SIGTERM" in stopped["message"]
    # Logins saved, nothing half-written or temporary left behind.
    state = Path(os.environ["LINXO_ASSOCONNECT_STATE_DIR"]) / "sandbox"
    left = _files(state)
    assert any("linxo" in name.lower() for name in left), left
    assert not [name for name in left if name.endswith(".tmp") or "lock.json" in name], left
    assert list(temporary.iterdir()) == []  # the browser's profile went with it
    temporary.rmdir()


def test_two_runs_started_together_one_acts_the_other_exits_6(tmp_path: Path) -> None:
    config = federation_config(tmp_path, 1, sandbox="latency = 0.1", extra="lock_wait = 0")
    first = _Command("restore", "-c", config)
    first.wait_for(1, "[Association Exemple 01]")
    second = _Command("restore", "-c", config)

    code, _, err = second.end()
    assert code == 6, err
    assert "Une autre exécution" in err and str(first.process.pid) in err
    assert "[Association" not in err  # it did nothing on any site
    assert first.end()[0] == 0


def test_a_run_told_to_wait_acts_once_the_first_has_ended(tmp_path: Path) -> None:
    config = federation_config(tmp_path, 1, sandbox="latency = 0.1", extra="lock_wait = 120")
    first = _Command("restore", "-c", config)
    first.wait_for(1, "[Association Exemple 01]")
    second = _Command("restore", "-c", config)

    assert first.end()[0] == 0
    code, _, err = second.end()
    assert code == 0, err
    acting = [at for at, line in second.seen if "[Association Exemple 01]" in line]
    assert acting and acting[0] >= first.ended - 1.0  # not before the first was done


# Answers lost on the way back: the site did it, the browser never heard -----------------------


@pytest.mark.parametrize("variant", ["a", "bare"])
async def test_a_lost_answer_to_synchroniser_is_read_not_clicked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    sandboxes = inject(monkeypatch)
    scenario = f'variant = "{variant}"\nfailed_imports = ["Compte courant 01"]\n'
    scenario += 'lost_answers = ["sync_click"]'
    config = load_config(federation_config(tmp_path, 1, sandbox=scenario))

    done = await _commands.run_command("restore", config, [], quiet=True)

    assert [r.outcome for r in done.results] == ["fixed"], done.results
    record = sandboxes[0].record
    assert [e.subject for e in record.sync_clicks] == ["Compte courant 01"]


async def test_a_lost_answer_to_enregistrer_is_read_not_saved_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandboxes = inject(monkeypatch)
    scenario = 'unlinked_accounts = ["Compte courant 01"]\nlost_answers = ["link"]'
    config = load_config(federation_config(tmp_path, 1, sandbox=scenario))

    done = await _commands.run_command("restore", config, [], quiet=True)

    assert [r.outcome for r in done.results] == ["fixed"], done.results
    record = sandboxes[0].record
    assert [e.subject for e in record.of("link")] == ["Compte courant 01"]
    assert len(record.sync_clicks) == 1


async def test_a_lost_answer_to_a_login_is_not_submitted_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandboxes = inject(monkeypatch)
    config = load_config(federation_config(tmp_path, 1, sandbox='lost_answers = ["login"]'))

    done = await _commands.run_command("restore", config, [], quiet=True)

    assert [r.outcome for r in done.results] == ["transient"], done.results
    assert "perdue" in (done.results[0].message or "")
    assert len(sandboxes[0].record.logins) == 1
    assert done.exit_code == 5


def test_a_warning_is_one_line_without_v() -> None:
    from linxo_assoconnect.cli._main import _OneLine

    try:
        raise OSError(28, "No space left on device")
    except OSError:
        record = logging.LogRecord(
            "linxo_assoconnect",
            logging.WARNING,
            __file__,
            1,
            "could not write %s",
            ("x",),
            sys.exc_info(),
        )
    assert _OneLine().format(record) == "WARNING linxo_assoconnect: could not write x"
