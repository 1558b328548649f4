"""The command line against the faults around it: a full or read-only state folder mid-run,
a keyring with no backend, an IMAP server that accepts and never answers.

Disk faults are injected at the OS calls `_core.files` makes (``os.open``, ``os.fdopen``'s
file, ``os.replace``), only for paths inside the state folder: tests may run as root, where
a read-only mode does not stop a write.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

import keyring
import pytest
from keyring.backends import fail

from faults import inject
from helpers import main_in_thread, run_async
from imap_server import make_certificate
from linxo_assoconnect import ConfigurationError, HumanActionRequired
from linxo_assoconnect._core.files import write_private
from linxo_assoconnect._core.logins import LoginStore
from linxo_assoconnect._core.models import now_in_paris
from linxo_assoconnect._core.otp import call_otp_async
from linxo_assoconnect.cli import _codes, _commands, _mail, main
from linxo_assoconnect.cli._config import Config, load_config
from linxo_assoconnect.cli._consent import ConsentBook
from linxo_assoconnect.testing import DEMO_ASSOCONNECT, Sandbox, federation_linxo
from linxo_assoconnect.testing._scenario import scenario_from
from test_commands import ENV, federation_config

READ_ONLY = os.strerror(errno.EROFS)
FULL = os.strerror(errno.ENOSPC)
LINXO_USER = "tresorier@association-exemple.fr"


@pytest.fixture(autouse=True)
def _state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINXO_ASSOCONNECT_STATE_DIR", str(tmp_path / "state"))
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("IMAP_MDP", "imap-mdp")


@pytest.fixture
def sandboxes(monkeypatch: pytest.MonkeyPatch) -> list[Sandbox]:
    """The sandboxes the commands serve, in order, to read what they saw."""
    return inject(monkeypatch)


def leftovers(folder: Path) -> list[Path]:
    return sorted(folder.rglob(".*.tmp"))


def state_warnings(records: list[logging.LogRecord]) -> list[str]:
    return [
        r.getMessage()
        for r in records
        if r.name.startswith("linxo_assoconnect") and r.levelno == logging.WARNING
    ]


def assert_no_traceback(records: list[logging.LogRecord]) -> None:
    """What a user without -v sees has no Python traceback, and nothing went wrong but
    warnings."""
    ours = [r for r in records if r.name.startswith("linxo_assoconnect")]
    assert [r.getMessage() for r in ours if r.exc_info or r.stack_info] == []
    assert [r.getMessage() for r in ours if r.levelno > logging.WARNING] == []


# ------------------------------------------------------------------------------------------
# A full or read-only state folder


class _FullDisk:
    """A file on a disk that fills up halfway through the write."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._file.close()

    def write(self, data: bytes) -> int:
        self._file.write(data[: len(data) // 2])
        self._file.flush()
        raise OSError(errno.ENOSPC, FULL)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def is_login(path: Any) -> bool:
    return Path(os.fsdecode(path)).parent.name == "logins"


class StateFaults:
    """The state folder failing as a full (ENOSPC) or read-only (EROFS) disk does, from the
    moment `fail` is called, or from the first login saved after `fail_after_first_login`.

    Only the paths inside ``folder`` fail; every other file is written as usual.
    """

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = os.path.abspath(folder)
        self.code: int | None = None
        self.first_login: Path | None = None
        """The login saved before the folder failed."""
        self.first_login_bytes = b""
        self.refused: list[str] = []
        self._pending: int | None = None
        self._full: set[int] = set()
        self._modes: dict[str, int] = {}
        real_open, real_fdopen, real_replace = os.open, os.fdopen, os.replace
        real_mkdir, real_unlink = os.mkdir, os.unlink

        def opened(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
            writes = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            if self.code == errno.EROFS and writes and self.inside(path):
                raise self.error(path)
            descriptor = real_open(path, flags, mode, **kwargs)
            if self.code == errno.ENOSPC and writes and self.inside(path):
                self.refused.append(os.fsdecode(path))  # when written to
                self._full.add(descriptor)
            return descriptor

        def fdopen(descriptor: int, *args: Any, **kwargs: Any) -> Any:
            file = real_fdopen(descriptor, *args, **kwargs)
            if descriptor in self._full:
                self._full.discard(descriptor)
                return _FullDisk(file)
            return file

        def replaced(source: Any, target: Any, **kwargs: Any) -> None:
            if self.code == errno.EROFS and (self.inside(source) or self.inside(target)):
                raise self.error(target)
            real_replace(source, target, **kwargs)
            if self._pending is not None and self.inside(target) and is_login(target):
                self.first_login = Path(os.fsdecode(target))
                self.first_login_bytes = self.first_login.read_bytes()
                self.fail(self._pending)

        def refusing(real: Callable[..., None]) -> Callable[..., None]:
            def call(path: Any, *args: Any, **kwargs: Any) -> None:
                if self.code == errno.EROFS and self.inside(path):
                    raise self.error(path)
                real(path, *args, **kwargs)

            return call

        monkeypatch.setattr("linxo_assoconnect._core.files.os.open", opened)
        monkeypatch.setattr("linxo_assoconnect._core.files.os.fdopen", fdopen)
        monkeypatch.setattr("linxo_assoconnect._core.files.os.replace", replaced)
        monkeypatch.setattr(os, "mkdir", refusing(real_mkdir))
        monkeypatch.setattr(os, "unlink", refusing(real_unlink))

    def inside(self, path: Any) -> bool:
        if isinstance(path, int):
            return False
        return os.path.abspath(os.fsdecode(path)).startswith(self.folder + os.sep)

    def error(self, path: Any) -> OSError:
        assert self.code is not None
        self.refused.append(os.fsdecode(path))
        return OSError(self.code, os.strerror(self.code), os.fsdecode(path))

    def fail(self, code: int) -> None:
        """From now on, as a full or read-only disk (and read-only modes when not root)."""
        self.code, self._pending = code, None
        if code == errno.EROFS and os.geteuid() != 0:
            for folder in [Path(self.folder), *Path(self.folder).rglob("*")]:
                if folder.is_dir():
                    self._modes[str(folder)] = folder.stat().st_mode
                    folder.chmod(0o555)

    def fail_after_first_login(self, code: int) -> None:
        self._pending = code

    def heal(self) -> None:
        self.code = self._pending = None
        for folder, mode in self._modes.items():
            os.chmod(folder, mode)
        self._modes.clear()


@pytest.fixture
def faults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StateFaults]:
    injected = StateFaults(tmp_path / "state", monkeypatch)
    yield injected
    injected.heal()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS], ids=["full", "read-only"])
