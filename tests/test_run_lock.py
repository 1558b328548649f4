"""The run lock, held for real by other processes: busy, waited for, taken over from the dead."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from linxo_assoconnect._core.errors import ConfigurationError
from linxo_assoconnect._core.models import now_in_paris
from linxo_assoconnect.cli import _lock
from linxo_assoconnect.cli._lock import Holder, RunBusy, run_lock

SRC = Path(__file__).resolve().parent.parent / "src"
# Holds the lock of argv[1] as command argv[2] until a line on stdin: « kill » dies holding it.
HOLDER = """
import os, signal, sys
from pathlib import Path
from linxo_assoconnect.cli._lock import run_lock
with run_lock(Path(sys.argv[1]), command=sys.argv[2]):
    print("held", flush=True)
    if sys.stdin.readline().strip() == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
print("released", flush=True)
"""


class Other:
    """Another run of the command line, in its own process, holding the lock."""

    def __init__(self, state_dir: Path, command: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(state_dir), command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put("")  # the process ended

    def next_line(self) -> str:
        return self.lines.get(timeout=30)

    def tell(self, word: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(word + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def start() -> Iterator[Callable[[Path, str], Other]]:
    """Starts another run holding the lock, returned once it holds it; stopped at the end."""
    started: list[Other] = []

    def holding(state_dir: Path, command: str) -> Other:
        started.append(Other(state_dir, command))
        assert started[-1].next_line() == "held"
        return started[-1]

    yield holding
    for other in started:
        other.stop()


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


def test_a_second_run_is_refused_at_once_naming_the_first(
    state_dir: Path, start: Callable[[Path, str], Other]
) -> None:
    first = start(state_dir, "restore")
    began = time.monotonic()
    with pytest.raises(RunBusy) as busy, run_lock(state_dir, command="check"):
        pytest.fail("the body ran while another run held the lock")
    assert time.monotonic() - began < 2
    assert isinstance(busy.value.holder, Holder)
    assert (busy.value.holder.pid, busy.value.holder.command) == (first.process.pid, "restore")
    assert abs(busy.value.holder.started_at - now_in_paris()) < timedelta(minutes=1)
    assert busy.value.holder.started_at.utcoffset() in {timedelta(hours=1), timedelta(hours=2)}
    message = str(busy.value)
    assert f"(restore, PID {first.process.pid}, commencée le " in message
    assert f"le dossier d’état {state_dir} ;" in message and "lock_wait" in message


def test_a_run_that_waits_gets_the_lock_when_the_first_releases_it(
    state_dir: Path, start: Callable[[Path, str], Other]
) -> None:
    first = start(state_dir, "restore")
    release = threading.Timer(1.0, first.tell, args=("release",))
    began = time.monotonic()
    release.start()
    try:
        with run_lock(state_dir, command="check", wait=3):
            waited = time.monotonic() - began
            holder = json.loads((state_dir / "run.lock.json").read_text())
    finally:
        release.cancel()
    assert 0.5 <= waited < 3
    assert first.next_line() == "released"
    assert holder["pid"] == os.getpid() and holder["command"] == "check"


def test_waiting_in_vain_says_how_long(
    state_dir: Path, start: Callable[[Path, str], Other]
) -> None:
    start(state_dir, "restore")
    began = time.monotonic()
    with (
        pytest.raises(RunBusy, match=r"après 0\.5 s d’attente"),
        run_lock(state_dir, command="check", wait=0.5),
    ):
        pytest.fail("the body ran while another run held the lock")
    assert 0.5 <= time.monotonic() - began < 2.5


def test_the_lock_of_a_killed_run_is_taken_over(
    state_dir: Path, start: Callable[[Path, str], Other]
) -> None:
    dead = start(state_dir, "restore")
    dead.tell("kill")
    assert dead.process.wait(timeout=30) == -signal.SIGKILL
    stale = json.loads((state_dir / "run.lock.json").read_text())
    assert stale["pid"] == dead.process.pid
    began = time.monotonic()
    with run_lock(state_dir, command="check"):
        assert time.monotonic() - began < 2
        holder = json.loads((state_dir / "run.lock.json").read_text())
        assert holder["pid"] == os.getpid() and holder["command"] == "check"
        datetime.fromisoformat(holder["started_at"])
    assert not (state_dir / "run.lock.json").exists()


@pytest.mark.parametrize("record", ["missing", "garbled", "dead"])
def test_a_holder_that_cannot_be_told_is_another_run(
    state_dir: Path, start: Callable[[Path, str], Other], record: str
) -> None:
    start(state_dir, "restore")
    holder_file = state_dir / "run.lock.json"
    if record == "missing":
        holder_file.unlink()
    elif record == "garbled":
        holder_file.write_text('{"pid": "not a number"')
    else:
        gone = subprocess.Popen([sys.executable, "-c", ""])
        gone.wait(timeout=30)
        started = now_in_paris().isoformat()
        holder_file.write_text(json.dumps({"pid": gone.pid, "started_at": started, "command": "x"}))
    with pytest.raises(RunBusy) as busy, run_lock(state_dir, command="check"):
        pytest.fail("the body ran while another run held the lock")
    assert busy.value.holder is None
    assert str(busy.value).startswith("Une autre exécution de linxo-assoconnect utilise déjà ")


def test_release_leaves_only_the_lock_file(state_dir: Path) -> None:
    with run_lock(state_dir, command="restore"):
        assert {p.name for p in state_dir.iterdir()} == {"run.lock", "run.lock.json"}
        assert (state_dir / "run.lock.json").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in state_dir.iterdir()] == ["run.lock"]
    assert state_dir.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_the_lock_is_released_when_the_body_raises(
    state_dir: Path,
    start: Callable[[Path, str], Other],
    error: type[BaseException],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Kept alive, as a traceback can keep it: only run_lock's release frees it, not its finalizer.
    kept: list[FileLock] = []

    class KeptLock(FileLock):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            kept.append(self)

    monkeypatch.setattr(_lock, "FileLock", KeptLock)
    with pytest.raises(error), run_lock(state_dir, command="restore"):
        raise error
    assert len(kept) == 1
    assert not (state_dir / "run.lock.json").exists()
    start(state_dir, "check")


def test_a_folder_that_cannot_be_written_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    state_dir = tmp_path / "file" / "state"
    with pytest.raises(ConfigurationError) as error, run_lock(state_dir, command="restore"):
        pytest.fail("the body ran without a lock")
    assert f"Le dossier d’état {state_dir} n’est pas accessible en écriture" in str(error.value)
    assert "state_dir" in str(error.value) and "chmod u+rwx" in str(error.value)
