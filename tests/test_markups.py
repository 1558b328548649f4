"""Every rendering of the sandbox works for a person: `a`, `b`, `bare` and several seeds.

A minimal plain-Playwright script (not the page objects) walks each page by its visible words
only: it clicks the element that shows a word, fills the field that a word labels (or whose
placeholder it is), refuses cookies and closes pop-ups as they come. Where the rendering
decides the path (two steps or one, a chooser after login, a new tab), the script reads it from
`Sandbox.markup`, as a person would see it; what it finds it finds by words. Each test's id says
the variant and each failure says `Markup.describe()`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import get_args, get_type_hints
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, Response, expect

from helpers import sandboxed
from linxo_assoconnect import BankProfile
from linxo_assoconnect._core.text import label_regex
from linxo_assoconnect.testing import (
    DEMO_ASSOCONNECT,
    DEMO_BANK,
    DEMO_LINXO,
    DEMO_LINXO_CODE,
    DEMO_SMS_CODE,
    LINXO_HOST,
    Markup,
    Request,
    Sandbox,
    Scenario,
)

# Eight seeds that, with `bare`, draw every option of every widget family at least once.
SEEDS = [f"random:{n}" for n in (1, 3, 4, 22, 136, 144, 190, 599)]
VARIANTS = ["a", "b", "bare", *SEEDS]
COMPONENTS = ["bare", *SEEDS]
BROKEN_BANK = "Banque Populaire Exemple"
LINXO_LOGIN = f"https://{LINXO_HOST}/auth.page#Login"
ASSOCONNECT_LOGIN = "https://app.assoconnect.com/login"
EMAIL = ("E-mail", "Adresse e-mail", "Email", "Identifiant", "Adresse email")
ASSOCONNECT_SUBMIT = ("Se connecter", "Connexion", "Continuer")
BANK = BankProfile()
SLOW = 10_000  # ms: the longest wait for something a page does by itself
# What a person does not click when looking for a control: titles and running text.
NOT_CONTROLS = ":not(h1, h2, h3, h4, legend, p, title)"


# A person's words ------------------------------------------------------------------------


def words(*texts: str, exact: bool = True) -> re.Pattern[str]:
    """Any of ``texts``, whatever the case, accents, apostrophes and spacing."""
    return re.compile(
        "|".join(f"(?:{label_regex(t, exact=exact).pattern})" for t in texts), re.IGNORECASE
    )


STATUSES = words(
    "Synchronisation active",
    "Synchronisation en cours",
    "Erreur lors du dernier import",
    "En attente de vérification par Linxo",
    "Compte bancaire introuvable",
    exact=False,
)


def shown(where: Page | Locator, *texts: str, exact: bool = True) -> Locator:
    """The visible element(s) showing one of ``texts``."""
    return where.get_by_text(words(*texts, exact=exact)).locator("visible=true")


def click(where: Page | Locator, *texts: str, exact: bool = True) -> None:
    """Click the element that shows the word: a button, a link, a ``div``…"""
    page = where if isinstance(where, Page) else where.page
    shown(where, *texts, exact=exact).and_(page.locator(NOT_CONTROLS)).first.click()


def fill(page: Page, texts: tuple[str, ...], value: str) -> None:
    """Fill the field a word labels, or whose placeholder it is."""
    pattern = words(*texts)
    field = page.get_by_label(pattern).or_(page.get_by_placeholder(pattern))
    field.locator("visible=true").first.fill(value)


def part(
    page: Page, name: str, *, with_text: str, without: str = "", having: Locator | None = None
) -> Locator:
    """The smallest part of the page showing ``name`` (exactly) with ``with_text`` (and what
    it is ``having``), without ``without``."""
    found = (
        page.locator("*").filter(has=page.get_by_text(name, exact=True)).filter(has_text=with_text)
    )
    if having is not None:
        found = found.filter(has=having)
    return (found.filter(has_not_text=without) if without else found).last


def euros(amount: str) -> re.Pattern[str]:
    return re.compile(r"\s*".join(re.escape(p) for p in amount.split()))


@contextmanager
def person(scenario: Scenario) -> Iterator[tuple[Page, Sandbox]]:
    """A sandboxed page whose cookie banners are refused and pop-ups closed as they come;
    every answer must come from the sandbox."""
    with sandboxed(scenario) as (page, sandbox):
        answers: list[Response] = []

        def keep(answer: Response) -> None:  # Playwright cannot wrap a bound builtin method
            answers.append(answer)

        page.context.on("response", keep)
        banner = page.get_by_text("Tout accepter", exact=True).locator("visible=true")
        page.add_locator_handler(
            banner, lambda: click(page, "Tout refuser", "Continuer sans accepter")
        )
        news = page.get_by_text("Nouveautés", exact=True).locator("visible=true")
        page.add_locator_handler(news, lambda: click(page, "Fermer", "×"))
        try:
            yield page, sandbox
        except AssertionError as error:
            raise AssertionError(f"{error}\n{sandbox.markup.describe()}") from error
        for answer in answers:
            host = urlsplit(answer.url).hostname or ""
            assert sandbox.serves(host), answer.url
            assert answer.server_addr() is None, f"{answer.url} came from the network"
        assert all(e.outcome == "refused" for e in sandbox.record.consents)


def linxo_login(page: Page, sandbox: Sandbox) -> None:
    markup = sandbox.markup
    page.goto(LINXO_LOGIN)
    fill(page, EMAIL, DEMO_LINXO.username)
    if markup.linxo_login == "two_steps":
        click(page, "Continuer")
    fill(page, ("Mot de passe",), DEMO_LINXO.password)
    click(page, "Je me connecte")
    if sandbox.scenario.linxo_asks_code:
        code = sandbox.scenario.linxo_code.get_secret_value()
        expect(page.get_by_text("code de vérification").first).to_be_visible()
        if markup.linxo_code_fields == 6:
            for number, digit in enumerate(code, start=1):
                page.get_by_label(f"Chiffre {number}").fill(digit)
            click(page, "Valider")
        else:
            fill(page, ("Code de vérification",), code)
            click(page, "Valider le code")
    if not sandbox.scenario.linxo_rejects_code:
        expect(page).to_have_url(re.compile(rf"^https://{LINXO_HOST}/secured/"))


def open_mes_comptes(page: Page, sandbox: Sandbox) -> None:
    linxo_login(page, sandbox)
    gear = page.get_by_role("button", name="Paramètres").or_(page.get_by_title("Paramètres"))
    gear.or_(page.get_by_text("⚙")).locator("visible=true").first.click()
    click(page, "Mes comptes")
    expect(shown(page, "Mes comptes").first).to_be_visible()
    expect(page.get_by_text("Mise à jour:").first).to_be_visible(timeout=SLOW)


def open_bank(page: Page, sandbox: Sandbox) -> None:
    open_mes_comptes(page, sandbox)
    open_bank_dialog(page)


def open_bank_dialog(page: Page) -> None:
    """« M’authentifier » on the broken bank, then in « Connexion sécurisée »: the bank."""
    authenticate = page.get_by_text(words("M’authentifier"))
    card = part(page, BROKEN_BANK, with_text="Mise à jour", without="Crédit", having=authenticate)
    click(card, "M’authentifier")
    dialog = part(page, BROKEN_BANK, with_text="Connexion sécurisée")
    expect(dialog).to_contain_text(label_regex("Vous allez être redirigé vers votre banque"))
    click(dialog, "M’authentifier")
    expect(page.get_by_text("Authentification", exact=True)).to_be_visible()


def bank_login(page: Page, sandbox: Sandbox) -> None:
    fill(page, BANK.identifier, DEMO_BANK.username)
    if sandbox.markup.bank_login == "two_steps":
        click(page, "Continuer")
    fill(page, BANK.password, DEMO_BANK.password)
    click(page, *BANK.submit)


def assoconnect_login(
    page: Page, sandbox: Sandbox, association: str = "Association Exemple"
) -> None:
    page.goto(ASSOCONNECT_LOGIN)
    fill(page, EMAIL, DEMO_ASSOCONNECT.username)
    if sandbox.markup.assoconnect_login == "two_steps":
        click(page, *ASSOCONNECT_SUBMIT)
    fill(page, ("Mot de passe",), DEMO_ASSOCONNECT.password)
    click(page, *ASSOCONNECT_SUBMIT)
    if sandbox.markup.assoconnect_landing == "chooser":
        expect(page.get_by_text("Choisissez une association")).to_be_visible()
        click(page, association, exact=False)
    expect(shown(page, association, exact=False).first).to_be_visible()
    if sandbox.markup.association_host == "slug":
        expect(page).to_have_url(
            re.compile(r"^https://[a-z-]+\.assoconnect\.com/organization/\d+/")
        )


def open_import_tab(page: Page, sandbox: Sandbox) -> None:
    assoconnect_login(page, sandbox)
    click(page, "Comptabilité")
    click(page, "Rapprochement bancaire")
    click(page, "Import depuis votre banque")
    expect(shown(page, "Sélection du compte Linxo associé").first).to_be_visible(timeout=SLOW)


def entry(page: Page, name: str) -> Locator:
    """An account of the import tab's list, with its status."""
    other = "Livret A" if name == "Compte courant" else "Compte courant"
    return part(page, name, with_text="FR76", without=other, having=page.get_by_text(STATUSES))


