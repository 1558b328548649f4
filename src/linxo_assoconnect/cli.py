"""The ``linxo-assoconnect`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from . import __version__
from ._errors import BrowserNotFound, LinxoAssoconnectError

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linxo-assoconnect",
        description=(
            "Rétablit une connexion bancaire Linxo perdue et relance l’import AssoConnect."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="afficher le journal de la bibliothèque"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="tout le rétablissement sur le bac à sable hors ligne intégré",
        description=(
            "Déroule le tutoriel de bout en bout sur le bac à sable hors ligne (une connexion "
            "Linxo rompue, un compte AssoConnect délié, une erreur passagère) et montre l’état "
            "avant et après. Rien ne sort de cette machine."
        ),
    )
    from .testing import SCENARIOS

    demo.add_argument("--scenario", default="demo", choices=sorted(SCENARIOS))
    demo.add_argument(
        "--markup", default="a", choices=("a", "b"), help="variante de balisage enregistrée"
    )
    demo.add_argument("--headed", action="store_true", help="afficher la fenêtre du navigateur")
    demo.add_argument("--json", action="store_true", help="rapport en JSON")

    commands.add_parser("browser", help="dire quel Chromium sera utilisé, ou comment en obtenir un")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "browser":
            return _browser()
        if args.command == "demo":
            from ._demo import run_demo

            return asyncio.run(
                run_demo(args.scenario, markup=args.markup, headed=args.headed, as_json=args.json)
            )
    except BrowserNotFound as error:
        print(f"linxo-assoconnect: {error}", file=sys.stderr)
        return EXIT_FAILED
    except LinxoAssoconnectError as error:
        print(f"linxo-assoconnect: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands first


def _browser() -> int:
    from playwright.sync_api import sync_playwright

    from ._browser import find_chromium

    with sync_playwright() as playwright:
        executable = find_chromium(playwright.chromium) or playwright.chromium.executable_path
        print(executable)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
