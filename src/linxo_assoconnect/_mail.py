"""AssoConnect's « Import avec Linxo » alert e-mails: which associations need a restore.

The alerts are read from saved ``.eml`` files or, read-only, from an IMAP mailbox over TLS.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import email
import email.policy
import imaplib
import re
import socket
import ssl
from collections.abc import Iterable, Sequence
from email.message import EmailMessage, Message
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from pydantic import AwareDatetime, BaseModel, ConfigDict, SecretStr

from ._errors import ConfigurationError
from ._secrets import logger, remember
from ._text import PARIS, fold, label_regex

__all__ = ["MailAlert", "alerts_from_files", "alerts_from_imap"]

_SUBJECT = "Import avec Linxo"
_SUBJECT_KEY = fold(_SUBJECT).replace(" ", "")
# Headers that any saved e-mail has at least one of.
_MAIL_HEADERS = ("from", "to", "subject", "date", "message-id", "received", "mime-version")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# « … pour votre association <NOM>. » — the name runs to the end of the sentence: a period
# followed by a space or the end (not the last period of « A.S. »), the end of
# the line, or the « Rétablir la connexion » button that follows it.
_INTRO_RE = label_regex("pour votre association")
_NAME_RE = re.compile(
    r"\s*:?\s*(?P<name>.+?)\s*"
    r"(?:(?<!\.[^\W\d_])[.!?…](?=\s|$)|\s" + label_regex("Rétablir").pattern + r"|$)",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"[a-z][a-z0-9+.-]*://|www\.", re.IGNORECASE)
_QUOTES = "«»\"“”„'‘’`"
_TRAILING = ".,;:!?…" + _QUOTES
_LONGEST_NAME = 200


class MailAlert(BaseModel):
    """One association whose Linxo connection AssoConnect reported broken."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    association: str
    """The association's name as the e-mail writes it (whitespace normalised)."""
    received_at: AwareDatetime | None
    """When the e-mail was sent (its Date header), in Europe/Paris time; None if it has none."""
    source: str
    """Where the e-mail was read: a ``.eml`` path or ``imap://host/FOLDER;UID=n``."""


class _NotAnEmail(Exception):
    """The bytes are not an e-mail at all."""


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------------------------
# Parsing one message


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


def _bodies(message: EmailMessage) -> Iterable[str]:
    """The message's text bodies, text/plain first, then text/html as text."""
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is None:
            continue
        text = _text_of(part)
        yield _html_to_text(text) if kind == "html" else text


def _lines(text: str) -> list[str]:
    """Logical lines: soft breaks undone, so that a name wrapped onto the next line stays whole.

    A line ending with a space (format=flowed) goes on with the next one, and so does a line
    followed by one starting in lower case (« Comité des » / « fêtes Exemple »).
    """
    lines: list[str] = []
    joined = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _one_line(raw)
        goes_on = line[:1].islower() and not _URL_RE.match(line)  # not a link on its own line
        if lines and line and (joined or (goes_on and lines[-1][-1:] not in ".!?…")):
            lines[-1] = f"{lines[-1]} {line}"
        elif line:
            lines.append(line)
        joined = bool(line) and raw.endswith(" ") and raw != "-- "
    return lines


def _association_in(text: str) -> str | None:
    """The name following « pour votre association » in ``text``, or None."""
    for line in _lines(text):
        intro = _INTRO_RE.search(line)
        if intro is None:
            continue
        found = _NAME_RE.match(line, intro.end())
        if found is None:
            continue
        name = found["name"]
        while name and (name[0] in _QUOTES or name[-1] in _TRAILING):
            name = name.strip(_QUOTES).rstrip(_TRAILING).strip()
        if name and len(name) <= _LONGEST_NAME:
            return name
    return None


def _received_at(message: EmailMessage) -> dt.datetime | None:
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


def _subject(message: EmailMessage) -> str:
    try:
        return str(message["Subject"] or "")
    except (ValueError, TypeError, IndexError):
        return ""


def _parse(data: bytes, source: str) -> MailAlert | None:
    """The alert in ``data``; None if it is another e-mail. Raises `_NotAnEmail`."""
    if not data.strip():
        raise _NotAnEmail("fichier vide")
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not any(
        key.lower() in _MAIL_HEADERS for key in message
    ):
        raise _NotAnEmail("aucun en-tête de courriel")
    if fold(_subject(message)).replace(" ", "") != _SUBJECT_KEY:
        logger.debug("Courriel ignoré (autre sujet) : %s", source)
        return None
    for body in _bodies(message):
        name = _association_in(body)
        if name is not None:
            return MailAlert(association=name, received_at=_received_at(message), source=source)
    logger.debug("Courriel ignoré (aucun nom d’association) : %s", source)
    return None


def _latest_per_association(alerts: Iterable[MailAlert]) -> list[MailAlert]:
    """One alert per association (the most recent one), sorted by name."""
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    kept: dict[str, MailAlert] = {}
    for alert in alerts:
        key = fold(alert.association)
        current = kept.get(key)
        if current is None or (alert.received_at or oldest) > (current.received_at or oldest):
            kept[key] = alert
    return sorted(kept.values(), key=lambda a: (fold(a.association), a.association))


# ------------------------------------------------------------------------------------------
# Saved files


def _eml_files(path: Path) -> list[Path]:
    if path.is_dir():
        try:
            return sorted(p for p in path.iterdir() if p.suffix.lower() == ".eml" and p.is_file())
        except OSError as exc:
            reason = _one_line(exc.strerror or str(exc))
            raise ConfigurationError(f"Dossier de courriels illisible : {path} ({reason})") from exc
    if not path.exists():
        raise ConfigurationError(f"Courriel illisible : {path} (aucun fichier à ce chemin)")
    return [path]


def alerts_from_files(paths: Iterable[str | Path]) -> list[MailAlert]:
    """The associations to restore, from saved ``.eml`` files or folders of them.

    A folder stands for its ``*.eml`` files. E-mails other than « Import avec Linxo » alerts
    are skipped. Keeps the most recent alert per association; sorted by name. Raises
    `ConfigurationError` for a path that is missing, unreadable or not an e-mail.
    """
    alerts: list[MailAlert] = []
    for given in paths:
        for file in _eml_files(Path(given)):
            try:
                data = file.read_bytes()
            except OSError as exc:
                reason = _one_line(exc.strerror or str(exc))
                raise ConfigurationError(f"Courriel illisible : {file} ({reason})") from exc
            try:
                alert = _parse(data, str(file))
            except _NotAnEmail as exc:
                raise ConfigurationError(
                    f"Courriel illisible : {file} (ce n’est pas un courriel : {exc})"
                ) from None
            if alert is not None:
                alerts.append(alert)
    return _latest_per_association(alerts)


# ------------------------------------------------------------------------------------------
# IMAP, read-only


def _imap_utf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3): « Trésorerie » → Tr&AOk-sorerie."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _imap_date(day: dt.date) -> str:
    return f"{day.day}-{_MONTHS[day.month - 1]}-{day.year}"


def _server_text(exc: BaseException) -> str:
    parts = [a.decode("utf-8", "replace") if isinstance(a, bytes) else str(a) for a in exc.args]
    return _one_line(" ".join(parts)) or type(exc).__name__


def _network_reason(exc: BaseException, timeout: float) -> str:
    reason = _server_text(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = f"certificat TLS refusé : {_one_line(exc.verify_message or reason)}"
    elif isinstance(exc, ssl.SSLError):
        reason = f"échec de la connexion TLS : {_one_line(exc.reason or reason)}"
    elif isinstance(exc, TimeoutError):
        reason = f"aucune réponse en {timeout:g} s"
    elif isinstance(exc, ConnectionRefusedError):
        reason = "connexion refusée (rien n’écoute sur ce port)"
    elif isinstance(exc, socket.gaierror):
        reason = "serveur introuvable"
    elif isinstance(exc, imaplib.IMAP4.abort | EOFError):
        reason = f"connexion interrompue : {reason}"
    elif isinstance(exc, OSError):
        reason = _one_line(exc.strerror or reason)
    return reason


def _response_text(data: Sequence[object]) -> str:
    return _one_line(" ".join(d.decode("utf-8", "replace") for d in data if isinstance(d, bytes)))


def _check(typ: str, data: Sequence[object], what: str) -> None:
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{what} : {typ} {_response_text(data)}".strip())


class _Mailbox:
    """One read-only IMAP session: only EXAMINE, SEARCH and FETCH BODY.PEEK[]."""

    def __init__(self, client: imaplib.IMAP4_SSL, where: str, url: str) -> None:
        self.client = client
        self.where = where
        self.url = url

    def login(self, username: str, password: str) -> None:
        try:
            self.client.login(_quoted(username), password)
        except UnicodeEncodeError:
            raise ConfigurationError(
                f"La boîte {self.where} : l’identifiant et le mot de passe doivent s’écrire "
                "en ASCII pour une connexion IMAP (LOGIN)."
            ) from None
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error as exc:
            raise ConfigurationError(
                f"La boîte {self.where} refuse l’identifiant ou le mot de passe "
                f"({_server_text(exc)})."
            ) from None

    def examine(self, folder: str) -> None:
        typ, data = self.client.select(_quoted(_imap_utf7(folder)), readonly=True)
        if typ != "OK":
            raise ConfigurationError(
                f"Le dossier « {folder} » est introuvable dans la boîte {self.where} "
                f"({_response_text(data)})."
            )

    def search(self, since: dt.date | None) -> list[str]:
        criteria = ["SUBJECT", _quoted(_SUBJECT)]
        if since is not None:
            criteria += ["SINCE", _imap_date(since)]
        typ, data = self.client.uid("SEARCH", *criteria)
        _check(typ, data, "SEARCH")
        return [uid for d in data if isinstance(d, bytes) for uid in d.decode().split()]

    def alert(self, uid: str) -> MailAlert | None:
        typ, data = self.client.uid("FETCH", uid, "(BODY.PEEK[])")
        _check(typ, data, "FETCH")
        raw = next((i[1] for i in data if isinstance(i, tuple) and isinstance(i[1], bytes)), None)
        if raw is None:  # deleted meanwhile by another client
            return None
        source = f"{self.url};UID={uid}"
        try:
            return _parse(raw, source)
        except _NotAnEmail:
            logger.debug("Courriel ignoré (illisible) : %s", source)
            return None


def alerts_from_imap(
    *,
    host: str,
    username: str,
    password: SecretStr,
    port: int = 993,
    folder: str = "INBOX",
    since: dt.date | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> list[MailAlert]:
    """The associations to restore, from the alerts in an IMAP folder (over TLS, read-only).

    Opens ``folder`` with EXAMINE and reads with ``BODY.PEEK[]``: nothing is marked read,
    moved or deleted. ``since`` keeps the e-mails received that day or later. Raises
    `ConfigurationError` when the server cannot be reached, refuses the login or has no
    such folder.
    """
    remember(password.get_secret_value())
    context = ssl_context if ssl_context is not None else ssl.create_default_context()
    where = f"{host}:{port}"
    url_host = f"[{host}]" if ":" in host else host
    url = f"imap://{url_host}{'' if port == 993 else f':{port}'}/{quote(folder, safe='/')}"
    try:
        client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
    except (OSError, EOFError, imaplib.IMAP4.error) as exc:
        reason = _network_reason(exc, timeout)
        raise ConfigurationError(f"Impossible de joindre la boîte {where} : {reason}.") from None
    mailbox = _Mailbox(client, where, url)
    try:
        mailbox.login(username, password.get_secret_value())
        mailbox.examine(folder)
        alerts = [alert for uid in mailbox.search(since) if (alert := mailbox.alert(uid))]
    except ConfigurationError:
        raise
    except (OSError, EOFError, imaplib.IMAP4.error) as exc:
        reason = _network_reason(exc, timeout)
        raise ConfigurationError(f"Échec de la lecture de la boîte {where} : {reason}.") from None
    finally:
        with contextlib.suppress(OSError, EOFError, imaplib.IMAP4.error):
            client.logout()
    return _latest_per_association(alerts)
