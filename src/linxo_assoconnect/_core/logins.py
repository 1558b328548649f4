"""Saved logins: a site's Playwright storage state per identity, kept between runs.

A saved login is a secret (its cookies open the account): each file is written atomically with
mode 0600 in a per-user folder, optionally encrypted with a key kept in the system's keyring.
A file that cannot be read or was tampered with is set aside, never deleted, and the caller
logs in afresh.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from .errors import ConfigurationError
from .files import STATE_ENV_VAR, ensure_writable, write_private
from .models import KEYRING_SERVICE, import_keyring
from .secrets import logger

__all__ = ["LoginStore"]

KEYRING_KEY_NAME = "saved-logins-key"


class _Cookie(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    value: str
    domain: str
    path: str


class _StorageState(BaseModel):
    """The shape of Playwright's storage state; anything else is not a saved login."""

    model_config = ConfigDict(extra="allow")
    cookies: list[_Cookie]
    origins: list[dict[str, Any]]


class _KeyringCipher:
    """Fernet (authenticated encryption) with a key kept in the system's keyring."""

    def __init__(self) -> None:
        keyring = import_keyring()
        # cryptography comes with the same extra: keyring's import has said how to get both.
        from cryptography.fernet import Fernet, InvalidToken

        try:
            key = keyring.get_password(KEYRING_SERVICE, KEYRING_KEY_NAME)
            if key is None:
                key = Fernet.generate_key().decode()
                keyring.set_password(KEYRING_SERVICE, KEYRING_KEY_NAME, key)
        except keyring.errors.KeyringError as error:
            raise ConfigurationError(
                f"Le trousseau du système ne répond pas ({error}) : sans lui, les connexions "
                "enregistrées ne peuvent pas être chiffrées (encrypt_logins=False pour s’en "
                "passer)."
            ) from None
        self._fernet = Fernet(key.encode())
        self._invalid = InvalidToken

    def encrypt(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        """The plain bytes; `ValueError` if ``token`` was altered or made with another key."""
        try:
            return self._fernet.decrypt(token)
        except self._invalid:
            raise ValueError("not encrypted with this keyring's key, or altered") from None


class LoginStore:
    """Saved logins in ``folder/logins``: one file per site and identity."""

    def __init__(self, folder: Path, *, encrypt: bool = False) -> None:
        self.folder = folder / "logins"
        self._cipher = _KeyringCipher() if encrypt else None

    @classmethod
    def open(cls, folder: Path, *, encrypt: bool = False) -> LoginStore:
        """The store in ``folder``; fails now if it cannot be written."""
        ensure_writable(
            folder / "logins",
            "des connexions enregistrées",
            f"le paramètre state_dir ou la variable {STATE_ENV_VAR}",
        )
        return cls(folder, encrypt=encrypt)

    def path(self, site: str, username: str) -> Path:
        # A digest, not the e-mail address: file names show up in listings and backups.
        digest = hashlib.sha256(f"{site}\0{username.casefold()}".encode()).hexdigest()[:20]
        return self.folder / f"{site.lower()}-{digest}{'.enc' if self._cipher else '.json'}"

    def load(self, site: str, username: str) -> dict[str, Any] | None:
        """The saved storage state, or None (nothing saved, or set aside as unreadable)."""
        path = self.path(site, username)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning("saved login %s unreadable (%s): logging in afresh", path, error)
            return None
        try:
            if self._cipher is not None:
                data = self._cipher.decrypt(data)
            state = _StorageState.model_validate_json(data)
        except ValueError as error:  # pydantic's ValidationError is one too
            self._set_aside(path, type(error).__name__)
            return None
        return state.model_dump(mode="json")

    def save(self, site: str, username: str, state: dict[str, Any]) -> Path:
        """Write atomically (temporary file, fsync, rename) with mode 0600.

        Raises `OSError` when the folder cannot be written (full, read-only): the login saved
        before stays as it was.
        """
        path = self.path(site, username)
        data = json.dumps(state).encode()
        if self._cipher is not None:
            data = self._cipher.encrypt(data)
        write_private(path, data)
        if self._cipher is not None:  # encryption just turned on: no copy left in clear
            path.with_suffix(".json").unlink(missing_ok=True)
        logger.debug("saved the %s login in %s", site, path)
        return path

    @staticmethod
    def _set_aside(path: Path, why: str) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"{path.name}.unreadable-{stamp}")
        try:
            path.replace(aside)
        except OSError:
            logger.warning("saved login %s cannot be used (%s); logging in afresh", path, why)
            return
        logger.warning(
            "saved login %s cannot be used (%s); kept as %s, logging in afresh", path, why, aside
        )
