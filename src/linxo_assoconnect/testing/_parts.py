"""The component renderer's widgets: one function per widget family, shaped by a `Markup`.

Page templates (fixtures/parts/) call them as ``ui.control(...)``, ``ui.field(...)``…; every
behaviour (submitting, opening a dialog, a menu) is a ``data-`` attribute that the pages'
one script (fixtures/parts/runtime.js) handles, so that a page updated in place keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from markupsafe import Markup as Html
from markupsafe import escape

from .._core.text import fold
from ._markup import Markup

__all__ = ["Parts"]

T = TypeVar("T")

_ICONS = {"Synchronisation active": "✓", "Connexion active": "✓"}


def _attrs(pairs: dict[str, str | None]) -> str:
    return "".join(
        f" {name}" if value == "" else f' {name}="{escape(value)}"'
        for name, value in pairs.items()
        if value is not None
    )


class Parts:
    """The widgets of one site, as one markup draws them."""

    def __init__(
        self, markup: Markup, site: str, renamed: Mapping[str, str] | None = None
    ) -> None:
        self.m = markup
        self.site = site
        self._renamed = {fold(old): new for old, new in (renamed or {}).items()}
        """The scenario's `changed_labels`, applied to words before they are drawn (so that
        split or uppercased labels change too)."""
        self.kind = getattr(markup, f"{site}_control", "div")
        self._counter = 0

    # Words ---------------------------------------------------------------------------

    def c(self, suffix: str) -> str:
        """A class name: GWT-style generated on Linxo (a new prefix per seed), plain elsewhere."""
        return f"{self.m.class_prefix}{suffix}" if self.site == "linxo" else f"sb-{suffix}"

    def uid(self, stem: str = "uid") -> str:
        self._counter += 1
        return f"gwt-uid-{self._counter}" if self.site == "linxo" else f"{stem}-{self._counter}"

    def w(self, text: str) -> Html:
        """A text of the page, with this markup's apostrophe."""
        return escape(self.m.word(self._renamed.get(fold(text), text)))

    def label(self, text: str, *, icon: str = "") -> Html:
        """The visible text of a control: plain, after an icon, split in spans, or uppercased."""
        word = self.m.word(self._renamed.get(fold(text), text))
        style = self.m.control_text
        if style == "icon":
            return Html('<i class="sb-icon sb-icon-{}" aria-hidden="true"></i> {}').format(
                icon or "arrow", word
            )
        if style == "spans" and len(word) > 3:
            cut = len(word) // 2
            return Html("<span>{}</span><span>{}</span>").format(word[:cut], word[cut:])
        if style == "uppercase":
            return Html('<span class="sb-upper">{}</span>').format(word.lower())
        return escape(word)

    # Controls ------------------------------------------------------------------------

    def control(
        self,
        text: str,
        *,
        submit: bool = False,
        href: str | None = None,
        open: str | None = None,
        close: bool = False,
        toggle: str | None = None,
        new_tab: bool = False,
        primary: bool = True,
        kind: str | None = None,
        extra: dict[str, str | None] | None = None,
    ) -> Html:
        """A control showing ``text`` that submits its form, follows ``href``, opens a dialog
        (``open``: its id), closes the dialog it is in, or shows/hides ``toggle`` (an id)."""
        kind = kind or self.kind
        behaviour: dict[str, str | None] = {
            "data-open": open,
            "data-close": "" if close else None,
            "data-toggle": toggle,
            **(extra or {}),
        }
        css = self.c("button") + ("" if primary else " " + self.c("secondary"))
        if kind in ("button", "a_role_button", "div_role_button") and toggle:
            behaviour["aria-expanded"] = "false"
        native_submit = submit and kind in ("button", "input")
        if submit and not native_submit:
            behaviour["data-submit"] = ""
        if href is not None and kind not in ("link", "a_role_button"):
            behaviour["data-href"] = href
            if new_tab:
                behaviour["data-new-tab"] = ""
        label = self.label(text)
        if kind == "button":
            kind_type = "submit" if submit else "button"
            return Html("<button type={}{}>{}</button>").format(
                kind_type, Html(_attrs({"class": css, **behaviour})), label
            )
        if kind == "input":
            return Html("<input{}>").format(
                Html(
                    _attrs(
                        {
                            "type": "submit" if submit else "button",
                            "class": css,
                            "value": self.m.word(text),
                            **behaviour,
                        }
                    )
                )
            )
        if kind in ("link", "a_role_button"):
            target = {"target": "_blank", "rel": "noopener"} if new_tab and href else {}
            role = {"role": "button"} if kind == "a_role_button" else {}
            return Html("<a{}>{}</a>").format(
                Html(_attrs({**role, "href": href or "#", "class": css, **target, **behaviour})),
                label,
            )
        role = {"role": "button", "tabindex": "0"} if kind == "div_role_button" else {}
        return Html("<div{}>{}</div>").format(
            Html(_attrs({**role, "class": css, **behaviour})), label
        )

    def form(self, action: str, *, extra: str = "") -> Html:
        """The opening tag of a form whose outcome is a reload or an in-place update."""
        inplace = " data-inplace" if self.m.outcome == "in_place" else ""
        return Html('<form method="post" action="{}"{}{}>').format(
            action, Html(inplace), Html(extra)
        )

    # Fields --------------------------------------------------------------------------

    def field(
        self,
        name: str,
        label: str,
        *,
        type: str = "text",
        autocomplete: str | None = None,
        value: str | None = None,
        extra: dict[str, str | None] | None = None,
    ) -> Html:
        """A labelled input: ``<label for>``, a wrapping label, aria-label, aria-labelledby, or a
        placeholder only."""
        ident = self.uid(name)
        attrs = {
            "class": self.c("input"),
            "type": type,
            "name": name,
            "autocomplete": autocomplete,
            "value": value,
            **(extra or {}),
        }
        text = self.m.word(label)
        style = self.m.fields
        if style == "label_for":
            return Html('<label class="{}" for="{}">{}</label><input{}>').format(
                self.c("label"), ident, text, Html(_attrs({"id": ident, **attrs}))
            )
        if style == "label_wrap":
            return Html('<label class="{}">{}<input{}></label>').format(
                self.c("label"), text, Html(_attrs(attrs))
            )
        if style == "aria_label":
            return Html('<div class="{}">{}</div><input{}>').format(
                self.c("label"), text, Html(_attrs({"aria-label": text, **attrs}))
            )
        if style == "aria_labelledby":
            return Html('<div class="{}" id="{}-l">{}</div><input{}>').format(
                self.c("label"),
                ident,
                text,
                Html(_attrs({"aria-labelledby": f"{ident}-l", **attrs})),
            )
        return Html("<input{}>").format(Html(_attrs({"placeholder": text, **attrs})))

    # Messages ------------------------------------------------------------------------

    def message(self, text: str | None, *, error: bool = False, role: str | None = None) -> Html:
        """A confirmation (a toast in some markups) or an error (which stays)."""
        if not text:
            return Html("")
        role = role or self.m.message_role
        attrs: dict[str, str | None] = {
            "class": self.c("error" if error else "notice"),
            "role": role if role in ("status", "alert") else None,
            "aria-live": "polite" if role == "live" else None,
            "data-toast": "" if self.m.toasts and not error else None,
        }
        return Html("<div{}>{}</div>").format(Html(_attrs(attrs)), self.m.word(text))

    def notice(self, key: str | None) -> str | None:
        """The confirmation AssoConnect shows after a form (``ok=`` of the page it goes on to)."""
        return {"enregistre": self.m.notice_saved, "synchro": self.m.notice_sync}.get(key or "")

    def status(self, account_id: str, text: str) -> Html:
        """An AssoConnect account's status, with or without an icon; updated in place by polls."""
        icon = _ICONS.get(text, "⚠") if self.m.status_icons else ""
        running = text.startswith("Synchronisation en cours")
        tone = "ok" if icon == "✓" or text in _ICONS else ("wait" if running else "ko")
        return Html('<span class="sb-status sb-{}" data-status-of="{}"{}>{}{}</span>').format(
            tone,
            account_id,
            Html(' data-running=""') if running else "",
            Html('<span data-icon aria-hidden="true">{} </span>').format(icon) if icon else "",
            Html("<span data-text>{}</span>").format(text),
        )

    # Blocks --------------------------------------------------------------------------

    def order(self, items: Sequence[T]) -> list[T]:
        return list(reversed(items)) if self.m.reverse else list(items)

    def list_open(self, css: str = "") -> Html:
        tag = {"table": "table", "list": "ul"}.get(self.m.blocks, "div")
        inner = "<tbody>" if tag == "table" else ""
        return Html('<{} class="{} {}">{}').format(tag, self.c("blocks"), css, Html(inner))

    def list_close(self) -> Html:
        return Html({"table": "</tbody></table>", "list": "</ul>"}.get(self.m.blocks, "</div>"))

    def block_open(
        self, name: str, ident: str, *, href: str | None = None, current: bool = False
    ) -> Html:
        """The start of a block (a connection, an account) and its name."""
        kind = self.m.blocks
        tag = {"table": "tr", "list": "li", "cards": "div", "sections": "section"}[kind]
        name_id = f"{ident}-name"
        attrs: dict[str, str | None] = {
            "class": self.c("block") + (" " + self.c("current") if current else ""),
            "data-block": ident,
        }
        if self.m.block_roles:
            if tag in ("div", "section"):
                attrs["role"] = "group" if tag == "div" else "region"
            attrs["aria-labelledby"] = name_id
        shown: Html = escape(name)
        if href is not None:
            shown = Html('<a href="{}"{}>{}</a>').format(
                href, Html(' aria-current="true"') if current else "", name
            )
        element = (
            "h3"
            if kind == "sections" or self.m.block_name == "heading"
            else ("strong" if self.m.block_name == "strong" else "span")
        )
        cell = "<td>" if tag == "tr" else ""
        return Html('<{}{}>{}<{} class="{}" id="{}">{}</{}>').format(
            tag, Html(_attrs(attrs)), Html(cell), element, self.c("name"), name_id, shown, element
        )

    def block_close(self) -> Html:
        tag = {"table": "tr", "list": "li", "cards": "div", "sections": "section"}[self.m.blocks]
        return Html("</td></tr>" if tag == "tr" else f"</{tag}>")

    # Dialogs -------------------------------------------------------------------------

    def dialog_open(self, ident: str, title: str, *, shown: bool = False) -> Html:
        """The start of a modal dialog named ``title`` (see `dialog_close`): built at click time
        (a ``<template>`` cloned by the page's script), present and hidden, or ``shown`` at once."""
        kind = self.m.dialog
        later = self.m.dialog_created == "click" and not shown
        head = Html('<template id="tpl-{}">').format(ident) if later else Html("")
        hidden = Html("" if later or shown else " hidden")
        glass = Html('<div class="{}" id="{}-glass"{}></div>').format(
            self.c("glass"), ident, hidden
        )
        common = Html('class="{}" id="{}" data-dialog').format(self.c("dialog"), ident)
        if kind == "dialog":
            glass = Html("")
            tag = Html('<dialog {} aria-labelledby="{}-t"{}>').format(
                common, ident, Html(" data-modal") if shown else ""
            )
        elif kind in ("role_dialog", "role_alertdialog"):
            role = "dialog" if kind == "role_dialog" else "alertdialog"
            tag = Html('<div {} role="{}" aria-modal="true" aria-labelledby="{}-t"{}>').format(
                common, role, ident, hidden
            )
        else:
            tag = Html("<div {}{}>").format(common, hidden)
        return Html('{}{}{}<div class="{}" id="{}-t">{}</div>').format(
            head, glass, tag, self.c("caption"), ident, self.m.word(title)
        )

    def dialog_close(self, *, shown: bool = False) -> Html:
        end = "</dialog>" if self.m.dialog == "dialog" else "</div>"
        later = self.m.dialog_created == "click" and not shown
        return Html(end + ("</template>" if later else ""))

    # Gear and menus ------------------------------------------------------------------

    def gear(self, menu_id: str) -> Html:
        """Linxo's settings gear: an icon named « Paramètres » one way or another."""
        how = self.m.gear_name
        name = {
            "aria_label": Html('<span aria-hidden="true">⚙</span>'),
            "title": Html('<span aria-hidden="true">⚙</span>'),
            "hidden_text": Html(
                '<span aria-hidden="true">⚙</span><span class="sb-sr">Paramètres</span>'
            ),
            "visible_text": Html('<span aria-hidden="true">⚙</span> Paramètres'),
        }[how]
        named: dict[str, str | None] = {
            "aria-label": "Paramètres" if how == "aria_label" else None,
            "title": "Paramètres" if how in ("aria_label", "title") else None,
        }
        if self.m.menu == "details":
            return Html('<summary class="{}"{}>{}</summary>').format(
                self.c("gear"), Html(_attrs(named)), name
            )
        kind = self.kind if self.kind != "input" else "button"
        aria: dict[str, str | None] = {}
        if kind in ("button", "a_role_button", "div_role_button"):
            aria["aria-expanded"] = "false"
            if self.m.menu == "menu":
                aria["aria-haspopup"] = "menu"
        attrs = {"class": self.c("gear"), "data-toggle": menu_id, **named, **aria}
        if kind == "button":
            return Html('<button type="button"{}>{}</button>').format(Html(_attrs(attrs)), name)
        if kind in ("link", "a_role_button"):
            role = {"role": "button"} if kind == "a_role_button" else {}
            return Html('<a href="#"{}>{}</a>').format(Html(_attrs({**role, **attrs})), name)
        role = {"role": "button", "tabindex": "0"} if kind == "div_role_button" else {}
        return Html("<div{}>{}</div>").format(Html(_attrs({**role, **attrs})), name)

    def menu_items(self, menu_id: str, items: Sequence[tuple[str, str]]) -> Html:
        """The gear's entries: links, or ``menuitem``s of a ``role=menu``."""
        is_menu = self.m.menu == "menu"
        links = Html("").join(
            Html('<a href="{}"{}>{}</a>').format(
                href, Html(' role="menuitem"') if is_menu else "", text
            )
            for text, href in items
        )
        if self.m.menu == "details":
            return Html('<div class="{}">{}</div>').format(self.c("menu"), links)
        hidden = "" if self.m.menu == "hover" else " hidden"
        role = ' role="menu"' if is_menu else ""
        return Html('<div class="{}" id="{}"{}{}>{}</div>').format(
            self.c("menu"), menu_id, Html(role), Html(hidden), links
        )

    @property
    def healthy_control(self) -> str:
        """What a healthy Linxo connection offers: « M’authentifier », « Gérer », or nothing."""
        if not self.m.healthy_without_authenticate:
            return "authenticate"
        return "manage" if self.m.healthy_control == "manage" else "none"