def test_a_failing_write_keeps_the_previous_file_and_leaves_no_temporary_one(
    tmp_path: Path, faults: StateFaults, code: int
) -> None:
    folder = tmp_path / "state" / "logins"
    folder.mkdir(parents=True)
    path = write_private(folder / "linxo.json", b'{"before": true}')

    faults.fail(code)
    with pytest.raises(OSError, match=os.strerror(code)) as raised:
        write_private(path, b'{"after": true, "padding": "' + b"x" * 100_000 + b'"}')

    assert raised.value.errno == code
    faults.heal()
    assert path.read_bytes() == b'{"before": true}'
    assert leftovers(tmp_path) == []
    # The temporary file was refused (read-only), or made, half written and removed (full).
    assert len(faults.refused) == 1 and faults.refused[0].endswith(".tmp")


def test_a_failing_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_private(tmp_path / "consent.json", b"{}")
    real_unlink = os.unlink
    removed: list[str] = []

    def busy(source: Any, target: Any, **kwargs: Any) -> None:
        raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), os.fsdecode(target))

    def unlink_fails(name: Any, *args: Any, **kwargs: Any) -> None:
        real_unlink(name, *args, **kwargs)
        removed.append(os.fsdecode(name))
        raise OSError(errno.EROFS, READ_ONLY, os.fsdecode(name))

    monkeypatch.setattr("linxo_assoconnect._core.files.os.replace", busy)
    monkeypatch.setattr(os, "unlink", unlink_fails)
    with pytest.raises(OSError, match=os.strerror(errno.EBUSY)) as raised:
        write_private(path, b'{"new": 1}')

    assert raised.value.errno == errno.EBUSY  # the cleanup's own failure hides nothing
    assert len(removed) == 1 and leftovers(tmp_path) == []
    assert path.read_bytes() == b"{}"


