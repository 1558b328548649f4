"""What the examples share: their options, the logins, and the switch to the offline sandbox.

On real accounts the logins come from the environment, or from the system keyring when only
the user name is in the environment:

    LINXO_ASSOCONNECT_LINXO_USERNAME        LINXO_ASSOCONNECT_LINXO_PASSWORD
    LINXO_ASSOCONNECT_ASSOCONNECT_USERNAME  LINXO_ASSOCONNECT_ASSOCONNECT_PASSWORD
    LINXO_ASSOCONNECT_BANK_USERNAME         LINXO_ASSOCONNECT_BANK_PASSWORD   (optional)
    LINXO_ASSOCONNECT_ASSOCIATION           the association, as AssoConnect shows it

Without the bank's login, a person does the bank step in a browser window. With it, the code
the bank sends by SMS is asked on the terminal.

With ``--sandbox``, everything runs against the built-in offline sandbox of Linxo, AssoConnect
and a demo bank, with its demo logins: nothing leaves the machine. ``--scenario NAME`` picks
what the sandbox shows (``linxo-assoconnect demo --help`` lists the names).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Browser
from pydantic import SecretStr

from linxo_assoconnect import (
    AccountNotFound,
    BankAuthFailed,
    ConfigurationError,
    Credentials,
    HumanActionRequired,
    LinxoAssoconnectError,
    LoginFailed,
    PageChanged,
    RetryPolicy,
    Session,
    TransientSiteError,
)
from linxo_assoconnect.testing import (
    DEMO_ASSOCONNECT,
    DEMO_BANK,
    DEMO_LINXO,
    DEMO_SMS_CODE,
    SCENARIOS,
    DemoLogin,
    Sandbox,
)

__all__ = ["Setup", "add_options", "exit_code", "explain", "setup_from"]

ASSOCIATION_VARIABLE = "LINXO_ASSOCONNECT_ASSOCIATION"
SANDBOX_ASSOCIATION = "Association Exemple"

# The sandbox answers at once: short waits keep its transient errors quick to retry.
SANDBOX_RETRY = RetryPolicy(initial_wait=0.2, max_wait=2.0, deadline=60.0)


def add_options(parser: argparse.ArgumentParser, *, several: bool = False) -> None:
    """The association (``several``: any number of them), ``--sandbox`` and ``--scenario``."""
    parser.add_argument(
        "associations",
        nargs="*" if several else "?",
        metavar="association",
        help=f"as AssoConnect shows it (default: ${ASSOCIATION_VARIABLE}; "
        f"with --sandbox, « {SANDBOX_ASSOCIATION} »)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run against the built-in offline sandbox, with its demo logins",
    )
    parser.add_argument(
        "--scenario",
        default="demo",
        choices=sorted(SCENARIOS),
        help="what the sandbox shows (default: demo, a broken connection and an unlinked account)",
    )


@dataclass(frozen=True)
class Setup:
    """The associations, their logins, and the sandbox when there is one."""

    associations: tuple[str, ...]
    linxo: Credentials
    assoconnect: Credentials
    bank: Credentials | None
    otp: Callable[[], str] | None
    sandbox: Sandbox | None = None

    @property
    def association(self) -> str:
        """The association, for the examples that handle one."""
        return self.associations[0]

    def session(self, *, browser: Browser | None = None) -> Session:
        """A Session on the real sites, or on the sandbox (no login kept, short retries)."""
        if self.sandbox is None:
            return Session(browser=browser)
        return Session(
            browser=browser,
            save_logins=False,
            on_context=self.sandbox.attach,
            retry=SANDBOX_RETRY,
            timeout=15.0,
            bank_timeout=30.0,
        )


def setup_from(options: argparse.Namespace) -> Setup:
    """The set-up the options ask for. A missing login raises `ConfigurationError`."""
    given = options.associations
    associations = tuple([given] if isinstance(given, str) else given or ())
    if options.sandbox:
        return Setup(
            associations=associations or (SANDBOX_ASSOCIATION,),
            linxo=_demo(DEMO_LINXO),
            assoconnect=_demo(DEMO_ASSOCONNECT),
            bank=_demo(DEMO_BANK),
            otp=lambda: DEMO_SMS_CODE,
            sandbox=Sandbox(SCENARIOS[options.scenario]),
        )
    if not associations and os.environ.get(ASSOCIATION_VARIABLE):
        associations = (os.environ[ASSOCIATION_VARIABLE],)
    if not associations:
        raise ConfigurationError(
            f"Quelle association ? Donnez son nom, ou la variable {ASSOCIATION_VARIABLE}."
        )
    bank = _login("bank") if os.environ.get("LINXO_ASSOCONNECT_BANK_USERNAME") else None
    return Setup(
        associations=associations,
        linxo=_login("linxo"),
        assoconnect=_login("assoconnect"),
        bank=bank,
        otp=_ask_code if bank is not None and sys.stdin.isatty() else None,
    )


def _demo(login: DemoLogin) -> Credentials:
    return Credentials(username=login.username, password=SecretStr(login.password))


def _login(site: str) -> Credentials:
    """From the environment; from the keyring when only the user name is there."""
    username = os.environ.get(f"LINXO_ASSOCONNECT_{site.upper()}_USERNAME")
    if username and not os.environ.get(f"LINXO_ASSOCONNECT_{site.upper()}_PASSWORD"):
        return Credentials.from_keyring(site, username)
    return Credentials.from_env(site)


def _ask_code() -> str:
    return input("Code reçu par SMS : ").strip()


def exit_code(error: LinxoAssoconnectError) -> int:
    """The exit code `linxo-assoconnect` gives the same error (docs/command-line.md)."""
    if isinstance(error, PageChanged):
        return 4
    if isinstance(error, HumanActionRequired | LoginFailed | BankAuthFailed):
        return 3
    if isinstance(error, TransientSiteError):
        return 5
    if isinstance(error, ConfigurationError):
        return 2
    return 1  # SyncFailed, AccountNotFound, BrowserNotFound


def explain(error: LinxoAssoconnectError) -> int:
    """Tell what stopped the run, and where its evidence is; return the exit code."""
    print(f"Échec ({type(error).__name__}) : {error}", file=sys.stderr)
    if isinstance(error, AccountNotFound) and error.choices:
        print(f"Choix possibles : {', '.join(error.choices)}", file=sys.stderr)
    if error.evidence is not None:
        print(f"Ce que montrait la page : {error.evidence}", file=sys.stderr)
    return exit_code(error)
