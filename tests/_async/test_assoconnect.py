"""AssoConnect on the sandbox, through the public API, on both markups."""

from __future__ import annotations

import time

import pytest
from playwright.async_api import Page

from helpers import ASSOCONNECT, FAST_RETRY, async_sandboxed, credentials
from linxo_assoconnect.aio import (
    AccountNotFound,
    AssoConnectLoginPage,
    AssoConnectProfile,
    LoginFailed,
    PageChanged,
    RapprochementPage,
    SyncFailed,
)
from linxo_assoconnect.testing import DEMO_ASSOCONNECT, Scenario


async def open_tab(page: Page, association: str = "Association Exemple") -> RapprochementPage:
    await AssoConnectLoginPage(page).login(ASSOCONNECT)
    tab = RapprochementPage(page, association=association, retry=FAST_RETRY, timeout=10)
    return await tab.open()


async def test_login_and_wrong_password(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant)) as (page, sandbox):
        with pytest.raises(LoginFailed) as caught:
            await AssoConnectLoginPage(page, timeout=5).login(
                credentials(DEMO_ASSOCONNECT, "faux-mdp")
            )
        assert "faux-mdp" not in str(caught.value)
        await AssoConnectLoginPage(page).login(ASSOCONNECT)
        assert page.url.startswith("https://") and "/login" not in page.url
        assert page.url.split("/")[2].endswith("assoconnect.com")
        assert [e.outcome for e in sandbox.record.logins] == ["refused", "ok"]


async def test_accounts_show_status_and_linxo_link(variant: str) -> None:
    scenario = Scenario(
        variant=variant, broken_banks=("Banque Populaire",), unlinked_accounts=("Livret",)
    )
    async with async_sandboxed(scenario) as (page, _):
        tab = await open_tab(page)
        accounts = {a.name: a for a in await tab.accounts()}
        assert set(accounts) == {"Compte courant", "Livret A"}
        courant, livret = accounts["Compte courant"], accounts["Livret A"]
        assert courant.status == "Erreur lors du dernier import" and not courant.sync_active
        assert courant.linxo_account == "Compte courant Association Exemple"
        assert livret.status == "Compte bancaire introuvable" and livret.linxo_account is None


async def test_other_association_is_chosen_in_the_switcher(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant)) as (page, _):
        tab = await open_tab(page, association="club exemple")
        assert tab.association == "Club Exemple de Voile"
        assert [(a.name, a.sync_active) for a in await tab.accounts()] == [("Compte chèques", True)]


async def test_unknown_association_lists_the_choices(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant)) as (page, _):
        with pytest.raises(AccountNotFound) as caught:
            await open_tab(page, association="Association Inconnue")
        assert sorted(caught.value.choices) == ["Association Exemple", "Club Exemple de Voile"]


async def test_unknown_account_lists_the_choices(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant)) as (page, sandbox):
        tab = await open_tab(page)
        with pytest.raises(AccountNotFound) as caught:
            await tab.force_sync("Compte épargne")
        assert sorted(caught.value.choices) == ["Compte courant", "Livret A"]
        assert sandbox.record.sync_clicks == []


async def test_link_then_force_sync(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant, unlinked_accounts=("Livret",))) as (
        page,
        sandbox,
    ):
        tab = await open_tab(page)
        linked = await tab.link("livret", "Livret A Association")
        assert linked.linxo_account == "Livret A Association Exemple"
        result = await tab.force_sync("Livret A")
        assert result.ok and result.status == "Synchronisation active"
        assert (result.attempts, result.used_fallback) == (1, False)
        assert [(e.subject, e.outcome) for e in sandbox.record.sync_clicks] == [
            ("Livret A", "started")
        ]
        assert sandbox.record.disconnects == []