def test_a_consent_book_that_cannot_be_written_is_a_warning_and_stays_as_it_was(
    tmp_path: Path, faults: StateFaults, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    book = ConsentBook.open(folder)
    book.performed(LINXO_USER, "Banque Exemple", now_in_paris())
    book.save()
    before = book.path.read_bytes()

    for code, reason in ((errno.EROFS, READ_ONLY), (errno.ENOSPC, FULL)):
        faults.fail(code)
        book.performed(LINXO_USER, "Autre Banque", now_in_paris())
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="linxo_assoconnect"):
            book.save()  # never raises
        faults.heal()
        assert state_warnings(caplog.records) == [
            f"could not write {book.path} ({reason}): this run's consent dates are not kept"
        ]
        assert_no_traceback(caplog.records)
        assert book.path.read_bytes() == before
        assert leftovers(folder) == []


def outcomes(done: Any) -> list[tuple[str, str]]:
    return [(r.association, r.outcome) for r in done.results]


async def test_a_state_folder_turned_read_only_mid_restore_changes_no_result(
    tmp_path: Path,
    faults: StateFaults,
    sandboxes: list[Sandbox],
    caplog: pytest.LogCaptureFixture,
) -> None:
    state = tmp_path / "state"
    (state / "sandbox").mkdir(parents=True)
    earlier = ConsentBook.open(state / "sandbox")  # an earlier run's
    earlier.performed(federation_linxo(2).username, "Banque Exemple 02", now_in_paris())
    earlier.save()
    book_before = earlier.path.read_bytes()
    config = load_config(
        federation_config(tmp_path, 2, sandbox='broken_banks = ["Banque Exemple 01"]')
    )

    faults.fail_after_first_login(errno.EROFS)
    with caplog.at_level(logging.WARNING, logger="linxo_assoconnect"):
        done = await _commands.run_command("restore", config, [], quiet=True)

    # As without the fault (test_commands' restore of the same federation).
    assert outcomes(done) == [
        ("Association Exemple 01", "fixed"),
        ("Association Exemple 02", "ok"),
    ]
    assert done.exit_code == 0
    assert [r.reauthenticated for r in done.results] == [["Banque Exemple 01"], []]
    assert [e.subject for e in sandboxes[-1].record.of("reauthentication")] == ["Banque Exemple 01"]
    assert done.results[0].connections[0].consent_known_from == "performed"
    first = faults.first_login
    assert first is not None, "no login was saved"
    assert faults.refused, "the state folder never failed"
    faults.heal()
    assert first.read_bytes() == faults.first_login_bytes  # the close's rewrite failed
    assert earlier.path.read_bytes() == book_before
    assert leftovers(tmp_path) == []
    assert sorted((state / "sandbox" / "logins").iterdir()) == [first]

    warnings = state_warnings(caplog.records)
    store = LoginStore(state / "sandbox")
    logins = [
        store.path("Linxo", federation_linxo(1).username),
        store.path("Linxo", federation_linxo(2).username),
        store.path("AssoConnect", DEMO_ASSOCONNECT.username),
    ]
    assert first in logins
    for login in logins:  # saved after its login (or at close for the first): refused
        assert any(str(login) in w and READ_ONLY in w for w in warnings), (login, warnings)
    assert any(str(earlier.path) in w and READ_ONLY in w for w in warnings), warnings
    assert_no_traceback(caplog.records)


