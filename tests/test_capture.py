"""``capture``: a walk through the tutorial, recorded, scrubbed, and served back.

The sites here are the sandbox dressed with real-looking personal data (`PersonalSandbox`):
a person's name and e-mail address, IBANs, amounts, a date of birth, a telephone number,
CSRF values, tokens and trackers. The test walks the tutorial as a person would, then checks
that no planted value is in any file of the set, and that the page objects work on the set
served back.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

import pytest
from playwright.async_api import Page, expect
from pydantic import SecretStr

from helpers import BANK, CONTEXT, async_shared_browser
from linxo_assoconnect import Credentials
from linxo_assoconnect._core.text import parse_amount
from linxo_assoconnect.aio import (
    AssoConnectLoginPage,
    BankAuthPage,
    LinxoLoginPage,
    LinxoSettings,
    RapprochementPage,
)
from linxo_assoconnect.capture._format import MANIFEST
from linxo_assoconnect.capture._html import scrub_html
from linxo_assoconnect.capture._patterns import leaks
from linxo_assoconnect.capture._record import Capture
from linxo_assoconnect.capture._scrub import Scrubber
from linxo_assoconnect.capture._write import _Writer
from linxo_assoconnect.testing import (
    DEMO_ASSOCONNECT,
    DEMO_LINXO,
    DEMO_SMS_CODE,
    Request,
    Response,
    Sandbox,
    Scenario,
)

NBSP, NNBSP = "\u00a0", "\u202f"
PERSON = "Jeanne Martin-Vasseur"
EMAIL = "jeanne.martin-vasseur@orange.fr"
ASSOCIATION = "Amicale Laïque de Trifouilly"
IBANS = ("FR14 2004 1010 0505 0001 3M02 606", "FR76 1820 6000 4312 3456 7890 143")
CSRF = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqZWFubmUifQ.c2lnbmF0dXJlLXNhbXBsZTEyMw"
TRACKER_ID = "UA-48213907-2x9QkL"
BIRTH = "14/07/1961"
PHONE = "06 12 34 56 78"
# The sandbox's fake values, and the real-looking ones shown in their place.
DRESSING = {
    "Association Exemple": ASSOCIATION,
    DEMO_LINXO.username: EMAIL,
    "FR76 3000 6000 0112 3456 7890 189": IBANS[0],
    "FR76 3000 6000 0198 7654 3210 042": IBANS[1],
    f"1{NNBSP}234,56{NBSP}€": f"12{NNBSP}873,41{NBSP}€",
    f"5{NNBSP}000,00{NBSP}€": f"48{NNBSP}213,07{NBSP}€",
}
FOOTER = (
    f'<footer data-user-token="{JWT}"><p>Titulaire : {PERSON}, née le {BIRTH}, '
    f"tél. {PHONE}</p>"
    f'<script src="https://tracker.example.net/t.js?id={TRACKER_ID}"></script>'
    f'<img src="https://pixel.example.net/p.gif?u={quote_plus(EMAIL)}" width="1" height="1">'
    "</footer>"
)
PLANTED = (
    PERSON,
    "Jeanne",
    "Vasseur",
    EMAIL,
    "orange.fr",
    "Trifouilly",
    *IBANS,
    *(iban.replace(" ", "") for iban in IBANS),
    "12\u202f873,41",
    "873,41",
    "48\u202f213,07",
    "213,07",
    BIRTH,
    PHONE,
    CSRF,
    JWT,
    TRACKER_ID,
    "tracker.example.net",
    "pixel.example.net",
    DEMO_LINXO.password,
    DEMO_ASSOCONNECT.password,
    BANK.password.get_secret_value(),
    BANK.username,
    DEMO_SMS_CODE,
)


class PersonalSandbox(Sandbox):
    """The sandbox showing real-looking personal data, as the real sites would."""

    def respond(self, request: Request) -> Response:
        response = super().respond(_undressed(request))
        body = response.body
        for fake, real in DRESSING.items():
            body = body.replace(fake, real).replace(quote_plus(fake), quote_plus(real))
        if "<form" in body:
            body = re.sub(
                r"(<form[^>]*>)",
                rf'\1<input type="hidden" name="csrf_token" value="{CSRF}">',
                body,
            )
            body = body.replace("</head>", f'<meta name="csrf-token" content="{CSRF}"></head>')
        body = body.replace("</body>", f"{FOOTER}</body>")
        response.body = body
        return response


def _undressed(request: Request) -> Request:
    """The request as the sandbox understands it: the real-looking values back to its own."""

    def plain(value: str) -> str:
        for fake, real in DRESSING.items():
            value = value.replace(real, fake)
        return value

    parts = urlsplit(request.url)
    query = urlencode([(k, plain(v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)])
    body = request.body
    if body and request.method == "POST":
        body = urlencode([(k, plain(v)) for k, v in parse_qsl(body.decode())]).encode()
    return Request(
        request.method,
        urlunsplit(parts._replace(query=query)),
        request.headers,
        body,
        navigation=request.navigation,
    )


def named(text: str) -> re.Pattern[str]:
    """A visible name, whichever apostrophe the markup writes."""
    return re.compile(re.escape(text).replace("’", "['’]"))


async def press(page: Page, name: str) -> None:
    """Click the control named ``name``: a button, or a menu's text (a ``<summary>``)."""
    control = page.get_by_role("button", name=named(name)).or_(page.get_by_text(named(name)))
    await control.first.click()


