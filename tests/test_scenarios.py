"""Every scenario of the restore, through the async API, on markups nobody tuned the page
objects to: the nuisance preset `bare` and six seeds, each drawing every widget family on
its own. (tests/_async runs the same scenarios on the recorded markups a and b, and
tests/_sync on a.)

Each case asserts what a treasurer would check and what the sandbox recorded: one credential
or code submission on a refusal, no « Synchroniser » while a sync runs, no « Déconnecter »,
N attempts for N-1 transient failures, the fallback when needed, `PageChanged` with evidence
within the timeout when a control is gone.

``pytest --seeds N`` runs the whole restore on N more seeds (the marked test at the end).
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal

import pytest

from helpers import ASSOCONNECT, BANK, FAST_RETRY, LINXO, async_sandboxed
from linxo_assoconnect.aio import (
    AccountNotFound,
    AssoConnectLoginPage,
    BankAuthFailed,
    BankAuthPage,
    HumanActionRequired,
    LinxoLoginPage,
    LinxoSettings,
    PageChanged,
    RapprochementPage,
    restore,
)
from linxo_assoconnect.testing import (
    DEMO_BANK,
    DEMO_LINXO,
    DEMO_SMS_CODE,
    SCENARIOS,
    Markup,
    Scenario,
)

MARKUPS = ["bare", *(f"random:{seed}" for seed in range(1, 7))]
BROKEN = "Banque Populaire Exemple"


def seen_on(variant: str) -> str:
    """Said by every failed assertion here: which rendering it was, to reproduce it."""
    return f"on {variant}: {Markup.of(variant).describe()}"


@pytest.fixture(params=MARKUPS)
def markup(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


async def mes_comptes(page: object, timeout: float = 10) -> LinxoSettings:
    await LinxoLoginPage(page, timeout=timeout).login(LINXO)  # type: ignore[arg-type]
    return await LinxoSettings(page, timeout=timeout, retry=FAST_RETRY).open()  # type: ignore[arg-type]


async def import_tab(page: object, timeout: float = 10) -> RapprochementPage:
    await AssoConnectLoginPage(page, timeout=timeout).login(ASSOCONNECT)  # type: ignore[arg-type]
    tab = RapprochementPage(
        page,  # type: ignore[arg-type]
        association="Association Exemple",
        retry=FAST_RETRY,
        timeout=timeout,
    )
    return await tab.open()


def bank(otp: bool = True) -> dict[str, object]:
    return {"credentials": BANK, "otp": (lambda: DEMO_SMS_CODE) if otp else None, "timeout": 10}


# Linxo and the bank ------------------------------------------------------------------


async def test_mes_comptes_unknown_and_loosely_written_banks_headless(markup: str) -> None:
    scenario = Scenario(variant=markup, broken_banks=(BROKEN,))
    async with async_sandboxed(scenario) as (page, sandbox):
        settings = await mes_comptes(page)
        found = {c.bank: c for c in await settings.connections()}
        assert set(found) == {BROKEN, "Crédit Coopératif Exemple"}, seen_on(markup)
        assert not found[BROKEN].healthy and found[BROKEN].message, seen_on(markup)
        healthy = found["Crédit Coopératif Exemple"]
        assert healthy.healthy and healthy.balance == Decimal("-67.00"), seen_on(markup)
        assert healthy.updated_at is not None, seen_on(markup)
        with pytest.raises(AccountNotFound) as caught:
            await settings.reauthenticate("Société Générale", BankAuthPage(page))
        assert sorted(caught.value.choices) == sorted(found), seen_on(markup)
        loosely = await settings.reauthenticate("credit  cooperatif", BankAuthPage(page))
        assert loosely.already_healthy and loosely.bank == "Crédit Coopératif Exemple"
        # The broken one, headless and with no bank login: a person must act, and is told so
        # before anything is typed at the bank.
        started = time.monotonic()
        with pytest.raises(HumanActionRequired):
            await settings.reauthenticate(BROKEN, BankAuthPage(page))
        assert time.monotonic() - started < 20, seen_on(markup)
        assert sandbox.record.credential_submissions == []


async def test_reauthentication_by_sms_code_keeps_secrets_out(
    markup: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="linxo_assoconnect")
    scenario = Scenario(variant=markup, broken_banks=(BROKEN,), bank_sca="sms")
    async with async_sandboxed(scenario) as (page, sandbox):
        settings = await mes_comptes(page)
        result = await settings.reauthenticate("banque populaire", BankAuthPage(page, **bank()))  # type: ignore[arg-type]
        assert result.balance == Decimal("6249.56"), seen_on(markup)
        assert sandbox.connection(BROKEN).healthy
        assert [e.outcome for e in sandbox.record.credential_submissions] == ["ok"]
        assert [e.outcome for e in sandbox.record.code_submissions] == ["ok"]
    for secret in (DEMO_BANK.password, DEMO_SMS_CODE, DEMO_LINXO.password):
        assert secret not in caplog.text
        assert all(secret not in str(e) for e in sandbox.record.events)


async def test_reauthentication_by_app_validation(markup: str) -> None:
    scenario = Scenario(variant=markup, broken_banks=(BROKEN,), bank_sca="app")
    async with async_sandboxed(scenario) as (page, sandbox):
        settings = await mes_comptes(page)
        result = await settings.reauthenticate(BROKEN, BankAuthPage(page, **bank(otp=False)))  # type: ignore[arg-type]
        assert result.balance == Decimal("6249.56"), seen_on(markup)
        assert len(sandbox.record.of("bank_app_validation")) == 1
        assert sandbox.record.code_submissions == []


async def test_wrong_bank_password_is_submitted_once(markup: str) -> None:
    scenario = Scenario(variant=markup, broken_banks=(BROKEN,), bank_rejects_password=True)
    async with async_sandboxed(scenario) as (page, sandbox):
        settings = await mes_comptes(page)
        with pytest.raises(BankAuthFailed):
            await settings.reauthenticate(BROKEN, BankAuthPage(page, **bank()))  # type: ignore[arg-type]
        assert [e.outcome for e in sandbox.record.credential_submissions] == ["refused"]
        assert sandbox.record.code_submissions == []


async def test_wrong_code_is_submitted_once(markup: str) -> None:
    scenario = Scenario(variant=markup, broken_banks=(BROKEN,), bank_rejects_code=True)
    async with async_sandboxed(scenario) as (page, sandbox):
        settings = await mes_comptes(page)
        with pytest.raises(BankAuthFailed, match="code"):
            await settings.reauthenticate(BROKEN, BankAuthPage(page, **bank()))  # type: ignore[arg-type]
        assert [e.outcome for e in sandbox.record.code_submissions] == ["refused"]


# AssoConnect ---------------------------------------------------------------------------


async def test_accounts_read_linked_and_synced(markup: str) -> None:
    scenario = Scenario(variant=markup, unlinked_accounts=("Livret A",))
    async with async_sandboxed(scenario) as (page, sandbox):
        tab = await import_tab(page)
        accounts = {a.name: a for a in await tab.accounts()}
        assert set(accounts) == {"Compte courant", "Livret A"}, seen_on(markup)
        assert accounts["Compte courant"].sync_active, seen_on(markup)
        assert accounts["Compte courant"].linxo_account == "Compte courant Association Exemple"
        assert accounts["Livret A"].status == "Compte bancaire introuvable", seen_on(markup)
        assert accounts["Livret A"].linxo_account is None, seen_on(markup)
        result = await tab.force_sync("livret")
        assert result.ok and (result.attempts, result.used_fallback) == (1, False), seen_on(markup)
        assert [(e.subject, e.outcome) for e in sandbox.record.of("link")] == [
            ("Livret A", "Livret A Association Exemple")
        ], seen_on(markup)
        assert [e.outcome for e in sandbox.record.sync_clicks] == ["started"]
        assert sandbox.record.disconnects == []


async def test_transient_failures_are_retried(markup: str) -> None:
    scenario = Scenario(variant=markup, sync_transient_failures=2)
    async with async_sandboxed(scenario) as (page, sandbox):
        result = await (await import_tab(page)).force_sync("Compte courant")
        assert result.ok and result.attempts == 3, seen_on(markup)
        assert [e.outcome for e in sandbox.record.sync_clicks] == [
            "transient_error",
            "transient_error",
            "started",
        ], seen_on(markup)


async def test_persistent_error_uses_the_fallback_page(markup: str) -> None:
    scenario = Scenario(variant=markup, sync_fails_until_fallback=True)
    async with async_sandboxed(scenario) as (page, sandbox):
        result = await (await import_tab(page)).force_sync("Compte courant")
        assert result.ok and result.used_fallback and result.attempts == 2, seen_on(markup)
        assert [e.where for e in sandbox.record.sync_clicks] == ["import", "manage"]
        assert sandbox.record.disconnects == []


async def test_a_running_sync_is_waited_for_never_clicked(markup: str) -> None:
    scenario = Scenario(variant=markup, sync_running_at_start=True, sync_duration=2.0)
    async with async_sandboxed(scenario) as (page, sandbox):
        result = await (await import_tab(page)).force_sync("Compte courant")
        assert result.ok and result.attempts == 0, seen_on(markup)
        assert sandbox.record.sync_clicks == [], seen_on(markup)


async def test_a_changed_layout_is_page_changed_with_evidence(markup: str) -> None:
    scenario = Scenario(variant=markup, changed_labels={"Synchroniser": "Lancer l’import"})
    async with async_sandboxed(scenario) as (page, sandbox):
        tab = await import_tab(page)
        tab.timeout = 2
        started = time.monotonic()
        with pytest.raises(PageChanged) as caught:
            await tab.force_sync("Compte courant")
        assert time.monotonic() - started < 20, seen_on(markup)
        assert caught.value.screenshot is not None and caught.value.screenshot.is_file()
        assert caught.value.html is not None and markup in caught.value.html.read_text()
        assert sandbox.record.sync_clicks == [], seen_on(markup)


# The whole restore, on as many seeds as asked ------------------------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "seed" in metafunc.fixturenames:
        count = metafunc.config.getoption("seeds")
        metafunc.parametrize("seed", [f"random:{100 + n}" for n in range(count)])


@pytest.mark.seeds
async def test_the_whole_restore(seed: str) -> None:
    scenario = SCENARIOS["demo"].model_copy(update={"variant": seed})
    async with async_sandboxed(scenario) as (page, recorded):
        report = await restore(
            page,
            association="Association Exemple",
            linxo=LINXO,
            assoconnect=ASSOCONNECT,
            bank=BANK,
            otp=lambda: DEMO_SMS_CODE,
            retry=FAST_RETRY,
            timeout=10,
            bank_timeout=10,
        )
        assert report.ok, seen_on(seed)
        assert [r.bank for r in report.reauthentications] == [BROKEN], seen_on(seed)
        assert {a.name: a.sync_active for a in report.accounts_after} == {
            "Compte courant": True,
            "Livret A": True,
        }, seen_on(seed)
        assert len(recorded.record.credential_submissions) == 1
        assert recorded.record.disconnects == []
        assert recorded.record.blocked == []
