"""A read-only IMAP session over TLS: EXAMINE, SEARCH and FETCH BODY.PEEK[], nothing else."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import imaplib
import re
import socket
import ssl
from collections.abc import Iterator, Sequence
from urllib.parse import quote

from pydantic import SecretStr

from .._core.errors import ConfigurationError
from .._core.secrets import remember

__all__ = ["Mailbox", "imap_date", "open_mailbox", "quoted"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_INTERNALDATE_RE = re.compile(rb'INTERNALDATE "\s*([^"]+)"')


def _one_line(text: str) -> str:
    return " ".join(text.split())


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


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_date(day: dt.date) -> str:
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


class Mailbox:
    """One read-only IMAP session: only EXAMINE, NOOP, SEARCH and FETCH BODY.PEEK[]."""

    def __init__(self, client: imaplib.IMAP4_SSL, where: str, url: str) -> None:
        self.client = client
        self.where = where
        """``host:port``, for messages."""
        self.url = url
        """``imap://host/FOLDER``, for the sources of what was read."""

    def login(self, username: str, password: str) -> None:
        try:
            self.client.login(quoted(username), password)
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
        typ, data = self.client.select(quoted(_imap_utf7(folder)), readonly=True)
        if typ != "OK":
            raise ConfigurationError(
                f"Le dossier « {folder} » est introuvable dans la boîte {self.where} "
                f"({_response_text(data)})."
            )

    def refresh(self) -> None:
        """Let the server tell of mail arrived since the folder was opened (NOOP)."""
        typ, data = self.client.noop()
        _check(typ, data, "NOOP")

    def uids(self, *criteria: str) -> list[str]:
        """The UIDs of the messages matching a SEARCH, oldest first."""
        typ, data = self.client.uid("SEARCH", *criteria)
        _check(typ, data, "SEARCH")
        return [uid for d in data if isinstance(d, bytes) for uid in d.decode().split()]

    def fetch(self, uid: str) -> tuple[bytes, dt.datetime | None] | None:
        """A message's bytes and when the server received it; None if it is gone."""
        typ, data = self.client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
        _check(typ, data, "FETCH")
        raw = next((i[1] for i in data if isinstance(i, tuple) and isinstance(i[1], bytes)), None)
        if raw is None:  # deleted meanwhile by another client
            return None
        meta = b" ".join(
            part
            for item in data
            for part in (item[:1] if isinstance(item, tuple) else (item,))
            if isinstance(part, bytes)
        )
        found = _INTERNALDATE_RE.search(meta)
        received = None
        if found:
            with contextlib.suppress(ValueError):
                received = dt.datetime.strptime(found[1].decode(), "%d-%b-%Y %H:%M:%S %z")
        return raw, received


@contextlib.contextmanager
def open_mailbox(
    *,
    host: str,
    username: str,
    password: SecretStr,
    port: int = 993,
    folder: str = "INBOX",
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> Iterator[Mailbox]:
    """``folder`` opened read-only (EXAMINE) over TLS; logged out at the end.

    Any failure to reach or read the mailbox, inside the block too, is `ConfigurationError`.
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
    mailbox = Mailbox(client, where, url)
    try:
        mailbox.login(username, password.get_secret_value())
        mailbox.examine(folder)
        yield mailbox
    except ConfigurationError:
        raise
    except (OSError, EOFError, imaplib.IMAP4.error) as exc:
        reason = _network_reason(exc, timeout)
        raise ConfigurationError(f"Échec de la lecture de la boîte {where} : {reason}.") from None
    finally:
        with contextlib.suppress(OSError, EOFError, imaplib.IMAP4.error):
            client.logout()