def more_options(page: Page) -> None:
    if not shown(page, "Synchroniser").count():
        click(page, "Plus d’options")


def variant_ids(variants: list[str]) -> list[pytest.param]:  # type: ignore[valid-type]
    return [pytest.param(v, id=v) for v in variants]


# Linxo and the bank ----------------------------------------------------------------------


def connection_part(page: Page, bank: str, having: Locator) -> Locator:
    other = "Crédit" if bank == BROKEN_BANK else "Populaire"
    return part(page, bank, with_text="Mise à jour", without=other, having=having)


@pytest.mark.parametrize("variant", variant_ids(VARIANTS))
def test_linxo_mes_comptes_then_the_bank_by_sms_code(variant: str) -> None:
    scenario = Scenario(variant=variant, broken_banks=(BROKEN_BANK,), bank_sca="sms")
    with person(scenario) as (page, sandbox):
        markup = sandbox.markup
        open_mes_comptes(page, sandbox)
        if markup.components:
            healthy_bank = "Crédit Coopératif Exemple"
            healthy = connection_part(page, healthy_bank, page.get_by_text(euros("-67,00 €")))
            expect(healthy).not_to_contain_text(markup.word(markup.broken_message))
            authenticate = shown(healthy, "M’authentifier")
            expect(authenticate).to_have_count(0 if markup.healthy_without_authenticate else 1)
            message = page.get_by_text(markup.word(markup.broken_message), exact=True)
            expect(connection_part(page, BROKEN_BANK, message)).to_be_visible()
            assert f'<meta name="sandbox-markup" content="{variant}">' in page.content()
        open_bank_dialog(page)
        bank_login(page, sandbox)
        fill(page, BANK.code, DEMO_SMS_CODE)
        click(page, *BANK.code_submit)
        expect(page).to_have_url(re.compile(rf"^https://{LINXO_HOST}/secured/settings"))
        balance = page.get_by_text(euros("6 249,56 €"))
        card = connection_part(page, BROKEN_BANK, balance)
        updated = sandbox.connection(BROKEN_BANK).updated_at.strftime("%d.%m.%y, %Hh%M")
        expect(card).to_contain_text(f"Mise à jour: {updated}", timeout=SLOW)
        assert sandbox.connection(BROKEN_BANK).healthy
        assert [e.outcome for e in sandbox.record.logins] == ["ok"]
        assert [e.outcome for e in sandbox.record.credential_submissions] == ["ok"]
        assert [e.outcome for e in sandbox.record.code_submissions] == ["ok"]


