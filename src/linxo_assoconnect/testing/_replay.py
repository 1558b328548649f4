"""A captured set (``linxo-assoconnect capture``) served back at the sites' hostnames.

Pages are served in the order they were captured: a request gets the next page captured at its
address, else the last one seen there. A page the site left on its own (a redirection, a page
that reloads itself) sends the browser on as it did. The site's own scripts were removed by the
capture; a script of the sandbox's replays instead the clicks that changed a page in place
(a menu, a dialog) or sent the browser elsewhere.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..capture._format import DESCRIBE_JS, MANIFEST
from ._http import Request, Response
from ._serve import serve_async, serve_sync
from ._state import Event, Record

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext as AsyncBrowserContext
    from playwright.sync_api import BrowserContext

__all__ = ["CapturedSandbox"]

_REPLAY_JS = r"""
(() => {
  const replay = window.__lacReplay;
  const same = (a, b) => lacFold(a) === lacFold(b);
  document.addEventListener("click", (event) => {
    const target = lacDescribe(event.target);
    if (!target || target.native) return;
    const here = replay.transitions.filter(
      (t) => t.from === replay.state && same(t.name, target.name));
    const exact = here.filter((t) => same(t.context, target.context));
    const chosen = exact.length ? exact[0] : (here.length === 1 ? here[0] : null);
    if (!chosen) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (chosen.url) { location.assign(chosen.url); return; }
    // At once, as the site's own script did: whoever clicked looks at the page right after.
    const shown = new DOMParser().parseFromString(replay.states[chosen.to], "text/html");
    document.documentElement.innerHTML = shown.documentElement.innerHTML;
    replay.state = chosen.to;
  }, true);
})();
"""


@dataclass(frozen=True)
class _Entry:
    """One address of the capture, in order: a page to show, or where to send the browser."""

    index: int
    method: str
    url: str
    document: dict[str, Any]
    redirect_to: str | None


def _keyed(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A page's transitions, their states named ``page/state`` (unique in the whole set)."""
    number = document["number"]
    return [
        {
            **t,
            "from": f"{number}/{t['from']}",
            **({"to": f"{number}/{t['to']}"} if "to" in t else {}),
        }
        for t in document["transitions"]
    ]


def _key(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.path or "/", parts.query


class CapturedSandbox:
    """Serves a captured set to a Playwright context, offline, in the order it was captured.

    Same use as `Sandbox`: ``attach`` (sync API) or ``attach_async``; ``record.requests``
    lists what was asked, ``record.blocked`` what was refused (another host).
    """

    latency = 0.0

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        manifest = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        self.hosts = tuple(manifest["hosts"])
        self.record = Record()
        self._documents: list[dict[str, Any]] = manifest["documents"]
        self._entries = self._index(self._documents)
        self._cursor = 0
        self._lock = threading.Lock()

    @staticmethod
    def _index(documents: list[dict[str, Any]]) -> list[_Entry]:
        entries: list[_Entry] = []
        for document in documents:
            for method, url in document["hops"]:
                entries.append(_Entry(len(entries), method, url, document, document["url"]))
            entries.append(
                _Entry(
                    len(entries),
                    document["method"],
                    document["url"],
                    document,
                    document.get("redirect_to"),
                )
            )
        return entries

    # Serving ---------------------------------------------------------------------------

    def serves(self, host: str) -> bool:
        return host in self.hosts

    def blocked(self, url: str) -> None:
        with self._lock:
            self.record.add(
                Event("blocked_request", "elsewhere", subject=url.split("?", maxsplit=1)[0])
            )

    def respond(self, request: Request) -> Response:
        with self._lock:
            self.record.requests.append(f"{request.method} {request.url.split('?')[0]}")
            entry = self._find(request) if request.navigation else None
            if entry is None:
                return Response(status=404, body="", content_type="text/plain")
            self._cursor = entry.index + 1
        if entry.redirect_to:
            return Response.redirect(entry.redirect_to)
        return self._page(entry.document)

    def _find(self, request: Request) -> _Entry | None:
        """The next entry captured at this address, else the last one before; the method and
        the query decide between several."""
        host, path, query = _key(request.url)
        ahead = self._entries[self._cursor :]
        behind = list(reversed(self._entries[: self._cursor]))
        tests = (
            lambda e: _key(e.url) == (host, path, query) and e.method == request.method,
            lambda e: _key(e.url) == (host, path, query),
            lambda e: _key(e.url)[:2] == (host, path) and e.method == request.method,
            lambda e: _key(e.url)[:2] == (host, path),
        )
        for test in tests:
            for entries in (ahead, behind):
                found = next((e for e in entries if test(e)), None)
                if found is not None:
                    return found
        return None

    def _html(self, document: dict[str, Any], state: int) -> str:
        file: str | None = document["states"][state]["file"]
        if file is None:  # refused at capture: a page saying so, not the page
            return (
                "<!DOCTYPE html><html lang='fr'><body><p>Page non enregistrée lors de la "
                "capture (des données personnelles y restaient).</p></body></html>"
            )
        return (self.folder / file).read_text(encoding="utf-8")

    def _page(self, document: dict[str, Any]) -> Response:
        if not document["states"]:
            return Response(status=404, body="", content_type="text/plain")
        here = f"{document['number']}/0"
        transitions = self._transitions(document)
        states = {
            t["to"]: self._html(self._number(t["to"]), int(t["to"].split("/")[1]))
            for t in transitions
            if "to" in t
        }
        replay = {"state": here, "states": states, "transitions": transitions}
        data = json.dumps(replay).replace("</", "<\\/")  # no « </script> » inside the script
        script = f"<script>window.__lacReplay = {data};\n{DESCRIBE_JS}\n{_REPLAY_JS}</script>"
        html = self._html(document, 0)
        at = html.lower().rfind("</body>")
        body = html[:at] + script + html[at:] if at >= 0 else html + script
        return Response(body=body)

    def _transitions(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        """The clicks that work on this page: its own first, then those captured on the same
        page at another time (same address, then same path), from the page as it loads."""
        host, path, query = _key(document["url"])
        same_query = [
            d
            for d in self._documents
            if d is not document and _key(d["url"]) == (host, path, query)
        ]
        same_path = [
            d
            for d in self._documents
            if d is not document and d not in same_query and _key(d["url"])[:2] == (host, path)
        ]
        here = f"{document['number']}/0"
        found = _keyed(document)
        for other in same_query + same_path:
            own = _keyed(other)
            found += own + [{**t, "from": here} for t in own if t["from"] == f"{other['number']}/0"]
        return found

    def _number(self, key: str) -> dict[str, Any]:
        number = key.split("/", maxsplit=1)[0]
        return next(d for d in self._documents if str(d["number"]) == number)

    def attach(self, context: BrowserContext) -> None:
        """Serve the captured set to a sync-API BrowserContext; every other request is aborted."""
        serve_sync(context, self)

    async def attach_async(self, context: AsyncBrowserContext) -> None:
        """Serve the captured set to an async-API BrowserContext; other requests are aborted."""
        await serve_async(context, self)
