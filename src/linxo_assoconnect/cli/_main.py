"""The ``linxo-assoconnect`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import __version__
from .._core.errors import BrowserNotFound, ConfigurationError, LinxoAssoconnectError

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 6
EXIT_SIGINT = 130

EXIT_HELP = """codes de sortie :
  0  tout est en bon état, ou rétabli
  1  il reste quelque chose à rétablir, ou un échec d'un autre genre (voir le résumé)
  2  configuration ou saisie incorrecte (fichier, association inconnue, courriel illisible) :
     refusé avant tout, rien n'a été fait sur aucun site ; ou, avec --from-mail, une
     alerte pour une association absente de la configuration (les autres sont traitées)
  3  une personne doit agir : étape bancaire, mot de passe refusé
  4  le site a changé (PageChanged) : la page ne montre plus ce qu'attend l'outil
  5  site indisponible, même après les nouvelles tentatives
  6  une autre exécution utilise le même dossier d'état : rien n'a été fait (voir lock_wait)
  130, 143  arrêtée par Ctrl-C (SIGINT) ou SIGTERM, à la fin de l'étape en cours ; le
     résumé dit ce qui a été fait
Plusieurs associations : le code du problème le plus urgent, dans l'ordre 4, 3, 5, 2, 1."""


def _scenario(name: str) -> str:
    """A scenario name of the sandbox (imported only when one is given: --help stays quick)."""
    from ..testing import SCENARIOS

    if name not in SCENARIOS:
        raise argparse.ArgumentTypeError(
            f"scénario inconnu « {name} » (au choix : {', '.join(sorted(SCENARIOS))})"
        )
    return name


