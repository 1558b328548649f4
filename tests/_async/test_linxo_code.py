"""Linxo's two-step login and the code it sends by e-mail, through the public API.

The recorded markups « a » and « b » have no two-step login: « bare » and a seed have it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page

from helpers import FAST_RETRY, LINXO, async_sandboxed, async_shared_browser
from linxo_assoconnect.aio import HumanActionRequired, LinxoLoginPage, LoginFailed, Session
from linxo_assoconnect.testing import DEMO_LINXO_CODE, Sandbox, Scenario


def asks_code(markup: str, **changes: object) -> Scenario:
    """Linxo in two steps (e-mail, then password), then the code sent by e-mail."""
    return Scenario(variant=markup, linxo_login="two_steps", linxo_asks_code=True, **changes)


class Otp:
    """An ``otp`` callable that counts its calls."""

    def __init__(self, code: str = DEMO_LINXO_CODE) -> None:
        self.code = code
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self.code


@pytest.mark.parametrize(
    ("markup", "fields"), [("bare", 1), ("bare", 6), ("random:2", None)], ids=str
)
async def test_the_code_given_by_otp_is_submitted_once(markup: str, fields: int | None) -> None:
    otp = Otp()
    async with async_sandboxed(asks_code(markup, linxo_code_fields=fields)) as (page, sandbox):
        await LinxoLoginPage(page, timeout=10).login(LINXO, otp=otp)
        assert "/secured/" in page.url
        assert otp.calls == 1
        assert [e.outcome for e in sandbox.record.linxo_code_submissions] == ["ok"]
        assert DEMO_LINXO_CODE not in str(sandbox.record.events)


@pytest.mark.parametrize("markup", ["bare", "random:2"])
async def test_a_refused_code_is_login_failed_after_one_submission(markup: str) -> None:
    otp = Otp()
    async with async_sandboxed(asks_code(markup, linxo_rejects_code=True)) as (page, sandbox):
        with pytest.raises(LoginFailed, match="code") as caught:
            await LinxoLoginPage(page, timeout=10).login(LINXO, otp=otp)
        assert DEMO_LINXO_CODE not in str(caught.value)
        assert otp.calls == 1
        assert [e.outcome for e in sandbox.record.linxo_code_submissions] == ["refused"]


async def test_headless_without_otp_needs_a_person_before_any_code() -> None:
    async with async_sandboxed(asks_code("bare")) as (page, sandbox):
        with pytest.raises(HumanActionRequired, match="otp="):
            await LinxoLoginPage(page, timeout=10).login(LINXO)
        assert [e.outcome for e in sandbox.record.logins] == ["ok"]  # the password went once
        assert sandbox.record.linxo_code_submissions == []


async def test_a_person_types_the_code_in_the_window() -> None:
    async def person(loaded: Page) -> None:  # at the window, on Linxo's code page
        if "/auth/code" in loaded.url:
            field = loaded.get_by_label("Code de vérification")
            await field.or_(loaded.get_by_placeholder("Code de vérification")).fill(DEMO_LINXO_CODE)
            await loaded.get_by_text("Valider le code").click()

    async with async_sandboxed(asks_code("bare", linxo_code_fields=1)) as (page, sandbox):
        page.on("load", person)
        await LinxoLoginPage(page, timeout=10, headless=False, person_timeout=20).login(LINXO)
        assert "/secured/" in page.url
        assert [e.outcome for e in sandbox.record.linxo_code_submissions] == ["ok"]


async def test_nobody_typing_the_code_is_reported_within_the_bound() -> None:
    async with async_sandboxed(asks_code("bare")) as (page, sandbox):
        login = LinxoLoginPage(page, timeout=10, headless=False, person_timeout=1)
        with pytest.raises(HumanActionRequired, match="temps imparti"):
            await login.login(LINXO)
        assert sandbox.record.linxo_code_submissions == []


async def test_a_saved_login_asks_no_code(tmp_path: Path) -> None:
    sandbox = Sandbox(asks_code("bare"))

    async def session() -> Session:
        return Session(
            browser=await async_shared_browser(),
            state_dir=tmp_path / "state",
            on_context=sandbox.attach_async,
            retry=FAST_RETRY,
            timeout=10,
        )

    first, second = Otp(), Otp()
    async with await session() as run:
        await run.linxo(LINXO, otp=first)
    async with await session() as run:
        settings = await run.linxo(LINXO, otp=second)
        assert all(c.healthy for c in await settings.connections())
    assert (first.calls, second.calls) == (1, 0)
    assert [e.outcome for e in sandbox.record.linxo_code_submissions] == ["ok"]
    assert len([e for e in sandbox.record.logins if e.site == "linxo"]) == 1
