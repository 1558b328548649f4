"""Faults injected into a run on the sandbox: Chromium killed, a page's renderer crashed.

A fault fires once, on the first response the sandbox's sites give once ``when`` holds on its
record (from an address holding ``url``): what the sites did is done, the browser has not yet
read its answer.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.async_api import BrowserContext, Response

from linxo_assoconnect.cli import _commands
from linxo_assoconnect.cli._config import Config
from linxo_assoconnect.testing import Sandbox
from linxo_assoconnect.testing._scenario import scenario_from
from linxo_assoconnect.testing._state import Record


def _processes() -> list[tuple[int, int, list[bytes]]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        found.append((int(entry.name), parent, command))
    return found


def chromium_browsers(root: int | None = None) -> set[int]:
    """The Chromium browser processes (not their renderers) started under ``root``."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, parent, _ in processes:
        children.setdefault(parent, []).append(pid)
    below, stack = set(), [root or os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            below.add(child)
            stack.append(child)
    browsers = {
        pid
        for pid, _, command in processes
        if pid in below and any(b"--remote-debugging-pipe" in part for part in command)
    }
    parents = {pid: parent for pid, parent, _ in processes}
    return {pid for pid in browsers if parents.get(pid) not in browsers}


class Fault:
    """Kills the run's Chromium, or crashes the page, once ``when`` holds on the record."""

    def __init__(
        self, when: Callable[[Record], bool], how: Literal["kill", "crash"], *, url: str = ""
    ) -> None:
        self.when = when
        self.how = how
        self.url = url
        """Only on a response from an address holding this."""
        self.fired_at: str | None = None
        """The address whose answer was the last the browser got."""
        self._spared = chromium_browsers()  # the test session's own browsers
        self._tasks: set[asyncio.Task[Any]] = set()

    def attach(self, sandbox: Sandbox) -> Callable[[BrowserContext], Coroutine[Any, Any, None]]:
        async def attach_async(context: BrowserContext) -> None:
            await Sandbox.attach_async(sandbox, context)

            def on_response(response: Response) -> None:
                if self.fired_at is None and self.url in response.url and self.when(sandbox.record):
                    self.fired_at = response.url
                    if self.how == "kill":
                        for pid in chromium_browsers() - self._spared:
                            os.kill(pid, signal.SIGKILL)
                    else:
                        task = asyncio.ensure_future(self._crash(context, response))
                        self._tasks.add(task)

            context.on("response", on_response)

        return attach_async

    async def _crash(self, context: BrowserContext, response: Response) -> None:
        page = response.frame.page
        session = await context.new_cdp_session(page)
        # The renderer dies before it can answer: do not wait for it.
        sent = asyncio.ensure_future(session.send("Page.crash"))
        sent.add_done_callback(lambda task: task.exception())
        self._tasks.add(sent)


def inject(monkeypatch: pytest.MonkeyPatch, fault: Fault | None = None) -> list[Sandbox]:
    """Every command run from now on serves a sandbox (carrying ``fault``, if any); the list
    gets them, to read what they saw."""
    made: list[Sandbox] = []

    def sandbox(config: Config) -> Sandbox:
        assert config.sandbox is not None
        made.append(Sandbox(scenario_from(config.sandbox)))
        if fault is not None:
            made[-1].attach_async = fault.attach(made[-1])  # type: ignore[method-assign,assignment]
        return made[-1]

    monkeypatch.setattr(_commands, "_sandbox", sandbox)
    return made