async def test_evidence_that_cannot_be_written_leaves_the_result_as_it_is(
    tmp_path: Path,
    faults: StateFaults,
    sandboxes: list[Sandbox],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    evidence = tmp_path / "state" / "evidence"
    monkeypatch.setenv("LINXO_ASSOCONNECT_EVIDENCE_DIR", str(evidence))
    path = federation_config(
        tmp_path, 2, sandbox='broken_banks = ["Banque Exemple 02"]\nbank_rejects_code = true'
    )
    faults.fail_after_first_login(errno.EROFS)
    with caplog.at_level(logging.WARNING, logger="linxo_assoconnect"):
        done = await _commands.run_command("restore", load_config(path), [], quiet=True)

    assert outcomes(done) == [
        ("Association Exemple 01", "ok"),
        ("Association Exemple 02", "person"),
    ]
    assert done.exit_code == 3
    person = done.results[1]
    assert person.error == "BankAuthFailed" and person.evidence is None
    faults.heal()
    assert not any(evidence.rglob("error.json"))
    warnings = state_warnings(caplog.records)
    assert any("no evidence saved" in w and READ_ONLY in w for w in warnings), warnings
    assert_no_traceback(caplog.records)


# ------------------------------------------------------------------------------------------
# A keyring with no backend


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(previous)


def keyring_config(folder: Path) -> Path:
    path = federation_config(folder, 2, sandbox='broken_banks = ["Banque Exemple 01"]')
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('password = "env:LINXO_MDP"', 'password = "keyring"', 1))
    return path


def says_no_keyring(message: str) -> None:
    assert "\n" not in message.strip()
    assert "aucun trousseau" in message.lower() and "env:" in message
    assert federation_linxo(1).username in message


async def test_a_keyring_with_no_backend_is_refused_before_any_site(
    tmp_path: Path, no_keyring: None, sandboxes: list[Sandbox]
) -> None:
    config = load_config(keyring_config(tmp_path))
    with pytest.raises(ConfigurationError) as error:
        await _commands.run_command("restore", config, [], quiet=True)

    says_no_keyring(str(error.value))
    assert all(sandbox.record.requests == [] for sandbox in sandboxes)


def test_a_keyring_with_no_backend_is_exit_code_2_and_one_line(
    tmp_path: Path, no_keyring: None, sandboxes: list[Sandbox], capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    code = main_in_thread(["restore", "-c", str(keyring_config(tmp_path))])

    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("linxo-assoconnect: ") and len(err.strip().splitlines()) == 1
    says_no_keyring(err)
    assert "Traceback" not in err
    assert all(sandbox.record.requests == [] for sandbox in sandboxes)
    assert time.monotonic() - started < 10  # no browser started


# ------------------------------------------------------------------------------------------
# An IMAP server that accepts and never answers

Behaviour = Literal["silent", "greets_then_silent", "greets_and_closes"]


class BadImap:
    """A local TCP server that accepts, then: ``silent`` sends nothing at all (not even TLS);
    ``greets_then_silent`` sends the TLS handshake and IMAP greeting, then nothing;
    ``greets_and_closes`` sends the greeting, then closes the connection."""

    def __init__(self, behaviour: Behaviour, certificate: tuple[Path, Path]) -> None:
        self.behaviour = behaviour
        self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._tls.load_cert_chain(*certificate)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> BadImap:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in [*self._open, self._listener]:
            connection.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            self._open.append(connection)
            if self.behaviour != "silent":
                threading.Thread(target=self._greet, args=(connection,), daemon=True).start()

    def _greet(self, connection: socket.socket) -> None:
        connection.settimeout(10)
        try:
            tls = self._tls.wrap_socket(connection, server_side=True)
            tls.sendall(b"* OK IMAP4rev1 ready\r\n")
        except OSError:
            return
        if self.behaviour == "greets_and_closes":
            tls.close()
        else:
            self._open.append(tls)


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    made = make_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(made[0]))  # the default context trusts it
    return made


def mail_section(port: int, *, code_wait: float = 5) -> str:
    return (
        f'mail = {{ host = "127.0.0.1", port = {port}, code_wait = {code_wait}, '
        'username = "tresorier@example.org", password = "env:IMAP_MDP" }'
    )


REASONS = {
    "silent": "aucune réponse en 2 s",
    "greets_then_silent": "aucune réponse en 2 s",
    "greets_and_closes": "connexion interrompue",
}


