"""The command line's configuration: a TOML file, overridden by ``LINXO_ASSOCONNECT_*`` variables.

    concurrency = 4
    assoconnect = "tresorier@federation-exemple.fr"     # the default AssoConnect login

    [[associations]]
    name = "Association Exemple"                       # as AssoConnect shows it
    linxo = { username = "tresorier@association-exemple.fr", password = "env:LINXO_MDP" }
    accounts = [{ assoconnect = "Livret A", linxo = "Livret A Association Exemple" }]

A password is never written in the file: ``"keyring"`` (the system keyring, the default) or
``"env:NAME"`` (an environment variable) says where it is.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .._core.errors import ConfigurationError
from .._core.files import APP_NAME
from .._core.models import ENV_PREFIX, Credentials
from .._core.profiles import AssoConnectProfile, LinxoProfile
from .._core.retry import RetryPolicy
from .._core.text import fold
from ._config_errors import ConfigError, key_lines, locate
from ._references import KEYRING, SecretReference, missing_variables, reveal

__all__ = [
    "CONFIG_ENV_VAR",
    "AccountLink",
    "AssociationConfig",
    "Config",
    "ConfigError",
    "Identity",
    "default_config_path",
    "load_config",
    "missing_variables",
    "reveal",
]

CONFIG_ENV_VAR = f"{ENV_PREFIX}CONFIG"


def default_config_path() -> Path:
    """``$LINXO_ASSOCONNECT_CONFIG``, else ``config.toml`` in the per-user configuration folder
    (``~/.config/linxo-assoconnect/config.toml`` on Linux)."""
    override = os.environ.get(CONFIG_ENV_VAR)
    return Path(override) if override else platformdirs.user_config_path(APP_NAME) / "config.toml"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _username_only(value: Any) -> Any:
    return {"username": value} if isinstance(value, str) else value


class Identity(_Section):
    """A login on one site: the user name, and where its password is."""

    username: str = Field(min_length=1)
    password: SecretReference = KEYRING

    def credentials(self, site: str) -> Credentials:
        """The login with its password read from the keyring or the environment."""
        password = reveal(self.password, service=site, username=self.username)
        return Credentials(username=self.username, password=password)


LoginSetting = Annotated[Identity, BeforeValidator(_username_only)]


class AccountLink(_Section):
    """Which Linxo account feeds which AssoConnect account (and through which bank)."""

    assoconnect: str = Field(min_length=1)
    linxo: str = Field(min_length=1)
    bank: str | None = None
    """The Linxo bank connection holding the account, for `status`."""


class AssociationConfig(_Section):
    """One association: its name as AssoConnect shows it, its logins and its accounts."""

    name: str = Field(min_length=1)
    assoconnect: LoginSetting | None = None
    """AssoConnect login; the file's top-level ``assoconnect`` when not given."""
    linxo: LoginSetting
    bank: LoginSetting | None = None
    """The bank's login, to fill the bank's form; a person types the code (``otp``)."""
    accounts: list[AccountLink] = Field(default_factory=list)

    @property
    def links(self) -> dict[str, str]:
        """AssoConnect account → Linxo account, as `restore` takes them."""
        return {link.assoconnect: link.linxo for link in self.accounts}


class BrowserSettings(_Section):
    """Which Chromium, and how."""

    headed: bool = False
    """Show every page; by default only the bank step gets a window."""
    executable: str | None = None
    endpoint: str | None = None
    """A remote browser: ``ws://…`` (Playwright server) or ``http://…`` (Chrome DevTools)."""


class WebhookSettings(_Section):
    """Where to POST a JSON notification when a person must act or consent expires soon."""

    url: str
    """The address (``"env:NAME"`` when it holds a token, as chat webhooks do)."""
    topic: str | None = None
    """ntfy's topic, when ``url`` is the ntfy server's root."""
    headers: dict[str, SecretReference] = Field(default_factory=dict)

    def address(self) -> str:
        """``url``, read from the environment if it names a variable."""
        if self.url.startswith("env:"):
            return reveal(self.url, service="webhook", username="url").get_secret_value()
        return self.url


class MailSettings(_Section):
    """The IMAP mailbox (TLS, read-only) that receives AssoConnect's « Import avec Linxo »,
    and the code Linxo sends to log in, if it sends it there."""

    host: str
    port: PositiveInt = 993
    username: str
    password: SecretReference = KEYRING
    folder: str = "INBOX"
    days: PositiveInt = 30
    """How far back to look for alerts."""
    code_wait: PositiveFloat = 120.0
    """How long to wait for the code Linxo sends by e-mail, in seconds."""


