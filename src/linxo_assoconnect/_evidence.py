"""Where failure evidence (screenshot, HTML) is written."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

__all__ = ["EVIDENCE_ENV_VAR", "SECRET_FIELDS", "evidence_dir"]

EVIDENCE_ENV_VAR = "LINXO_ASSOCONNECT_EVIDENCE_DIR"

# Masked in every screenshot: every field, since a bank's code field is often a plain text
# input. A CSS selector on purpose: it must catch them all, not locate one element of the flow.
SECRET_FIELDS = "input, textarea"  # noqa: S105


def evidence_dir(step: str) -> Path:
    """A new folder for the evidence of one failed step."""
    root = Path(
        os.environ.get(EVIDENCE_ENV_VAR)
        or Path(tempfile.gettempdir()) / "linxo-assoconnect" / "evidence"
    )
    slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")[:60] or "step"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder = root / f"{stamp}-{slug}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder
