"""Personal data out of captured pages: consistent fake values, and a check that none survived.

A `Scrubber` replaces, in text, attributes, addresses and HAR files alike:

- the values it was told are private (an association's name, a person's), and every value a
  person typed in a field during the capture (passwords are never read);
- IBANs, e-mail addresses, telephone numbers, tokens (long random strings, CSRF values,
  cookies), account numbers (runs of 7 digits or more), amounts in euros, dates of birth (full
  dates more than 15 years old);
- names: a capitalised or upper-case word that is neither an interface word (`VOCABULARY`)
  nor written in lower case anywhere in the captured pages is taken for a proper noun.

The same original always becomes the same fake in the whole set, so that the pages still agree
with each other (the account linked on AssoConnect is the one Linxo lists). The mapping itself
is kept in memory only. `leaks` is the last check before a file is written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from .._core.text import fold, label_regex

__all__ = ["VOCABULARY", "Scrubber", "leaks"]

_IBAN = r"\b[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,3})?\b"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_TOKEN = r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}(?![\w-])"  # noqa: S105
_PHONE = r"(?<!\d)(?:\+33[ .]?|0)[1-9](?:[ .]?\d{2}){4}(?!\d)"
_DIGITS = r"(?<![\d,])\d{7,}(?!\d)"
_AMOUNT = (
    r"(?P<sign>[-−–+]\s?)?(?P<int>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)"
    r"(?P<dec>,\d{2})?(?P<space>[ \u00a0\u202f]?)(?P<cur>€|EUR\b)"
)
_MONTHS = "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre"  # noqa: E501
_DATE = rf"\b\d{{1,2}}(?:[/.-]\d{{1,2}}[/.-]|\s(?:{_MONTHS})\s)(?P<year>(?:19|20)\d{{2}})\b"
_WORD = r"(?<![\w’'-])[A-ZÀ-ÖØ-Þ][\w’'-]*"

_PATTERNS = re.compile(
    "|".join(
        f"(?P<{kind}>{pattern})"
        for kind, pattern in (
            ("iban", _IBAN),
            ("email", _EMAIL),
            ("token", _TOKEN),
            ("phone", _PHONE),
            ("amount", _AMOUNT),
            ("date", _DATE),
            ("digits", _DIGITS),
        )
    ),
    re.IGNORECASE,
)
_UUID = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE)
_FAKE_IBAN = re.compile(r"\b[A-Z]{2}00(?:[ \u00a0]?0000){5}[ \u00a0]?\d{3}\b")
_FAKE_DOMAINS = ("example.org", "example.com", "example.net")

# Words of the sites' interfaces (and the tutorial's), kept as they are even when capitalised.
_INTERFACE_WORDS = """
    A À Accueil Accès Actif Active Activer Actualiser Adresse Afficher Aide Ajouter Alerte
    Alertes Annuler Application Appliquer Après Association Associations Associé Associer
    Attention Au Aucun Aucune Aujourd’hui Authentification Authentifier Autoriser Autre Autres
    Avant Avec Banque Banques BIC Bienvenue Bonjour Budget Bouton CB CGU Carte Catégorie
    Catégories Ce Cette Changer Chargement Choisir Client Code Comment Compte Comptes
    Comptabilité Conditions Confidentialité Confirmer Confirmation Connecte Connecter Connexion
    Connexions Consentement Contact Contacts Continuer Coopératif Courant Crédit Créer
    Cotisations C’est DSP2 Dans Date Débit Déconnecter Déconnexion Dernier Dernière Des Détail
    Détails Données Du E-mail EUR Effacer En Enregistrer Entrée Envoyer Erreur Espace Et Euros
    Exemple Exporter FAQ Fermer Filtrer Forcer Gérer Historique Hist IBAN Ici Identifiant
    Identifiants Il Import Importer Imports Informations Introuvable Je Jour Journal La Lancer
    Le Les Linxo LinxoConnect AssoConnect Springly Livret Lire Mai Menu Merci Mes Mise Mode
    Modifier Mon Montant Mot Mots Moyen M’authentifier M’identifier Ne Non Notifications Nous
    Nouveau Nouvelle Numéro OK Opération Opérations Options Ou Oui Page Paramètres Par Parts Pas
    Passe Payer Personnel Plus Politique Populaire Pour Précédent Profil Programme PSD2 Quitter
    Rapprochement Rechercher Recevoir Recettes Réessayer Réessayez Relancer Rembourser Renvoyer
    Retour Revenir Sauvegarder Se Sécurisée Sécurité Sélection Sélectionner Services Sociales
    SMS Solde Statut Suivant Supprimer Titulaire Connect Accounts Adhésions Communauté Site
    Bilan Saisie Besoin Si Gestion Membres Événements Dons Boutique Documents Facturation
    Comptabilité Banque Remboursements Sur Synchronisation Synchronisations Synchronisé
    Synchroniser Tableau Télécharger Téléphone Tél Tous Toutes Transactions Trésorerie Type Un Une
    Utilisateur Valider Validez Vérification Vérifier Voir Votre Vos Vous
