"""Where the library writes (per-user folders, never the working directory), and how."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from .errors import ConfigurationError

__all__ = [
    "APP_NAME",
    "EVIDENCE_ENV_VAR",
    "STATE_ENV_VAR",
    "default_evidence_dir",
    "default_state_dir",
    "ensure_writable",
    "safe_address",
    "write_private",
]

APP_NAME = "linxo-assoconnect"
STATE_ENV_VAR = "LINXO_ASSOCONNECT_STATE_DIR"
EVIDENCE_ENV_VAR = "LINXO_ASSOCONNECT_EVIDENCE_DIR"


def default_state_dir() -> Path:
    """``$LINXO_ASSOCONNECT_STATE_DIR``, else the per-user state folder
    (``~/.local/state/linxo-assoconnect`` on Linux)."""
    override = os.environ.get(STATE_ENV_VAR)
    return Path(override) if override else platformdirs.user_state_path(APP_NAME)


def default_evidence_dir(state_dir: Path | None = None) -> Path:
    """``$LINXO_ASSOCONNECT_EVIDENCE_DIR``, else ``evidence`` in the state folder."""
    override = os.environ.get(EVIDENCE_ENV_VAR)
    return Path(override) if override else (state_dir or default_state_dir()) / "evidence"


def ensure_writable(folder: Path, what: str, choose: str) -> Path:
    """Create ``folder`` (mode 0700) or raise `ConfigurationError` with its path and the fix;
    ``choose`` says how to pick another one."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = folder / f".write-test-{os.getpid()}-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ConfigurationError(
            f"Le dossier {what} {folder} n’est pas accessible en écriture ({error.strerror}). "
            f"Donnez-en les droits à l’utilisateur courant (chmod u+rwx), ou choisissez-en un "
            f"autre avec {choose}."
        ) from None
    return folder


def safe_address(url: str) -> str:
    """``url`` as it may be shown: no user, password, query or fragment (tokens travel there)."""
    parts = urlsplit(url)
    if not parts.netloc:  # a relative address, as in a Location header
        return parts.path
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename), mode 0600.

    A crash at any point leaves either the old file or the new one, never half of one. A
    failure (a full or read-only disk) raises the `OSError`, leaving the old file as it was
    and no temporary file.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):  # the write's error matters, not the cleanup's
            temporary.unlink(missing_ok=True)
        raise
    return path