async def test_unlinked_account_is_linked_to_the_matching_linxo_account(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant, unlinked_accounts=("Livret",))) as (
        page,
        sandbox,
    ):
        result = await (await open_tab(page)).force_sync("Livret A")
        assert result.ok
        assert [(e.subject, e.outcome) for e in sandbox.record.of("link")] == [
            ("Livret A", "Livret A Association Exemple")
        ]
        assert sandbox.account("Livret A").linxo_account == "Livret A Association Exemple"


async def test_transient_failures_are_retried(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant, sync_transient_failures=2)) as (
        page,
        sandbox,
    ):
        result = await (await open_tab(page)).force_sync("Compte courant")
        assert result.ok and result.attempts == 3 and not result.used_fallback
        assert [e.outcome for e in sandbox.record.sync_clicks] == [
            "transient_error",
            "transient_error",
            "started",
        ]


async def test_running_sync_is_waited_for_not_clicked(variant: str) -> None:
    scenario = Scenario(variant=variant, sync_running_at_start=True, sync_duration=2.0)
    async with async_sandboxed(scenario) as (page, sandbox):
        result = await (await open_tab(page)).force_sync("Compte courant")
        assert result.ok and result.attempts == 0
        assert sandbox.record.sync_clicks == []


async def test_persistent_error_uses_the_linxo_management_page(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant, sync_fails_until_fallback=True)) as (
        page,
        sandbox,
    ):
        result = await (await open_tab(page)).force_sync("Compte courant")
        assert result.ok and result.used_fallback and result.attempts == 2
        assert [e.where for e in sandbox.record.sync_clicks] == ["import", "manage"]
        assert sandbox.record.disconnects == []


async def test_sync_fails_while_the_linxo_connection_is_broken(variant: str) -> None:
    async with async_sandboxed(Scenario(variant=variant, broken_banks=("Banque Populaire",))) as (
        page,
        sandbox,
    ):
        with pytest.raises(SyncFailed, match="Erreur lors du dernier import"):
            await (await open_tab(page)).force_sync("Compte courant")
        assert [e.where for e in sandbox.record.sync_clicks] == ["import", "manage"]
        assert sandbox.record.disconnects == []


async def test_missing_button_is_page_changed_not_a_hang(variant: str) -> None:
    scenario = Scenario(variant=variant, changed_labels={"Synchroniser": "Lancer l’import"})
    async with async_sandboxed(scenario) as (page, sandbox):
        tab = await open_tab(page)
        tab.timeout = 2
        started = time.monotonic()
        with pytest.raises(PageChanged) as caught:
            await tab.force_sync("Compte courant")
        assert time.monotonic() - started < 10
        assert caught.value.screenshot is not None and caught.value.screenshot.is_file()
        assert caught.value.html is not None
        assert "Lancer l’import" in caught.value.html.read_text(encoding="utf-8")
        assert sandbox.record.sync_clicks == []


async def test_a_sync_longer_than_the_timeout_is_never_clicked_again(variant: str) -> None:
    scenario = Scenario(variant=variant, failed_imports=("Compte courant",), sync_duration=5.0)
    async with async_sandboxed(scenario) as (page, sandbox):
        tab = await open_tab(page)
        tab.timeout = 1
        with pytest.raises(SyncFailed, match="toujours en cours"):
            await tab.force_sync("Compte courant")
        assert [(e.where, e.outcome) for e in sandbox.record.sync_clicks] == [("import", "started")]


async def test_a_renamed_button_is_a_line_of_profile(variant: str) -> None:
    scenario = Scenario(variant=variant, changed_labels={"Synchroniser": "Lancer l’import"})
    async with async_sandboxed(scenario) as (page, sandbox):
        await AssoConnectLoginPage(page).login(ASSOCONNECT)
        profile = AssoConnectProfile(sync=("Synchroniser", "Lancer l'import"))
        tab = RapprochementPage(
            page, association="Association Exemple", retry=FAST_RETRY, timeout=10, profile=profile
        )
        result = await (await tab.open()).force_sync("Compte courant")
        assert result.ok and result.attempts == 1
        assert [e.outcome for e in sandbox.record.sync_clicks] == ["started"]
