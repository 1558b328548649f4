"""One run at a time per state folder: two runs of the command line never act at once on the
same saved logins and consent book.

The lock is ``run.lock`` in the state folder, held with the platform's file lock (flock on
Unix), so the system frees it when its holder dies, even killed. Who holds it is written in
``run.lock.json`` beside it, removed on release; ``run.lock`` itself stays, empty: a waiting
run must lock the same file, and removing it would let two runs lock two different ones.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from .._core.errors import ConfigurationError, LinxoAssoconnectError
from .._core.files import STATE_ENV_VAR, write_private
from .._core.models import now_in_paris
from .._core.secrets import logger

__all__ = ["Holder", "RunBusy", "run_lock"]


@dataclass(frozen=True)
class Holder:
    """The run holding a state folder's lock."""

    pid: int
    started_at: datetime
    """When it took the lock: aware, Europe/Paris."""
    command: str
    """Its command, e.g. ``restore``."""


class RunBusy(LinxoAssoconnectError):
    """Another run holds this state folder's lock; nothing was done."""

    def __init__(self, message: str, *, holder: Holder | None) -> None:
        super().__init__(message)
        self.holder = holder
        """The run holding it, when known and still alive."""


@contextmanager
def run_lock(state_dir: Path, *, command: str, wait: float = 0.0) -> Iterator[None]:
    """Hold ``state_dir``'s run lock for the body; wait for it at most ``wait`` seconds
    (0: one try), else raise `RunBusy`. `ConfigurationError` if the folder cannot be written."""
    lock = FileLock(state_dir / "run.lock", mode=0o600)
    try:
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock.acquire(timeout=max(wait, 0.0), blocking=wait > 0)
    except Timeout:
        holder = _holder(state_dir)
        raise RunBusy(_busy_message(state_dir, holder, wait), holder=holder) from None
    except OSError as error:
        raise ConfigurationError(
            f"Le dossier d’état {state_dir} n’est pas accessible en écriture ({error.strerror}) : "
            f"le verrou qui empêche deux exécutions à la fois ne peut y être créé. Donnez-en les "
            f"droits à l’utilisateur courant (chmod u+rwx), ou choisissez-en un autre avec le "
            f"paramètre state_dir ou la variable {STATE_ENV_VAR}."
        ) from None
    try:
        started_at = now_in_paris().isoformat()
        record = {"pid": os.getpid(), "started_at": started_at, "command": command}
        try:  # who holds it is only for a waiting run's message: the lock itself is held
            write_private(_holder_file(state_dir), json.dumps(record).encode())
        except OSError as error:
            logger.warning("could not write who holds the run lock (%s)", error.strerror)
        yield
    finally:
        try:
            _holder_file(state_dir).unlink(missing_ok=True)
        except OSError as error:
            logger.warning("could not remove %s (%s)", _holder_file(state_dir), error.strerror)
        finally:
            lock.release()


def _holder_file(state_dir: Path) -> Path:
    return state_dir / "run.lock.json"


def _holder(state_dir: Path) -> Holder | None:
    """The holder ``run.lock.json`` names, if it can be read and its process is alive."""
    try:
        record = json.loads(_holder_file(state_dir).read_bytes())
        holder = Holder(
            pid=record["pid"],
            started_at=datetime.fromisoformat(record["started_at"]),
            command=record["command"],
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if type(holder.pid) is not int or not isinstance(holder.command, str):
        return None
    if holder.started_at.tzinfo is None or not _alive(holder.pid):
        return None
    return Holder(holder.pid, holder.started_at.astimezone(now_in_paris().tzinfo), holder.command)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # signal 0 is CTRL_C_EVENT there: assume the holder lives
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _busy_message(state_dir: Path, holder: Holder | None, wait: float) -> str:
    who = "Une autre exécution de linxo-assoconnect"
    if holder is not None:
        when = holder.started_at.strftime("commencée le %d/%m/%Y à %H:%M")
        who += f" ({holder.command}, PID {holder.pid}, {when})"
    if wait > 0:
        return (
            f"{who} utilise toujours le dossier d’état {state_dir} après {wait:g} s d’attente ; "
            f"celle-ci s’arrête sans rien faire. Attendez sa fin, ou donnez à lock_wait une "
            f"attente plus longue."
        )
    return (
        f"{who} utilise déjà le dossier d’état {state_dir} ; celle-ci s’arrête sans rien faire. "
        f"Attendez sa fin, ou donnez lock_wait pour l’attendre."
    )
