"""The sandbox itself, driven by hand with plain Playwright, as a person would click through it.

These tests do not use the page objects: they check that the offline Linxo, demo bank and
AssoConnect show what the tutorial describes, behave as each scenario says, record what happened
without any secret, and never let a request reach the network. Both recorded markups are checked.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error, Locator, Page, Response, expect

from helpers import sandboxed
from linxo_assoconnect._core.text import label_regex
from linxo_assoconnect.testing import (
    ASSOCONNECT_HOST,
    BANK_HOST,
    DEMO_ASSOCONNECT,
    DEMO_BANK,
    DEMO_LINXO,
    DEMO_SMS_CODE,
    LINXO_HOST,
    SCENARIOS,
    Event,
    Request,
    Sandbox,
    Scenario,
)

LINXO_LOGIN = f"https://{LINXO_HOST}/auth.page#Login"
ASSOCONNECT_LOGIN = f"https://{ASSOCONNECT_HOST}/login"
BROKEN_BANK = "Banque Populaire Exemple"
HEALTHY_BANK = "Crédit Coopératif Exemple"
# A wrong password and a wrong code that appear nowhere else, to look for them in the record.
WRONG_PASSWORD = "pas-le-bon-mdp-7391"
WRONG_CODE = "908172"
# The longest wait (ms) for something a page does by itself (an import ending, the app validating).
SLOW = 5_000


# Browsing -------------------------------------------------------------------------------


@contextmanager
def browse(scenario: Scenario) -> Iterator[tuple[Page, Sandbox]]:
    """`sandboxed`, then check that every answer the page got was the sandbox's own.

    A response fulfilled by routing has no server address; one from the network has.
    """
    with sandboxed(scenario) as (page, sandbox):
        answers: list[Response] = []

        def keep(answer: Response) -> None:  # Playwright cannot wrap a bound builtin method
            answers.append(answer)

        page.on("response", keep)
        yield page, sandbox
        assert answers, "the page got no answer at all"
        for answer in answers:
            assert sandbox.serves(urlsplit(answer.url).hostname or ""), answer.url
            assert answer.server_addr() is None, f"{answer.url} came from the network"


def button(where: Page | Locator, label: str, *, exact: bool = False) -> Locator:
    return where.get_by_role("button", name=label_regex(label, exact=exact))


def euros(shown: str) -> re.Pattern[str]:
    """« 1 234,56 € » with any kind of space (none, normal, no-break, narrow no-break)."""
    return re.compile(r"\s*".join(re.escape(part) for part in shown.split()))


def linxo_login(page: Page, password: str = DEMO_LINXO.password) -> None:
    page.goto(LINXO_LOGIN)
    page.get_by_label(label_regex("E-mail", exact=True)).fill(DEMO_LINXO.username)
    page.get_by_label(label_regex("Mot de passe", exact=True)).fill(password)
    button(page, "Je me connecte").click()


def open_mes_comptes(page: Page) -> None:
    """Log in to Linxo, then gear › « Mes comptes »."""
    linxo_login(page)
    expect(page).to_have_url(f"https://{LINXO_HOST}/secured/history.page")
    button(page, "Paramètres").click()
    page.get_by_role("menuitem", name=label_regex("Mes comptes", exact=True)).click()
    expect(page.get_by_role("heading", name=label_regex("Mes comptes", exact=True))).to_be_visible()


def connection_card(page: Page, bank: str) -> Locator:
    name = label_regex(bank, exact=True)
    return page.get_by_role("group", name=name).or_(page.get_by_role("article", name=name))


def open_bank(page: Page) -> None:
    """« Mes comptes » › « M'authentifier » on the broken bank › confirm: the bank's login page."""
    open_mes_comptes(page)
    button(connection_card(page, BROKEN_BANK), "M'authentifier").click()
    dialog = page.get_by_role("dialog", name=label_regex("Connexion sécurisée"))
    button(dialog, "M'authentifier").click()
    expect(page).to_have_url(re.compile(rf"^https://{re.escape(BANK_HOST)}/authorize\?"))


def bank_login(page: Page, password: str = DEMO_BANK.password) -> None:
    page.get_by_label(label_regex("Identifiant")).fill(DEMO_BANK.username)
    page.get_by_label(label_regex("Mot de passe")).fill(password)
    button(page, "Valider").click()


def assoconnect_login(page: Page, password: str = DEMO_ASSOCONNECT.password) -> None:
    page.goto(ASSOCONNECT_LOGIN)
    page.get_by_label(label_regex("Adresse e-mail")).fill(DEMO_ASSOCONNECT.username)
    page.get_by_label(label_regex("Mot de passe")).fill(password)
    button(page, "Se connecter").click()


def tab(page: Page, name: str) -> Locator:
    """A tab of « Rapprochement bancaire » (a real tab in one markup, a link in the other)."""
    pattern = label_regex(name, exact=True)
    return page.get_by_role("tab", name=pattern).or_(page.get_by_role("link", name=pattern))


def open_import_tab(page: Page) -> None:
    """Log in to AssoConnect, then Comptabilité › Rapprochement bancaire › « Import… »."""
    assoconnect_login(page)
    expect(page).to_have_url(f"https://{ASSOCONNECT_HOST}/")
    page.get_by_text(label_regex("Comptabilité", exact=True)).click()
    page.get_by_role("link", name=label_regex("Rapprochement bancaire", exact=True)).click()
    tab(page, "Import depuis votre banque").click()
    expect(page.get_by_role("region", name="Mes comptes bancaires")).to_be_visible()


def account_entry(page: Page, name: str) -> Locator:
    """An account of the import tab's list, with its status label.

    One markup lists links, the other list items holding a link: the first match in document
    order is the item (with its status) in both.
    """
    accounts = page.get_by_role("region", name="Mes comptes bancaires")
    entries = accounts.get_by_role("listitem").or_(accounts.get_by_role("link"))
    return entries.filter(has_text=name).first


def linxo_choice(page: Page) -> Locator:
    name = label_regex("Sélection du compte Linxo associé")
    return page.get_by_role("group", name=name).or_(page.get_by_role("radiogroup", name=name))


def more_options(page: Page) -> None:
    page.get_by_text(label_regex("Plus d'options", exact=True)).click()


def status(page: Page) -> Locator:
    return page.get_by_role("status")


def assert_no_secret(sandbox: Sandbox, *secrets: str) -> None:
    """No field of any event, and no recorded request, holds one of the secrets.

    The demo bank identifier (« 12345678 ») happens to contain the demo SMS code (« 123456 »):
    the identifier is not a secret and is recorded, so it is taken out before looking.
    """
    values = [
        str(getattr(event, field.name))
        for event in sandbox.record.events
        for field in dataclasses.fields(Event)
    ]
    values += sandbox.record.requests
    assert sandbox.record.events and sandbox.record.requests
    for value in values:
        for secret in secrets:
            assert secret not in value.replace(DEMO_BANK.username, ""), value


# Linxo ----------------------------------------------------------------------------------


def test_linxo_login_page_refused_login_and_secured_pages(variant: str) -> None:
    with browse(Scenario(variant=variant)) as (page, sandbox):
        page.goto(f"https://{LINXO_HOST}/secured/settings.page#Accounts")
        expect(page).to_have_url(LINXO_LOGIN)  # no session: back to the login page
        expect(page.get_by_label(label_regex("E-mail", exact=True))).to_be_visible()
        expect(page.get_by_label(label_regex("Mot de passe", exact=True))).to_be_visible()
        expect(button(page, "Je me connecte")).to_be_visible()
        assert sandbox.record.logins == []

        linxo_login(page, WRONG_PASSWORD)
        expect(page.get_by_role("alert")).to_contain_text("mot de passe incorrect")
        expect(button(page, "Je me connecte")).to_be_visible()
        assert sandbox.record.logins == [
            Event("login", "linxo", subject=DEMO_LINXO.username, outcome="refused")
        ]
        assert_no_secret(sandbox, WRONG_PASSWORD)


def test_linxo_mes_comptes_then_secure_dialog_then_bank(variant: str) -> None:
    with browse(Scenario(variant=variant, broken_banks=(BROKEN_BANK,))) as (page, sandbox):
        open_mes_comptes(page)
        assert [e.outcome for e in sandbox.record.logins] == ["ok"]
        for bank in (BROKEN_BANK, HEALTHY_BANK):
            updated = sandbox.connection(bank).updated_at.strftime("%d.%m.%y, %Hh%M")
            expect(connection_card(page, bank)).to_contain_text(f"Mise à jour: {updated}")
        broken, healthy = connection_card(page, BROKEN_BANK), connection_card(page, HEALTHY_BANK)
        expect(broken.get_by_role("alert")).to_contain_text("nouvelle authentification")
        expect(broken).not_to_contain_text("€")  # no balance while the connection is broken
        expect(healthy).to_contain_text(euros("-67,00 €"))
        expect(healthy.get_by_role("alert")).to_have_count(0)

        dialog = page.get_by_role("dialog", name=label_regex("Connexion sécurisée"))
        expect(dialog).to_be_hidden()
        button(broken, "M'authentifier").click()
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(BROKEN_BANK)
        expect(dialog).to_contain_text(
            label_regex("Vous allez être redirigé vers votre banque pour vous authentifier")
        )
        button(dialog, "M'authentifier").click()
        expect(page).to_have_url(re.compile(rf"^https://{re.escape(BANK_HOST)}/"))
        expect(page.get_by_role("heading", name="Authentification")).to_be_visible()


# Bank -----------------------------------------------------------------------------------


def test_bank_refuses_a_wrong_password(variant: str) -> None:
    scenario = SCENARIOS["wrong_password"].model_copy(update={"variant": variant})
    with browse(scenario) as (page, sandbox):
        open_bank(page)
        bank_login(page, WRONG_PASSWORD)
        expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect")
        expect(page.get_by_label(label_regex("Code reçu par SMS"))).to_have_count(0)
        assert [e.outcome for e in sandbox.record.credential_submissions] == ["refused"]
        assert sandbox.record.code_submissions == []
        assert not sandbox.connection(BROKEN_BANK).healthy
        assert_no_secret(sandbox, WRONG_PASSWORD, DEMO_LINXO.password)


def test_bank_asks_an_sms_code_and_refuses_a_wrong_one(variant: str) -> None:
    scenario = SCENARIOS["wrong_code"].model_copy(update={"variant": variant})
    with browse(scenario) as (page, sandbox):
        open_bank(page)
        bank_login(page)
        page.get_by_label(label_regex("Code reçu par SMS")).fill(WRONG_CODE)
        button(page, "Valider").click()
        expect(page.get_by_role("alert")).to_contain_text("Code incorrect")
        assert [e.outcome for e in sandbox.record.credential_submissions] == ["ok"]
        assert [e.outcome for e in sandbox.record.code_submissions] == ["refused"]
        assert not sandbox.connection(BROKEN_BANK).healthy
        assert_no_secret(sandbox, DEMO_BANK.password, WRONG_CODE)


def test_bank_sms_code_brings_the_connection_back(variant: str) -> None:
    scenario = SCENARIOS["sms_code"].model_copy(update={"variant": variant})
    with browse(scenario) as (page, sandbox):
        open_bank(page)
        bank_login(page)
        expect(page.get_by_role("heading", name="Code de sécurité")).to_be_visible()
        page.get_by_label(label_regex("Code reçu par SMS")).fill(DEMO_SMS_CODE)
        button(page, "Valider").click()

        expect(page).to_have_url(re.compile(rf"^https://{re.escape(LINXO_HOST)}/secured/settings"))
        expect(status(page)).to_have_text(f"Votre connexion {BROKEN_BANK} a été mise à jour.")
        card = connection_card(page, BROKEN_BANK)
        expect(card).to_contain_text(euros("6 249,56 €"))
        expect(card.get_by_role("alert")).to_have_count(0)
        assert sandbox.connection(BROKEN_BANK).healthy
        assert [e.outcome for e in sandbox.record.credential_submissions] == ["ok"]
        assert [e.outcome for e in sandbox.record.code_submissions] == ["ok"]
        assert [e.subject for e in sandbox.record.of("reauthentication")] == [BROKEN_BANK]
        assert_no_secret(sandbox, DEMO_BANK.password, DEMO_SMS_CODE, DEMO_LINXO.password)


def test_bank_app_validation_returns_to_linxo_by_itself(variant: str) -> None:
    delay = 1.0
    scenario = SCENARIOS["app_validation"].model_copy(
        update={"variant": variant, "app_validation_delay": delay}
    )
    with browse(scenario) as (page, sandbox):
        open_bank(page)
        started = time.monotonic()
        bank_login(page)
        expect(page.get_by_role("heading", name=label_regex("Validez l'opération"))).to_be_visible()
        expect(status(page)).to_contain_text("En attente de votre validation")
        # Nothing more is done here: the page waits for the app, then goes back to Linxo.
        expect(status(page)).to_contain_text("a été mise à jour", timeout=SLOW)
        assert time.monotonic() - started >= delay
        assert urlsplit(page.url).hostname == LINXO_HOST
        # The app page kept asking the bank until the (simulated) person validated.
        polls = sandbox.record.requests.count(f"GET https://{BANK_HOST}/sca/app/status")
        assert polls >= 2, polls
        assert sandbox.connection(BROKEN_BANK).healthy
        assert len(sandbox.record.of("bank_app_validation")) == 1
        assert sandbox.record.code_submissions == []
        assert_no_secret(sandbox, DEMO_BANK.password)


# AssoConnect ----------------------------------------------------------------------------


def test_assoconnect_login_and_association_switcher(variant: str) -> None:
    with browse(Scenario(variant=variant)) as (page, sandbox):
        assoconnect_login(page, WRONG_PASSWORD)
        expect(page.get_by_role("alert")).to_contain_text("Identifiants incorrects")
        assoconnect_login(page)
        expect(page).to_have_url(f"https://{ASSOCONNECT_HOST}/")
        assert [e.outcome for e in sandbox.record.logins] == ["refused", "ok"]
        assert_no_secret(sandbox, WRONG_PASSWORD, DEMO_ASSOCONNECT.password)

        expect(page.get_by_role("heading", level=1)).to_contain_text("Association Exemple")
        button(page, "Changer d'association").click()
        for name in ("Association Exemple", "Club Exemple de Voile"):
            pattern = label_regex(name, exact=True)
            choice = page.get_by_role("menuitem", name=pattern).or_(
                page.get_by_role("link", name=pattern)
            )
            expect(choice).to_be_visible()
        page.get_by_role("link", name="Club Exemple de Voile").or_(
            page.get_by_role("menuitem", name="Club Exemple de Voile")
        ).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Club Exemple de Voile")
        expect(page.get_by_text("Compte chèques")).to_be_visible()


def test_assoconnect_menu_tabs_statuses_and_relink(variant: str) -> None:
    scenario = Scenario(
        variant=variant, broken_banks=(BROKEN_BANK,), unlinked_accounts=("Livret A",)
    )
    with browse(scenario) as (page, sandbox):
        open_import_tab(page)
        for name in ("Rapprochement", "Import depuis votre banque", "Historique"):
            expect(tab(page, name)).to_be_visible()
        expect(account_entry(page, "Compte courant")).to_contain_text(
            "Erreur lors du dernier import"
        )
        expect(account_entry(page, "Livret A")).to_contain_text("Compte bancaire introuvable")

        # The first account is selected: its Linxo account is checked, balances in French.
        choice = linxo_choice(page)
        expect(choice.get_by_role("radio")).to_have_count(4)
        for shown in ("1 234,56 €", "5 000,00 €", "15,00 €", "-67,00 €"):
            expect(choice).to_contain_text(euros(shown))
        linked = choice.get_by_role("radio", name=label_regex("Compte courant Association"))
        expect(linked).to_be_checked()

        # The unlinked one has none; choosing one and « Enregistrer » links it.
        accounts = page.get_by_role("region", name="Mes comptes bancaires")
        accounts.get_by_role("link").filter(has_text="Livret A").click()
        expect(page.get_by_role("region", name="Livret A")).to_be_visible()
        expect(choice.get_by_role("radio", checked=True)).to_have_count(0)
        choice.get_by_role("radio", name=label_regex("Livret A Association Exemple")).check()
        button(page, "Enregistrer", exact=True).click()
        expect(status(page)).to_contain_text("Les modifications ont été enregistrées")
        expect(account_entry(page, "Livret A")).to_contain_text("En attente de vérification")
        expect(choice.get_by_role("radio", checked=True)).to_have_accessible_name(
            label_regex("Livret A Association Exemple")
        )
        assert sandbox.record.of("link") == [
            Event("link", "assoconnect", subject="Livret A", outcome="Livret A Association Exemple")
        ]
        assert sandbox.account("Livret A").linxo_account == "Livret A Association Exemple"

        tab(page, "Historique").click()
        expect(page.get_by_text(label_regex("dernier import")).first).to_be_visible()


def test_assoconnect_more_options_sync_and_disconnect(variant: str) -> None:
    with browse(Scenario(variant=variant, sync_duration=1.0)) as (page, sandbox):
        open_import_tab(page)
        for name in ("Compte courant", "Livret A"):
            expect(account_entry(page, name)).to_contain_text("Synchronisation active")
        sync = button(page, "Synchroniser", exact=True)
        disconnect = button(page, "Déconnecter", exact=True)
        expect(sync).to_be_hidden()
        more_options(page)
        expect(page.get_by_role("heading", name="Forcer la synchronisation")).to_be_visible()
        expect(sync).to_be_visible()
        expect(page.get_by_role("heading", name="Déconnecter votre compte Linxo")).to_be_visible()
        expect(disconnect).to_be_visible()

        sync.click()
        expect(status(page)).to_contain_text("La synchronisation a été lancée")
        expect(account_entry(page, "Compte courant")).to_contain_text("Synchronisation en cours")
        expect(account_entry(page, "Compte courant")).to_contain_text(
            "Synchronisation active", timeout=SLOW
        )
        assert sandbox.record.sync_clicks == [
            Event("sync_click", "assoconnect", "Compte courant", "started", "import")
        ]

        # The library never clicks it, but the sandbox must tell if someone did.
        more_options(page)
        disconnect.click()
        expect(account_entry(page, "Compte courant")).to_contain_text("Compte bancaire introuvable")
        expect(linxo_choice(page).get_by_role("radio", checked=True)).to_have_count(0)
        assert sandbox.record.disconnects == [
            Event("disconnect", "assoconnect", subject="Compte courant")
        ]


def test_assoconnect_transient_failure_answers_503(variant: str) -> None:
    with browse(Scenario(variant=variant, sync_transient_failures=1)) as (page, sandbox):
        open_import_tab(page)
        more_options(page)
        with page.expect_response(lambda r: r.url.endswith("/synchroniser")) as answer:
            button(page, "Synchroniser", exact=True).click()
        assert answer.value.status == 503
        expect(page.get_by_role("alert")).to_contain_text(label_regex("réessayer plus tard"))
        assert [e.outcome for e in sandbox.record.sync_clicks] == ["transient_error"]

        page.get_by_role("link", name=label_regex("Retour à l'import")).click()
        more_options(page)
        button(page, "Synchroniser", exact=True).click()
        expect(status(page)).to_contain_text("La synchronisation a été lancée")
        assert [e.outcome for e in sandbox.record.sync_clicks] == ["transient_error", "started"]


def test_assoconnect_running_sync_ends_by_itself(variant: str) -> None:
    scenario = SCENARIOS["sync_running"].model_copy(update={"variant": variant})
    with browse(scenario) as (page, sandbox):
        open_import_tab(page)
        entry = account_entry(page, "Compte courant")
        expect(entry).to_contain_text("Synchronisation en cours")
        # Nothing is clicked: the page asks the server until the import ends, then reloads.
        expect(entry).to_contain_text("Synchronisation active", timeout=SLOW)
        expect(account_entry(page, "Livret A")).to_contain_text("Synchronisation active")
        assert sandbox.record.sync_clicks == []


def test_assoconnect_management_page_syncs_when_the_import_tab_fails(variant: str) -> None:
    scenario = SCENARIOS["sync_needs_fallback"].model_copy(update={"variant": variant})
    with browse(scenario) as (page, sandbox):
        open_import_tab(page)
        more_options(page)
        button(page, "Synchroniser", exact=True).click()
        expect(account_entry(page, "Compte courant")).to_contain_text(
            "Erreur lors du dernier import", timeout=SLOW
        )

        page.get_by_role(
            "link", name=label_regex("Gérer ses comptes bancaires synchronisés avec Linxo")
        ).click()
        expect(
            page.get_by_role("heading", name=label_regex("Gérer ses comptes bancaires"))
        ).to_be_visible()
        rows = page.get_by_role("row").or_(page.get_by_role("listitem"))
        row = rows.filter(has_text="Compte courant")
        expect(row).to_contain_text("Erreur lors du dernier import")
        button(row, "Lancer la synchronisation").click()
        expect(status(page)).to_contain_text("La synchronisation a été lancée")
        expect(row).to_contain_text("Synchronisation active", timeout=SLOW)
        assert [(e.where, e.outcome) for e in sandbox.record.sync_clicks] == [
            ("import", "started"),
            ("manage", "started"),
        ]
        assert sandbox.record.of("sync_click", where="manage")[0].subject == "Compte courant"


# Isolation ------------------------------------------------------------------------------


def test_other_hosts_are_blocked_and_recorded() -> None:
    with browse(Scenario()) as (page, sandbox):
        failures: list[str] = []
        page.on("requestfailed", lambda request: failures.append(request.url))
        page.goto(LINXO_LOGIN)
        outcome = page.evaluate(
            "fetch('https://tracker.example.net/x?id=1').then(() => 'answered', () => 'refused')"
        )
        assert outcome == "refused"
        with pytest.raises(Error, match="ERR_BLOCKED_BY_CLIENT"):
            page.goto("https://example.com/")
        assert [e.subject for e in sandbox.record.blocked] == [
            "https://tracker.example.net/x",
            "https://example.com/",
        ]
        assert failures == ["https://tracker.example.net/x?id=1", "https://example.com/"]
        assert not any("example.com/" in r or "tracker" in r for r in sandbox.record.requests)


# Scenarios ------------------------------------------------------------------------------


def test_every_named_scenario_serves_the_linxo_login_page() -> None:
    """Each named scenario, in both markups, through the handler the browser's routing calls."""
    assert {"broken_connection", "layout_changed", "sync_running"} <= set(SCENARIOS)
    for name, scenario in SCENARIOS.items():
        assert Sandbox(name).scenario == scenario
        for variant in ("a", "b"):
            sandbox = Sandbox(scenario.model_copy(update={"variant": variant}))
            # What the browser asks for LINXO_LOGIN: a URL without its fragment.
            answer = sandbox.handle(Request("GET", f"https://{LINXO_HOST}/auth.page", {}))
            assert answer is not None, name
            assert answer.status == 200, name
            assert ">Je me connecte</button>" in answer.body, (name, variant)
            assert sandbox.record.requests == [f"GET https://{LINXO_HOST}/auth.page"]


