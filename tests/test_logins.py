"""Saved logins on disk, evidence folders, and where credentials come from."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from pydantic import SecretStr

from linxo_assoconnect import ConfigurationError, Credentials
from linxo_assoconnect._core import evidence
from linxo_assoconnect._core.files import default_state_dir
from linxo_assoconnect._core.logins import LoginStore

STATE: dict[str, Any] = {
    "cookies": [
        {
            "name": "JSESSIONID",
            "value": "cookie-value-1234",
            "domain": "wwws.linxo.com",
            "path": "/",
        }
    ],
    "origins": [],
}


class MemoryKeyring(KeyringBackend):
    """A keyring in memory, standing for the system's."""

    priority = 1

    def __init__(self) -> None:
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.passwords[(service, username)]


@pytest.fixture
def memory_keyring() -> Any:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_a_saved_login_round_trips_in_a_private_file(tmp_path: Path) -> None:
    store = LoginStore.open(tmp_path)
    path = store.save("Linxo", "Tresorier@Example.org", STATE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.load("Linxo", "tresorier@example.org") == STATE  # the address, any case
    assert store.load("AssoConnect", "tresorier@example.org") is None


def test_a_crash_while_writing_leaves_the_old_login_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LoginStore.open(tmp_path)
    path = store.save("Linxo", "t@example.org", STATE)
    before = path.read_bytes()

    def power_cut(descriptor: int) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(os, "fsync", power_cut)
    newer = {**STATE, "cookies": []}
    with pytest.raises(OSError, match="no space"):
        store.save("Linxo", "t@example.org", newer)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no half-written file left


def test_an_unreadable_login_is_set_aside_not_deleted(tmp_path: Path) -> None:
    store = LoginStore.open(tmp_path)
    path = store.save("Linxo", "t@example.org", STATE)
    path.write_bytes(b"\x00garbage")
    assert store.load("Linxo", "t@example.org") is None
    [aside] = path.parent.iterdir()
    assert aside.name.startswith(f"{path.name}.unreadable-")
    assert aside.read_bytes() == b"\x00garbage"


def test_encrypted_logins_use_a_key_from_the_keyring(tmp_path: Path, memory_keyring: Any) -> None:
    store = LoginStore.open(tmp_path, encrypt=True)
    path = store.save("Linxo", "t@example.org", STATE)
    assert path.suffix == ".enc"
    assert b"cookie-value-1234" not in path.read_bytes()
    assert memory_keyring.passwords  # the key was created there, once
    assert LoginStore.open(tmp_path, encrypt=True).load("Linxo", "t@example.org") == STATE


def test_turning_encryption_on_leaves_no_login_in_clear(
    tmp_path: Path, memory_keyring: Any
) -> None:
    plain = LoginStore.open(tmp_path).save("Linxo", "t@example.org", STATE)
    LoginStore.open(tmp_path, encrypt=True).save("Linxo", "t@example.org", STATE)
    assert not plain.exists()
    assert [p.suffix for p in plain.parent.iterdir()] == [".enc"]


def test_a_tampered_encrypted_login_is_set_aside(tmp_path: Path, memory_keyring: Any) -> None:
    store = LoginStore.open(tmp_path, encrypt=True)
    path = store.save("Linxo", "t@example.org", STATE)
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    assert store.load("Linxo", "t@example.org") is None
    assert ".unreadable-" in next(path.parent.iterdir()).name


def test_the_state_folder_is_per_user_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINXO_ASSOCONNECT_STATE_DIR")
    assert not default_state_dir().is_relative_to(Path.cwd())
    assert "linxo-assoconnect" in str(default_state_dir())
    monkeypatch.setenv("LINXO_ASSOCONNECT_STATE_DIR", "/srv/tresorerie")
    assert default_state_dir() == Path("/srv/tresorerie")


def test_a_folder_that_cannot_be_written_names_itself_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigurationError) as caught:
        LoginStore.open(tmp_path / "file")
    assert str(tmp_path / "file") in str(caught.value)
    assert "chmod" in str(caught.value)


def test_old_evidence_is_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence, "KEEP", 3)
    (tmp_path / "mes-documents").mkdir()  # the folder chosen may hold other things
    made = [evidence.new_evidence_dir(tmp_path, f"step {n}") for n in range(5)]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["mes-documents", *(p.name for p in made[-3:])])  # the newest kept


def test_evidence_is_bounded_in_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence, "MAX_BYTES", 1000)
    first = evidence.new_evidence_dir(tmp_path, "big")
    (first / "page.html").write_bytes(b"x" * 2000)
    evidence.new_evidence_dir(tmp_path, "next")
    assert not first.exists()
    monkeypatch.setattr(evidence, "MAX_HTML_CHARS", 10)
    html = evidence.write_html(tmp_path, "<p>" + "y" * 100 + "</p>")
    assert len(html.read_text()) < 60


def test_credentials_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {
        "LINXO_ASSOCONNECT_LINXO_USERNAME": "t@example.org",
        "LINXO_ASSOCONNECT_LINXO_PASSWORD": "from-env-5678",
    }
    credentials = Credentials.from_env("linxo", environ=environ)
    assert credentials.username == "t@example.org"
    assert credentials.password.get_secret_value() == "from-env-5678"
    with pytest.raises(ConfigurationError, match="LINXO_ASSOCONNECT_BANK_USERNAME"):
        Credentials.from_env("bank", environ=environ)
    monkeypatch.setenv("LINXO_ASSOCONNECT_ASSOCONNECT_USERNAME", "a@example.org")
    monkeypatch.setenv("LINXO_ASSOCONNECT_ASSOCONNECT_PASSWORD", "pw-env-9012")
    assert Credentials.from_env("assoconnect").username == "a@example.org"


def test_credentials_from_the_keyring(memory_keyring: Any) -> None:
    keyring.set_password("linxo-assoconnect-linxo", "t@example.org", "from-keyring-3456")
    keyring.set_password("linxo-assoconnect-assoconnect", "t@example.org", "other-one-7890")
    credentials = Credentials.from_keyring("linxo", "t@example.org")
    assert credentials == Credentials(
        username="t@example.org", password=SecretStr("from-keyring-3456")
    )
    assert Credentials.from_keyring("AssoConnect", "t@example.org").password == SecretStr(
        "other-one-7890"
    )
    with pytest.raises(
        ConfigurationError, match=r"keyring set linxo-assoconnect-bank x@example\.org"
    ):
        Credentials.from_keyring("bank", "x@example.org")


def test_no_credentials_file_is_read_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("LINXO_ASSOCONNECT_LINXO_USERNAME=x\n")
    monkeypatch.delenv("LINXO_ASSOCONNECT_LINXO_USERNAME", raising=False)
    with pytest.raises(ConfigurationError):
        Credentials.from_env("linxo")
    assert os.listdir(tmp_path) == [".env"]