@pytest.mark.parametrize("variant", variant_ids(VARIANTS))
def test_linxo_code_then_the_bank_by_app_validation(variant: str) -> None:
    """On the component markups Linxo also asks for the code it sent by e-mail."""
    scenario = Scenario(
        variant=variant,
        broken_banks=(BROKEN_BANK,),
        bank_sca="app",
        app_validation_delay=1.0,
        linxo_asks_code=variant not in ("a", "b"),
    )
    with person(scenario) as (page, sandbox):
        open_mes_comptes(page, sandbox)
        open_bank_dialog(page)
        bank_login(page, sandbox)
        expect(page.get_by_text(words(*BANK.app_validation, exact=False))).to_be_visible()
        expect(page).to_have_url(re.compile(rf"^https://{LINXO_HOST}/secured/"), timeout=SLOW)
        assert sandbox.connection(BROKEN_BANK).healthy
        assert len(sandbox.record.of("bank_app_validation")) == 1
        assert sandbox.record.code_submissions == []
        expected = ["ok"] if scenario.linxo_asks_code else []
        assert [e.outcome for e in sandbox.record.linxo_code_submissions] == expected


@pytest.mark.parametrize(("variant", "fields"), [("bare", 6), ("random:3", 1)])
def test_linxo_refuses_a_wrong_code(variant: str, fields: int) -> None:
    wrong = Scenario(
        variant=variant, linxo_asks_code=True, linxo_rejects_code=True, linxo_code_fields=fields
    )
    with person(wrong) as (page, sandbox):
        linxo_login(page, sandbox)
        expect(page.get_by_text("Code de confirmation incorrect.")).to_be_visible()
        assert [e.outcome for e in sandbox.record.linxo_code_submissions] == ["refused"]
        assert DEMO_LINXO_CODE not in repr(sandbox.record)
        assert [e.outcome for e in sandbox.record.logins] == ["ok"]


