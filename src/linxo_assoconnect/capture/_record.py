"""Recording the sites' pages as a person (or a test) walks the tutorial in a browser.

At each page the capture keeps the page's HTML once its scripts ran, each state a click left
it in (a menu opened, a dialog shown) and the network traffic (a HAR without bodies). When it
ends, the set is written scrubbed (`_write`): code, trackers and personal values out,
consistent fakes in.

The set can be shared in a bug report, and served back by the sandbox
(``Sandbox.from_capture(folder)``) for the page objects to be tested against it.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, Request

from .._core.browser import AsyncContextHook
from .._core.secrets import logger
from ._format import DESCRIBE_JS
from ._write import CaptureResult, Document, State, write_set

__all__ = ["Capture"]

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
        self._documents: dict[str, Document] = {}
        self._order: list[Document] = []
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
            document.states.append(State(str(data["html"])))
        elif kind == "action":
            document.acted = True
            document.last_target = data.get("target")
        elif kind == "state" and document.states and data.get("target"):
            document.states.append(State(str(data["html"]), data["target"], document.current))
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
        document = Document(len(self._order) + 1, tab, method, url, hops, started)
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
            self.result = write_set(
                self.folder,
                self._order,
                private=self.private,
                captured_at=self._started_at.date(),
                raw_har=Path(self._scratch.name) / "raw.har",
            )
        finally:
            self._scratch.cleanup()
        return self.result


def _same_page(requested: str, shown: str) -> bool:
    return requested.split("#", maxsplit=1)[0] == shown.split("#", maxsplit=1)[0]
