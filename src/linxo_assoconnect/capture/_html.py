"""Captured pages without code, trackers or personal values; links to the sites kept working.

Scripts, frames and embedded objects are dropped (none is needed to read a page), and so are
trackers (pixels, another site's images or links) and event handlers. Text, attributes,
addresses and style sheets go through the capture's `Scrubber`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from ._patterns import SECRET_NAME
from ._scrub import Scrubber

__all__ = ["page_text", "scrub_html"]

# Elements that run code, load other sites or track: none is needed to read a page.
_DROPPED = (
    "script",
    "noscript",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
)
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "cite", "background")
_TEXT_ATTRIBUTES = ("title", "alt", "placeholder", "label", "summary", "content", "value")
_REMOVED_ATTRIBUTES = ("ping", "nonce", "integrity", "srcset", "imagesrcset")
_REFERENCES = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-owns")  # ids
_CSS_URL = re.compile(r"url\(\s*['\"]?(?P<address>[^'\")]*)['\"]?\s*\)", re.IGNORECASE)


def page_text(html: str) -> str:
    """The words a page shows (and its attributes' words), for `Scrubber.learn_words`."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for element in soup((*_DROPPED, "style")):
        element.decompose()
    return soup.get_text(" ")


def scrub_html(scrubber: Scrubber, html: str, hosts: Iterable[str]) -> str:
    """``html`` without code, trackers or personal values; links to ``hosts`` kept working."""
    from bs4 import BeautifulSoup, Comment, Tag
    from bs4.element import NavigableString

    own = set(hosts)
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(_DROPPED):
        element.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in list(soup.find_all(True)):
        if not isinstance(tag, Tag) or tag.decomposed:
            continue
        if _is_tracker(tag, own):
            tag.decompose()
            continue
        _scrub_attributes(scrubber, tag, own)
    for string in list(soup.find_all(string=True)):
        if type(string) is not NavigableString:  # a doctype, a comment: not the page's text
            continue
        parent = string.parent.name if string.parent else ""
        if parent == "style":
            string.replace_with(_scrub_css(scrubber, str(string), own))
        else:
            string.replace_with(scrubber.text(str(string)))
    return str(soup)


def _other_host(address: str, own: set[str]) -> bool:
    host = urlsplit(address).hostname
    return host is not None and host not in own


def _is_tracker(tag: Any, own: set[str]) -> bool:
    name = tag.name
    if name == "meta":
        return str(tag.get("http-equiv", "")).lower() == "refresh"
    if name == "link":
        rel = " ".join(tag.get("rel") or []).lower()
        return rel not in ("stylesheet", "icon", "shortcut icon") or _other_host(
            str(tag.get("href", "")), own
        )
    if name in ("img", "source", "video", "audio", "track", "picture"):
        tiny = str(tag.get("width", "")) in ("0", "1") or str(tag.get("height", "")) in ("0", "1")
        return tiny or _other_host(str(tag.get("src", "")), own)
    return False


def _scrub_attributes(scrubber: Scrubber, tag: Any, own: set[str]) -> None:
    hidden_secret = (
        tag.name == "input"
        and str(tag.get("type", "")).lower() == "hidden"
        and SECRET_NAME.search(str(tag.get("name", "")))
    ) or (tag.name == "meta" and SECRET_NAME.search(str(tag.get("name", ""))))
    for attribute in list(tag.attrs):
        value = tag.attrs[attribute]
        text = " ".join(value) if isinstance(value, list) else str(value)
        lowered = attribute.lower()
        if (
            lowered.startswith("on")
            or lowered in _REMOVED_ATTRIBUTES
            or (
                tag.name == "input"
                and lowered == "value"
                and str(tag.get("type", "")).lower() == "password"
            )
        ):
            del tag.attrs[attribute]
        elif hidden_secret and lowered in ("value", "content"):
            tag.attrs[attribute] = scrubber.token(text)
        elif lowered in _URL_ATTRIBUTES:
            tag.attrs[attribute] = (
                "#" if text.strip().lower().startswith("javascript:") else scrubber.url(text)
            )
        elif lowered == "style":
            tag.attrs[attribute] = _scrub_css(scrubber, text, own)
        elif (
            lowered in _TEXT_ATTRIBUTES or lowered.startswith(("aria-", "data-"))
        ) and lowered not in _REFERENCES:
            tag.attrs[attribute] = scrubber.text(text)


def _scrub_css(scrubber: Scrubber, css: str, own: set[str]) -> str:
    def address(match: re.Match[str]) -> str:
        found = match.group("address")
        if found.startswith("data:") or _other_host(found, own):
            return "url()"
        return f"url({scrubber.url(found)})"

    return scrubber.patterns(_CSS_URL.sub(address, css))
