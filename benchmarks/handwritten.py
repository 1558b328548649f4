"""The shortest Playwright script that does the restore's clicks on the sandbox.

What the library is measured against: no page objects, no checks beyond what the next click
needs, the sandbox's labels written in. It restores the scenario `bench.SCENARIO`: one broken
Linxo connection (bank step with an SMS code), « Livret A » unlinked, « Compte courant »
whose import failed.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from linxo_assoconnect.testing import DEMO_ASSOCONNECT, DEMO_BANK, DEMO_LINXO, DEMO_SMS_CODE

ACTIVE = "Synchronisation active"


async def restore_by_hand(page: Page) -> None:
    """Linxo: re-authenticate « Banque Populaire Exemple »; AssoConnect: link « Livret A »,
    then force the sync of both accounts and wait until each is active."""
    await page.goto("https://wwws.linxo.com/auth.page#Login")
    await page.get_by_label("E-mail").fill(DEMO_LINXO.username)
    await page.get_by_label("Mot de passe").fill(DEMO_LINXO.password)
    await page.get_by_role("button", name="Je me connecte").click()
    await page.get_by_role("button", name="Paramètres").click()
    await page.get_by_role("menuitem", name="Mes comptes").click()
    card = page.get_by_role("group", name="Banque Populaire Exemple")
    await card.get_by_role("button", name="M’authentifier").click()
    await page.get_by_role("dialog").get_by_role("button", name="M’authentifier").click()
    await page.get_by_label("Identifiant").fill(DEMO_BANK.username)
    await page.get_by_label("Mot de passe").fill(DEMO_BANK.password)
    await page.get_by_role("button", name="Valider").click()
    await page.get_by_label("Code reçu par SMS").fill(DEMO_SMS_CODE)
    await page.get_by_role("button", name="Valider").click()
    await page.wait_for_url(re.compile(r"wwws\.linxo\.com/secured/settings"))

    await page.goto("https://app.assoconnect.com/login")
    await page.get_by_label("Adresse e-mail").fill(DEMO_ASSOCONNECT.username)
    await page.get_by_label("Mot de passe").fill(DEMO_ASSOCONNECT.password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("button", name="Changer d’association").click()
    await page.get_by_role("menuitem", name="Association Exemple", exact=True).click()
    await page.get_by_role("button", name="Comptabilité").click()
    await page.get_by_role("link", name="Rapprochement bancaire").click()
    await page.get_by_role("tab", name="Import depuis votre banque").click()

    await page.get_by_role("link", name=re.compile("^Livret A")).click()
    await page.get_by_role("radio", name=re.compile("^Livret A Association Exemple")).check()
    await page.get_by_role("button", name="Enregistrer").click()
    await expect(page.get_by_role("status")).to_contain_text("enregistrées")
    for account in ("Livret A", "Compte courant"):
        await page.get_by_role("link", name=re.compile(f"^{account}")).click()
        await page.get_by_role("button", name="Plus d’options").click()
        await page.get_by_role("button", name="Synchroniser").click()
        status = page.locator("[data-compte]")  # the selected account's status
        await expect(status).to_have_text(ACTIVE, timeout=30_000)
