"""The examples run as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_restore_sandbox_example() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "restore_sandbox.py")],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "re-authenticated: Banque Populaire Exemple 6249.56" in result.stdout
    assert "ok=True" in result.stdout