"""
VOCABULARY = frozenset(fold(word) for word in _INTERFACE_WORDS.split())


def looks_random(value: str) -> bool:
    """A session id, a CSRF value, an API key: long, letters and digits, no words in it.

    « 02-wwws-linxo-com-auth-page » is made of words; « aB3dE-fG7hI_jK9lM0nOpQ2r » is not.
    """
    if _UUID.fullmatch(value):
        return True
    pieces = re.split(r"[-_.]", value)
    longest = max(len(piece) for piece in pieces)
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    mixed_case = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return (longest >= 16 and digits >= 2 and letters >= 2) or (
        longest >= 6 and digits >= 3 and letters >= 6 and mixed_case
    )


def slug(text: str) -> str:
    """« Amicale Laïque » → « amicale-laique »: a name as addresses and file names write it."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


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
        if len(value) < 3 or fold(value) in self._private or _PATTERNS.fullmatch(value):
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
        text = _PATTERNS.sub(" ", re.sub(r"\S*[/@]\S*", " ", text))
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
        text = _PATTERNS.sub(self._pattern, text)
        return re.sub(_WORD, lambda m: self._word(m, text), text)

    def _pattern(self, match: re.Match[str]) -> str:
        replace: Callable[[re.Match[str]], str] = getattr(self, f"_fake_{match.lastgroup}")
        return replace(match)

    def _fake_iban(self, match: re.Match[str]) -> str:
        found = match.group()
        if _FAKE_IBAN.fullmatch(found):
            return found
        country = found[:2].upper()
        return self._fake(
            "iban",
            found.replace(" ", ""),
            lambda n: f"{country}00 0000 0000 0000 0000 0000 {n:03d}",
        )

    def _fake_email(self, match: re.Match[str]) -> str:
        found = match.group()
        if found.lower().endswith(_FAKE_DOMAINS):
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
                (k, self.token(v) if v and _SECRET_NAME.search(k) else self.text(v))
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
            _PATTERNS.sub(self._pattern, self._private_sub(plain)), safe="@:+,;=-._~!$&'()*"
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
                return _PATTERNS.sub(self._pattern, self._private_sub(value))
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


def leaks(text: str) -> list[str]:
    """What in ``text`` still looks like an IBAN, an e-mail address or a token (the kinds, each
    once), fakes aside. Never the value itself: the caller's message must not carry it."""
    found: list[str] = []
    for match in _PATTERNS.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "iban" and not _FAKE_IBAN.fullmatch(value):
            found.append("un IBAN")
        elif kind == "email" and not value.lower().endswith(_FAKE_DOMAINS):
            found.append("une adresse e-mail")
        elif kind == "token" and looks_random(value):
            found.append("un jeton")
    return list(dict.fromkeys(found))


# HTML ------------------------------------------------------------------------------------

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
_SECRET_NAME = re.compile(r"csrf|xsrf|token|nonce|state|session|auth|signature", re.IGNORECASE)
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
        and _SECRET_NAME.search(str(tag.get("name", "")))
    ) or (tag.name == "meta" and _SECRET_NAME.search(str(tag.get("name", ""))))
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

    return _PATTERNS.sub(scrubber._pattern, _CSS_URL.sub(address, css))