# AssoConnect -----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", variant_ids(VARIANTS))
def test_import_tab_relink_sync_and_switch_association(variant: str) -> None:
    scenario = Scenario(variant=variant, unlinked_accounts=("Livret A",), sync_duration=1.5)
    with person(scenario) as (page, sandbox):
        open_import_tab(page, sandbox)
        expect(entry(page, "Compte courant")).to_contain_text("Synchronisation active")
        expect(entry(page, "Livret A")).to_contain_text("Compte bancaire introuvable")
        expect(page.get_by_text(euros("5 000,00 €"))).to_be_visible()

        click(entry(page, "Livret A"), "Livret A")
        click(page, "Livret A Association Exemple", exact=False)
        click(page, "Enregistrer")
        expect(entry(page, "Livret A")).to_contain_text("En attente de vérification par Linxo")
        assert [(e.subject, e.outcome) for e in sandbox.record.of("link")] == [
            ("Livret A", "Livret A Association Exemple")
        ]

        more_options(page)
        click(page, "Synchroniser")
        expect(entry(page, "Livret A")).to_contain_text("Synchronisation en cours")
        expect(entry(page, "Livret A")).to_contain_text("Synchronisation active", timeout=SLOW)
        assert [(e.subject, e.outcome) for e in sandbox.record.sync_clicks] == [
            ("Livret A", "started")
        ]
        assert sandbox.record.disconnects == []
        if sandbox.markup.components:
            switch_association(page, sandbox, "Club Exemple de Voile")
            expect(page.get_by_text("Compte chèques")).to_be_visible()


