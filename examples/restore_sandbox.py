"""Restore the offline sandbox with the sync API, step by step, as the tutorial does.

    python examples/restore_sandbox.py
"""

from __future__ import annotations

from playwright.sync_api import sync_playwright
from pydantic import SecretStr

from linxo_assoconnect import (
    AssoConnectLoginPage,
    BankAuthPage,
    Credentials,
    LinxoLoginPage,
    LinxoSettings,
    RapprochementPage,
    chromium_launch_options,
)
from linxo_assoconnect.testing import (
    DEMO_ASSOCONNECT,
    DEMO_BANK,
    DEMO_LINXO,
    DEMO_SMS_CODE,
    SCENARIOS,
    Sandbox,
)


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_launch_options(playwright.chromium))
        context = browser.new_context()
        sandbox = Sandbox(SCENARIOS["demo"])
        sandbox.attach(context)
        page = context.new_page()

        linxo = Credentials(username=DEMO_LINXO.username, password=SecretStr(DEMO_LINXO.password))
        LinxoLoginPage(page).login(linxo)
        settings = LinxoSettings(page).open()
        for connection in settings.connections():
            print(connection.bank, "OK" if connection.healthy else connection.message)
        bank = Credentials(username=DEMO_BANK.username, password=SecretStr(DEMO_BANK.password))
        result = settings.reauthenticate(
            "Banque Populaire", BankAuthPage(page, credentials=bank, otp=lambda: DEMO_SMS_CODE)
        )
        print("re-authenticated:", result.bank, result.balance)

        assoconnect = Credentials(
            username=DEMO_ASSOCONNECT.username, password=SecretStr(DEMO_ASSOCONNECT.password)
        )
        AssoConnectLoginPage(page).login(assoconnect)
        tab = RapprochementPage(page, association="Association Exemple").open()
        for account in tab.accounts():
            if not account.sync_active:
                print(tab.force_sync(account.name))
        browser.close()


if __name__ == "__main__":
    main()
