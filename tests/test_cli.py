"""The command line, run as a user runs it: a subprocess, real exit codes, real output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from linxo_assoconnect.testing import DEMO_BANK


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linxo_assoconnect", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_demo_restores_everything_and_shows_before_and_after() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "avant : EN ERREUR" in out
    assert "après : OK, mise à jour" in out and "solde 6 249,56 €" in out
    assert "avant : Compte bancaire introuvable (aucun compte Linxo associé)" in out
    assert "après : Synchronisation active (compte Linxo : Livret A Association Exemple)" in out
    assert "Tout est rétabli." in out
    assert DEMO_BANK.password not in out + result.stderr


def test_demo_json_report_on_the_other_markup() -> None:
    result = run("demo", "--markup", "b", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["association"] == "Association Exemple"
    assert all(c["healthy"] for c in report["connections_after"])
    assert all(a["sync_active"] for a in report["accounts_after"])
    assert [r["bank"] for r in report["reauthentications"]] == ["Banque Populaire Exemple"]


@pytest.mark.parametrize(
    ("scenario", "error", "code"),
    [("wrong_password", "BankAuthFailed", 3), ("layout_changed", "PageChanged", 4)],
)
def test_demo_failures_exit_with_the_documented_code_and_a_clear_message(
    scenario: str, error: str, code: int
) -> None:
    result = run("demo", "--scenario", scenario)
    assert result.returncode == code  # as `linxo-assoconnect --help` documents them
    assert error in result.stderr
    assert "Traceback" not in result.stderr
    shown = re.search(r"(?:enregistrées dans|montrait la page :) (\S+)", result.stderr)
    assert shown is not None, result.stderr  # where the evidence is, said once
    evidence = Path(shown[1])
    assert (evidence / "page.png").is_file() and (evidence / "error.json").is_file()
    assert evidence.is_relative_to(os.environ["LINXO_ASSOCONNECT_EVIDENCE_DIR"])


def test_demo_markups_presets_and_seeds_or_a_clear_error() -> None:
    wrong = run("demo", "--markup", "random:x")
    assert wrong.returncode == 2
    assert "acceptés a, b, bare et random:N" in wrong.stderr
    result = run("demo", "--markup", "random:3")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert "balisage random:3" in result.stderr
    if result.returncode == 1:  # the failure names the rendering, to reproduce it
        assert "Balisage : random:3: blocks=" in result.stderr


def test_browser_command_names_the_chromium() -> None:
    result = run("browser")
    assert result.returncode == 0, result.stderr
    executable = Path(result.stdout.strip())
    assert executable.is_file() and os.access(executable, os.X_OK)


def test_help_and_bad_usage() -> None:
    assert run("--help").returncode == 0
    bad = run("nonsense")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_demo_of_a_sync_that_needs_the_fallback_page() -> None:
    result = run("demo", "--scenario", "sync_needs_fallback")
    assert result.returncode == 0, result.stderr
    assert "avant : Erreur lors du dernier import" in result.stdout
    assert "via « Gérer ses comptes bancaires synchronisés avec Linxo »" in result.stdout