def test_changed_labels_rename_whatever_the_apostrophe(variant: str) -> None:
    # Each markup writes « M'authentifier » with one apostrophe; the scenario names the other.
    label = {"a": "M'authentifier", "b": "M’authentifier"}[variant]
    scenario = Scenario(
        variant=variant, broken_banks=(BROKEN_BANK,), changed_labels={label: "Se reconnecter"}
    )
    with browse(scenario) as (page, _):
        open_mes_comptes(page)
        expect(button(page, "Se reconnecter", exact=True)).to_have_count(2)
        expect(button(page, "M'authentifier")).to_have_count(0)
        button(connection_card(page, BROKEN_BANK), "Se reconnecter").click()
        dialog = page.get_by_role("dialog", name=label_regex("Connexion sécurisée"))
        expect(button(dialog, "Se reconnecter", exact=True)).to_be_visible()


NAVIGATION_WAIT = """() => {
    const [entry] = performance.getEntriesByType("navigation");
    return (entry.responseStart - entry.requestStart) / 1000;
}"""


def test_latency_delays_every_answer() -> None:
    """With ``latency=0.3`` the page waits at least 0.3 s for its answer.

    Measured by the browser, from request to first byte: what a page load adds on top (a new
    renderer, layout) varies by more than the latency itself on a busy machine. How little it
    waits without latency is a figure of ``./dev bench``, not a test: shared machines vary.
    """
    waited: dict[float, float] = {}
    for latency in (0.0, 0.3):
        with browse(Scenario(latency=latency)) as (page, _):
            started = time.monotonic()
            page.goto(LINXO_LOGIN)
            took = time.monotonic() - started
            expect(button(page, "Je me connecte")).to_be_visible()
            waited[latency] = page.evaluate(NAVIGATION_WAIT)
            assert took >= latency
    assert waited[0.3] >= 0.3, waited


