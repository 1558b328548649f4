"""AssoConnect page objects on the sandbox: navigate, read, re-link and force the sync."""

from __future__ import annotations

import time

import pytest
from helpers import async_sandbox, run_async
from playwright.sync_api import Page
from pydantic import SecretStr

from linxo_assoconnect import (
    AccountNotFound,
    AssoConnectLoginPage,
    Credentials,
    LoginFailed,
    PageChanged,
    RapprochementPage,
    RetryPolicy,
    SyncFailed,
)
from linxo_assoconnect import aio
from linxo_assoconnect.testing import DEMO_ASSOCONNECT, Sandbox, Scenario

ASSOCONNECT = Credentials(
    username=DEMO_ASSOCONNECT.username, password=SecretStr(DEMO_ASSOCONNECT.password)
)
FAST = RetryPolicy(attempts=4, initial_wait=0.05, max_wait=0.2, deadline=30)


def open_tab(page: Page, scenario: Scenario, association: str = "Association Exemple") -> tuple[RapprochementPage, Sandbox]:
    sandbox = Sandbox(scenario)
    sandbox.attach(page.context)
    AssoConnectLoginPage(page).login(ASSOCONNECT)
    return RapprochementPage(page, association=association, retry=FAST, timeout=10).open(), sandbox


def test_login_and_wrong_password(page: Page, variant: str) -> None:
    sandbox = Sandbox(Scenario(variant=variant))
    sandbox.attach(page.context)
    wrong = Credentials(username=DEMO_ASSOCONNECT.username, password=SecretStr("faux-mdp"))
    with pytest.raises(LoginFailed) as caught:
        AssoConnectLoginPage(page, timeout=5).login(wrong)
    assert "faux-mdp" not in str(caught.value)
    AssoConnectLoginPage(page).login(ASSOCONNECT)
    assert page.url == "https://app.assoconnect.com/"
    assert [e.outcome for e in sandbox.record.logins] == ["refused", "ok"]


def test_accounts_show_status_and_linxo_link(page: Page, variant: str) -> None:
    tab, _ = open_tab(
        page, Scenario(variant=variant, broken_banks=("Banque Populaire",), unlinked_accounts=("Livret",))
    )
    accounts = {a.name: a for a in tab.accounts()}
    assert set(accounts) == {"Compte courant", "Livret A"}
    courant, livret = accounts["Compte courant"], accounts["Livret A"]
    assert courant.status == "Erreur lors du dernier import" and not courant.sync_active
    assert courant.linxo_account == "Compte courant Association Exemple"
    assert livret.status == "Compte bancaire introuvable" and livret.linxo_account is None


def test_other_association_is_chosen_in_the_switcher(page: Page, variant: str) -> None:
    tab, _ = open_tab(page, Scenario(variant=variant), association="club exemple")
    assert tab.association == "Club Exemple de Voile"
    assert [(a.name, a.sync_active) for a in tab.accounts()] == [("Compte chèques", True)]


def test_unknown_account_lists_the_choices(page: Page, variant: str) -> None:
    tab, _ = open_tab(page, Scenario(variant=variant))
    with pytest.raises(AccountNotFound) as caught:
        tab.force_sync("Compte épargne")
    assert caught.value.choices == ["Compte courant", "Livret A"]
    assert "Compte courant" in str(caught.value)


def test_link_then_force_sync(page: Page, variant: str) -> None:
    tab, sandbox = open_tab(page, Scenario(variant=variant, unlinked_accounts=("Livret",)))
    linked = tab.link("livret", "Livret A Association")
    assert linked.linxo_account == "Livret A Association Exemple"
    result = tab.force_sync("Livret A")
    assert result.ok and result.status == "Synchronisation active"
    assert (result.attempts, result.used_fallback) == (1, False)
    assert sandbox.account("Livret A").linxo_account == "Livret A Association Exemple"
    assert [(e.subject, e.outcome) for e in sandbox.record.sync_clicks] == [("Livret A", "started")]
    assert sandbox.record.disconnects == []


def test_unlinked_account_is_linked_to_the_matching_linxo_account(page: Page, variant: str) -> None:
    tab, sandbox = open_tab(page, Scenario(variant=variant, unlinked_accounts=("Livret",)))
    result = tab.force_sync("Livret A")
    assert result.ok
    assert [(e.subject, e.outcome) for e in sandbox.record.of("link")] == [
        ("Livret A", "Livret A Association Exemple")
    ]


def test_transient_failures_are_retried(page: Page, variant: str) -> None:
    tab, sandbox = open_tab(page, Scenario(variant=variant, sync_transient_failures=2))
    result = tab.force_sync("Compte courant")
    assert result.ok and result.attempts == 3 and not result.used_fallback
    assert [e.outcome for e in sandbox.record.sync_clicks] == [
        "transient_error",
        "transient_error",
        "started",
    ]


def test_running_sync_is_waited_for_not_clicked(page: Page, variant: str) -> None:
    tab, sandbox = open_tab(
        page, Scenario(variant=variant, sync_running_at_start=True, sync_duration=1.0)
    )
    result = tab.force_sync("Compte courant")
    assert result.ok and result.attempts == 0
    assert sandbox.record.sync_clicks == []


def test_persistent_error_uses_the_linxo_management_page(page: Page, variant: str) -> None:
    tab, sandbox = open_tab(page, Scenario(variant=variant, sync_fails_until_fallback=True))
    result = tab.force_sync("Compte courant")
    assert result.ok and result.used_fallback and result.attempts == 2
    assert [e.where for e in sandbox.record.sync_clicks] == ["import", "manage"]
    assert sandbox.record.disconnects == []


def test_sync_fails_when_linxo_connection_is_broken(page: Page, variant: str) -> None:
    tab, sandbox = open_tab(page, Scenario(variant=variant, broken_banks=("Banque Populaire",)))
    with pytest.raises(SyncFailed, match="Erreur lors du dernier import"):
        tab.force_sync("Compte courant")
    assert [e.where for e in sandbox.record.sync_clicks] == ["import", "manage"]
    assert sandbox.record.disconnects == []


def test_missing_button_is_page_changed_with_evidence(page: Page, variant: str) -> None:
    tab, sandbox = open_tab(
        page, Scenario(variant=variant, changed_labels={"Synchroniser": "Lancer l’import"})
    )
    tab.timeout = 2
    started = time.monotonic()
    with pytest.raises(PageChanged) as caught:
        tab.force_sync("Compte courant")
    assert time.monotonic() - started < 10
    assert caught.value.screenshot is not None and caught.value.screenshot.stat().st_size > 0
    assert caught.value.html is not None
    assert "Lancer l’import" in caught.value.html.read_text(encoding="utf-8")
    assert sandbox.record.sync_clicks == []


def test_force_sync_async(variant: str) -> None:
    async def scenario() -> None:
        sc = Scenario(variant=variant, unlinked_accounts=("Livret",), sync_transient_failures=1)
        async with async_sandbox(sc) as (page, sandbox):
            await aio.AssoConnectLoginPage(page).login(ASSOCONNECT)
            tab = await aio.RapprochementPage(
                page, association="Association Exemple", retry=FAST, timeout=10
            ).open()
            result = await tab.force_sync("Livret A")
            assert result.ok and result.attempts == 2
            assert [e.outcome for e in sandbox.record.sync_clicks] == ["transient_error", "started"]

    run_async(scenario())
