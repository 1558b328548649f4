"""The bank step done by a person in a headed browser, and the async API in a running loop."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from helpers import ASSOCONNECT, BANK, LINXO, async_sandboxed
from linxo_assoconnect import aio
from linxo_assoconnect.testing import DEMO_BANK, DEMO_SMS_CODE, Sandbox, Scenario


async def person_does_the_bank_step(page: Page) -> None:
    """What the treasurer does in the bank's window: type, validate, type the SMS code."""
    await page.wait_for_url("https://www.banque-exemple.example/**")
    await page.get_by_label("Identifiant").fill(DEMO_BANK.username)
    await page.get_by_label("Mot de passe").fill(DEMO_BANK.password)
    await page.get_by_role("button", name="Valider").click()
    await page.get_by_label("Code reçu par SMS").fill(DEMO_SMS_CODE)
    await page.get_by_role("button", name="Valider").click()


async def test_a_person_completes_the_bank_step(variant: str) -> None:
    scenario = Scenario(variant=variant, broken_banks=("Banque Populaire",))
    async with async_sandboxed(scenario) as (page, sandbox):
        await aio.LinxoLoginPage(page).login(LINXO)
        settings = await aio.LinxoSettings(page).open()
        bank_step = aio.BankAuthPage(page, headless=False, timeout=20)  # as in a headed browser
        person = asyncio.create_task(person_does_the_bank_step(page))
        result = await settings.reauthenticate("Banque Populaire", bank_step)
        await person
        assert result.balance == Decimal("6249.56")
        assert len(sandbox.record.credential_submissions) == 1


async def test_a_person_who_never_comes_is_reported_within_the_timeout() -> None:
    async with async_sandboxed(Scenario(broken_banks=("Banque Populaire",))) as (page, sandbox):
        await aio.LinxoLoginPage(page).login(LINXO)
        settings = await aio.LinxoSettings(page).open()
        bank_step = aio.BankAuthPage(page, headless=False, timeout=1)
        with pytest.raises(aio.HumanActionRequired, match="temps imparti"):
            await settings.reauthenticate("Banque Populaire", bank_step)
        assert sandbox.record.credential_submissions == []


async def test_async_otp_callback_is_awaited() -> None:
    async def otp() -> str:
        await asyncio.sleep(0)
        return DEMO_SMS_CODE

    async with async_sandboxed(Scenario(broken_banks=("Banque Populaire",))) as (page, sandbox):
        await aio.LinxoLoginPage(page).login(LINXO)
        settings = await aio.LinxoSettings(page).open()
        await settings.reauthenticate(
            "Banque Populaire", aio.BankAuthPage(page, credentials=BANK, otp=otp, timeout=10)
        )
        assert [e.outcome for e in sandbox.record.code_submissions] == ["ok"]


async def test_notebook_style_inside_a_running_event_loop() -> None:
    """Jupyter runs an event loop: the sync API refuses to run there, the async one works."""
    assert asyncio.get_running_loop().is_running()
    with pytest.raises(PlaywrightError, match="asyncio loop"), sync_playwright():
        pass
    async with async_sandboxed(Scenario()) as (page, _):
        await aio.LinxoLoginPage(page).login(LINXO)
        connections = await (await aio.LinxoSettings(page).open()).connections()
        assert all(c.healthy for c in connections)


async def test_a_headless_session_shows_the_bank_step_in_a_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No bank credentials, a display: the bank page opens in a visible window, the rest not."""
    monkeypatch.setenv("DISPLAY", ":0")  # as on the treasurer's desk
    sandbox = Sandbox(Scenario(broken_banks=("Banque Populaire",)))
    contexts: list[BrowserContext] = []
    window_opened = asyncio.Event()

    async def serve(context: BrowserContext) -> None:
        await sandbox.attach_async(context)
        contexts.append(context)
        if len(contexts) == 2:  # Linxo, then Linxo again in the window
            window_opened.set()

    async def person_at_the_window() -> None:
        await window_opened.wait()
        window = contexts[1]
        page = window.pages[0] if window.pages else await window.wait_for_event("page")
        await person_does_the_bank_step(page)

    async with aio.Session(
        headless=True,
        # Chromium's headless display server: a real window's code path, with no screen.
        launch_options={"args": ["--ozone-platform=headless"]},
        on_context=serve,
        state_dir=tmp_path / "state",
        evidence_dir=tmp_path / "evidence",
        timeout=10,
        bank_timeout=20,
    ) as session:
        person = asyncio.create_task(person_at_the_window())
        report = await session.restore(
            association="Association Exemple", linxo=LINXO, assoconnect=ASSOCONNECT
        )
        await person
        agents = [await c.pages[0].evaluate("navigator.userAgent") for c in contexts]
    assert report.ok
    assert ["Headless" in agent for agent in agents] == [True, False, True]
    assert len(sandbox.record.credential_submissions) == 1
    assert len([e for e in sandbox.record.logins if e.site == "linxo"]) == 1  # login carried over


async def test_with_no_display_nobody_is_waited_for_and_the_bank_is_not_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    sandbox = Sandbox(Scenario(broken_banks=("Banque Populaire",)))
    async with aio.Session(
        on_context=sandbox.attach_async,
        state_dir=tmp_path / "state",
        evidence_dir=tmp_path / "evidence",
        timeout=10,
    ) as session:
        with pytest.raises(aio.HumanActionRequired, match="Banque Populaire Exemple"):
            await session.restore(
                association="Association Exemple", linxo=LINXO, assoconnect=ASSOCONNECT
            )
    assert not [r for r in sandbox.record.requests if "banque-exemple" in r]
    assert sandbox.record.credential_submissions == []
