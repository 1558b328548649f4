"""Linxo and the bank step on the sandbox, through the public API, on both markups."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from helpers import BANK, LINXO, async_sandboxed, credentials
from linxo_assoconnect.aio import (
    AccountNotFound,
    BankAuthFailed,
    BankAuthPage,
    HumanActionRequired,
    LinxoLoginPage,
    LinxoSettings,
    LoginFailed,
    PageChanged,
)
from linxo_assoconnect.testing import DEMO_BANK, DEMO_LINXO, DEMO_SMS_CODE, Scenario

BROKEN = ("Banque Populaire",)


async def test_login_lands_on_the_secured_home(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant)) as (page, sandbox):
        await LinxoLoginPage(page).login(LINXO)
        assert page.url == "https://wwws.linxo.com/secured/history.page"
        assert [(e.subject, e.outcome) for e in sandbox.record.logins] == [
            (DEMO_LINXO.username, "ok")
        ]


async def test_wrong_password_is_refused_once(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant)) as (page, sandbox):
        with pytest.raises(LoginFailed, match="incorrect") as caught:
            await LinxoLoginPage(page, timeout=5).login(credentials(DEMO_LINXO, "pas-le-bon"))
        assert "pas-le-bon" not in str(caught.value)
        assert [e.outcome for e in sandbox.record.logins] == ["refused"]


async def test_connections_show_state_update_and_balance(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant, broken_banks=BROKEN)) as (page, _):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        connections = {c.bank: c for c in await settings.connections()}
        assert set(connections) == {"Banque Populaire Exemple", "Crédit Coopératif Exemple"}
        broken = connections["Banque Populaire Exemple"]
        healthy = connections["Crédit Coopératif Exemple"]
        assert not broken.healthy and broken.balance is None
        assert broken.message  # in the site's words, whatever they are
        assert healthy.healthy and healthy.message is None
        assert healthy.balance == Decimal("-67.00")
        assert healthy.updated_at is not None and broken.updated_at is not None
        assert healthy.updated_at > broken.updated_at


async def test_reauthenticate_with_sms_code(variant: str) -> None:
    scenario = Scenario(variant=variant, broken_banks=BROKEN, bank_sca="sms")
    async with async_sandboxed(scenario) as (page, sandbox):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        bank_auth = BankAuthPage(page, credentials=BANK, otp=lambda: DEMO_SMS_CODE, timeout=10)
        result = await settings.reauthenticate("banque populaire", bank_auth)
        assert result.bank == "Banque Populaire Exemple" and not result.already_healthy
        assert result.balance == Decimal("6249.56")
        assert [e.outcome for e in sandbox.record.credential_submissions] == ["ok"]
        assert [e.outcome for e in sandbox.record.code_submissions] == ["ok"]
        assert all(c.healthy for c in await settings.connections())
        assert sandbox.connection("Banque Populaire").healthy


async def test_reauthenticate_with_app_validation(variant: str) -> None:
    scenario = Scenario(variant=variant, broken_banks=BROKEN, bank_sca="app")
    async with async_sandboxed(scenario) as (page, sandbox):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        result = await settings.reauthenticate(
            "Banque Populaire Exemple", BankAuthPage(page, credentials=BANK, timeout=10)
        )
        assert result.balance == Decimal("6249.56")
        assert len(sandbox.record.of("bank_app_validation")) == 1
        assert sandbox.record.code_submissions == []


async def test_wrong_bank_password_is_submitted_once(variant: str) -> None:
    scenario = Scenario(variant=variant, broken_banks=BROKEN, bank_rejects_password=True)
    async with async_sandboxed(scenario) as (page, sandbox):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        bank_auth = BankAuthPage(page, credentials=BANK, otp=lambda: DEMO_SMS_CODE, timeout=10)
        with pytest.raises(BankAuthFailed) as caught:
            await settings.reauthenticate("Banque Populaire", bank_auth)
        assert DEMO_BANK.password not in str(caught.value)
        assert [e.outcome for e in sandbox.record.credential_submissions] == ["refused"]
        assert sandbox.record.code_submissions == []
        assert not sandbox.connection("Banque Populaire").healthy


async def test_wrong_code_is_submitted_once(variant: str) -> None:
    scenario = Scenario(variant=variant, broken_banks=BROKEN, bank_rejects_code=True)
    asked = []

    def otp() -> str:
        asked.append(1)
        return DEMO_SMS_CODE

    async with async_sandboxed(scenario) as (page, sandbox):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        with pytest.raises(BankAuthFailed, match="code"):
            await settings.reauthenticate(
                "Banque Populaire", BankAuthPage(page, credentials=BANK, otp=otp, timeout=10)
            )
        assert len(asked) == 1
        assert [e.outcome for e in sandbox.record.code_submissions] == ["refused"]
        assert len(sandbox.record.credential_submissions) == 1


async def test_headless_without_credentials_needs_a_person_at_once(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant, broken_banks=BROKEN)) as (page, sandbox):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        started = time.monotonic()
        with pytest.raises(HumanActionRequired, match="navigateur visible"):
            await settings.reauthenticate("Banque Populaire", BankAuthPage(page))
        assert time.monotonic() - started < 10
        assert sandbox.record.credential_submissions == []


async def test_healthy_connection_is_left_alone_unless_forced(variant: str) -> None:
    scenario = Scenario(variant=variant, healthy_without_authenticate=False)
    async with async_sandboxed(scenario) as (page, sandbox):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        bank_auth = BankAuthPage(page, credentials=BANK, otp=lambda: DEMO_SMS_CODE, timeout=10)
        left = await settings.reauthenticate("Crédit Coopératif", bank_auth)
        assert left.already_healthy and left.balance == Decimal("-67.00")
        assert sandbox.record.of("reauthentication") == []
        forced = await settings.reauthenticate("Crédit Coopératif", bank_auth, force=True)
        assert not forced.already_healthy
        assert [e.subject for e in sandbox.record.of("reauthentication")] == [
            "Crédit Coopératif Exemple"
        ]


async def test_unknown_bank_lists_the_connections(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant)) as (page, _):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        with pytest.raises(AccountNotFound) as caught:
            await settings.reauthenticate("Société Générale", BankAuthPage(page))
        assert sorted(caught.value.choices) == [
            "Banque Populaire Exemple",
            "Crédit Coopératif Exemple",
        ]


async def test_missing_button_is_page_changed_not_a_hang(variant: str) -> None:
    scenario = Scenario(
        variant=variant, broken_banks=BROKEN, changed_labels={"M’authentifier": "Se reconnecter"}
    )
    async with async_sandboxed(scenario) as (page, _):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page, timeout=2).open()
        healthy = {c.bank: c.healthy for c in await settings.connections()}
        assert healthy == {"Banque Populaire Exemple": False, "Crédit Coopératif Exemple": True}
        started = time.monotonic()
        with pytest.raises(PageChanged) as caught:
            await settings.reauthenticate("Banque Populaire", BankAuthPage(page))
        assert time.monotonic() - started < 10
        assert caught.value.screenshot is not None and caught.value.screenshot.is_file()
        assert caught.value.html is not None
        assert "Se reconnecter" in caught.value.html.read_text(encoding="utf-8")


async def test_a_slow_site_is_waited_for(variant: str) -> None:
    scenario = Scenario(variant=variant, broken_banks=BROKEN, latency=0.15)
    async with async_sandboxed(scenario) as (page, _):
        started = time.monotonic()
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        healthy = {c.bank: c.healthy for c in await settings.connections()}
        assert healthy == {"Banque Populaire Exemple": False, "Crédit Coopératif Exemple": True}
        assert time.monotonic() - started >= 0.15 * 4  # at least four pages, each delayed


async def test_headless_with_credentials_but_no_code_source_stops_at_the_code(
    variant: str,
) -> None:
    async with async_sandboxed(Scenario(variant=variant, broken_banks=BROKEN)) as (page, sandbox):
        await LinxoLoginPage(page).login(LINXO)
        settings = await LinxoSettings(page).open()
        started = time.monotonic()
        with pytest.raises(HumanActionRequired, match="code"):
            await settings.reauthenticate("Banque Populaire", BankAuthPage(page, credentials=BANK))
        assert time.monotonic() - started < 10
        assert len(sandbox.record.credential_submissions) == 1
        assert sandbox.record.code_submissions == []
