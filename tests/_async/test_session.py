"""A Session: logins saved and reused, expiry, private files, evidence on failure."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from helpers import ASSOCONNECT, BANK, FAST_RETRY, LINXO, async_sandboxed, async_shared_browser
from linxo_assoconnect.aio import (
    AccountNotFound,
    AssoConnectLoginPage,
    ConfigurationError,
    PageChanged,
    RapprochementPage,
    Session,
)
from linxo_assoconnect.testing import DEMO_SMS_CODE, SCENARIOS, Sandbox, Scenario

ASSOCIATION = "Association Exemple"


async def session(
    sandbox: Sandbox, tmp_path: Path, *, timeout: float = 10, trace: bool = False
) -> Session:
    """A session in the tests' shared browser, served by ``sandbox``."""
    return Session(
        browser=await async_shared_browser(),
        state_dir=tmp_path / "state",
        evidence_dir=tmp_path / "evidence",
        on_context=sandbox.attach_async,
        retry=FAST_RETRY,
        timeout=timeout,
        bank_timeout=10,
        trace=trace,
    )


def logins(sandbox: Sandbox, site: str) -> int:
    return len([e for e in sandbox.record.logins if e.site == site])


async def test_restore_through_a_session_then_reuse_its_logins(
    variant: str, tmp_path: Path
) -> None:
    sandbox = Sandbox(SCENARIOS["demo"].model_copy(update={"variant": variant}))
    async with await session(sandbox, tmp_path) as first:
        report = await first.restore(
            association=ASSOCIATION,
            linxo=LINXO,
            assoconnect=ASSOCONNECT,
            bank=BANK,
            otp=lambda: DEMO_SMS_CODE,
        )
    assert report.ok
    assert (logins(sandbox, "linxo"), logins(sandbox, "assoconnect")) == (1, 1)

    async with await session(sandbox, tmp_path) as second:
        settings = await second.linxo(LINXO)
        assert all(c.healthy for c in await settings.connections())
        tab = await second.rapprochement(ASSOCONNECT, ASSOCIATION)
        assert all(a.sync_active for a in await tab.accounts())
    # The second run made no login request at all: the saved logins were taken.
    assert (logins(sandbox, "linxo"), logins(sandbox, "assoconnect")) == (1, 1)
    assert not list((tmp_path / "evidence").iterdir())  # nothing failed, nothing kept


async def test_an_expired_login_costs_exactly_one_new_login(tmp_path: Path) -> None:
    sandbox = Sandbox(Scenario())
    async with await session(sandbox, tmp_path) as first:
        await first.linxo(LINXO)
        await first.rapprochement(ASSOCONNECT, ASSOCIATION)
    sandbox.expire_logins()
    async with await session(sandbox, tmp_path) as second:
        await second.linxo(LINXO)
        await second.rapprochement(ASSOCONNECT, ASSOCIATION)
        await second.linxo(LINXO)  # asked again: the fresh login is reused
    assert (logins(sandbox, "linxo"), logins(sandbox, "assoconnect")) == (2, 2)


async def test_saved_logins_are_private_files_named_without_the_address(tmp_path: Path) -> None:
    sandbox = Sandbox(Scenario())
    async with await session(sandbox, tmp_path) as first:
        await first.linxo(LINXO)
    folder = tmp_path / "state" / "logins"
    saved = list(folder.iterdir())
    assert len(saved) == 1
    assert stat.S_IMODE(saved[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert LINXO.username not in saved[0].name
    assert json.loads(saved[0].read_text())["cookies"]


async def test_a_tampered_login_file_is_set_aside_and_a_fresh_login_happens(
    tmp_path: Path,
) -> None:
    sandbox = Sandbox(Scenario())
    async with await session(sandbox, tmp_path) as first:
        await first.linxo(LINXO)
    [saved] = (tmp_path / "state" / "logins").iterdir()
    saved.write_text('{"cookies": "not a list"}')
    async with await session(sandbox, tmp_path) as second:
        await second.linxo(LINXO)
    assert logins(sandbox, "linxo") == 2
    files = sorted(p.name for p in saved.parent.iterdir())
    assert len(files) == 2
    assert files[0] == saved.name  # written anew by the fresh login
    assert ".unreadable-" in files[1]
    assert (saved.parent / files[1]).read_text() == '{"cookies": "not a list"}'  # kept as is


async def test_a_state_folder_that_cannot_be_written_fails_at_start(tmp_path: Path) -> None:
    blocked = tmp_path / "state"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(ConfigurationError) as caught:
        async with Session(state_dir=blocked, evidence_dir=tmp_path / "evidence"):
            pass
    assert str(blocked) in str(caught.value)
    assert "LINXO_ASSOCONNECT_STATE_DIR" in str(caught.value)


async def test_a_failure_leaves_evidence_with_the_step_and_a_trace(tmp_path: Path) -> None:
    sandbox = Sandbox(Scenario(changed_labels={"Mes comptes": "Mes banques"}))
    async with await session(sandbox, tmp_path, trace=True, timeout=2) as traced:
        with pytest.raises(PageChanged) as caught:
            await traced.linxo(LINXO)
    folder = caught.value.evidence
    assert folder is not None and folder.parent == tmp_path / "evidence"
    assert {p.name for p in folder.iterdir()} == {
        "page.png",
        "page.html",
        "error.json",
        "trace.zip",
    }
    assert caught.value.screenshot == folder / "page.png"
    error = json.loads((folder / "error.json").read_text())
    assert error["error"] == "PageChanged"
    assert error["url"] == "https://wwws.linxo.com/secured/history.page"
    assert error["step"] == "ouvrir « Mes comptes » sur Linxo"
    assert error["missing"] == "le menu « Mes comptes »"


async def test_every_error_from_a_page_object_carries_its_evidence(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = Sandbox(Scenario())
    async with await session(sandbox, tmp_path) as plain:
        with (
            caplog.at_level(logging.INFO, logger="linxo_assoconnect"),
            pytest.raises(AccountNotFound) as caught,
        ):
            await plain.rapprochement(ASSOCONNECT, "Association Inconnue")
    folder = caught.value.evidence
    assert folder is not None
    assert f"evidence in {folder}" in caplog.text
    assert {p.name for p in folder.iterdir()} == {"page.png", "page.html", "error.json"}
    error = json.loads((folder / "error.json").read_text())
    assert error["error"] == "AccountNotFound"
    assert "Association Inconnue" in error["message"]
    assert error["step"] == "ouvrir le rapprochement bancaire"


async def test_evidence_that_cannot_be_written_never_hides_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "evidence"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv("LINXO_ASSOCONNECT_EVIDENCE_DIR", str(blocked))
    async with async_sandboxed(Scenario()) as (page, _):
        await AssoConnectLoginPage(page).login(ASSOCONNECT)
        with pytest.raises(AccountNotFound) as caught:
            await RapprochementPage(page, association="Association Inconnue", timeout=5).open()
    assert caught.value.evidence is None


async def test_a_browser_or_an_endpoint_not_both(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="browser"):
        Session(browser=await async_shared_browser(), endpoint="ws://127.0.0.1:9")
