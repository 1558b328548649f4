"""``linxo-assoconnect capture``: record the sites' pages as a person walks the tutorial.

At each page the capture keeps the page's HTML once its scripts ran, each state a click left
it in (a menu opened, a dialog shown) and the network traffic (a HAR without bodies). When it
ends, every file is scrubbed (`_scrub`): code, trackers and personal values out, consistent
fakes in. A file where an IBAN, an e-mail address or a token still shows is not written.

The set can be shared in a bug report, and served back by the sandbox
(``Sandbox.from_capture(folder)``) for the page objects to be tested against it.

What the set holds (``capture.json`` indexes it):

- ``documents``: each page in the order it was shown: the request (method, address) that
  brought it, its HTML file and, for a page the site left on its own (a redirection, a page
  that reloads itself), where it went;
- ``states``: the page after a click that changed it in place, with the click's target (its
  visible name and the name of the group, dialog or card it is in);
- ``transitions``: which click leads from one state to another, or to another page.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Page, Request

from .._core.browser import AsyncContextHook
from .._core.har import scrub_har
from .._core.secrets import logger
from ._scrub import Scrubber, leaks, page_text, scrub_html, slug

__all__ = ["DESCRIBE_JS", "MANIFEST", "Capture", "CaptureResult"]

MANIFEST = "capture.json"
FORMAT = 1
_CLOCKS = 0.2  # seconds between the browser's dating of a request and its event here

# How a click's target is named, the same way when capturing and when serving back: the
# element a person means (the button, not the icon inside it), its visible name, and the name
# of the card, dialog or group around it (two banks' « M'authentifier » are two targets).
DESCRIBE_JS = r"""
const lacInteractive = "a[href], button, input, select, textarea, summary, label, [role=button], " +
  "[role=link], [role=menuitem], [role=tab], [role=option], [role=radio], [role=checkbox], " +
  "[onclick], [tabindex]";
