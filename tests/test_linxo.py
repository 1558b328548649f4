"""Linxo page objects on the sandbox: log in, read « Mes comptes », re-authenticate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from helpers import async_sandbox, run_async
from playwright.sync_api import Page
from pydantic import SecretStr

from linxo_assoconnect import (
    BankAuthPage,
    Credentials,
    LinxoLoginPage,
    LinxoSettings,
    LoginFailed,
)
from linxo_assoconnect import aio
from linxo_assoconnect.testing import DEMO_BANK, DEMO_LINXO, DEMO_SMS_CODE, Sandbox, Scenario

LINXO = Credentials(username=DEMO_LINXO.username, password=SecretStr(DEMO_LINXO.password))
BANK = Credentials(username=DEMO_BANK.username, password=SecretStr(DEMO_BANK.password))


def sandbox_for(page: Page, scenario: Scenario) -> Sandbox:
    sandbox = Sandbox(scenario)
    sandbox.attach(page.context)
    return sandbox


def test_login_lands_on_the_secured_home(page: Page, variant: str) -> None:
    sandbox = sandbox_for(page, Scenario(variant=variant))
    LinxoLoginPage(page).login(LINXO)
    assert page.url == "https://wwws.linxo.com/secured/history.page"
    assert [(e.subject, e.outcome) for e in sandbox.record.logins] == [(DEMO_LINXO.username, "ok")]


def test_wrong_password_is_refused_once(page: Page, variant: str) -> None:
    sandbox = sandbox_for(page, Scenario(variant=variant))
    wrong = Credentials(username=DEMO_LINXO.username, password=SecretStr("pas-le-bon"))
    with pytest.raises(LoginFailed, match="incorrect") as caught:
        LinxoLoginPage(page, timeout=5).login(wrong)
    assert "pas-le-bon" not in str(caught.value)
    assert [e.outcome for e in sandbox.record.logins] == ["refused"]


def test_connections_show_state_update_and_balance(page: Page, variant: str) -> None:
    sandbox_for(page, Scenario(variant=variant, broken_banks=("Banque Populaire",)))
    LinxoLoginPage(page).login(LINXO)
    connections = {c.bank: c for c in LinxoSettings(page).open().connections()}
    assert set(connections) == {"Banque Populaire Exemple", "Crédit Coopératif Exemple"}
    broken, healthy = connections["Banque Populaire Exemple"], connections["Crédit Coopératif Exemple"]
    assert not broken.healthy
    assert broken.message and "authentification" in broken.message
    assert broken.balance is None
    assert healthy.healthy and healthy.message is None
    assert healthy.balance == Decimal("-67.00")
    assert healthy.updated_at is not None and broken.updated_at is not None
    assert healthy.updated_at > broken.updated_at


def test_reauthenticate_with_sms_code(page: Page, variant: str) -> None:
    sandbox = sandbox_for(page, Scenario(variant=variant, broken_banks=("Banque Populaire",)))
    LinxoLoginPage(page).login(LINXO)
    settings = LinxoSettings(page).open()
    result = settings.reauthenticate(
        "banque populaire", BankAuthPage(page, credentials=BANK, otp=lambda: DEMO_SMS_CODE)
    )
    assert result.bank == "Banque Populaire Exemple"
    assert result.balance == Decimal("6249.56")
    assert not result.already_healthy
    assert sandbox.connection("Banque Populaire").healthy
    assert len(sandbox.record.credential_submissions) == 1
    assert len(sandbox.record.code_submissions) == 1
    healthy = {c.bank: c.healthy for c in settings.connections()}
    assert healthy == {"Banque Populaire Exemple": True, "Crédit Coopératif Exemple": True}


def test_reauthenticate_async_with_app_validation(variant: str) -> None:
    async def scenario() -> None:
        sc = Scenario(variant=variant, broken_banks=("Banque Populaire",), bank_sca="app")
        async with async_sandbox(sc) as (page, sandbox):
            await aio.LinxoLoginPage(page).login(LINXO)
            settings = await aio.LinxoSettings(page).open()
            result = await settings.reauthenticate(
                "Banque Populaire Exemple", aio.BankAuthPage(page, credentials=BANK, timeout=10)
            )
            assert result.balance == Decimal("6249.56")
            assert len(sandbox.record.of("bank_app_validation")) == 1
            assert sandbox.record.code_submissions == []

    run_async(scenario())
