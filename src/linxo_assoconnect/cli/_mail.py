"""The e-mails the tool reads: AssoConnect's « Import avec Linxo » alerts (which associations
need a restore) and the code Linxo sends to log in.

The alerts are read from saved ``.eml`` files or, read-only, from an IMAP mailbox over TLS;
the code from that mailbox only.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import ssl
from collections.abc import Iterable
from email.message import EmailMessage
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, SecretStr
from tenacity import Retrying, retry_if_result, stop_after_delay, wait_fixed

from .._core.errors import ConfigurationError
from .._core.secrets import logger
from .._core.text import fold, label_regex
from ._imap import Mailbox, imap_date, open_mailbox, quoted
from ._mail_text import bodies, logical_lines, one_line, received_at, sender_domain, subject

__all__ = ["MailAlert", "alerts_from_files", "alerts_from_imap", "code_in", "linxo_code_from_imap"]

_SUBJECT = "Import avec Linxo"
_SUBJECT_KEY = fold(_SUBJECT).replace(" ", "")
# Headers that any saved e-mail has at least one of.
_MAIL_HEADERS = ("from", "to", "subject", "date", "message-id", "received", "mime-version")

# « … pour votre association <NOM>. » — the name runs to the end of the sentence: a period
# followed by a space or the end (not the last period of « A.S. »), the end of
# the line, or the « Rétablir la connexion » button that follows it.
_INTRO_RE = label_regex("pour votre association")
_NAME_RE = re.compile(
    r"\s*:?\s*(?P<name>.+?)\s*"
    r"(?:(?<!\.[^\W\d_])[.!?…](?=\s|$)|\s" + label_regex("Rétablir").pattern + r"|$)",
    re.IGNORECASE,
)
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


# ------------------------------------------------------------------------------------------
# Parsing one message


def _association_in(text: str) -> str | None:
    """The name following « pour votre association » in ``text``, or None."""
    for line in logical_lines(text):
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


def _parse(data: bytes, source: str) -> MailAlert | None:
    """The alert in ``data``; None if it is another e-mail. Raises `_NotAnEmail`."""
    if not data.strip():
        raise _NotAnEmail("fichier vide")
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not any(
        key.lower() in _MAIL_HEADERS for key in message
    ):
        raise _NotAnEmail("aucun en-tête de courriel")
    if fold(subject(message)).replace(" ", "") != _SUBJECT_KEY:
        logger.debug("Courriel ignoré (autre sujet) : %s", source)
        return None
    for body in bodies(message):
        name = _association_in(body)
        if name is not None:
            return MailAlert(association=name, received_at=received_at(message), source=source)
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
            reason = one_line(exc.strerror or str(exc))
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
                reason = one_line(exc.strerror or str(exc))
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
    criteria = ["SUBJECT", quoted(_SUBJECT)]
    if since is not None:
        criteria += ["SINCE", imap_date(since)]
    alerts = []
    with open_mailbox(
        host=host,
        username=username,
        password=password,
        port=port,
        folder=folder,
        ssl_context=ssl_context,
        timeout=timeout,
    ) as mailbox:
        for uid in mailbox.uids(*criteria):
            fetched = mailbox.fetch(uid)
            if fetched is None:
                continue
            source = f"{mailbox.url};UID={uid}"
            try:
                alert = _parse(fetched[0], source)
            except _NotAnEmail:
                logger.debug("Courriel ignoré (illisible) : %s", source)
                continue
            if alert is not None:
                alerts.append(alert)
    return _latest_per_association(alerts)


# ------------------------------------------------------------------------------------------
# Linxo's login code, read-only from IMAP

# Six digits on their own: Linxo's code (« Votre code de vérification : 482913 »).
_CODE_RE = re.compile(r"(?<![\d\w])(\d{6})(?![\d\w])")
_CODE_WORD_RE = label_regex("code")
POLL_EVERY = 2.0
"""Seconds between two looks into the mailbox while a code is awaited."""


def code_in(message: EmailMessage) -> str | None:
    """The six-digit code of a Linxo e-mail: the first after the word « code » on its line,
    else the only one in the text; None if there is none or the choice is unclear."""
    lines = [line for text in (subject(message), *bodies(message)) for line in logical_lines(text)]
    for line in lines:
        for word in _CODE_WORD_RE.finditer(line):
            after = _CODE_RE.search(line, word.end())
            if after:
                return after[1]
    codes = {code for line in lines for code in _CODE_RE.findall(line)}
    return codes.pop() if len(codes) == 1 else None


def _newest_code(mailbox: Mailbox, linxo_user: str, since: dt.datetime) -> str | None:
    """The code of the newest message from Linxo to ``linxo_user`` received after ``since``."""
    criteria = ["SINCE", imap_date((since - dt.timedelta(days=1)).date())]
    criteria += ["FROM", quoted("linxo"), "TO", quoted(linxo_user)]
    mailbox.refresh()
    for uid in reversed(mailbox.uids(*criteria)):
        fetched = mailbox.fetch(uid)
        if fetched is None:
            continue
        raw, received = fetched
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if not isinstance(message, EmailMessage) or "linxo" not in sender_domain(message):
            continue
        received = received or received_at(message)
        if received is None or received < since:
            return None  # older ones are older still: the code of a former login
        code = code_in(message)
        if code is not None:
            return code
    return None


def linxo_code_from_imap(
    *,
    host: str,
    username: str,
    password: SecretStr,
    linxo_user: str,
    since: dt.datetime,
    wait: float,
    port: int = 993,
    folder: str = "INBOX",
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> str | None:
    """The code Linxo sent to ``linxo_user`` after ``since`` (its login's start), waited for
    up to ``wait`` seconds; None if none came.

    Read-only, as `alerts_from_imap`: the message stays unread. Only the newest message from
    Linxo addressed to ``linxo_user`` and received after ``since`` counts: a code of an
    earlier login is never taken.
    """
    with open_mailbox(
        host=host,
        username=username,
        password=password,
        port=port,
        folder=folder,
        ssl_context=ssl_context,
        timeout=timeout,
    ) as mailbox:
        looking = Retrying(
            stop=stop_after_delay(wait),
            wait=wait_fixed(POLL_EVERY),
            retry=retry_if_result(lambda code: code is None),
            retry_error_callback=lambda state: None,
        )
        code: str | None = looking(_newest_code, mailbox, linxo_user, since)
    return code