# Fidelity -------------------------------------------------------------------------------


IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,3})?\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
GWT = re.compile(r"GJALL4AB\w+")


def test_pages_look_recorded_and_hold_only_fake_data(variant: str) -> None:
    """Linxo's markup a has GWT-style class names, b has not; data is the sandbox's fakes."""
    with browse(Scenario(variant=variant, broken_banks=(BROKEN_BANK,))) as (page, sandbox):
        pages: dict[str, list[str]] = {LINXO_HOST: [], BANK_HOST: [], ASSOCONNECT_HOST: []}

        def keep() -> None:
            pages[urlsplit(page.url).hostname or ""].append(page.content())

        for login in (LINXO_LOGIN, ASSOCONNECT_LOGIN):
            page.goto(login)
            keep()
        open_bank(page)
        keep()
        for path in ("/secured/history.page", "/secured/settings.page#Accounts"):
            page.goto(f"https://{LINXO_HOST}{path}")
            keep()
        open_import_tab(page)
        keep()
        for path in ("/", "/comptabilite/rapprochement/historique", "/comptabilite/linxo"):
            page.goto(f"https://{ASSOCONNECT_HOST}{path}")
            keep()
        examples = {a.iban for asso in sandbox.associations for a in asso.accounts}

    assert [len(p) for p in pages.values()] == [3, 1, 5]
    for html in pages[LINXO_HOST]:
        assert bool(GWT.search(html)) == (variant == "a")
    everything = [html for site in pages.values() for html in site]
    ibans = {iban for html in everything for iban in IBAN.findall(html)}
    emails = {email for html in everything for email in EMAIL.findall(html)}
    assert ibans, "no IBAN found: the pattern no longer matches the pages"
    assert ibans <= examples
    assert all(iban.startswith("FR76 ") for iban in examples)
    assert emails, "no e-mail found: the pattern no longer matches the pages"
    assert all(email.endswith("@association-exemple.fr") for email in emails), emails