const lacText = (s) => (s || "").replace(/\s+/g, " ").trim();
const lacFold = (s) => lacText(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
  .replace(/[’‘ʼ`´]/g, "'").toLowerCase();
function lacDescribe(node) {
  const el = node && node.closest ? node.closest(lacInteractive) : null;
  if (!el) return null;
  const name = lacText(el.getAttribute("aria-label")) || lacText(el.innerText) ||
    lacText(el.value) || lacText(el.getAttribute("title"));
  const box = el.parentElement && el.parentElement.closest(
    "[role=dialog], dialog, [role=group], [role=region], [role=listitem], li, tr, fieldset, form");
  let context = "";
  if (box) {
    const by = box.getAttribute("aria-labelledby");
    context = by ? lacText(by.split(/\s+/).map((id) => {
      const named = document.getElementById(id);
      return named ? named.textContent : "";
    }).join(" ")) : lacText(box.getAttribute("aria-label"));
  }
  const href = el.matches("a[href]") ? (el.getAttribute("href") || "") : "";
  const type = (el.getAttribute("type") || (el.matches("button") ? "submit" : "")).toLowerCase();
  const submits = el.form && el.matches("button, input") && ["submit", "image"].includes(type);
  const leaves = (href !== "" && !/^(#|javascript:)/i.test(href)) || Boolean(submits);
  const native = leaves ||
    el.matches("summary, label, select, textarea, input:not([type=button])");
  return {name: name.slice(0, 200), context: context.slice(0, 200), native, leaves};
}
"""

_RECORD_JS = (
    DESCRIBE_JS
    + r"""
(() => {
  if (window.top !== window || window.__lacCapturing) return;
  window.__lacCapturing = true;
  const doc = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const report = (kind, data) => window.__lacReport(doc, kind, data);
  const html = () => "<!DOCTYPE html>\n" + document.documentElement.outerHTML;
  report("open", {url: location.href});
  addEventListener("load", () => report("page", {html: html()}));
  // After a click that changes the page in place, the page once it has stopped changing (one
  // state, not ten), or as it is when the next action comes or the page is left.
  let pending = null, changed = false, quiet = null, again = false;
  const settle = () => {
    clearTimeout(quiet);
    const sent = pending && changed ? report("state", {target: pending, html: html()}) : null;
    pending = null;
    changed = false;
    return sent;
  };
  new MutationObserver(() => {
    if (!pending) return;
    changed = true;
    clearTimeout(quiet);
    quiet = setTimeout(settle, 150);
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const act = (target) => {
    const sent = [settle(), report("action", {target})];
    if (target && !target.native) pending = target;
    return Promise.all(sent);
  };
  document.addEventListener("click", (event) => {
    if (again) return;
    const target = lacDescribe(event.target);
    if (!target || !target.leaves) { act(target); return; }
    // A click that leaves the page: what it did here is told first (a report sent as the page
    // unloads is lost), then the same click goes on, once, as the person made it.
    event.preventDefault();
    event.stopImmediatePropagation();
    act(target).finally(() => {
      again = true;
      try { event.target.click(); } finally { again = false; }
    });
  }, true);
  document.addEventListener("submit", () => { if (!again) act(null); }, true);
  document.addEventListener("keydown", (event) => { if (event.key === "Enter") act(null); }, true);
  addEventListener("pagehide", settle);
  const fields = new WeakMap();
  let fieldCount = 0;
  document.addEventListener("input", (event) => {
    const el = event.target;
    const skipped = ["password", "hidden", "radio", "checkbox", "submit", "button"];
    if (!el.matches || !el.matches("input, textarea") ||
        skipped.includes((el.type || "").toLowerCase())) return;
    if (!fields.has(el)) fields.set(el, ++fieldCount);
    report("typed", {field: fields.get(el), value: el.value});
  }, true);
})();
"""
)


@dataclass
class _State:
    html: str
    trigger: dict[str, Any] | None = None
    source: int = 0  # the state it came from


@dataclass
class _Document:
    number: int
    tab: int
    method: str
    url: str
    hops: list[tuple[str, str]]  # HTTP redirections before ``url``: (method, address)
    started: float
    states: list[_State] = field(default_factory=list)
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


class Capture:
    """Record every page a person (or a test) shows in a new context of ``browser``.

    ``private`` maps values to hide (an association's or a person's name) to what to show
    instead (``None``: a made-up name). Values typed in the pages' fields are hidden too.
    ``on_context`` is called with the new context (the sandbox's ``attach_async``).

        async with Capture(browser, Path("capture")) as capture:
            await capture.page.goto("https://wwws.linxo.com/auth.page#Login")
            ...                                   # the person walks the tutorial
        print(capture.result)
    """

    def __init__(
        self,
        browser: Browser,
        folder: str | Path,
        *,
        private: Mapping[str, str | None] | None = None,
        on_context: AsyncContextHook | None = None,
        context_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.browser = browser
        self.folder = Path(folder)
        self.private = dict(private or {})
        self.on_context = on_context
        self.context_options = dict(context_options or {})
        self.result: CaptureResult | None = None
        self._documents: dict[str, _Document] = {}
        self._order: list[_Document] = []
        self._navigation: dict[int, tuple[Request, float]] = {}
        self._watchers: dict[int, asyncio.Task[None]] = {}
        self._renderer_navigated: dict[int, bool] = {}
        self._tabs: dict[int, int] = {}
        self._started_at = datetime.now(UTC)
        self._scratch = tempfile.TemporaryDirectory(prefix="linxo-assoconnect-capture-")
        self._context: BrowserContext | None = None
        self.page: Page

    @property
    def context(self) -> BrowserContext:
        if self._context is None:
            raise RuntimeError("the capture has not started")
        return self._context

    async def __aenter__(self) -> Capture:
        self._context = await self.browser.new_context(
            record_har_path=str(Path(self._scratch.name) / "raw.har"),
            record_har_content="omit",
            **{"locale": "fr-FR", "timezone_id": "Europe/Paris", **self.context_options},
        )
        await self._context.expose_binding("__lacReport", self._on_report)
        await self._context.add_init_script(script=_RECORD_JS)
        if self.on_context is not None:
            await self.on_context(self._context)
        self._context.on("page", self._watch)
        self.page = await self._context.new_page()
        await self._watchers[self._tabs[id(self.page)]]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.result = await self.finish()

    # Watching --------------------------------------------------------------------------

    def _watch(self, page: Page) -> None:
        tab = self._tabs.setdefault(id(page), len(self._tabs) + 1)

        def on_request(request: Request) -> None:
            if request.is_navigation_request() and request.frame == page.main_frame:
                self._navigation[tab] = (request, time.time())

        page.on("request", on_request)
        self._watchers[tab] = asyncio.ensure_future(self._watch_renderer(page, tab))

    async def _watch_renderer(self, page: Page, tab: int) -> None:
        """Tell a page that leaves on its own (a script, a refresh) from a typed address."""
        try:
            cdp = await self.context.new_cdp_session(page)
            await cdp.send("Page.enable")
            tree = await cdp.send("Page.getFrameTree")
        except Exception:  # not Chromium: every page left without a click counts as typed
            logger.info("capture: no DevTools session; redirections are not told apart")
            return
        main = tree["frameTree"]["frame"]["id"]

        def requested(event: dict[str, Any]) -> None:
            if event.get("frameId") == main:
                self._renderer_navigated[tab] = True

        cdp.on("Page.frameRequestedNavigation", requested)

    def _on_report(self, source: dict[str, Any], doc: str, kind: str, data: dict[str, Any]) -> None:
        page = source.get("page")
        tab = self._tabs.setdefault(id(page), len(self._tabs) + 1)
        if kind == "open":
            self._open(doc, tab, str(data.get("url", "")))
            return
        document = self._documents.get(doc)
        if document is None:
            return
        if kind == "page" and not document.states:
            document.states.append(_State(str(data["html"])))
        elif kind == "action":
            document.acted = True
            document.last_target = data.get("target")
        elif kind == "state" and document.states and data.get("target"):
            document.states.append(_State(str(data["html"]), data["target"], document.current))
            document.current = len(document.states) - 1
        elif kind == "typed":
            document.typed[int(data["field"])] = str(data["value"])

    def _open(self, doc: str, tab: int, url: str) -> None:
        request, started = self._navigation.get(tab, (None, time.time()))
        method, hops = "GET", list[tuple[str, str]]()
        if request is not None and _same_page(request.url, url):
            method = request.method
            earlier = request.redirected_from
            while earlier is not None:
                hops.insert(0, (earlier.method, earlier.url))
                earlier = earlier.redirected_from
        previous = next((d for d in reversed(self._order) if d.tab == tab), None)
        if previous is not None:
            by_renderer = self._renderer_navigated.get(tab, False)
            target = previous.last_target
            if by_renderer and not previous.acted:
                previous.left_on_its_own = True
                previous.redirect_to = hops[0][1] if hops else url
            elif by_renderer and target is not None and not target.get("native"):
                # A button whose script sends the browser on: the click is the way there.
                previous.navigations.append((previous.current, target, hops[0][1] if hops else url))
        self._renderer_navigated[tab] = False
        document = _Document(len(self._order) + 1, tab, method, url, hops, started)
        self._documents[doc] = document
        self._order.append(document)

    # Writing ---------------------------------------------------------------------------

    async def finish(self) -> CaptureResult:
        """Close the capture's context and write the scrubbed set; idempotent."""
        if self.result is not None:
            return self.result
        if self._context is not None:
            await self._context.close()  # writes the HAR
        try:
            self.result = self._write()
        finally:
            self._scratch.cleanup()
        return self.result

    def _write(self) -> CaptureResult:
        documents = [
            d
            for d in self._order
            if (d.states or d.left_on_its_own) and d.url.startswith(("https://", "http://"))
        ]
        scrubber = Scrubber(self.private)
        for document in documents:
            for value in document.typed.values():
                scrubber.add_private(value)
        for document in documents:
            for state in document.states:
                scrubber.learn_words(page_text(state.html))
        hosts = sorted({urlsplit(d.url).hostname or "" for d in documents} - {""})
        out = _Writer(self.folder)
        har_entries = self._har_entries(scrubber, hosts)
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
            "captured_at": self._started_at.date().isoformat(),
            "hosts": hosts,
            "documents": entries,
        }
        out.write(MANIFEST, manifest, "index")
        shown = sum(1 for entry in entries if entry["states"])
        return CaptureResult(self.folder, shown, out.written, out.refused)

    def _har_entries(
        self, scrubber: Scrubber, hosts: list[str]
    ) -> list[tuple[float, dict[str, Any]]]:
        """The HAR's entries to the sites (not to trackers), masked of cookies and form
        bodies, then scrubbed, with their time."""
        raw = Path(self._scratch.name) / "raw.har"
        if not raw.exists():
            return []
        masked = scrub_har(raw, Path(self._scratch.name) / "masked.har")
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
    document: _Document, stem: str, scrubber: Scrubber, hosts: list[str], out: _Writer
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


# The command ----------------------------------------------------------------------------

START = "https://wwws.linxo.com/auth.page#Login"


async def run_capture(
    folder: Path, private: Mapping[str, str | None], *, scenario: str | None = None
) -> int:
    """``linxo-assoconnect capture``: a window for the person, the scrubbed set when done."""
    import sys
    import threading

    from playwright.async_api import async_playwright

    from .._core.browser import chromium_launch_options, display_available
    from .._core.errors import ConfigurationError

    if not display_available():
        raise ConfigurationError(
            "La capture montre une fenêtre où vous suivez le tutoriel : lancez-la depuis une "
            "session graphique (pas depuis cron ni SSH)."
        )
    if (folder / MANIFEST).exists():
        raise ConfigurationError(
            f"{folder} contient déjà une capture : choisissez un autre dossier."
        )
    on_context = None
    if scenario is not None:
        from ..testing import Sandbox

        on_context = Sandbox(scenario).attach_async
    async with async_playwright() as playwright:
        options = chromium_launch_options(playwright.chromium)
        browser = await playwright.chromium.launch(headless=False, **options)
        try:
            async with Capture(browser, folder, private=private, on_context=on_context) as capture:
                await capture.page.goto(START)
                print(
                    "Suivez le tutoriel dans la fenêtre : Linxo (« Mes comptes », "
                    "« M’authentifier »…), puis AssoConnect (Comptabilité › Rapprochement "
                    "bancaire › « Import depuis votre banque »). Chaque page est enregistrée.\n"
                    "Quand vous avez fini, fermez la fenêtre ou appuyez sur Entrée ici.",
                    file=sys.stderr,
                )
                loop = asyncio.get_running_loop()
                done = loop.create_future()

                def finished() -> None:
                    if not done.done():
                        done.set_result(None)

                def enter() -> None:
                    sys.stdin.readline()
                    loop.call_soon_threadsafe(finished)

                # A daemon thread: a person who closes the window must not have to press Enter.
                threading.Thread(target=enter, daemon=True).start()
                closed = asyncio.ensure_future(capture.page.wait_for_event("close", timeout=0))
                await asyncio.wait([done, closed], return_when=asyncio.FIRST_COMPLETED)
                closed.cancel()
        finally:
            await browser.close()
    result = await capture.finish()  # already written when the block ended: the same result
    print(f"{result.pages} page(s) enregistrée(s), nettoyées, dans {result.folder}.")
    for refusal in result.refused:
        print(f"  {refusal}", file=sys.stderr)
    print(
        "Relisez-les avant de les partager : les noms sont remplacés au mieux "
        "(--private « Nom » pour en ajouter).",
        file=sys.stderr,
    )
    return 0 if result.ok else 1