def _markup(variant: str) -> str:
    """A markup of the sandbox: a preset (a, b, bare) or random:SEED."""
    from ..testing._markup import check_variant

    try:
        return check_variant(variant)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _talk_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="afficher le journal de la bibliothèque",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="ne rien dire pendant le travail",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linxo-assoconnect",
        description=(
            "Rétablit une connexion bancaire Linxo perdue et relance l’import AssoConnect."
        ),
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _talk_options(parser, default=False)
    common = argparse.ArgumentParser(add_help=False)
    _talk_options(common, default=argparse.SUPPRESS)  # after the command too, not overriding
    configured = argparse.ArgumentParser(add_help=False, parents=[common])
    configured.add_argument(
        "-c",
        "--config",
        type=Path,
        help="fichier de configuration (défaut : $LINXO_ASSOCONNECT_CONFIG, sinon "
        "~/.config/linxo-assoconnect/config.toml)",
    )
    picked = argparse.ArgumentParser(add_help=False, parents=[configured])
    picked.add_argument(
        "-a",
        "--association",
        action="append",
        default=[],
        metavar="NOM",
        help="seulement cette association (répétable) ; toutes par défaut",
    )
    picked.add_argument("--json", action="store_true", help="résultat en JSON, pour les outils")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser(
        "status",
        parents=[picked],
        help="l’état de chaque connexion Linxo et compte AssoConnect, fin de consentement",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore = commands.add_parser(
        "restore",
        parents=[picked],
        help="tout le tutoriel pour les associations qui en ont besoin",
        description=(
            "Réauthentifie les connexions rompues (l’étape bancaire dans une fenêtre), "
            "réassocie les comptes, force la synchronisation et vérifie."
        ),
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument(
        "--dry-run", action="store_true", help="dire ce qui serait fait, sans rien cliquer"
    )
    restore.add_argument(
        "--from-mail",
        nargs="*",
        metavar="FICHIER",
        help="les associations des courriels « Import avec Linxo » (.eml, ou la boîte IMAP "
        "de la configuration si aucun fichier)",
    )
    commands.add_parser(
        "sync",
        parents=[picked],
        help="« Forcer la synchronisation » seulement",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mail = commands.add_parser(
        "mail",
        parents=[configured],
        help="les associations signalées par les courriels « Import avec Linxo »",
    )
    mail.add_argument(
        "files", nargs="*", metavar="FICHIER", help=".eml ou dossier ; sinon la boîte IMAP"
    )
    mail.add_argument("--json", action="store_true", help="résultat en JSON")

    config = commands.add_parser("config", help="vérifier la configuration")
    config_commands = config.add_subparsers(dest="action", required=True, metavar="ACTION")
    config_commands.add_parser(
        "check", parents=[configured], help="signaler chaque problème, avec sa ligne"
    )

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="tout le rétablissement sur le bac à sable hors ligne intégré",
        description=(
            "Déroule le tutoriel de bout en bout sur le bac à sable hors ligne (une connexion "
            "Linxo rompue, un compte AssoConnect délié, une erreur passagère) et montre l’état "
            "avant et après. Rien ne sort de cette machine."
        ),
    )
    demo.add_argument(
        "--scenario",
        default="demo",
        type=_scenario,
        help="scénario du bac à sable (défaut : demo ; un nom inconnu affiche la liste)",
    )
    demo.add_argument(
        "--markup",
        default="a",
        type=_markup,
        metavar="BALISAGE",
        help="balisage des pages : a, b (pages enregistrées), bare (sans ARIA, boutons div, "
        "bandeaux et pop-ups) ou random:N (tiré du nombre N, reproductible) ; défaut : a",
    )
    demo.add_argument("--headed", action="store_true", help="afficher la fenêtre du navigateur")
    demo.add_argument("--json", action="store_true", help="rapport en JSON")

    capture = commands.add_parser(
        "capture",
        parents=[common],
        help="enregistrer les pages des sites, nettoyées, pour un rapport ou des tests",
        description=(
            "Ouvre une fenêtre sur Linxo ; vous suivez le tutoriel ; chaque page (HTML et HAR) "
            "est enregistrée puis nettoyée : scripts et traceurs retirés, IBAN, adresses "
            "e-mail, montants, noms, jetons et cookies remplacés par des valeurs fictives. Un "
            "fichier où il resterait un IBAN, une adresse ou un jeton n’est pas écrit. Le "
            "dossier peut être servi par le bac à sable : Sandbox.from_capture(dossier)."
        ),
    )
    capture.add_argument("folder", type=Path, metavar="DOSSIER", help="où écrire la capture")
    capture.add_argument(
        "--private",
        action="append",
        default=[],
        metavar="VALEUR[=REMPLACEMENT]",
        help="une valeur à cacher partout (le nom de l’association, d’une personne), et ce qui "
        "la remplace (répétable)",
    )
    capture.add_argument(
        "--sandbox",
        nargs="?",
        const="demo",
        type=_scenario,
        metavar="SCENARIO",
        help="capturer le bac à sable au lieu des vrais sites (pour essayer)",
    )

    commands.add_parser(
        "browser",
        parents=[common],
        help="dire quel Chromium sera utilisé, ou comment en obtenir un",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    root = logging.getLogger()
    ours = not root.handlers  # a caller's own logging set-up is left as it is
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if ours and not args.verbose:  # a warning is one line; its traceback is for -v
        for handler in root.handlers:
            handler.setFormatter(_OneLine())
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "browser": lambda _: _browser(),
        "demo": _demo,
        "config": lambda args: _check(args.config),
        "mail": _mail,
        "capture": _capture,
    }
    try:
        return commands.get(args.command, _run)(args)
    except KeyboardInterrupt:  # before or after a run, which handles it itself
        print("linxo-assoconnect: interrompu.", file=sys.stderr)
        return EXIT_SIGINT
    except ConfigurationError as error:
        print(f"linxo-assoconnect: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrowserNotFound as error:
        print(f"linxo-assoconnect: {error}", file=sys.stderr)
        return EXIT_FAILED
    except LinxoAssoconnectError as error:
        print(f"linxo-assoconnect: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED


class _OneLine(logging.Formatter):
    """A record as one line, without its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname} {record.name}: {record.getMessage()}"


def _demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    return asyncio.run(
        run_demo(args.scenario, markup=args.markup, headed=args.headed, as_json=args.json)
    )


def _capture(args: argparse.Namespace) -> int:
    from ..capture._command import run_capture

    private = dict(
        (value, replacement or None)
        for value, _, replacement in (item.partition("=") for item in args.private)
    )
    on_context = None
    if args.sandbox is not None:
        from ..testing import Sandbox

        on_context = Sandbox(args.sandbox).attach_async
    return asyncio.run(run_capture(args.folder, private, on_context=on_context))


def _run(args: argparse.Namespace) -> int:
    from ._commands import format_summary, read_alerts, run_command
    from ._config import load_config
    from ._lock import RunBusy

    config = load_config(args.config)
    alerts = None
    if getattr(args, "from_mail", None) is not None:
        alerts = read_alerts(config, args.from_mail)
    dry_run = getattr(args, "dry_run", False)
    try:
        done = asyncio.run(
            run_command(
                args.command,
                config,
                args.association,
                quiet=args.quiet,
                dry_run=dry_run,
                mail_alerts=alerts,
            )
        )
    except RunBusy as error:
        print(f"linxo-assoconnect: {error}", file=sys.stderr)
        return EXIT_BUSY
    if args.json:
        print(done.model_dump_json(indent=2))
    else:
        print(format_summary(done, dry_run=dry_run))
    return done.exit_code


def _mail(args: argparse.Namespace) -> int:
    import json

    from ._commands import list_mail, read_alerts
    from ._config import default_config_path, load_config

    path = args.config or default_config_path()
    # With files, the configuration only says which associations it knows: optional.
    config = load_config(path) if args.config or not args.files or path.exists() else None
    found = list_mail(config, read_alerts(config, args.files))
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return EXIT_OK
    for alert in found:
        known = "" if alert["configured"] or config is None else " (absente de la configuration)"
        received = str(alert["received_at"] or "?")[:16].replace("T", " ")
        print(f"{alert['association']} : alerte du {received}{known}")
    if not found:
        print("Aucune alerte « Import avec Linxo ».")
    return EXIT_OK


def _check(path: Path | None) -> int:
    from ._commands import check_config
    from ._config import default_config_path

    path = path or default_config_path()
    problems = check_config(path)
    for problem in problems:
        print(problem)
    if problems:
        return EXIT_USAGE
    print(f"{path} : configuration correcte.")
    return EXIT_OK


def _browser() -> int:
    from playwright.sync_api import sync_playwright

    from .._core.browser import find_chromium

    with sync_playwright() as playwright:
        executable = find_chromium(playwright.chromium) or playwright.chromium.executable_path
        print(executable)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
