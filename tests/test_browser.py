"""Finding a Chromium: an override, Playwright's own, or the system's."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from linxo_assoconnect import (
    BROWSER_ENV_VAR,
    BrowserNotFound,
    chromium_launch_options,
    find_chromium,
)


class FakeBrowserType:
    def __init__(self, path: Path) -> None:
        self.executable_path = str(path)


def executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_override_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chrome = executable(tmp_path / "my-chrome")
    monkeypatch.setenv(BROWSER_ENV_VAR, str(chrome))
    assert find_chromium(FakeBrowserType(tmp_path / "playwright-chromium")) == str(chrome)
    assert chromium_launch_options()["executable_path"] == str(chrome)


def test_bad_override_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BROWSER_ENV_VAR, str(tmp_path / "nothing-here"))
    with pytest.raises(BrowserNotFound, match=BROWSER_ENV_VAR):
        find_chromium()


def test_playwrights_own_chromium_comes_before_the_system_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BROWSER_ENV_VAR, raising=False)
    own = executable(tmp_path / "chrome")
    assert find_chromium(FakeBrowserType(own)) is None
    assert "executable_path" not in chromium_launch_options(FakeBrowserType(own))


def test_system_chromium_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BROWSER_ENV_VAR, raising=False)
    system = executable(tmp_path / "chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium(FakeBrowserType(tmp_path / "missing")) == str(system)


def test_nothing_found_says_how_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BROWSER_ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BrowserNotFound) as caught:
        find_chromium(FakeBrowserType(tmp_path / "missing"))
    assert "playwright install chromium" in str(caught.value)
    assert "apt-get install chromium" in str(caught.value)


def test_quiet_flags_and_root_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    args = chromium_launch_options()["args"]
    assert "--disable-background-networking" in args
    assert ("--no-sandbox" in args) == (os.geteuid() == 0)