def switch_association(page: Page, sandbox: Sandbox, club: str) -> None:
    how = sandbox.markup.switcher
    if how == "button":
        click(page, "Association Exemple", exact=False)
        click(page, club)
    elif how == "link":
        click(page, "Changer d’association")
        click(page, club, exact=False)
    elif how == "select":
        page.get_by_role("combobox").filter(has_text=club).select_option(label=club)
    else:
        page.get_by_role("combobox").click()
        click(page, club)
    expect(page.get_by_text(words(f"Bonjour, bienvenue sur l’espace de {club}"))).to_be_visible()


# On the component markups: tests/test_sandbox.py drives a and b through the same by hand.
@pytest.mark.parametrize("variant", variant_ids(COMPONENTS))
def test_running_sync_transient_error_then_the_fallback_page(variant: str) -> None:
    scenario = Scenario(
        variant=variant,
        sync_running_at_start=True,
        sync_duration=4.0,  # a person clicks while it runs, even on a loaded machine
        sync_transient_failures=1,
        sync_fails_until_fallback=True,
    )
    with person(scenario) as (page, sandbox):
        open_import_tab(page, sandbox)
        expect(entry(page, "Compte courant")).to_contain_text("Synchronisation en cours")
        more_options(page)
        click(page, "Synchroniser")
        expect(entry(page, "Compte courant")).to_contain_text(
            "Synchronisation active", timeout=SLOW
        )
        assert [e.outcome for e in sandbox.record.sync_clicks] == ["already_running"]

        more_options(page)
        click(page, "Synchroniser")
        later = words("réessayez plus tard", "réessayer plus tard", exact=False)
        expect(page.get_by_text(later)).to_be_visible()
        back = shown(page, "Retour à l’import depuis votre banque")
        if back.count():
            back.first.click()
        more_options(page)
        click(page, "Synchroniser")
        expect(entry(page, "Compte courant")).to_contain_text(
            "Erreur lors du dernier import", timeout=SLOW
        )

        manage = page
        if sandbox.markup.fallback_new_tab:
            with page.context.expect_page() as opened:
                click(page, "Gérer ses comptes bancaires synchronisés avec Linxo")
            manage = opened.value
        else:
            click(page, "Gérer ses comptes bancaires synchronisés avec Linxo")
        row = part(
            manage,
            "Compte courant",
            with_text="FR76",
            without="Livret A",
            having=manage.get_by_text(STATUSES),
        )
        expect(row).to_contain_text("Erreur lors du dernier import")
        click(row, "Synchroniser", "Lancer la synchronisation")
        expect(row).to_contain_text("Synchronisation active", timeout=SLOW)
        assert [(e.where, e.outcome) for e in sandbox.record.sync_clicks] == [
            ("import", "already_running"),
            ("import", "transient_error"),
            ("import", "started"),
            ("manage", "started"),
        ]


# Interstitials, hosts and logins, one switch at a time -----------------------------------


@pytest.mark.parametrize(
    "switch",
    [
        {"cookie_consent": True},
        {"news_popup": True},
        {"late_content": True},
        {"loading_overlay": True},
        {"healthy_without_authenticate": True},
        {"association_host": "slug"},
        {"association_host": "app", "assoconnect_landing": "chooser"},
        {"assoconnect_login": "two_steps", "linxo_login": "two_steps", "bank_login": "two_steps"},
    ],
    ids=lambda switch: ",".join(f"{k}={v}" for k, v in switch.items()),
)
def test_each_switch_alone(switch: dict[str, object]) -> None:
    fields = {
        "cookie_consent": False,
        "news_popup": False,
        "late_content": False,
        "loading_overlay": False,
        "healthy_without_authenticate": False,
        **switch,
    }
    scenario = Scenario.model_validate(
        {"variant": "random:4", "broken_banks": (BROKEN_BANK,), **fields}
    )
    with person(scenario) as (page, sandbox):
        if "bank_login" in switch:
            open_bank(page, sandbox)
            bank_login(page, sandbox)
            fill(page, BANK.code, DEMO_SMS_CODE)
            click(page, *BANK.code_submit)
            expect(page).to_have_url(re.compile(rf"^https://{LINXO_HOST}/secured/settings"))
        else:
            open_mes_comptes(page, sandbox)
        open_import_tab(page, sandbox)
        if switch.get("association_host") == "slug":
            assert urlsplit(page.url).hostname == "association-exemple.assoconnect.com"
        if switch.get("association_host") == "app":
            assert urlsplit(page.url).hostname == "app.assoconnect.com"
        consents = [e.outcome for e in sandbox.record.consents]
        assert consents == (["refused", "refused"] if switch.get("cookie_consent") else [])


