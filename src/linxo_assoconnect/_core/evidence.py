"""Failure evidence: where it goes, what a folder holds, and how much of it is kept.

One folder per failure, named after the time and the step: ``page.png`` (every field masked),
``page.html`` (secrets masked, size-bounded), ``error.json`` (step, URL without its query, error)
and, when tracing, ``trace.zip``. The oldest folders are pruned beyond `KEEP` folders or
`MAX_BYTES` in all.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from .files import default_evidence_dir, safe_address
from .secrets import redact

__all__ = [
    "SECRET_FIELDS",
    "ContextSettings",
    "new_evidence_dir",
    "settings_for",
    "use_settings",
    "write_error",
    "write_html",
]

# Masked in every screenshot: every field, since a bank's code field is often a plain text
# input. A CSS selector on purpose: it must catch them all, not locate one element of the flow.
SECRET_FIELDS = "input, textarea"  # noqa: S105

KEEP = 50
MAX_BYTES = 200 * 1024 * 1024
MAX_HTML_CHARS = 2 * 1024 * 1024
_FOLDER = re.compile(r"^\d{8}-\d{6}-\d{6}-[a-z0-9-]+$")


@dataclass
class ContextSettings:
    """What a Session set up for one browser context: where evidence goes, whether it traces.

    ``trace_paused`` is true while a secret is on the page: no trace records it.
    """

    evidence_dir: Path
    tracing: bool = False
    trace_paused: bool = False


_SETTINGS: WeakKeyDictionary[Any, ContextSettings] = WeakKeyDictionary()


def use_settings(context: Any, settings: ContextSettings) -> None:
    """Make page objects on ``context`` (a Playwright BrowserContext) follow ``settings``."""
    _SETTINGS[context] = settings


def settings_for(context: Any) -> ContextSettings:
    """The settings of ``context``: a Session's, or the defaults for a context of the user's."""
    found = _SETTINGS.get(context)
    return found if found is not None else ContextSettings(default_evidence_dir())


def new_evidence_dir(root: Path, step: str) -> Path:
    """A new folder under ``root`` for one failed step; old folders are pruned first."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    _prune(root)
    slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")[:60] or "step"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder = root / f"{stamp}-{slug}"  # matches _FOLDER: only those are ever pruned
    folder.mkdir(mode=0o700)
    return folder


def write_html(folder: Path, html: str) -> Path:
    """The page's HTML, secrets masked, cut at `MAX_HTML_CHARS`."""
    html = redact(html)  # before cutting: a secret cut in two would not be found
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS] + "\n<!-- coupé : page trop grande -->\n"
    path = folder / "page.html"
    path.write_text(html, encoding="utf-8")
    return path


def write_error(
    folder: Path, *, step: str, missing: str | None, url: str, error: BaseException, note: str
) -> Path:
    """``error.json``: what failed, where and when."""
    path = folder / "error.json"
    record = {
        "step": step,
        "missing": missing,
        "url": safe_address(url),
        "error": type(error).__name__,
        "message": redact(str(error)),
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "note": note,
    }
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _prune(root: Path) -> None:
    """Remove the oldest evidence folders beyond `KEEP`, or while all weigh over `MAX_BYTES`.

    Only folders named as `new_evidence_dir` names them: the root may hold anything else.
    """
    folders = sorted(p for p in root.iterdir() if p.is_dir() and _FOLDER.match(p.name))
    sizes = {folder: _size(folder) for folder in folders}
    total = sum(sizes.values())
    while folders and (len(folders) >= KEEP or total > MAX_BYTES):
        oldest = folders.pop(0)
        total -= sizes[oldest]
        shutil.rmtree(oldest, ignore_errors=True)