async def walk_the_tutorial(page: Page) -> None:
    """What a treasurer does by hand, following the tutorial (the test plays the person)."""
    await page.goto("https://wwws.linxo.com/auth.page#Login")
    await page.get_by_label("E-mail").fill(EMAIL)
    await page.get_by_label("Mot de passe").fill(DEMO_LINXO.password)
    await page.get_by_role("button", name="Je me connecte").click()
    await page.get_by_role("button", name="Paramètres").click()
    await page.get_by_role("menuitem", name="Mes comptes").click()
    cards = page.get_by_role("group").or_(page.get_by_role("article"))
    card = cards.filter(has_text="Banque Populaire Exemple")
    await card.get_by_role("button", name=named("M’authentifier")).click()
    dialog = page.get_by_role("dialog", name="Connexion sécurisée")
    await dialog.get_by_role("button", name=named("M’authentifier")).click()
    await page.get_by_label("Identifiant").fill(BANK.username)
    await page.get_by_label("Mot de passe").fill(BANK.password.get_secret_value())
    await page.get_by_role("button", name="Valider").click()
    await page.get_by_label("Code reçu par SMS").fill(DEMO_SMS_CODE)
    await page.get_by_role("button", name="Valider").click()
    await expect(page.get_by_role("status")).to_contain_text("a été mise à jour")

    await page.goto("https://app.assoconnect.com/login")
    await page.get_by_label("Adresse e-mail").fill(DEMO_ASSOCONNECT.username)
    await page.get_by_label("Mot de passe").fill(DEMO_ASSOCONNECT.password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("button", name=named("Changer d’association")).click()
    choice = page.get_by_role("menuitem", name=ASSOCIATION)
    await choice.or_(page.get_by_role("link", name=ASSOCIATION, exact=True)).click()
    await press(page, "Comptabilité")
    await page.get_by_role("link", name="Rapprochement bancaire", exact=True).click()
    tab = page.get_by_role("tab", name="Import depuis votre banque")
    await tab.or_(page.get_by_role("link", name="Import depuis votre banque")).click()
    accounts = page.get_by_role("region", name="Mes comptes bancaires")
    for account in ("Compte courant", "Livret A"):
        await accounts.get_by_role("link", name=re.compile(f"^{account}")).click()
        await expect(page.get_by_role("region", name=account, exact=True)).to_be_visible()
    await page.get_by_role("radio", name=f"Livret A {ASSOCIATION}").check()
    await page.get_by_role("button", name="Enregistrer").click()
    await expect(page.get_by_role("status")).to_contain_text("enregistrées")
    for account in ("Livret A", "Compte courant"):
        await accounts.get_by_role("link", name=re.compile(f"^{account}")).click()
        await expect(page).to_have_url(re.compile(r"compte=\d+$"))  # the account's own page
        await press(page, "Plus d’options")
        await page.get_by_role("button", name="Synchroniser", exact=True).click()
        entry = accounts.get_by_role("listitem").or_(accounts.get_by_role("link"))
        await expect(entry.filter(has_text=account).first).to_contain_text(
            "Synchronisation active"
        )


@pytest.fixture(scope="module", params=["a", "b"], ids=["markup-a", "markup-b"])
def captured(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str]]:
    """The tutorial captured once per markup: the folder, and the cookies the sites set."""
    from helpers import run_async

    folder = tmp_path_factory.mktemp("capture")
    scenario = Scenario(
        broken_banks=("Banque Populaire",), unlinked_accounts=("Livret A",), variant=request.param
    )
    sandbox = PersonalSandbox(scenario)

    async def capture() -> list[str]:
        browser = await async_shared_browser()
        async with Capture(
            browser,
            folder,
            private={ASSOCIATION: "Association Capturée"},
            on_context=sandbox.attach_async,
            context_options=CONTEXT,
        ) as recording:
            await walk_the_tutorial(recording.page)
            cookies = [c["value"] for c in await recording.context.cookies()]
        assert recording.result is not None and recording.result.ok, recording.result
        return cookies

    cookies = run_async(capture())
    assert sandbox.record.of("reauthentication") and sandbox.record.of("link")
    return folder, cookies


def every_file(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): path.read_text(encoding="utf-8")
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_no_planted_personal_value_is_in_the_captured_set(
    captured: tuple[Path, list[str]],
) -> None:
    folder, cookies = captured
    files = every_file(folder)
    assert any(name.startswith("pages/") for name in files)
    assert any(name.startswith("har/") for name in files)
    assert len(cookies) >= 2 and all(len(c) >= 16 for c in cookies)
    for name, text in files.items():
        folded = text.casefold()
        for value in (*PLANTED, *cookies):
            assert value.casefold() not in folded, f"{value!r} survived in {name}"
        assert leaks(text) == [], name
        assert "<script" not in folded or name == MANIFEST, name
        assert not re.search(r"\son\w+=", text), f"an event handler survived in {name}"


