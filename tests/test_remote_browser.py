"""The restore through a remote browser: Chrome's DevTools port, and a Playwright server.

Both are started on loopback by the test, as a browser grid would run them elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO
from urllib.parse import quote

import pytest
from playwright.sync_api import sync_playwright

from helpers import ASSOCONNECT, BANK, FAST_RETRY, LINXO
from linxo_assoconnect import aio, chromium_launch_options
from linxo_assoconnect._core.secrets import MASK, redact
from linxo_assoconnect.testing import DEMO_SMS_CODE, SCENARIOS, Sandbox


def _chromium() -> tuple[str, list[str]]:
    """The Chromium this machine has, and the flags the library launches it with."""

    def ask() -> tuple[str, list[str]]:
        with sync_playwright() as playwright:
            options = chromium_launch_options(playwright.chromium)
            executable = options.get("executable_path") or playwright.chromium.executable_path
        return executable, options["args"]

    # A thread of its own: the tests' sync Playwright may already run in this one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(ask).result()


def _line_matching(stream: IO[str], pattern: str, timeout: float = 30) -> re.Match[str]:
    """Read ``stream`` until a line matches ``pattern``, waiting on it, not polling."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(left):
                break
            line = stream.readline()
            if not line:
                break
            if found := re.search(pattern, line):
                return found
    raise AssertionError(f"never printed {pattern!r}")


def _started(command: list[str], pattern: str, *, stream: str) -> Iterator[re.Match[str]]:
    """Run ``command`` until the test ends; yield the line of ``stream`` matching ``pattern``."""
    pipe = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: subprocess.PIPE}
    # A session of its own: the server's browser is its child, stopped with it.
    with subprocess.Popen(command, text=True, start_new_session=True, **pipe) as process:  # type: ignore[call-overload]
        output = process.stdout if stream == "stdout" else process.stderr
        try:
            found = _line_matching(output, pattern)
            # Keep reading, or a chatty browser would block once the pipe is full.
            threading.Thread(target=output.read, daemon=True).start()
            yield found
        finally:
            # The whole group, at once: the Playwright server's node outlives a SIGTERM.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture
def devtools_endpoint(tmp_path: Path) -> Iterator[str]:
    """A headless Chromium listening for DevTools on a free loopback port."""
    executable, args = _chromium()
    command = [
        executable,
        "--headless=new",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
        "about:blank",
    ]
    for found in _started(command, r"DevTools listening on ws://([\d.]+:\d+)/", stream="stderr"):
        yield f"http://{found[1]}"


@pytest.fixture
def playwright_server_endpoint() -> Iterator[str]:
    """``playwright run-server`` on loopback, launching this machine's Chromium on connect."""
    executable, args = _chromium()
    command = [sys.executable, "-m", "playwright", "run-server", "--host", "127.0.0.1"]
    command += ["--port", "0", "--unsafe"]  # --unsafe: clients may name the executable
    launch = {"executablePath": executable, "args": args, "headless": True}
    for found in _started(command, r"Listening on (ws://\S+)", stream="stdout"):
        yield f"{found[1]}?browser=chromium&launch-options={quote(json.dumps(launch))}"


async def restore_through(endpoint: str, tmp_path: Path) -> None:
    sandbox = Sandbox(SCENARIOS["demo"])
    async with aio.Session(
        endpoint=endpoint,
        state_dir=tmp_path / "state",
        evidence_dir=tmp_path / "evidence",
        on_context=sandbox.attach_async,
        retry=FAST_RETRY,
        timeout=10,
        bank_timeout=10,
    ) as session:
        report = await session.restore(
            association="Association Exemple",
            linxo=LINXO,
            assoconnect=ASSOCONNECT,
            bank=BANK,
            otp=lambda: DEMO_SMS_CODE,
        )
    assert report.ok
    assert [r.bank for r in report.reauthentications] == ["Banque Populaire Exemple"]
    assert sandbox.record.blocked == []


async def test_restore_through_chrome_devtools(devtools_endpoint: str, tmp_path: Path) -> None:
    await restore_through(devtools_endpoint, tmp_path)


async def test_restore_through_a_playwright_server(
    playwright_server_endpoint: str, tmp_path: Path
) -> None:
    await restore_through(playwright_server_endpoint, tmp_path)


async def test_an_unreachable_endpoint_is_a_clear_error_without_its_token(
    tmp_path: Path,
) -> None:
    endpoint = "ws://user:grid-password-77@127.0.0.1:9/?browser=chromium&token=grid-token-4242"
    session = aio.Session(endpoint=endpoint, evidence_dir=tmp_path, state_dir=tmp_path)
    with pytest.raises(aio.BrowserNotFound, match=r"127\.0\.0\.1:9") as caught:
        async with session:
            pass
    assert "grid-token-4242" not in str(caught.value)
    assert "grid-password-77" not in str(caught.value)
    assert redact("chromium grid-token-4242") == f"chromium {MASK}"  # only the token is secret


async def test_the_endpoint_must_be_ws_or_http(tmp_path: Path) -> None:
    session = aio.Session(endpoint="ftp://grid", evidence_dir=tmp_path, state_dir=tmp_path)
    with pytest.raises(aio.ConfigurationError, match="ws://"):
        async with session:
            pass
