"""The text of an e-mail: its bodies as text (an HTML body made plain), its logical lines,
and the headers the tool reads (subject, date, sender), read without ever raising."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from email.message import EmailMessage, Message
from html import unescape
from html.parser import HTMLParser

from .._core.text import PARIS

__all__ = ["bodies", "logical_lines", "one_line", "received_at", "sender_domain", "subject"]

_URL_RE = re.compile(r"[a-z][a-z0-9+.-]*://|www\.", re.IGNORECASE)


def one_line(text: str) -> str:
    """``text`` with each run of whitespace, line breaks included, made one space."""
    return " ".join(text.split())


class _HtmlText(HTMLParser):
    """Visible text of an HTML body: a line per ``<br>`` or block (paragraph, cell…)."""

    _BLOCKS = frozenset(
        {"p", "div", "table", "tr", "td", "th", "li", "ul", "ol", "h1", "h2", "h3", "h4",
         "h5", "h6", "blockquote", "section", "article", "header", "footer", "center", "hr"}
    )  # fmt: skip
    _HIDDEN = frozenset({"head", "title", "style", "script", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag == "br" or tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            # Line breaks inside the HTML source are not line breaks on screen.
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))

    def handle_entityref(self, name: str) -> None:
        self.handle_data(unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.handle_data(unescape(f"&#{name};"))


def _html_to_text(markup: str) -> str:
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _text_of(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
    except (LookupError, ValueError, UnicodeError):  # an unknown or lying charset
        content = None
    if isinstance(content, str):
        return content
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def bodies(message: EmailMessage) -> Iterable[str]:
    """The message's text bodies, text/plain first, then text/html as text."""
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is None:
            continue
        text = _text_of(part)
        yield _html_to_text(text) if kind == "html" else text


def logical_lines(text: str) -> list[str]:
    """Logical lines: soft breaks undone, so that a name wrapped onto the next line stays whole.

    A line ending with a space (format=flowed) goes on with the next one, and so does a line
    followed by one starting in lower case (« Comité des » / « fêtes Exemple »).
    """
    lines: list[str] = []
    joined = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = one_line(raw)
        goes_on = line[:1].islower() and not _URL_RE.match(line)  # not a link on its own line
        if lines and line and (joined or (goes_on and lines[-1][-1:] not in ".!?…")):
            lines[-1] = f"{lines[-1]} {line}"
        elif line:
            lines.append(line)
        joined = bool(line) and raw.endswith(" ") and raw != "-- "
    return lines


def received_at(message: EmailMessage) -> dt.datetime | None:
    """When the message was sent (its Date header), in Europe/Paris time; None if unknown."""
    try:
        header = message["Date"]
        when = getattr(header, "datetime", None)
    except (ValueError, TypeError, IndexError):  # a malformed Date header on older Pythons
        return None
    if not isinstance(when, dt.datetime):
        return None
    if when.tzinfo is None:  # « -0000 »: UTC, local zone unknown (RFC 5322)
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(PARIS)


def subject(message: EmailMessage) -> str:
    """The Subject header, "" if it has none or it cannot be read."""
    try:
        return str(message["Subject"] or "")
    except (ValueError, TypeError, IndexError):
        return ""


def sender_domain(message: EmailMessage) -> str:
    """The domain of the first From address, case-folded; "" if it cannot be read."""
    try:
        addresses = message["From"].addresses if message["From"] else ()
    except (ValueError, TypeError, IndexError, AttributeError):
        return ""
    return addresses[0].domain.casefold() if addresses else ""