def test_cookie_banner_blocks_the_page_until_answered() -> None:
    with sandboxed(Scenario(variant="bare")) as (page, sandbox):
        page.goto(LINXO_LOGIN)
        expect(page.get_by_text("Tout accepter")).to_be_visible()
        with pytest.raises(Exception, match="intercepts pointer events"):
            page.get_by_placeholder(sandbox.markup.linxo_email_label).click(timeout=1_000)
        page.get_by_text("Personnaliser", exact=True).click()
        page.get_by_text("Enregistrer mes choix").click()
        expect(page.get_by_text("Tout accepter")).to_have_count(0)
        page.reload()
        expect(page.get_by_text("Tout accepter")).to_have_count(0)
        assert [(e.site, e.outcome) for e in sandbox.record.consents] == [("linxo", "refused")]


# Determinism and errors ------------------------------------------------------------------


TOKENS = re.compile(r"state=[\w-]+|\d\d\.\d\d\.\d\d, \d\dh\d\d|\d\d/\d\d/\d{4} à \d\d:\d\d")


def _pages(variant: str) -> list[str]:
    sandbox = Sandbox(Scenario(variant=variant, broken_banks=(BROKEN_BANK,)))
    urls = [
        f"https://{LINXO_HOST}/auth.page",
        "https://app.assoconnect.com/login",
        "https://www.banque-exemple.example/authorize?state=s1&redirect_uri=https://wwws.linxo.com/x",
    ]
    return [TOKENS.sub("", sandbox.handle(Request("GET", url, {})).body) for url in urls]  # type: ignore[union-attr]


def test_the_seeds_draw_every_option_of_every_family() -> None:
    families = [
        *("blocks", "fields", "dialog", "dialog_created", "menu", "switcher", "tabs", "radios"),
        *("outcome", "linxo_control", "assoconnect_control", "bank_control", "control_text"),
        *("message_role", "gear_name", "unavailable", "healthy_control", "radio_text"),
    ]
    markups = [Markup.of(v) for v in COMPONENTS]
    for family in families:
        options = set(get_args(get_type_hints(Markup)[family]))
        assert {getattr(m, family) for m in markups} == options, family


def test_a_seed_renders_the_same_pages_and_seeds_differ() -> None:
    assert _pages("random:17") == _pages("random:17")
    assert Markup.of("random:17") == Markup.of("random:17")
    renderings = {tuple(_pages(seed)) for seed in SEEDS}
    assert len(renderings) == len(SEEDS)
    assert len({Markup.of(seed).class_prefix for seed in SEEDS}) == len(SEEDS)
    assert "random:17" in Markup.of("random:17").describe()


@pytest.mark.parametrize("wrong", ["c", "random", "random:", "random:-1", "random:x", "Bare"])
def test_an_unknown_markup_is_a_clear_error(wrong: str) -> None:
    with pytest.raises(ValueError, match=r"acceptés a, b, bare et random:N"):
        Scenario(variant=wrong)
    with pytest.raises(ValueError, match="acceptés"):
        Markup.of(wrong)


def test_recorded_markups_have_no_switches() -> None:
    with pytest.raises(ValueError, match="pages enregistrées"):
        Scenario(variant="a", cookie_consent=True)
    assert Scenario(variant="b", cookie_consent=False).markup == Markup.of("b")
