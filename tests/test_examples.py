"""The examples run as a user runs them, against the offline sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from linxo_assoconnect.testing import DEMO_ASSOCONNECT, DEMO_BANK, DEMO_LINXO, DEMO_SMS_CODE

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SECRETS = (DEMO_LINXO.password, DEMO_ASSOCONNECT.password, DEMO_BANK.password, DEMO_SMS_CODE)


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    """A user's environment with no display, and the state and evidence folders in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env["LINXO_ASSOCONNECT_STATE_DIR"] = str(tmp_path / "state")
    env["LINXO_ASSOCONNECT_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    return env


def run_example(
    script: str, *arguments: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *arguments],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr
    return result


def test_restore_sandbox_example(user_env: dict[str, str]) -> None:
    result = run_example("restore_sandbox.py", env=user_env)
    assert result.returncode == 0, result.stderr
    assert "re-authenticated: Banque Populaire Exemple 6249.56" in result.stdout
    assert "ok=True" in result.stdout


def test_check_status_names_what_is_broken(user_env: dict[str, str]) -> None:
    result = run_example("check_status.py", "--sandbox", env=user_env)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("  Banque Populaire Exemple : EN ERREUR : ") for line in lines), (
        result.stdout
    )
    assert "  Crédit Coopératif Exemple : OK, mise à jour " in result.stdout
    assert "  Livret A : À RÉTABLIR : " in result.stdout
    assert "aucun compte Linxo associé" in result.stdout
    assert lines[-1] == "À restaurer : Banque Populaire Exemple, Compte courant, Livret A."


def test_check_status_exits_0_when_healthy(user_env: dict[str, str]) -> None:
    result = run_example("check_status.py", "--sandbox", "--scenario", "healthy", env=user_env)
    assert result.returncode == 0, result.stderr
    assert "  Banque Populaire Exemple : OK, mise à jour " in result.stdout
    assert "solde 6 249,56 €" in result.stdout
    assert "EN ERREUR" not in result.stdout
    assert result.stdout.splitlines()[-1] == "Tout va bien."


def test_restore_one_restores_everything(user_env: dict[str, str]) -> None:
    result = run_example("restore_one.py", "--sandbox", env=user_env)
    assert result.returncode == 0, result.stderr
    assert "  Banque Populaire Exemple : avant EN ERREUR, après OK" in result.stdout
    assert (
        "  Livret A : avant « Compte bancaire introuvable », après « Synchronisation active »"
        in result.stdout
    )
    assert "    associé au compte Linxo « Livret A Association Exemple »" in result.stdout
    assert "Réauthentifié auprès de la banque : Banque Populaire Exemple" in result.stdout
    assert result.stdout.splitlines()[-1] == "Tout est rétabli."


def test_restore_one_says_when_the_bank_refuses(user_env: dict[str, str], tmp_path: Path) -> None:
    result = run_example(
        "restore_one.py", "--sandbox", "--scenario", "wrong_password", env=user_env
    )
    assert result.returncode == 3  # a person must act, as `linxo-assoconnect restore` says
    assert result.stdout == ""
    assert "Échec (BankAuthFailed) : La banque refuse" in result.stderr
    evidence = Path(result.stderr.split("Ce que montrait la page : ")[1].strip())
    assert evidence.parent == tmp_path / "evidence"
    assert (evidence / "page.png").is_file()


def test_restore_one_without_logins_says_which_are_missing(user_env: dict[str, str]) -> None:
    for name in [k for k in user_env if k.startswith("LINXO_ASSOCONNECT_LINXO_")]:
        del user_env[name]
    result = run_example("restore_one.py", "Association Exemple", env=user_env)
    assert result.returncode == 2
    assert "LINXO_ASSOCONNECT_LINXO_USERNAME" in result.stderr


def test_force_sync_retries_a_transient_error(user_env: dict[str, str]) -> None:
    result = run_example(
        "force_sync.py",
        "--sandbox",
        "--scenario",
        "transient_5xx",
        "--account",
        "Compte courant",
        env=user_env,
    )
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith("Compte courant : ok=True status=« Synchronisation active » attempts=3 ")
    assert "used_fallback=False" in line


def test_embed_in_tool_turns_errors_into_results(user_env: dict[str, str], tmp_path: Path) -> None:
    result = run_example(
        "embed_in_tool.py", "--sandbox", "Association Exemple", "Association Inconnue", env=user_env
    )
    assert result.returncode == 1, result.stderr
    restored, unknown = json.loads(result.stdout)
    assert restored["association"] == "Association Exemple"
    assert restored["ok"] is True
    assert restored["kind"] is None
    assert restored["reauthenticated"] == ["Banque Populaire Exemple"]
    assert restored["synced"] == ["Compte courant", "Livret A"]
    assert unknown["ok"] is False
    assert unknown["kind"] == "AccountNotFound"
    assert "« Association Exemple »" in unknown["message"]
    assert Path(unknown["evidence"]).parent == tmp_path / "evidence"
    assert "linxo_assoconnect logged in to Linxo as " in result.stderr  # the library's log
    assert "tool Association Inconnue: AccountNotFound" in result.stderr


def cell_text(cell: Any) -> str:
    """Everything a cell showed: printed text and the text of displayed Markdown."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/markdown", ""))
    return "".join(parts)


def test_notebook_restores_the_sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The dev extra's notebook tools, not the test extra's (which tools embedding the library use).
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    assert all(cell.get("outputs", []) == [] for cell in notebook.cells)  # committed clean
    monkeypatch.setenv("LINXO_ASSOCONNECT_EXAMPLES_SANDBOX", "1")
    monkeypatch.setenv("LINXO_ASSOCONNECT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    # "python3" is ipykernel's own kernel: it runs in this interpreter, sys.executable.
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    cells = {tag: cell for cell in notebook.cells for tag in cell.metadata.get("tags", [])}

    status = cell_text(cells["status"])
    assert "  Banque Populaire Exemple : EN ERREUR : " in status
    assert (
        "  Livret A : Compte bancaire introuvable (compte Linxo : aucun compte Linxo associé)"
        in (status)
    )
    assert cell_text(cells["restore"]) == "Terminé : tout est rétabli.\n"
    report = cell_text(cells["report"])
    assert "| Linxo : Banque Populaire Exemple | EN ERREUR | OK |" in report
    assert (
        "| AssoConnect : Livret A | Compte bancaire introuvable (non associé) | "
        "Synchronisation active (Livret A Association Exemple) |"
    ) in report
    assert report.endswith("Tout est rétabli.\n")
    for secret in SECRETS:
        assert all(secret not in cell_text(cell) for cell in notebook.cells)
