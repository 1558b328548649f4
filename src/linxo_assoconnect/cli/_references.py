"""Secret references: the configuration says where a secret is, ``"keyring"`` (the system
keyring) or ``"env:NAME"`` (an environment variable), never the secret itself."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, SecretStr

from .._core.errors import ConfigurationError
from .._core.models import KEYRING_SERVICE, Credentials, import_keyring
from ._config_errors import key_lines, locate

__all__ = ["KEYRING", "SecretReference", "missing_variables", "reveal"]

_REFERENCE = re.compile(r"keyring|env:[A-Za-z_][A-Za-z0-9_]*")


def _reference(value: str) -> str:
    if not _REFERENCE.fullmatch(value):
        raise ValueError(
            "un secret ne s’écrit pas dans ce fichier : mettez-le dans le trousseau du système "
            f'(valeur "keyring", puis `keyring set {KEYRING_SERVICE}-<site> <identifiant>`) '
            'ou dans une variable d’environnement (valeur "env:NOM_DE_VARIABLE")'
        )
    return value


KEYRING = "keyring"
SecretReference = Annotated[str, AfterValidator(_reference)]
"""Where a secret is: ``"keyring"`` or ``"env:VARIABLE"``, never the secret itself."""


def reveal(reference: str, *, service: str, username: str) -> SecretStr:
    """The secret that ``reference`` points to, or `ConfigurationError` saying how to set it."""
    if reference.startswith("env:"):
        name = reference.removeprefix("env:")
        value = os.environ.get(name)
        if not value:
            raise ConfigurationError(f"Variable d’environnement absente : {name} ({username}).")
        return SecretStr(value)
    return _from_keyring(service, username)


def _from_keyring(service: str, username: str) -> SecretStr:
    """The password in the system's keyring; `ConfigurationError` saying to use a variable
    when no keyring is usable here (``keyring`` installed with no backend, as on a server
    without a desktop session)."""
    keyring = import_keyring()
    from keyring.backends import fail, null

    if isinstance(keyring.get_keyring(), fail.Keyring | null.Keyring):
        raise ConfigurationError(
            "Aucun trousseau n’est utilisable ici (keyring n’a aucun service de mots de passe, "
            "comme sur un serveur sans session de bureau) : mettez le mot de passe de "
            f"{username} ({service}) dans une variable d’environnement, et écrivez "
            '"env:NOM_DE_VARIABLE" au lieu de "keyring" dans la configuration.'
        )
    return Credentials.from_keyring(service, username).password


def missing_variables(path: Path) -> list[str]:
    """Each ``"env:NAME"`` of the file whose variable is not set, with its line."""
    text = path.read_text(encoding="utf-8")
    lines = key_lines(text)
    problems: list[tuple[int, str]] = []

    def walk(value: object, location: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*location, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*location, index))
        elif isinstance(value, str) and _REFERENCE.fullmatch(value) and value != KEYRING:
            name = value.removeprefix("env:")
            if not os.environ.get(name):
                problems.append(
                    locate(path, lines, location, f"la variable d’environnement {name} est vide")
                )

    walk(tomllib.loads(text), ())
    return [text for _, text in sorted(problems)]
