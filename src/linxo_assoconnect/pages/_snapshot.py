"""One read of a page, decided on in Python: what a person sees, whatever the markup.

`SNAPSHOT_JS` walks the document once and returns every visible element with its own text,
whether it reacts to a click, its field labels and its state. Each element worth acting on is
marked with an attribute of the library's own (``data-lac``), so that the page object then acts
on exactly the element it read, through an ordinary locator. Nothing here depends on a tag, a
class, an id or a role of the site: roles, tags and styles are hints among others.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from .._core.text import fold

__all__ = ["CHANGED_JS", "MARK", "SNAPSHOT_JS", "Node", "Snapshot", "contains_word", "matches"]

MARK = "data-lac"
"""The attribute by which the library marks the elements it read (its own, not the site's)."""

# Runs in the page. Also, once per document: counts DOM changes (so that a wait for "the page
# changed" is one call), and opens in this tab what the page would open in a new one.
SNAPSHOT_JS = """({ gen, mark }) => {
  const W = window;
  if (W.__lacDoc === undefined) {
    W.__lacDoc = Math.random().toString(36).slice(2);
    W.__lacChanges = 0;
    W.__lacObserver = new MutationObserver(() => { W.__lacChanges += 1; });
    W.__lacObserver.observe(document, {
      subtree: true, childList: true, attributes: true, characterData: true });
    W.open = (url) => { if (url) location.assign(url); return W; };
  }
  const result = { doc: W.__lacDoc, url: location.href, title: document.title,
                   ready: document.readyState, nodes: [] };
  if (!document.body) { result.changes = W.__lacChanges; return JSON.stringify(result); }
  for (const el of document.querySelectorAll("a[target], form[target]")) {
    if (el.target && el.target !== "_self") el.target = "_self";
  }
  const ROLES = new Set(["button", "link", "tab", "menuitem", "menuitemradio",
    "menuitemcheckbox", "option", "switch", "combobox", "treeitem", "checkbox"]);
  const FIELDS = new Set(["text", "email", "password", "tel", "number", "search", "url", ""]);
  const clean = (t) => (t || "").replace(/\\s+/g, " ").trim();
  const byIds = (ids) => clean((ids || "").split(/\\s+/).map(
    (id) => { const e = id && document.getElementById(id); return e ? e.textContent : ""; }
  ).join(" "));
  const nodes = result.nodes;
  let count = 0;
  const walk = (el, parent, parentPointer) => {
    let visible = el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
    // A styled radio hides its input and shows its label: it is read, and clicked by its label.
    let via = "";
    if (!visible && el.tagName === "INPUT" && el.type === "radio" && el.labels
        && el.labels.length && el.labels[0].checkVisibility()) {
      const label = el.labels[0];
      via = label.getAttribute(mark) || (gen + "-" + count++);
      label.setAttribute(mark, via);
      visible = true;
    }
    const style = visible ? getComputedStyle(el) : null;
    const pointer = !!style && style.cursor === "pointer";
    let index = parent;
    if (visible) {
      const tag = el.tagName.toLowerCase();
      const role = (el.getAttribute("role") || "").toLowerCase();
      const type = tag === "input" ? (el.getAttribute("type") || "").toLowerCase() : "";
      let own = "";
      for (const child of el.childNodes) if (child.nodeType === 3) own += child.data;
      own = clean(own);
      if (tag === "input" && ["submit", "button", "reset"].includes(type)) own = clean(el.value);
      const node = { i: nodes.length, p: parent, tag, role, own };
      if (via) node.via = via;
      const control = tag === "button" || tag === "summary" || tag === "select"
        || (tag === "a" && el.hasAttribute("href")) || ROLES.has(role)
        || (tag === "input" && ["submit", "button", "image", "reset"].includes(type));
      const radio = (tag === "input" && type === "radio") || role === "radio";
      const fieldLike = (tag === "input" && FIELDS.has(type)) || tag === "textarea";
      if (control || radio) node.c = 1;
      else if ((pointer && !parentPointer) || el.hasAttribute("onclick")) node.c = 2;
      if (node.c || fieldLike || own) {
        // An element keeps its first mark: a node read earlier still points at it.
        node.m = el.getAttribute(mark) || (gen + "-" + count++);
        el.setAttribute(mark, node.m);
      }
      if (node.c) {
        const value = typeof el.value === "string" && tag !== "select" ? el.value : "";
        const names = [el.getAttribute("aria-label"), byIds(el.getAttribute("aria-labelledby")),
          el.innerText, value, el.getAttribute("title")];
        for (const img of el.querySelectorAll("img[alt], [aria-label], [title]")) {
          names.push(img.getAttribute("alt") || img.getAttribute("aria-label")
                     || img.getAttribute("title"));
        }
        node.names = [...new Set(names.map(clean).filter(Boolean))];
      }
      if (radio || role === "checkbox") {
        node.checked = tag === "input" ? el.checked : el.getAttribute("aria-checked") === "true";
        const wrap = el.closest("label");
        const labels = [el.getAttribute("aria-label"), byIds(el.getAttribute("aria-labelledby")),
          ...(el.labels ? [...el.labels].map((l) => l.innerText) : []),
          wrap ? wrap.innerText : "", tag === "input" ? "" : el.innerText];
        node.labels = [...new Set(labels.map(clean).filter(Boolean))];
      }
      if (fieldLike) {
        const wrap = el.closest("label");
        const labels = [el.getAttribute("aria-label"), byIds(el.getAttribute("aria-labelledby")),
          ...(el.labels ? [...el.labels].map((l) => l.innerText) : []),
          wrap ? wrap.innerText : "", el.getAttribute("placeholder"), el.getAttribute("title")];
        node.field = { type: type || tag, autocomplete: (el.getAttribute("autocomplete") || ""),
          inputmode: (el.getAttribute("inputmode") || ""), maxlength: el.maxLength || -1,
          labels: [...new Set(labels.map(clean).filter(Boolean))] };
      }
      if (tag === "select") {
        node.options = [...el.options].map((o) => clean(o.text));
        node.selected = el.selectedIndex >= 0 ? clean(el.options[el.selectedIndex].text) : "";
      }
      const current = el.getAttribute("aria-current");
      if ((current && current !== "false") || el.getAttribute("aria-selected") === "true"
          || el.getAttribute("aria-pressed") === "true") node.current = true;
      if (el.getAttribute("aria-busy") === "true"
          || (role === "progressbar" && !el.hasAttribute("aria-valuenow"))) node.busy = true;
      if (/^h[1-6]$/.test(tag) || role === "heading") node.heading = true;
      else if (style && (parseInt(style.fontWeight, 10) >= 600)) node.bold = true;
      nodes.push(node);
      index = node.i;
    }
    for (const child of el.children) walk(child, index, pointer);
  };
  walk(document.body, -1, false);
  W.__lacObserver.takeRecords();  // the marks just set are not a change of the page
  result.changes = W.__lacChanges;
  return JSON.stringify(result);  // a string crosses to Python several times faster
}"""

# True once the page is another document, or its DOM changed since a snapshot.
CHANGED_JS = "([doc, n]) => window.__lacDoc !== doc || window.__lacChanges !== n"

_SYMBOLS = re.compile(r"^[^\w(]+|[^\w)]+$")


def _bare(text: str) -> str:
    """A label without the icons and punctuation around it (« ⟳ Synchroniser » → synchroniser)."""
    return fold(_SYMBOLS.sub("", text)) or fold(text)


def matches(text: str, words: Iterable[str]) -> bool:
    """Whether ``text`` is exactly one of ``words`` (case, accents, apostrophes, icons aside)."""
    shown = _bare(text)
    return any(shown == _bare(word) for word in words)


_NOT_WORD = re.compile(r"[^\w']+")


def _words(text: str) -> str:
    return " " + _NOT_WORD.sub(" ", fold(text)).strip() + " "


def contains_word(text: str, words: Iterable[str]) -> bool:
    """Whether ``text`` holds one of ``words`` as a phrase (folded, on word boundaries)."""
    shown = _words(text)
    return any(_words(w) in shown for w in words if w.strip() and _words(w).strip())


@dataclass(frozen=True)
class Node:
    """One visible element as the snapshot saw it."""

    i: int
    p: int
    tag: str
    role: str
    own: str
    """Its own text (not its children's)."""
    m: str = ""
    """The library's mark on it, to act on it ('' if it was not marked)."""
    c: int = 0
    """1: a control by its nature (a button, a link, a role); 2: only by its pointer cursor
    or click handler (a ``div`` that reacts to a click); 0: not seen as clickable."""
    names: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    checked: bool | None = None
    field: dict[str, object] | None = None
    options: tuple[str, ...] = ()
    selected: str = ""
    current: bool = False
    busy: bool = False
    via: str = ""
    """For an input hidden behind its label (a styled radio): the label's mark, clicked instead."""
    heading: bool = False
    bold: bool = False

    @property
    def is_radio(self) -> bool:
        return (self.tag == "input" and self.checked is not None) or self.role == "radio"

    @property
    def field_type(self) -> str:
        return str(self.field["type"]) if self.field else ""

    @property
    def field_labels(self) -> tuple[str, ...]:
        return tuple(str(x) for x in self.field["labels"]) if self.field else ()  # type: ignore[attr-defined]


@dataclass
class Snapshot:
    """A page as read in one call: its visible elements in document order, as a tree."""

    doc: str
    changes: int
    url: str
    title: str
    ready: str
    nodes: list[Node] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> Snapshot:
        """The snapshot `SNAPSHOT_JS` returned (as JSON)."""
        raw: dict[str, object] = json.loads(text)
        nodes = []
        for item in raw.get("nodes", []):  # type: ignore[attr-defined]
            values = dict(item)
            for key in ("names", "labels", "options"):
                if key in values:
                    values[key] = tuple(values[key])
            nodes.append(Node(**values))
        return cls(
            doc=str(raw.get("doc", "")),
            changes=int(raw.get("changes", 0)),  # type: ignore[call-overload]
            url=str(raw.get("url", "")),
            title=str(raw.get("title", "")),
            ready=str(raw.get("ready", "")),
            nodes=nodes,
        )

    # The tree ----------------------------------------------------------------------------

    @cached_property
    def _ends(self) -> list[int]:
        """For each node, the index of its last descendant (nodes are in document order)."""
        ends = list(range(len(self.nodes)))
        for node in reversed(self.nodes):
            if node.p >= 0:
                ends[node.p] = max(ends[node.p], ends[node.i])
        return ends

    def within(self, outer: Node, inner: Node) -> bool:
        """Whether ``inner`` is ``outer`` or inside it."""
        return outer.i <= inner.i <= self._ends[outer.i]

    def inside(self, outer: Node) -> list[Node]:
        """``outer`` and everything inside it, in document order."""
        return self.nodes[outer.i : self._ends[outer.i] + 1]

    def ancestors(self, node: Node) -> Iterator[Node]:
        """``node``'s containers, innermost first."""
        while node.p >= 0:
            node = self.nodes[node.p]
            yield node

    def text(self, node: Node) -> str:
        """Everything ``node`` shows, one piece per element, as a person reads it."""
        return " ".join(n.own for n in self.inside(node) if n.own)

    def lines(self, node: Node) -> list[str]:
        """The texts inside ``node``, one per element."""
        return [n.own for n in self.inside(node) if n.own]

    def common(self, nodes: Sequence[Node]) -> Node | None:
        """The smallest element holding all of ``nodes``."""
        if not nodes:
            return None
        for candidate in [nodes[0], *self.ancestors(nodes[0])]:
            if all(self.within(candidate, n) for n in nodes):
                return candidate
        return None

    # What the page shows ----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """An element says it is loading (``aria-busy``, a progress bar)."""
        return any(n.busy for n in self.nodes)

    @cached_property
    def all_text(self) -> str:
        return " ".join(n.own for n in self.nodes if n.own)

    def shows(self, words: Iterable[str]) -> bool:
        """Whether one of ``words`` shows anywhere on the page."""
        return contains_word(self.all_text, words) or any(
            contains_word(" ".join(n.names), words) for n in self.nodes if n.c
        )

    def controls(
        self,
        words: Iterable[str],
        *,
        scope: Node | None = None,
        loose: bool = False,
        strict: bool = False,
    ) -> list[Node]:
        """What a person would click to do ``words``: an element that reacts to a click and
        is named by one of them, else an element whose own text is one of them.

        ``loose``: also a control whose name holds one of the words among others; ``strict``:
        only elements seen as clickable."""
        words = tuple(words)
        pool = self.inside(scope) if scope else self.nodes
        named = [n for n in pool if n.c and any(matches(name, words) for name in n.names)]
        if not named and loose:
            named = [n for n in pool if n.c and any(contains_word(x, words) for x in n.names)]
        if not named and not strict:
            named = [n for n in pool if n.own and matches(n.own, words)]
            # The element that reacts to a click may be the text's container.
            named = [self._clickable_around(n) for n in named]
        # A control inside another control that has the same name: keep the inner one.
        inner = [n for n in named if not any(o is not n and self.within(n, o) for o in named)]
        return sorted(inner, key=lambda n: (n.c != 1, n.i))

    def _clickable_around(self, node: Node) -> Node:
        for outer in [node, *self.ancestors(node)]:
            if outer.c:
                return outer
            if len(self.text(outer)) > len(node.own) + 3:
                break
        return node

    def texts(self, words: Iterable[str], *, scope: Node | None = None) -> list[Node]:
        """Elements whose own text holds one of ``words``."""
        words = tuple(words)
        pool = self.inside(scope) if scope else self.nodes
        return [n for n in pool if n.own and contains_word(n.own, words)]

    def fields(self, words: Iterable[str], *, scope: Node | None = None) -> list[Node]:
        """Text fields labelled by one of ``words`` (a label, aria, a placeholder, a title)."""
        words = tuple(words)
        pool = self.inside(scope) if scope else self.nodes
        return [
            n
            for n in pool
            if n.field and any(matches(x, words) or contains_word(x, words) for x in n.field_labels)
        ]

    def fields_of_type(self, *types: str) -> list[Node]:
        return [n for n in self.nodes if n.field and n.field_type in types]

    def radios(self, scope: Node | None = None) -> list[Node]:
        pool = self.inside(scope) if scope else self.nodes
        return [n for n in pool if n.is_radio]

    def new_texts(self, before: Snapshot) -> list[str]:
        """Texts that appeared since ``before``: on another document, all of them; on the same
        one, those of elements not shown then or whose text changed (the same message shown
        again in a new element counts)."""
        if self.doc != before.doc:
            return [n.own for n in self.nodes if n.own]
        shown = {n.m: n.own for n in before.nodes if n.m}
        return [n.own for n in self.nodes if n.own and shown.get(n.m) != n.own]

    @staticmethod
    def prominent(nodes: Sequence[Node]) -> Node:
        """The text a person reads as the title: a heading, else bold text, else the first."""
        return max(nodes, key=lambda n: (n.heading, n.bold, -n.i))

    def block(self, anchor: Node, alike: Sequence[Node], *, stop: Sequence[Node] = ()) -> Node:
        """The largest container of ``anchor`` holding no other of ``alike`` and none of
        ``stop``: the part of the page that is about the same thing as ``anchor``."""
        best = anchor
        for outer in self.ancestors(anchor):
            if any(o is not anchor and self.within(outer, o) for o in alike):
                break
            if any(self.within(outer, s) for s in stop):
                break
            best = outer
        return best
