"""The library waits on page states, never for a fixed time."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "linxo_assoconnect"
SLEEPS = re.compile(r"time\.sleep\(|wait_for_timeout\(|asyncio\.sleep\(|Event\(\)\.wait\(")
# The sandbox plays the sites, and a slow site is one of its scenarios (Scenario.latency).
SIMULATED_LATENCY = SRC / "testing" / "_serve.py"
# Locating by role, label and text: no CSS classes, ids, XPath or positions in page objects.
POSITIONAL = re.compile(r"""locator\(\s*f?["'][.#/]|nth-child|xpath=|\.nth\(""")


def library_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if p != SIMULATED_LATENCY]


def test_no_fixed_sleep_in_the_library() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in library_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SLEEPS.search(line)
    ]
    assert offenders == []


def test_sandbox_sleeps_only_to_simulate_latency() -> None:
    lines = [
        line
        for line in SIMULATED_LATENCY.read_text(encoding="utf-8").splitlines()
        if SLEEPS.search(line)
    ]
    assert len(lines) == 2 and all("latency" in line for line in lines)


def test_page_objects_locate_by_role_label_and_text() -> None:
    pages = [p for p in (SRC / "pages").rglob("*.py")]
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in pages
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if POSITIONAL.search(line)
    ]
    assert pages and offenders == []


def test_the_rule_catches_a_sleep() -> None:
    assert SLEEPS.search("    time.sleep(2)")
    assert SLEEPS.search("await page.wait_for_timeout(500)")
    assert POSITIONAL.search('page.locator(".GJALL4ABIGC")')
    assert POSITIONAL.search("buttons.nth(2).click()")
