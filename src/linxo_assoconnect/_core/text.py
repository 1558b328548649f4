"""French text as the sites show it: names matched loosely, amounts and dates parsed strictly."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from .errors import AccountNotFound

__all__ = [
    "PARIS",
    "euros",
    "fold",
    "label_regex",
    "linked_to",
    "match_name",
    "parse_amount",
    "parse_french_datetime",
    "parse_linxo_update",
    "shown_at",
]

PARIS = ZoneInfo("Europe/Paris")

APOSTROPHES = "'’‘ʼ`´"
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
_MINUS_SIGNS = "-−–"


def fold(text: str) -> str:
    """Fold case, accents, apostrophe style and whitespace (no-break spaces too) away."""
    text = _APOSTROPHE_RE.sub("'", text)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _char_class(char: str) -> str:
    if char in APOSTROPHES:
        return f"[{APOSTROPHES}]"
    if char.isspace():
        return r"\s+"
    base = fold(char)
    if len(base) == 1 and base.isalpha():
        # Any accented form of the letter: « e » also matches « é », « è », « ê », « ë ».
        forms = dict.fromkeys(base + _ACCENTED.get(base, "") + char.lower())
        return f"[{''.join(forms)}]" if len(forms) > 1 else base
    if base != char.casefold():  # a letter that folds to several (« ß » → « ss »)
        return f"(?:{re.escape(char)}|{re.escape(base)})"
    return re.escape(char)


_ACCENTED = {
    "a": "àâäá",
    "c": "ç",
    "e": "éèêë",
    "i": "îïí",
    "o": "ôöó",
    "u": "ùûüú",
    "y": "ÿ",
}


def label_regex(text: str, *, exact: bool = False) -> re.Pattern[str]:
    """A pattern for a visible label, whatever its case, accents, apostrophes or spacing.

    ``label_regex("M'authentifier")`` matches « M’authentifier », « M'AUTHENTIFIER »…
    """
    body = "".join(_char_class(c) for c in " ".join(text.split()))
    if exact:
        body = rf"^\s*{body}\s*$"
    return re.compile(body, re.IGNORECASE)


_FEMININE = {"association", "banque"}


def match_name(wanted: str, choices: Iterable[str], *, what: str = "compte") -> str:
    """The one choice that names ``wanted``: an exact folded match, else a unique partial one.

    Raises `AccountNotFound` listing the choices when none or several match.
    """
    options = list(choices)
    key = fold(wanted)
    exact = [c for c in options if fold(c) == key]
    if len(exact) == 1:
        return exact[0]
    partial = [c for c in options if key and key in fold(c)]
    if len(partial) == 1:
        return partial[0]
    listed = ", ".join(f"« {c} »" for c in options) or "aucun"
    if partial:
        found = ", ".join(f"« {c} »" for c in partial)
        message = f"Plusieurs {what}s correspondent à « {wanted} » : {found}. Précisez le nom."
    else:
        none = "Aucune" if what in _FEMININE else "Aucun"
        message = f"{none} {what} ne correspond à « {wanted} ». Choix possibles : {listed}."
    raise AccountNotFound(message, wanted=wanted, choices=options)


_AMOUNT_RE = re.compile(
    # Not glued to a word or a number before it: « 06h33 100,00 € » is 100, not 33 100.
    rf"(?P<sign>[{_MINUS_SIGNS}+])?[ ]*(?<![\w.,])(?P<int>\d{{1,3}}(?:[ .]\d{{3}})+|\d+)"
    r"(?:,(?P<dec>\d+))?"
    r"\s*(?:€|EUR\b)"
)


def parse_amount(text: str) -> Decimal | None:
    """The first amount in euros: « 1 234,56 € », « -67 € », « 1.234,56 EUR » → Decimal.

    None when the text shows no amount in euros (a number without a currency is not one).
    """
    cleaned = unicodedata.normalize("NFKC", text).replace("\u202f", " ").replace("\xa0", " ")
    found = _AMOUNT_RE.search(cleaned)
    if found is None:
        return None
    digits = re.sub(r"[ .]", "", found["int"])
    number = f"{digits}.{found['dec']}" if found["dec"] else digits
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return None
    return -amount if found["sign"] and found["sign"] in _MINUS_SIGNS else amount


_LINXO_UPDATE_RE = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{2,4}),?\s*(?P<H>\d{1,2})\s*h\s*(?P<M>\d{2})"
)
_FRENCH_DATETIME_RE = re.compile(
    r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?:\s*(?:à\s*)?(?P<H>\d{1,2})[:h](?P<M>\d{2}))?"
)


def _aware(match: re.Match[str]) -> datetime | None:
    year = int(match["y"])
    if year < 100:
        year += 2000
    try:
        return datetime(
            year,
            int(match["m"]),
            int(match["d"]),
            int(match["H"] or 0),
            int(match["M"] or 0),
            tzinfo=PARIS,
        )
    except ValueError:
        return None


def parse_linxo_update(text: str) -> datetime | None:
    """« Mise à jour: 28.01.24, 06h33 » → 2024-01-28 06:33 Europe/Paris; None if absent."""
    found = _LINXO_UPDATE_RE.search(text)
    return _aware(found) if found else None


def parse_french_datetime(text: str) -> datetime | None:
    """« 29/05/2026 à 05:58 » (or a date alone) → an aware datetime; None if absent."""
    found = _FRENCH_DATETIME_RE.search(text)
    return _aware(found) if found else None


def linked_to(links: Mapping[str, str], account: str) -> str | None:
    """The Linxo account ``links`` names for ``account`` (its name ignoring case, accents,
    spaces and apostrophe style)."""
    return next((target for name, target in links.items() if fold(name) == fold(account)), None)


def euros(amount: Decimal) -> str:
    """« 6 249,56 € », as the command line prints a balance."""
    whole, cents = f"{amount:,.2f}".split(".")
    return f"{whole.replace(',', ' ')},{cents} €"


def shown_at(moment: datetime | None) -> str:
    """« 28/11/2026 09:30 », or « ? » when unknown."""
    return moment.strftime("%d/%m/%Y %H:%M") if moment else "?"