def test_the_set_keeps_what_a_treasurer_recognises(captured: tuple[Path, list[str]]) -> None:
    folder, _ = captured
    pages = "\n".join(t for n, t in every_file(folder).items() if n.startswith("pages/"))
    for label in (
        "Mes comptes",
        "Connexion sécurisée",
        "Banque Populaire Exemple",
        "Association Capturée",
        "Import depuis votre banque",
        "Sélection du compte Linxo associé",
        "Forcer la synchronisation",
        "Déconnecter votre compte Linxo",
    ):
        assert label in pages, label
    assert "FR00 0000 0000 0000 0000 0000 001" in pages  # IBANs become fakes, consistently
    assert "personne1@example.org" in pages


async def test_the_page_objects_work_on_the_captured_set_served_back(
    captured: tuple[Path, list[str]],
) -> None:
    folder, _ = captured
    replay = Sandbox.from_capture(folder)
    browser = await async_shared_browser()
    context = await browser.new_context(**CONTEXT)  # type: ignore[arg-type]
    try:
        await replay.attach_async(context)
        page = await context.new_page()
        anyone = Credentials(username="personne1@example.org", password=SecretStr("x"))
        await LinxoLoginPage(page, timeout=10).login(anyone)
        settings = await LinxoSettings(page, timeout=10).open()
        before = {c.bank: c for c in await settings.connections()}
        assert not before["Banque Populaire Exemple"].healthy
        bank = BankAuthPage(page, credentials=BANK, otp=lambda: "000000")
        result = await settings.reauthenticate("Banque Populaire", bank)
        assert result.balance is not None and not result.already_healthy

        await AssoConnectLoginPage(page, timeout=10).login(anyone)
        tab = await RapprochementPage(page, association="Association Capturée", timeout=10).open()
        accounts = {a.name: a for a in await tab.accounts()}
        assert accounts["Livret A"].linxo_account is None
        linked = await tab.link("Livret A", "Livret A Association Capturée")
        assert linked.linxo_account == "Livret A Association Capturée"
        for name in ("Livret A", "Compte courant"):
            synced = await tab.force_sync(name)
            assert synced.ok and synced.attempts == 1, synced
        assert replay.record.blocked == []
    finally:
        await context.close()


@pytest.mark.parametrize(
    ("shown", "scrubbed"),
    [
        ("Bonjour Jeanne Martin", "Bonjour NomA NomB"),
        (
            "Titulaire : JEANNE MARTIN, née le 14/07/1961",
            "Titulaire : NOMA NOMB, née le 02/01/1970",
        ),
        ("Saisie des écritures", "Saisie des écritures"),
        ("Si vous avez déjà importé", "Si vous avez déjà importé"),
        ("Mise à jour: 28.01.24, 06h33", "Mise à jour: 28.01.24, 06h33"),
        ("Tél. 06 12 34 56 78", "Tél. 01 00 00 00 01"),
        ("Identifiant 12345678", "Identifiant 00000001"),
    ],
)
def test_what_the_scrubber_replaces_and_keeps(shown: str, scrubbed: str) -> None:
    scrubber = Scrubber()
    scrubber.learn_words("vous avez déjà importé des écritures")
    assert scrubber.text(shown) == scrubbed
    assert scrubber.text(shown) == scrubber.text(shown)  # the same fake every time


def test_amounts_become_other_amounts_in_the_same_format() -> None:
    scrubber = Scrubber()
    fake = scrubber.text(f"Solde : 1{NNBSP}234,56{NBSP}€")
    assert re.fullmatch(rf"Solde : \d{{1,3}}(?:{NNBSP}\d{{3}})?,\d{{2}}{NBSP}€", fake), fake
    assert "234,56" not in fake
    assert parse_amount(fake) == parse_amount(scrubber.text(f"1{NNBSP}234,56{NBSP}€"))


def test_a_file_where_an_iban_survives_is_refused() -> None:
    scrubber = Scrubber()
    assert leaks(scrubber.text(f"IBAN : {IBANS[0]}, écrire à {EMAIL}")) == []
    assert leaks(f"IBAN : {IBANS[0]}") == ["un IBAN"]
    assert leaks(f"contact : {EMAIL}") == ["une adresse e-mail"]
    assert leaks(f"jeton={CSRF}") == ["un jeton"]


def test_a_file_where_a_value_survives_scrubbing_is_not_written(tmp_path: Path) -> None:
    # An id is not text: the scrubber leaves it, and the last check refuses the page.
    page = f'<div id="{EMAIL}">Bonjour</div>'
    writer = _Writer(tmp_path)
    assert not writer.write("pages/01.html", scrub_html(Scrubber(), page, []), "page 1")
    assert not (tmp_path / "pages" / "01.html").exists()
    assert writer.refused == ["pages/01.html (page 1) : non écrit, il y reste une adresse e-mail."]


def test_capture_without_a_display_says_so_at_once(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(
        [sys.executable, "-m", "linxo_assoconnect", "capture", str(tmp_path / "set")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "session graphique" in done.stderr
    assert not (tmp_path / "set").exists()
