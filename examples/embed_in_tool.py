"""The library inside another tool that already owns its Playwright browser.

The tool starts Playwright and its browser itself and hands the browser to `Session`, which
leaves it open (Playwright's sync API allows one Playwright per thread, so the library shares
the tool's). Each association's restore ends as one of the tool's own results, a JSON object:
what was done, or the kind of error (a `LinxoAssoconnectError` subclass), its message written
for a treasurer, and the folder of its evidence (screenshot, page, URL and step). One
association's failure never stops the others. The library's log goes to standard error,
secrets masked; the results, a JSON list, to standard output. Exit code 0 when every
association is healthy, 1 otherwise.

    python examples/embed_in_tool.py "Mon Association" "Mon Club"   # logins: examples/_setup.py
    python examples/embed_in_tool.py --sandbox "Association Exemple" "Association Inconnue"
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from _setup import Setup, add_options, setup_from
from playwright.sync_api import sync_playwright

from linxo_assoconnect import (
    ConfigurationError,
    LinxoAssoconnectError,
    Session,
    chromium_launch_options,
)

log = logging.getLogger("tool")


def restore_one(session: Session, setup: Setup, association: str) -> dict[str, Any]:
    """The tool's result for one association: never raises a library error."""
    try:
        report = session.restore(
            association=association,
            linxo=setup.linxo,
            assoconnect=setup.assoconnect,
            bank=setup.bank,
            otp=setup.otp,
        )
    except LinxoAssoconnectError as error:
        log.warning("%s: %s", association, type(error).__name__)
        return {
            "association": association,
            "ok": False,
            "kind": type(error).__name__,
            "message": str(error),
            "evidence": None if error.evidence is None else str(error.evidence),
        }
    return {
        "association": association,
        "ok": report.ok,
        "kind": None,
        "message": None,
        "evidence": None,
        "reauthenticated": [r.bank for r in report.reauthentications if not r.already_healthy],
        "synced": [s.account for s in report.syncs if s.ok],
        "accounts": {a.name: a.status for a in report.accounts_after},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser, several=True)
    options = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    logging.getLogger("linxo_assoconnect").setLevel(logging.INFO)  # what it clicks, masked
    try:
        setup = setup_from(options)
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2

    with sync_playwright() as playwright:  # the tool's own Playwright and browser
        browser = playwright.chromium.launch(**chromium_launch_options(playwright.chromium))
        with setup.session(browser=browser) as session:
            results = [restore_one(session, setup, name) for name in setup.associations]
        browser.close()

    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if all(result["ok"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
