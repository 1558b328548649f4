"""Run one code block of the documentation as a user would, against the offline sandbox.

    python tests/doc_sandbox.py BLOCK.py [NAME]

The blocks address the real sites with real logins (`Credentials.from_env("linxo")`,
`Credentials.from_keyring(…)`, `Session()`, a page of the user's own Playwright). Before the
block runs, this module makes all of that land on the sandbox, and nothing else:

- the environment variables `Credentials.from_env` reads hold the sandbox's demo logins, and
  `Credentials.from_keyring` answers with the demo password of its site (the user name is the
  block's own: a wrong one is refused by the sandboxed site, as by the real one);
- every browser context the block opens, through a `Session`, `aio.Session` or its own
  `Browser.new_context` / `Browser.new_page`, is served by one `Sandbox` (scenario
  ``DOC_SANDBOX_SCENARIO``, « demo » by default: a broken connection, an unlinked account, one
  transient error), so its state carries from one call to the next as on the real sites;
- saved logins and evidence go to ``DOC_SANDBOX_DIR`` (a temporary folder by default);
- with ``DOC_SANDBOX_PERSON=1`` (a block where a person does the bank step in a window), the
  sandbox's simulated person does it: the demo bank's login and SMS code are given where the
  block gives none, and the browser stays headless (there is no display to show a window on).

A block with ``await`` at top level runs as Jupyter runs a cell. Whatever the block raises
propagates: the exit code is not 0 and the traceback is printed. Afterwards a line
``doc-sandbox: …`` tells what the sites saw, and the run fails if « Déconnecter » was clicked.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import sys
import tempfile
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.async_api import Browser as AsyncBrowser
from playwright.async_api import BrowserContext as AsyncBrowserContext
from playwright.async_api import BrowserType as AsyncBrowserType
from playwright.sync_api import Browser, BrowserContext, BrowserType
from pydantic import SecretStr

from linxo_assoconnect import ConfigurationError, Credentials
from linxo_assoconnect.pages._async.bank import BankAuthPage as AsyncBankAuthPage
from linxo_assoconnect.pages._sync.bank import BankAuthPage
from linxo_assoconnect.session._async.session import Session as AsyncSession
from linxo_assoconnect.session._sync.session import Session
from linxo_assoconnect.testing import (
    DEMO_ASSOCONNECT,
    DEMO_BANK,
    DEMO_LINXO,
    SCENARIOS,
    DemoLogin,
    Sandbox,
)

DEMO_LOGINS = {"linxo": DEMO_LINXO, "assoconnect": DEMO_ASSOCONNECT, "bank": DEMO_BANK}


def _credentials(login: DemoLogin) -> Credentials:
    return Credentials(username=login.username, password=SecretStr(login.password))


def _set_environment(folder: Path) -> None:
    for name, login in DEMO_LOGINS.items():
        os.environ[f"LINXO_ASSOCONNECT_{name.upper()}_USERNAME"] = login.username
        os.environ[f"LINXO_ASSOCONNECT_{name.upper()}_PASSWORD"] = login.password
    os.environ["LINXO_ASSOCONNECT_STATE_DIR"] = str(folder / "state")
    os.environ["LINXO_ASSOCONNECT_EVIDENCE_DIR"] = str(folder / "evidence")


def _keyring_of_the_sandbox() -> None:
    def from_keyring(cls: type[Credentials], name: str, username: str) -> Credentials:
        login = DEMO_LOGINS.get(name.lower())
        if login is None:
            raise ConfigurationError(f"Aucun mot de passe pour {username} (service {name}).")
        return cls(username=username, password=SecretStr(login.password))

    Credentials.from_keyring = classmethod(from_keyring)  # type: ignore[assignment,method-assign]


def _serve_every_context(sandbox: Sandbox) -> None:
    """Every new context of every browser, sync or async, is served by ``sandbox``, once."""
    served: weakref.WeakSet[Any] = weakref.WeakSet()

    def attach(context: BrowserContext) -> None:
        if context not in served:
            served.add(context)
            sandbox.attach(context)

    async def attach_async(context: AsyncBrowserContext) -> None:
        if context not in served:
            served.add(context)
            await sandbox.attach_async(context)

    new_context, new_page = Browser.new_context, Browser.new_page
    async_new_context, async_new_page = AsyncBrowser.new_context, AsyncBrowser.new_page

    def sync_context(self: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = new_context(self, *args, **kwargs)
        attach(context)
        return context

    def sync_page(self: Browser, *args: Any, **kwargs: Any) -> Any:
        page = new_page(self, *args, **kwargs)
        attach(page.context)
        return page

    async def async_context(self: AsyncBrowser, *args: Any, **kwargs: Any) -> Any:
        context = await async_new_context(self, *args, **kwargs)
        await attach_async(context)
        return context

    async def async_page(self: AsyncBrowser, *args: Any, **kwargs: Any) -> Any:
        page = await async_new_page(self, *args, **kwargs)
        await attach_async(page.context)
        return page

    Browser.new_context = sync_context  # type: ignore[method-assign]
    Browser.new_page = sync_page  # type: ignore[method-assign]
    AsyncBrowser.new_context = async_context  # type: ignore[method-assign]
    AsyncBrowser.new_page = async_page  # type: ignore[method-assign]


def _with_defaults(function: Callable[..., Any], **defaults: Any) -> Callable[..., Any]:
    """``function`` given ``defaults`` for the keyword arguments the caller left out or None."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        for name, value in defaults.items():
            if kwargs.get(name) is None:
                kwargs[name] = value
        return function(*args, **kwargs)

    return wrapped