@pytest.mark.parametrize("behaviour", list(REASONS))
def test_linxo_s_code_from_a_mailbox_that_does_not_answer_is_a_person_s_job_within_timeout(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, behaviour: Behaviour
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # no terminal: nobody to type it
    with BadImap(behaviour, certificate) as server:
        config = Config(
            timeout=2,
            mail={
                "host": "127.0.0.1",
                "port": server.port,
                "username": "tresorier@example.org",
                "password": "env:IMAP_MDP",
                "code_wait": 60,
            },
        )
        source = _codes.linxo_codes(config, None)(LINXO_USER)
        assert source is not None
        started = time.monotonic()
        with pytest.raises(HumanActionRequired) as error:
            run_async(call_otp_async(source))
        elapsed = time.monotonic() - started
    assert server.accepted == 1
    message = str(error.value)
    assert "\n" not in message
    assert LINXO_USER in message and f"127.0.0.1:{server.port}" in message
    assert REASONS[behaviour] in message
    # The configured timeout bounds it, not code_wait (60 s) nor the mailbox's default (30 s).
    assert elapsed < 2 + 10, elapsed
    if behaviour != "greets_and_closes":
        assert elapsed >= 1.9, elapsed


async def test_restore_goes_on_when_the_mailbox_never_answers_for_linxo_s_code(
    tmp_path: Path, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = Sandbox(
        scenario_from(
            {
                "federation": 2,
                "variant": "bare",
                "linxo_login": "two_steps",
                "broken_banks": ["Banque Exemple 02"],
            }
        )
    )
    monkeypatch.setattr(_commands, "_sandbox", lambda config: sandbox)
    reads: list[float] = []
    reading = _mail.linxo_code_from_imap

    def timed(**options: Any) -> str | None:
        started = time.monotonic()
        try:
            return reading(**options)
        finally:
            reads.append(time.monotonic() - started)

    monkeypatch.setattr("linxo_assoconnect.cli._codes.linxo_code_from_imap", timed)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    with BadImap("greets_then_silent", certificate) as server:
        path = federation_config(tmp_path, 2, extra=mail_section(server.port))
        path.write_text(path.read_text().replace("timeout = 15", "timeout = 4"))
        config = load_config(path)
        # 01's Linxo login is saved by a first run, when Linxo asks for no code.
        first = await _commands.run_command(
            "status", config, ["Association Exemple 01"], quiet=True
        )
        assert outcomes(first) == [("Association Exemple 01", "ok")]
        sandbox.scenario = sandbox.scenario.model_copy(update={"linxo_asks_code": True})
        done = await _commands.run_command("restore", config, [], quiet=True)

    assert outcomes(done) == [
        ("Association Exemple 01", "ok"),  # its saved login: no code asked
        ("Association Exemple 02", "person"),
    ]
    assert done.exit_code == 3
    two = done.results[1]
    assert two.error == "HumanActionRequired"
    assert f"127.0.0.1:{server.port}" in (two.message or "")
    assert "aucune réponse en 4 s" in (two.message or "")
    assert len(reads) == 1 and reads[0] < 4 + 10, reads  # bounded by the timeout
    assert sandbox.record.of("linxo_code") == []  # nothing typed into Linxo


def test_mail_from_a_mailbox_that_never_answers_is_exit_code_2_within_its_timeout(
    tmp_path: Path, certificate: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    with BadImap("silent", certificate) as server:
        path = federation_config(tmp_path, 1, extra=mail_section(server.port))
        started = time.monotonic()
        code = main(["mail", "-c", str(path)])
        elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"127.0.0.1:{server.port}" in err and "aucune réponse en 15 s" in err
    assert elapsed < 15 + 10, elapsed  # the configuration's timeout (15 s)


def test_restore_from_a_mailbox_that_drops_the_connection_touches_no_site(
    tmp_path: Path,
    certificate: tuple[Path, Path],
    sandboxes: list[Sandbox],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with BadImap("greets_and_closes", certificate) as server:
        path = federation_config(tmp_path, 1, extra=mail_section(server.port))
        started = time.monotonic()
        code = main(["restore", "-c", str(path), "--from-mail", "--json"])
        elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"127.0.0.1:{server.port}" in err
    assert "connexion interrompue" in err
    assert sandboxes == []  # refused before any site
    assert elapsed < 10, elapsed
