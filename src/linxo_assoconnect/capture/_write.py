"""Writing a captured set: every page scrubbed, its index, and a last check before each file.

The pages a capture recorded (`Document`, `State`) are scrubbed with one `Scrubber` (`_scrub`),
so that a value has the same fake in every file; the HAR's entries to the sites are split by
page. A file where an IBAN, an e-mail address or a token still shows is not written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .._core.har import scrub_har
from ._format import FORMAT, MANIFEST
from ._html import page_text, scrub_html
from ._patterns import leaks, slug
from ._scrub import Scrubber

__all__ = ["CaptureResult", "Document", "State", "write_set"]

_CLOCKS = 0.2  # seconds between the browser's dating of a request and its event here


@dataclass
class State:
    """A page as shown: first as loaded, then after each click that changed it in place."""

    html: str
    trigger: dict[str, Any] | None = None
    source: int = 0  # the state it came from


@dataclass
class Document:
    """A page a tab showed, from the request that brought it to the next page of the tab."""

    number: int
    tab: int
    method: str
    url: str
    hops: list[tuple[str, str]]  # HTTP redirections before ``url``: (method, address)
    started: float
    states: list[State] = field(default_factory=list)
    current: int = 0
    acted: bool = False
    last_target: dict[str, Any] | None = None
    left_on_its_own: bool = False
    redirect_to: str | None = None
    typed: dict[int, str] = field(default_factory=dict)
    navigations: list[tuple[int, dict[str, Any], str]] = field(default_factory=list)


@dataclass
class CaptureResult:
    """What a capture wrote: the folder, its pages, and what was refused (never the values)."""

    folder: Path
    pages: int
    files: list[Path]
    refused: list[str]

    @property
    def ok(self) -> bool:
        return not self.refused


def write_set(
    folder: Path,
    recorded: list[Document],
    *,
    private: Mapping[str, str | None],
    captured_at: date,
    raw_har: Path,
) -> CaptureResult:
    """Write the scrubbed set of the pages ``recorded`` (in the order shown) to ``folder``.

    ``raw_har`` is the browser's HAR of the capture (without bodies); it is left where it is.
    """
    documents = [
        d
        for d in recorded
        if (d.states or d.left_on_its_own) and d.url.startswith(("https://", "http://"))
    ]
    scrubber = Scrubber(private)
    for document in documents:
        for value in document.typed.values():
            scrubber.add_private(value)
    for document in documents:
        for state in document.states:
            scrubber.learn_words(page_text(state.html))
    hosts = sorted({urlsplit(d.url).hostname or "" for d in documents} - {""})
    out = _Writer(folder)
    har_entries = _har_entries(raw_har, scrubber, hosts)
    entries = []
    for index, document in enumerate(documents):
        stem = f"{document.number:02d}-{_file_stem(scrubber.url(document.url))}"
        entry = _entry(document, stem, scrubber, hosts, out)
        following = documents[index + 1].started if index + 1 < len(documents) else None
        mine = [
            item
            for started, item in har_entries
            # The HAR dates a request from the browser, a little before it is seen here.
            if document.started - _CLOCKS <= started
            and (following is None or started < following - _CLOCKS)
        ]
        creator = {"name": "linxo-assoconnect"}
        har = {"log": {"version": "1.2", "creator": creator, "entries": mine}}
        if mine and out.write(f"har/{stem}.har", har, f"HAR de la page {document.number}"):
            entry["har"] = f"har/{stem}.har"
        entries.append(entry)
    manifest = {
        "format": FORMAT,
        "captured_at": captured_at.isoformat(),
        "hosts": hosts,
        "documents": entries,
    }
    out.write(MANIFEST, manifest, "index")
    shown = sum(1 for entry in entries if entry["states"])
    return CaptureResult(folder, shown, out.written, out.refused)


def _har_entries(
    raw: Path, scrubber: Scrubber, hosts: list[str]
) -> list[tuple[float, dict[str, Any]]]:
    """The HAR's entries to the sites (not to trackers), masked of cookies and form
    bodies, then scrubbed, with their time."""
    if not raw.exists():
        return []
    masked = scrub_har(raw, raw.with_name("masked.har"))
    har = json.loads(masked.read_text(encoding="utf-8"))
    found = []
    for item in har.get("log", {}).get("entries", []):
        if urlsplit(item.get("request", {}).get("url", "")).hostname not in hosts:
            continue
        started = datetime.fromisoformat(item["startedDateTime"].replace("Z", "+00:00"))
        found.append((started.timestamp(), scrubber.har_entry(item)))
    return found


class _Writer:
    """Writes the set's files, refusing any where an IBAN, an e-mail or a token shows."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: list[Path] = []
        self.refused: list[str] = []
        for sub in ("pages", "har"):
            (folder / sub).mkdir(parents=True, exist_ok=True)

    def write(self, name: str, content: str | dict[str, Any], what: str) -> bool:
        text = (
            content
            if isinstance(content, str)
            else json.dumps(content, ensure_ascii=False, indent=1)
        )
        found = leaks(text)
        if found:
            self.refused.append(f"{name} ({what}) : non écrit, il y reste {', '.join(found)}.")
            return False
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        self.written.append(path)
        return True


def _entry(
    document: Document, stem: str, scrubber: Scrubber, hosts: list[str], out: _Writer
) -> dict[str, Any]:
    """A page's entry in the index; its states written scrubbed."""
    entry: dict[str, Any] = {
        "number": document.number,
        "tab": document.tab,
        "method": document.method,
        "url": scrubber.url(document.url),
        "hops": [[method, scrubber.url(url)] for method, url in document.hops],
        "states": [],
        "transitions": [],
    }
    if document.left_on_its_own and document.redirect_to:
        entry["redirect_to"] = scrubber.url(document.redirect_to)
        return entry
    for number, state in enumerate(document.states):
        name = f"pages/{stem}.html" if number == 0 else f"pages/{stem}.{number}.html"
        html = scrub_html(scrubber, state.html, hosts)
        ok = out.write(name, html, f"page {document.number}, état {number}")
        entry["states"].append({"file": name if ok else None})
        if number and state.trigger is not None:
            entry["transitions"].append(
                {"from": state.source, "to": number, **_trigger(scrubber, state.trigger)}
            )
    for source, target, url in document.navigations:
        entry["transitions"].append(
            {"from": source, "url": scrubber.url(url), **_trigger(scrubber, target)}
        )
    return entry


def _trigger(scrubber: Scrubber, target: dict[str, Any]) -> dict[str, str]:
    return {
        "name": scrubber.text(str(target.get("name", ""))),
        "context": scrubber.text(str(target.get("context", ""))),
    }


def _same_page(requested: str, shown: str) -> bool:
    return requested.split("#", maxsplit=1)[0] == shown.split("#", maxsplit=1)[0]


def _file_stem(url: str) -> str:
    """A file name for a page: its host and path, as a slug."""
    parts = urlsplit(url)
    return slug(f"{parts.hostname}{parts.path}")[:60]
