"""One exception tree: every error the library raises derives from `LinxoAssoconnectError`.

Messages are written for a treasurer, in plain words, and never contain a secret: any secret
the library was given is masked from them. An error raised by a page object carries the folder
of its evidence (screenshot, page, URL and step) in ``evidence``.
"""

from __future__ import annotations

from pathlib import Path

from .secrets import redact

__all__ = [
    "AccountNotFound",
    "BankAuthFailed",
    "BrowserClosed",
    "BrowserNotFound",
    "ConfigurationError",
    "HumanActionRequired",
    "LinxoAssoconnectError",
    "LoginFailed",
    "LoginRequired",
    "PageChanged",
    "SyncFailed",
    "TransientSiteError",
]


class LinxoAssoconnectError(Exception):
    """Root of every error raised by linxo_assoconnect."""

    evidence: Path | None = None
    """The folder holding what the page showed when this happened, if it was saved."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class LoginFailed(LinxoAssoconnectError):
    """The site refused the identifier or the password (never retried)."""


class LoginRequired(LinxoAssoconnectError):
    """The site shows its login form: nobody is logged in, or the saved login expired.

    Not a `LoginFailed`: nothing was refused, and ``except LoginFailed`` must not catch an
    expired session."""


class BankAuthFailed(LinxoAssoconnectError):
    """The bank refused the identifier, the password or the one-time code (never retried)."""


class HumanActionRequired(LinxoAssoconnectError):
    """The bank step needs a person: the browser is headless, or the wait for the person ran out."""


class AccountNotFound(LinxoAssoconnectError):
    """No bank, account or association matches the name, or several do."""

    def __init__(self, message: str, *, wanted: str, choices: list[str]) -> None:
        super().__init__(message)
        self.wanted = wanted
        """The name asked for."""
        self.choices = choices
        """The names the page offers."""


class PageChanged(LinxoAssoconnectError):
    """An expected element is missing: the site changed. Evidence paths tell what was seen."""

    def __init__(
        self,
        message: str,
        *,
        screenshot: Path | None = None,
        html: Path | None = None,
    ) -> None:
        super().__init__(message)
        self.screenshot = screenshot
        """The page as it was (``page.png`` in `evidence`), if saved."""
        self.html = html
        """The page's HTML (``page.html`` in `evidence`), if saved."""


class TransientSiteError(LinxoAssoconnectError):
    """The site is temporarily unavailable (5xx, timeout, « réessayez plus tard »); retried."""


class SyncFailed(LinxoAssoconnectError):
    """The synchronisation still fails after the bounded retries and the fallback page."""


class BrowserClosed(LinxoAssoconnectError):
    """The browser, or the page being driven, went away (closed, killed, crashed) in a step.

    What the sites did before it is kept: a new browser may go on, reading their state
    first. ``resumable`` is False when the step may have sent the bank an identifier, a
    password or a code: it is not done again without a person deciding to."""

    def __init__(self, message: str, *, step: str = "", resumable: bool = True) -> None:
        super().__init__(message)
        self.step = step
        """The step under way (« forcer la synchronisation »…)."""
        self.resumable = resumable


class BrowserNotFound(LinxoAssoconnectError):
    """No Chromium could be found to drive; the message says how to get one."""


class ConfigurationError(LinxoAssoconnectError):
    """The set-up is wrong (a folder that cannot be written, a missing extra or variable)."""
