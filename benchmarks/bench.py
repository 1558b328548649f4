"""Benchmarks on the sandbox: overhead over a hand-written script, latency, scale, cold start.

    python benchmarks/bench.py            # ./dev bench: every target, then docs/performance.md
    python benchmarks/bench.py --quick    # fewer runs, smaller federation, no docs written

Each target is printed with its figure and PASS or FAIL; the exit code is 1 if one fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright
from pydantic import SecretStr

from linxo_assoconnect import RetryPolicy, chromium_launch_options
from linxo_assoconnect.aio import Credentials, restore
from linxo_assoconnect.testing import (
    DEMO_ASSOCONNECT,
    DEMO_BANK,
    DEMO_LINXO,
    DEMO_SMS_CODE,
    Sandbox,
    Scenario,
    federation_linxo,
)

sys.path.insert(0, str(Path(__file__).parent))
from handwritten import restore_by_hand

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"

SCENARIO = Scenario(
    broken_banks=("Banque Populaire Exemple",),
    unlinked_accounts=("Livret A",),
    failed_imports=("Compte courant",),
)
"""The restore of the overhead and latency benchmarks: one bank step, one re-link, two syncs."""

SYNC_POLL = "/api/comptabilite/synchronisation"
FAST_RETRY = RetryPolicy(initial_wait=0.2, max_wait=2.0, deadline=60.0)


def login(demo: object) -> Credentials:
    return Credentials(
        username=demo.username,  # type: ignore[attr-defined]
        password=SecretStr(demo.password),  # type: ignore[attr-defined]
    )


@dataclass
class Figure:
    """One measured target."""

    name: str
    measured: str
    target: str
    ok: bool
    details: list[str] = field(default_factory=list)


def verdict(figure: Figure) -> str:
    return "PASS" if figure.ok else "FAIL"


def spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s, min {min(values):.2f} s, "
        f"max {max(values):.2f} s, n = {len(values)}"
    )


# One restore, by the library or by hand, on a fresh context ------------------------------------


async def library_flow(page: Page) -> None:
    report = await restore(
        page,
        association="Association Exemple",
        linxo=login(DEMO_LINXO),
        assoconnect=login(DEMO_ASSOCONNECT),
        bank=login(DEMO_BANK),
        otp=lambda: DEMO_SMS_CODE,
        retry=FAST_RETRY,
        timeout=30.0,
        bank_timeout=30.0,
    )
    if not report.ok:
        raise RuntimeError(f"the library did not restore everything: {report}")


class PlaywrightCalls:
    """Counts the calls a flow makes to the Playwright driver (the sandbox's routing aside)."""

    count = 0

    def __enter__(self) -> PlaywrightCalls:
        from playwright._impl.connection import Connection

        self._original = original = Connection.send_message_to_server

        def counted(connection: Any, owner: Any, method: str, *args: Any) -> Any:
            if method != "__waitInfo__" and type(owner).__name__ != "Route":
                self.count += 1
            return original(connection, owner, method, *args)

        Connection.send_message_to_server = counted  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        from playwright._impl.connection import Connection

        Connection.send_message_to_server = self._original  # type: ignore[method-assign]


LAST_CALLS: dict[str, int] = {}


async def timed(
    browser: Browser, scenario: Scenario, flow: Callable[[Page], Awaitable[None]]
) -> tuple[float, Sandbox]:
    """Seconds ``flow`` takes on a fresh context served ``scenario``; checks it restored."""
    sandbox = Sandbox(scenario)
    context = await browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    await sandbox.attach_async(context)
    page = await context.new_page()
    started = time.perf_counter()
    with PlaywrightCalls() as calls:
        await flow(page)
    seconds = time.perf_counter() - started
    LAST_CALLS[getattr(flow, "__name__", "flow")] = calls.count
    await context.close()
    broken = [c.bank for c in sandbox.connections if not c.healthy]
    idle = [a.name for s in sandbox.associations[:1] for a in s.accounts if not a.sync_active]
    if broken or idle:
        raise RuntimeError(f"not restored: {broken} {idle}")
    return seconds, sandbox


async def overhead(browser: Browser, runs: int) -> Figure:
    library: list[float] = []
    script: list[float] = []
    pages: dict[str, int] = {}
    calls: dict[str, int] = {}
    await timed(browser, SCENARIO, library_flow)  # warm-up: caches, first renderer
    for run in range(runs):  # interleaved, each first in turn
        pair = [("library", library, library_flow), ("script", script, restore_by_hand)]
        for name, times, flow in pair if run % 2 == 0 else reversed(pair):
            seconds, sandbox = await timed(browser, SCENARIO, flow)
            times.append(seconds)
            pages[name] = len([r for r in sandbox.record.requests if SYNC_POLL not in r])
            calls[name] = LAST_CALLS[flow.__name__]
    ratio = statistics.median(library) / statistics.median(script)
    return Figure(
        "1. Overhead: library / hand-written script (same clicks, same browser)",
        f"{ratio:.2f}",
        "≤ 1.10",
        ratio <= 1.10,
        [
            f"library: {spread(library)}",
            f"script: {spread(script)}",
            f"requests to the sites (sync polling aside): library {pages['library']}, "
            f"script {pages['script']}",
            f"Playwright calls per restore (the sandbox's routing aside): library "
            f"{calls['library']}, script {calls['script']}",
        ],
    )


async def latency(browser: Browser, runs: int) -> Figure:
    delay, sync = 0.2, 1.0
    slow = SCENARIO.model_copy(update={"latency": delay, "sync_duration": sync})
    fast = SCENARIO.model_copy(update={"latency": 0.0, "sync_duration": 0.0})
    slow_times: list[float] = []
    fast_times: list[float] = []
    requests: list[int] = []
    for _ in range(runs):
        seconds, sandbox = await timed(browser, slow, library_flow)
        slow_times.append(seconds)
        # The page's own polling of a running sync overlaps the sync's duration: not counted.
        requests.append(len([r for r in sandbox.record.requests if SYNC_POLL not in r]))
        fast_times.append((await timed(browser, fast, library_flow))[0])
    syncs = 2  # « Livret A » and « Compte courant », one after the other
    delays = statistics.median(requests) * delay + syncs * sync
    excess = statistics.median(slow_times) - statistics.median(fast_times) - delays
    return Figure(
        "2. Latency: time waited beyond the site's own delays",
        f"{excess:.2f} s",
        "< 1 s",
        excess < 1.0,
        [
            f"each response delayed {delay} s, each sync {sync} s: "
            f"{statistics.median(requests):.0f} responses (the sync page's own polling aside), "
            f"so {delays:.1f} s of delays",
            f"delayed: {spread(slow_times)}",
            f"no delay: {spread(fast_times)}",
            "excess = delayed − no delay − delays (what the library waits on top of the site)",
        ],
    )


# Many associations through the async API, one browser -------------------------------------------


def tree_memory(root: int) -> int:
    """Memory (bytes) of ``root`` and every process below it: the sum of their proportional
    set sizes (PSS), so that pages the browser's processes share are counted once."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue  # gone meanwhile
    return total


class PeakMemory:
    """The largest `tree_memory` of this process seen while the block runs."""

    def __enter__(self) -> PeakMemory:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, tree_memory(os.getpid()))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


MIXED = (
    'broken_banks = ["Banque Exemple 02", "Banque Exemple 05", "Banque Exemple 09"]',
    'unlinked_accounts = ["Compte courant 03", "Compte courant 05"]',
    'failed_imports = ["Compte courant 08"]',
)


def federation_config(folder: Path, size: int, delay: float) -> Path:
    lines = [
        f'assoconnect = {{ username = "{DEMO_ASSOCONNECT.username}", '
        'password = "env:BENCH_ASSO" }',
        "concurrency = 5",
        f'state_dir = "{folder / "state"}"',
        f'evidence_dir = "{folder / "evidence"}"',
        "[retry]",
        "initial_wait = 0.2",
        "max_wait = 2.0",
        "[sandbox]",
        f"federation = {size}",
        f"latency = {delay}",
        *(MIXED if size > 1 else ['broken_banks = ["Banque Exemple 01"]']),
    ]
    for number in range(1, size + 1):
        lines += [
            "[[associations]]",
            f'name = "Association Exemple {number:02d}"',
            f'linxo = {{ username = "{federation_linxo(number).username}", '
            'password = "env:BENCH_LINXO" }',
            f'accounts = [{{ assoconnect = "Compte courant {number:02d}", '
            f'linxo = "Compte courant Exemple {number:02d}" }}]',
        ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"federation-{size}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def federation(size: int, delay: float, folder: Path) -> tuple[float, int, str]:
    """Seconds and peak memory of `restore` over ``size`` associations; the outcomes."""
    from linxo_assoconnect.cli._commands import run_command
    from linxo_assoconnect.cli._config import load_config

    config = load_config(federation_config(folder, size, delay))
    with PeakMemory() as memory:
        started = time.perf_counter()
        done = await run_command("restore", config, [], quiet=True)
        seconds = time.perf_counter() - started
    outcomes = sorted({r.outcome for r in done.results})
    if "fixed" not in outcomes or set(outcomes) - {"ok", "fixed"}:
        raise RuntimeError(f"federation of {size}: {[r.outcome for r in done.results]}")
    return seconds, memory.peak, ", ".join(outcomes)


async def scale(sizes: tuple[int, ...], delay: float) -> list[Figure]:
    os.environ.setdefault("BENCH_ASSO", DEMO_ASSOCONNECT.password)
    os.environ.setdefault("BENCH_LINXO", DEMO_LINXO.password)
    measured: dict[int, tuple[float, int, str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            measured[size] = await federation(size, delay, Path(folder) / str(size))
    lines = [
        f"{size} association(s): {seconds:.1f} s, peak memory {peak / 2**20:.0f} MiB ({outcomes})"
        for size, (seconds, peak, outcomes) in measured.items()
    ]
    lines.append(
        f"each response delayed {delay} s (a real site's pace); 5 associations at a time; "
        "one browser; memory = the PSS of this Python process and every process below it "
        "(Playwright's driver, Chromium's processes)"
    )
    ten = measured[sizes[1]][0] / measured[sizes[0]][0]
    figures = [
        Figure(
            f"3a. Scale: {sizes[1]} associations / 1 association (wall time)",
            f"{ten:.2f}×",
            "≤ 3×",
            ten <= 3.0,
            lines,
        )
    ]
    biggest = sizes[-1]
    peak = measured[biggest][1]
    figures.append(
        Figure(
            f"3b. Scale: peak memory with {biggest} associations",
            f"{peak / 2**20:.0f} MiB",
            "≤ 2048 MiB",
            peak <= 2 * 2**30,
        )
    )
    return figures


# Cold start ---------------------------------------------------------------------------------------


def best_of(command: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold_start() -> list[Figure]:
    python = sys.executable
    bare = best_of([python, "-c", "pass"])
    imported = best_of([python, "-c", "import linxo_assoconnect"]) - bare
    helped = best_of([python, "-m", "linxo_assoconnect", "--help"])
    return [
        Figure(
            "4a. Cold start: import linxo_assoconnect",
            f"{imported:.3f} s",
            "≤ 0.3 s",
            imported <= 0.3,
            [f"median of 7, the interpreter's own start ({bare:.3f} s) taken off"],
        ),
        Figure(
            "4b. Cold start: linxo-assoconnect --help",
            f"{helped:.3f} s",
            "≤ 0.5 s",
            helped <= 0.5,
            ["median of 7, the whole command, interpreter included"],
        ),
    ]


# The report ---------------------------------------------------------------------------------------


def machine() -> list[str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [
        f"{os.cpu_count()} CPU(s), {model}, {memory:.0f} GiB of memory",
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
    ]


def write_report(figures: list[Figure], browser: str, seconds: float) -> None:
    lines = [
        "# Performance",
        "",
        "Measured by `./dev bench` (`python benchmarks/bench.py`), which rewrites this page: the",
        "figures below are not typed by hand. Everything runs offline against the sandbox, in one",
        "headless Chromium.",
        "",
        "## Machine",
        "",
        *[f"- {line}" for line in [*machine(), f"Chromium {browser}"]],
        f"- the whole benchmark took {seconds:.0f} s",
        "",
        "## Targets",
        "",
        "| target | measured | goal | |",
        "|---|---|---|---|",
        *[f"| {f.name} | {f.measured} | {f.target} | {verdict(f)} |" for f in figures],
        "",
        "## Method and details",
        "",
    ]
    for figure in figures:
        lines.append(f"**{figure.name}**")
        lines.append("")
        lines += [f"- {detail}" for detail in figure.details] or ["- (see the target)"]
        lines.append("")
    lines += [
        "1. The same restore (log in to both sites, re-authenticate one connection through the",
        "   demo bank with an SMS code, re-link one account, force the sync of two) by",
        "   `linxo_assoconnect.aio.restore` and by `benchmarks/handwritten.py`, the shortest",
        "   Playwright script doing the same clicks. Each run on a new context of the same",
        "   browser and a new sandbox; the two interleaved, each first in turn, after a warm-up.",
        "2. The same restore with every response delayed and each sync lasting a known time,",
        "   against the same restore with neither: the difference, less those delays, is what the",
        "   library waits on top of the site (polling intervals, backoff).",
        "3. `restore` over a federation of sandbox associations (one browser, one context per",
        "   association): 3 broken connections, 2 unlinked accounts, 1 failed import among 10.",
        "4. Fresh interpreters, started as a shell would.",
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")


async def main(quick: bool) -> int:
    started = time.perf_counter()
    figures: list[Figure] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_launch_options(playwright.chromium))
        version = browser.version
        figures.append(await overhead(browser, 3 if quick else 5))
        print(figures[-1].name, figures[-1].measured, flush=True)
        figures.append(await latency(browser, 1 if quick else 5))
        print(figures[-1].name, figures[-1].measured, flush=True)
        await browser.close()
    figures += await scale((1, 10) if quick else (1, 10, 50), delay=0.5)
    figures += cold_start()
    seconds = time.perf_counter() - started
    print()
    for figure in figures:
        print(f"{verdict(figure)}  {figure.name}: {figure.measured} ({figure.target})")
        for detail in figure.details:
            print(f"        {detail}")
    print(f"\n{seconds:.0f} s in all")
    if not quick:
        write_report(figures, version, seconds)
        print(f"written: {REPORT.relative_to(ROOT)}")
    return 0 if all(f.ok for f in figures) else 1


if __name__ == "__main__":
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--quick", action="store_true", help="fewer runs; docs not written")
    raise SystemExit(asyncio.run(main(options.parse_args().quick)))
