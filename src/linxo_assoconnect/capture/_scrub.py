"""Personal values replaced by consistent fakes in everything one capture writes.

A `Scrubber` replaces, in text, attributes, addresses and HAR files alike:

- the values it was told are private (an association's name, a person's), and every value a
  person typed in a field during the capture (passwords are never read);
- the values `PATTERNS` finds (`_patterns`): IBANs, e-mail addresses, telephone numbers,
  tokens, account numbers, amounts in euros, dates of birth (full dates more than 15 years old);
- names: a capitalised or upper-case word that is neither an interface word (`VOCABULARY`)
  nor written in lower case anywhere in the captured pages is taken for a proper noun.

The same original always becomes the same fake in the whole set, so that the pages still agree
with each other (the account linked on AssoConnect is the one Linxo lists). The mapping itself
is kept in memory only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from .._core.text import fold, label_regex
from ._patterns import (
    FAKE_DOMAINS,
    FAKE_IBAN,
    PATTERNS,
    SECRET_NAME,
    VOCABULARY,
    WORD,
    looks_random,
    slug,
)

__all__ = ["Scrubber"]


class Scrubber:
    """Replaces personal values by consistent fakes in everything one capture writes.

    ``private`` maps values to hide to their replacement (``None``: a made-up one).
    `learn_words` must see every page's text first, so that proper nouns can be told from
    ordinary words.
    """

    def __init__(self, private: Mapping[str, str | None] | None = None) -> None:
        self._fakes: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self._lowercase: set[str] = set()
        self._private: dict[str, str] = {}
        self._private_re = re.compile(r"(?!)")
        self._made: set[str] = set()  # the fakes' own words, never taken for names
        for value, replacement in (private or {}).items():
            self.add_private(value, replacement)

    # What to hide ----------------------------------------------------------------------

    def add_private(self, value: str, replacement: str | None = None) -> None:
        """Hide ``value`` (and its slug in addresses) wherever it appears."""
        value = " ".join(value.split())
        if len(value) < 3 or fold(value) in self._private or PATTERNS.fullmatch(value):
            return  # an e-mail address, an IBAN, a number: its pattern already hides it
        fake = replacement or f"Privé {len(self._private) + 1}"
        self._private[fold(value)] = fake
        self._made.update(fold(word) for word in fake.split())
        self._private_re = re.compile(
            "|".join(sorted((_loose(v) for v in self._private), key=len, reverse=True)),
            re.IGNORECASE,
        )
        self._fakes[("slug", slug(value))] = slug(fake)

    def learn_words(self, text: str) -> None:
        """Remember the words ``text`` writes in lower case: ordinary words, not names.

        Addresses and e-mail addresses are left out: « jeanne.martin@… » is a name.
        """
        text = PATTERNS.sub(" ", re.sub(r"\S*[/@]\S*", " ", text))
        self._lowercase.update(
            fold(w) for w in re.findall(r"(?<![\w’'-])[a-zà-öø-ÿ][\w’'-]*", text)
        )

    # Replacing -------------------------------------------------------------------------

    def token(self, value: str) -> str:
        """The fake standing for a token (a CSRF value, a session id)."""
        return self._fake("token", value, lambda n: f"jeton-fictif-{n:04d}")

    def _fake(self, kind: str, original: str, make: Any) -> str:
        key = (kind, original)
        if key not in self._fakes:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._fakes[key] = make(self._counts[kind])
            self._made.add(fold(self._fakes[key]))
        return self._fakes[key]

    def text(self, text: str) -> str:
        """``text`` with every personal value replaced."""
        if not text or text.isspace():
            return text
        text = self._private_sub(text)
        text = PATTERNS.sub(self._pattern, text)
        return re.sub(WORD, lambda m: self._word(m, text), text)

    def patterns(self, text: str) -> str:
        """``text`` with the values `PATTERNS` finds replaced (not the names, nor the private
        values): for what is not prose, as a style sheet."""
        return PATTERNS.sub(self._pattern, text)

    def _pattern(self, match: re.Match[str]) -> str:
        replace: Callable[[re.Match[str]], str] = getattr(self, f"_fake_{match.lastgroup}")
        return replace(match)

    def _fake_iban(self, match: re.Match[str]) -> str:
        found = match.group()
        if FAKE_IBAN.fullmatch(found):
            return found
        country = found[:2].upper()
        return self._fake(
            "iban",
            found.replace(" ", ""),
            lambda n: f"{country}00 0000 0000 0000 0000 0000 {n:03d}",
        )

    def _fake_email(self, match: re.Match[str]) -> str:
        found = match.group()
        if found.lower().endswith(FAKE_DOMAINS):
            return found
        return self._fake("email", found.lower(), lambda n: f"personne{n}@example.org")

    def _fake_token(self, match: re.Match[str]) -> str:
        return self.token(match.group()) if looks_random(match.group()) else match.group()

    def _fake_phone(self, match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        return self._fake("phone", digits, lambda n: f"01 00 00 00 {n:02d}")

    def _fake_digits(self, match: re.Match[str]) -> str:
        found = match.group()
        return self._fake("digits", found, lambda n: str(n).zfill(len(found)))

    def _fake_date(self, match: re.Match[str]) -> str:
        if int(match.group("year")) > date.today().year - 15:
            return match.group()  # a recent date (an update, an import), not a date of birth
        return self._fake("date", match.group(), lambda n: f"{n % 28 + 1:02d}/01/1970")

    def _fake_amount(self, match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group("int") + (match.group("dec") or ""))
        cents = int(hashlib.sha256(digits.encode()).hexdigest(), 16) % 10_000_00
        whole, rest = divmod(cents, 100)
        separator = next((c for c in match.group("int") if not c.isdigit()), "\u202f")
        grouped = f"{whole:,}".replace(",", separator)
        decimals = f",{rest:02d}" if match.group("dec") else ""
        sign, space, currency = match.group("sign") or "", match.group("space"), match.group("cur")
        return f"{sign}{grouped}{decimals}{space}{currency}"

    def _word(self, match: re.Match[str], text: str) -> str:
        word = match.group()
        folded = fold(word)
        if (
            folded in VOCABULARY
            or folded in self._lowercase
            or len(word) < 2
            or folded in self._made
            or any(c.isdigit() for c in word)
            or _opens_a_sentence(text, match)
        ):
            return word
        fake = self._fake("name", folded, lambda n: f"Nom{_letters(n)}")
        return fake.upper() if word.isupper() else fake

    def url(self, address: str) -> str:
        """An address with its path and query scrubbed (a fragment is kept: it names a view)."""
        if not address or address.startswith(("data:", "blob:", "about:")):
            return "" if address.startswith("data:") else address
        parts = urlsplit(address)
        path = "/".join(self._segment(s) for s in parts.path.split("/"))
        query = urlencode(
            [
                (k, self.token(v) if v and SECRET_NAME.search(k) else self.text(v))
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
            ]
        )
        return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))

    def _segment(self, segment: str) -> str:
        plain = unquote(segment)
        fake = self._fakes.get(("slug", slug(plain)))
        if fake is not None and plain:
            return fake
        return quote(
            PATTERNS.sub(self._pattern, self._private_sub(plain)), safe="@:+,;=-._~!$&'()*"
        )

    def _private_sub(self, text: str) -> str:
        return self._private_re.sub(lambda m: self._private[fold(m.group())], text)

    def har_entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A HAR entry (already masked of cookies and form bodies) without personal values.

        Addresses are scrubbed as in the pages; other values lose the patterns and the private
        values, not capitalised words (« HTTP/1.1 » is no name).
        """

        def walk(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: walk(v) for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v) for v in value]
            if isinstance(value, str):
                if value.startswith(("http://", "https://")):
                    return self.url(value)
                return PATTERNS.sub(self._pattern, self._private_sub(value))
            return value

        scrubbed: dict[str, Any] = walk(entry)
        return scrubbed


def _opens_a_sentence(text: str, match: re.Match[str]) -> bool:
    """« Saisie des écritures », « Si vous avez… »: a capital that only starts a sentence.

    A name on its own ends its phrase or is followed by another capital (« Jeanne Martin »).
    """
    before = text[: match.start()].rstrip()
    after = re.match(r"[\s\u00a0]+([^\W\d_][\w’'-]*)", text[match.end() :])
    starts = not before or before[-1] in '.!?:«»"(—–-'
    return starts and before[-1:] != ":" and after is not None and after.group(1)[0].islower()


def _letters(number: int) -> str:
    """A, B, … Z, AA, AB…: fakes that no digit rule can take for an account number."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _loose(folded: str) -> str:
    """A pattern for a private value written with any accents, apostrophes and spacing."""
    return label_regex(folded).pattern