def _person_of_the_sandbox(code: str) -> None:
    """The bank step a person would do in a window, done with the demo bank's login and code."""
    bank = _credentials(DEMO_BANK)
    for page in (BankAuthPage, AsyncBankAuthPage):
        page.__init__ = _with_defaults(  # type: ignore[method-assign]
            page.__init__, credentials=bank, otp=lambda: code
        )
    for session in (Session, AsyncSession):
        session.restore = _with_defaults(  # type: ignore[method-assign]
            session.restore, bank=bank, otp=lambda: code
        )
    # No display here: the person's window is a headless browser.
    launch, async_launch = BrowserType.launch, AsyncBrowserType.launch

    def headless(self: BrowserType, *args: Any, **kwargs: Any) -> Browser:
        return launch(self, *args, **{**kwargs, "headless": True})

    async def async_headless(self: AsyncBrowserType, *args: Any, **kwargs: Any) -> AsyncBrowser:
        return await async_launch(self, *args, **{**kwargs, "headless": True})

    BrowserType.launch = headless  # type: ignore[method-assign]
    AsyncBrowserType.launch = async_headless  # type: ignore[method-assign]


def run_block(source: str, name: str) -> None:
    """Run ``source`` as a script, or as a Jupyter cell when it awaits at top level."""
    code = compile(source, name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    if code.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(code, namespace))  # noqa: S307  (the documentation's own block)
    else:
        exec(code, namespace)  # noqa: S102


def main(argv: list[str]) -> int:
    block = Path(argv[1])
    name = argv[2] if len(argv) > 2 else str(block)
    scenario = SCENARIOS[os.environ.get("DOC_SANDBOX_SCENARIO", "demo")]
    folder = Path(os.environ.get("DOC_SANDBOX_DIR") or tempfile.mkdtemp(prefix="doc-sandbox-"))
    sandbox = Sandbox(scenario)
    _set_environment(folder)
    _keyring_of_the_sandbox()
    _serve_every_context(sandbox)
    if os.environ.get("DOC_SANDBOX_PERSON") == "1":
        _person_of_the_sandbox(scenario.sms_code.get_secret_value())
    try:
        run_block(block.read_text(encoding="utf-8"), name)
    finally:  # also when the block ends with sys.exit()
        _report(sandbox)
    return 0


def _report(sandbox: Sandbox) -> None:
    """What the sites saw; « Déconnecter » clicked is a failure whatever the block did."""
    record = sandbox.record
    seen = {
        "requests": len(record.requests),
        "logins": len(record.logins),
        "bank_logins": len(record.credential_submissions),
        "codes": len(record.code_submissions),
        "sync_clicks": len(record.sync_clicks),
        "disconnects": len(record.disconnects),
        "blocked": [event.subject for event in record.blocked],
    }
    print(f"doc-sandbox: {json.dumps(seen)}", file=sys.stderr)
    if record.disconnects:
        raise SystemExit("doc-sandbox: « Déconnecter » was clicked")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