class Config(BaseSettings):
    """Everything the command line needs; see the module docstring for the file's shape."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True
    )

    associations: list[AssociationConfig] = Field(default_factory=list)
    assoconnect: LoginSetting | None = None
    """The AssoConnect login of associations that name none (a federation's treasurer)."""
    concurrency: PositiveInt = 4
    """Associations handled at once, each in a browser context of its own."""
    timeout: PositiveFloat = 30.0
    bank_timeout: PositiveFloat = 600.0
    """How long a person has for the bank step."""
    consent_days: PositiveInt = 180
    """PSD2 consent lifetime, counted from the last bank authentication (180 days since 2023)."""
    warn_days: PositiveInt = 14
    """Warn when consent expires within this many days."""
    retry: RetryPolicy = RetryPolicy()
    linxo_profile: LinxoProfile = LinxoProfile()
    """The words looked for on Linxo, when the site renames one (``[linxo_profile]``)."""
    assoconnect_profile: AssoConnectProfile = AssoConnectProfile()
    """The words looked for on AssoConnect (``[assoconnect_profile]``)."""
    chromium: BrowserSettings = BrowserSettings()
    state_dir: Path | None = None
    lock_wait: NonNegativeFloat = 0.0
    """Seconds a run waits for another one using the same state folder to end (0: it stops
    at once, exit code 6)."""
    evidence_dir: Path | None = None
    trace: bool = False
    webhook: WebhookSettings | None = None
    mail: MailSettings | None = None
    sandbox: dict[str, Any] | None = None
    """Serve the built-in sandbox instead of the real sites: ``scenario`` (a name of
    ``linxo-assoconnect demo --scenario``) and any `testing.Scenario` field."""

    @field_validator("sandbox")
    @classmethod
    def _known_scenario(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            from ..testing._scenario import scenario_from

            scenario_from(value)
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's content is passed in (init), so that its errors point at its lines;
        # the environment wins over it.
        return env_settings, init_settings

    def login(self, association: AssociationConfig) -> Identity:
        """The AssoConnect login of ``association``."""
        identity = association.assoconnect or self.assoconnect
        if identity is None:  # pragma: no cover - refused by validation
            raise ConfigurationError(f"« {association.name} » n’a pas d’identifiant AssoConnect.")
        return identity

    def pick(self, names: list[str]) -> list[AssociationConfig]:
        """The associations named (ignoring case and accents), all of them if none is."""
        if not names:
            return list(self.associations)
        known = {fold(a.name): a for a in self.associations}
        names = list({fold(name): name for name in names}.values())  # each once
        unknown = [name for name in names if fold(name) not in known]
        if unknown:
            choices = ", ".join(a.name for a in self.associations) or "aucune"
            raise ConfigurationError(
                f"Association inconnue : {', '.join(unknown)} (dans la configuration : {choices})."
            )
        return [known[fold(name)] for name in names]


def load_config(path: str | Path | None = None) -> Config:
    """Read and check the configuration, or raise `ConfigurationError` listing every problem
    (in ``problems``), each with its line in the file."""
    path = Path(path) if path is not None else default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(
            f"Pas de fichier de configuration : {path} (voir docs/command-line.md, ou "
            f"choisissez-en un avec --config ou {CONFIG_ENV_VAR})."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigurationError(f"Configuration illisible : {path} ({error}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{path}: TOML invalide : {error}.") from None
    lines = key_lines(text)
    try:
        config = Config(**data)
    except ValidationError as error:
        located = [locate(path, lines, e["loc"], e["msg"]) for e in error.errors()]
    else:
        located = [locate(path, lines, loc, msg) for loc, msg in _cross_checks(config)]
    if located:
        raise ConfigError(path, [text for _, text in sorted(located, key=lambda item: item[0])])
    return config


def _cross_checks(config: Config) -> list[tuple[tuple[str | int, ...], str]]:
    """What no single field says wrong: a name given twice, an association without login."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    seen: set[str] = set()
    for index, association in enumerate(config.associations):
        if fold(association.name) in seen:
            problems.append(
                (("associations", index, "name"), f"« {association.name} » est décrite deux fois")
            )
        seen.add(fold(association.name))
        if association.assoconnect is None and config.assoconnect is None:
            problems.append(
                (
                    ("associations", index),
                    "pas d’identifiant AssoConnect : donnez assoconnect dans l’association "
                    "ou en tête du fichier",
                )
            )
    return problems
