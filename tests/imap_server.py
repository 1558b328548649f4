"""A tiny IMAP4rev1 server over TLS for the tests: one user, one folder « INBOX ».

It records every command it receives (LOGIN without its arguments) and keeps each message's
flags, so that a test can prove a client only read: EXAMINE, SEARCH and FETCH BODY.PEEK[].
Fetching ``BODY[]`` or ``RFC822`` marks a message \\Seen, as a real server does.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import re
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["ImapServer", "StoredMessage", "make_certificate", "unused_port"]

_Arg: TypeAlias = "bytes | list[_Arg]"
_TOKEN_RE = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\()|(\))|([^\s()"]+)')
_LITERAL_RE = re.compile(rb"\{(\d+)\+?\}\r?\n?$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WRITES = frozenset({"STORE", "COPY", "MOVE", "EXPUNGE", "APPEND", "CREATE", "DELETE", "RENAME"})


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file = folder / "imap-cert.pem"
    key_file = folder / "imap-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@contextmanager
def unused_port() -> Iterator[int]:
    """A local port where nothing listens (bound, never listening: connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@dataclass
class StoredMessage:
    """One message of the folder: its UID, raw bytes, flags and when it arrived."""

    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)
    arrived: dt.datetime | None = None
    """Its INTERNALDATE; the Date header's if None."""

    def header(self, name: str) -> str:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        return str(parsed[name] or "")

    @property
    def subject(self) -> str:
        return self.header("Subject")

    @property
    def internal_date(self) -> dt.datetime:
        return self.arrived or parsedate_to_datetime(self.header("Date"))


def _tokens(line: bytes) -> list[_Arg]:
    """IMAP arguments: atoms and quoted strings as bytes, parenthesised lists as lists."""
    stack: list[list[_Arg]] = [[]]
    for quoted, opening, closing, atom in _TOKEN_RE.findall(line):
        if opening:
            stack.append([])
        elif closing and len(stack) > 1:
            done = stack.pop()
            stack[-1].append(done)
        elif atom:
            stack[-1].append(atom)
        else:
            stack[-1].append(re.sub(rb"\\(.)", rb"\1", quoted))
    return stack[0]


def _sequence(spec: bytes, highest: int) -> set[int]:
    numbers: set[int] = set()
    for part in spec.decode().split(","):
        first, _, last = part.partition(":")
        start = highest if first == "*" else int(first)
        end = start if not last else (highest if last == "*" else int(last))
        numbers.update(range(min(start, end), max(start, end) + 1))
    return numbers


def _imap_date(text: bytes) -> dt.date:
    day, month, year = text.decode().split("-")
    return dt.date(int(year), _MONTHS.index(month.lower()) + 1, int(day))


class _Handler(socketserver.StreamRequestHandler):
    server: _TlsServer

    def setup(self) -> None:
        self.request.settimeout(10)
        self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def send(self, *lines: bytes) -> None:
        for line in lines:
            self.wfile.write(line if line.endswith(b"\r\n") else line + b"\r\n")
        self.wfile.flush()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.request.close()

    def read_command(self) -> bytes | None:
        """One command line, its literals ({n}) inlined as quoted strings."""
        line = self.rfile.readline()
        if not line:
            return None
        while literal := _LITERAL_RE.search(line):
            if b"+" not in literal[0]:  # a synchronising literal waits for our go-ahead
                self.send(b"+ go ahead")
            data = self.rfile.read(int(literal[1]))
            escaped = data.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
            line = line[: literal.start()] + b'"' + escaped + b'"' + self.rfile.readline()
        return line.rstrip(b"\r\n")

    def handle(self) -> None:
        self.logged_in = False
        self.selected = False
        self.send(b"* OK [CAPABILITY IMAP4rev1] Test IMAP server ready")
        while (line := self.read_command()) is not None:
            tag, _, rest = line.partition(b" ")
            command, _, arguments = rest.partition(b" ")
            name = command.upper().decode(errors="replace")
            if name == "UID":
                sub, _, arguments = arguments.partition(b" ")
                name = f"UID {sub.upper().decode(errors='replace')}"
            shown = name if name == "LOGIN" else f"{name} {arguments.decode(errors='replace')}"
            self.server.record(shown.strip())
            if not self.dispatch(tag, name, _tokens(arguments)):
                return

    def dispatch(self, tag: bytes, name: str, args: list[_Arg]) -> bool:
        """Answer one command; False once the client logged out."""
        if name == "LOGOUT":
            self.send(b"* BYE Au revoir", tag + b" OK LOGOUT completed")
            return False
        if name == "CAPABILITY":
            self.send(b"* CAPABILITY IMAP4rev1", tag + b" OK CAPABILITY completed")
        elif name == "NOOP":
            self.send(tag + b" OK NOOP completed")
        elif name == "LOGIN":
            self.login(tag, args)
        elif not self.logged_in:
            self.send(tag + b" BAD Log in first")
        elif name in {"SELECT", "EXAMINE"}:
            self.select(tag, name, args)
        elif not self.selected:
            self.send(tag + b" BAD Select a folder first")
        elif name in {"SEARCH", "UID SEARCH"}:
            self.search(tag, name, args)
        elif name in {"FETCH", "UID FETCH"}:
            self.fetch(tag, name, args)
        elif name.removeprefix("UID ") in _WRITES:
            self.send(tag + b" NO Not supported by the test server")
        else:
            self.send(tag + b" BAD Unknown command")
        return True

    def login(self, tag: bytes, args: list[_Arg]) -> None:
        user, password = (a if isinstance(a, bytes) else b"" for a in [*args, b"", b""][:2])
        if (user.decode(), password.decode()) == (self.server.username, self.server.password):
            self.logged_in = True
            self.server.owner.client_logged_in.set()
            self.send(tag + b" OK [CAPABILITY IMAP4rev1] Logged in")
        else:
            self.send(tag + b" NO [AUTHENTICATIONFAILED] Invalid credentials")

    def select(self, tag: bytes, name: str, args: list[_Arg]) -> None:
        folder = args[0] if args and isinstance(args[0], bytes) else b""
        if folder.upper() != b"INBOX":
            self.selected = False
            self.send(tag + b" NO [NONEXISTENT] Mailbox does not exist")
            return
        self.selected = True
        messages = self.server.messages
        self.send(
            rb"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)",
            f"* {len(messages)} EXISTS".encode(),
            b"* 0 RECENT",
            b"* OK [UIDVALIDITY 1714000000] UIDs valid",
            f"* OK [UIDNEXT {max((m.uid for m in messages), default=0) + 1}]".encode(),
        )
        mode = b"READ-ONLY" if name == "EXAMINE" else b"READ-WRITE"
        self.send(tag + b" OK [" + mode + b"] " + name.encode() + b" completed")

    def search(self, tag: bytes, name: str, args: list[_Arg]) -> None:
        found = list(enumerate(self.server.messages, 1))
        keys = iter(args)
        for key in keys:
            if not isinstance(key, bytes):
                continue
            upper = key.upper()
            if upper == b"ALL":
                continue
            value = next(keys, b"")
            if not isinstance(value, bytes):
                self.send(tag + b" BAD Invalid search")
                return
            if upper == b"SUBJECT":
                wanted = value.decode().casefold()
                found = [(n, m) for n, m in found if wanted in m.subject.casefold()]
            elif upper in {b"FROM", b"TO"}:
                wanted = value.decode().casefold()
                header = "From" if upper == b"FROM" else "To"
                found = [(n, m) for n, m in found if wanted in m.header(header).casefold()]
            elif upper == b"SINCE":
                since = _imap_date(value)
                found = [(n, m) for n, m in found if m.internal_date.date() >= since]
            elif upper != b"CHARSET":
                self.send(tag + b" BAD Unsupported search key")
                return
        numbers = [m.uid if name.startswith("UID") else n for n, m in found]
        self.send(
            b" ".join([b"* SEARCH", *(str(n).encode() for n in numbers)]),
            tag + b" OK SEARCH completed",
        )

    def fetch(self, tag: bytes, name: str, args: list[_Arg]) -> None:
        messages = self.server.messages
        if len(args) < 2 or not isinstance(args[0], bytes):
            self.send(tag + b" BAD Invalid fetch")
            return
        items = args[1] if isinstance(args[1], list) else args[1:]
        wanted = [i.upper() for i in items if isinstance(i, bytes)]
        by_uid = name.startswith("UID")
        highest = max((m.uid for m in messages), default=0) if by_uid else len(messages)
        chosen = _sequence(args[0], highest)
        for number, message in enumerate(messages, 1):
            if (message.uid if by_uid else number) not in chosen:
                continue
            parts: list[bytes] = [f"UID {message.uid}".encode()]
            for item in wanted:
                if item in {b"BODY[]", b"RFC822"}:
                    message.flags.add("\\Seen")
                if item in {b"BODY.PEEK[]", b"BODY[]", b"RFC822"}:
                    label = b"RFC822" if item == b"RFC822" else b"BODY[]"
                    parts.append(label + b" {%d}\r\n" % len(message.raw) + message.raw)
                elif item == b"INTERNALDATE":
                    when = message.internal_date.strftime("%d-%b-%Y %H:%M:%S %z")
                    parts.append(b'INTERNALDATE "' + when.encode() + b'"')
                elif item == b"FLAGS":
                    parts.append(b"FLAGS (" + " ".join(sorted(message.flags)).encode() + b")")
            self.send(b"* %d FETCH (" % number + b" ".join(parts) + b")")
        self.send(tag + b" OK FETCH completed")


class _TlsServer(socketserver.ThreadingTCPServer):
    # Handler threads are joined by server_close(): nothing outlives the test.
    block_on_close = True

    def __init__(self, owner: ImapServer, tls: ssl.SSLContext) -> None:
        self.owner = owner
        self.tls = tls
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def username(self) -> str:
        return self.owner.username

    @property
    def password(self) -> str:
        return self.owner.password

    @property
    def messages(self) -> list[StoredMessage]:
        return self.owner.messages

    def record(self, command: str) -> None:
        with self.owner.lock:
            self.owner.commands.append(command)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that refused the certificate or hung up: note it, print no traceback.
        with self.owner.lock:
            self.owner.errors.append(repr(client_address))


class ImapServer:
    """Serves ``messages`` (raw bytes, UIDs from 1) in INBOX to ``username``/``password``.

    Use as a context manager: the server runs in a background thread until the block ends.
    """

    def __init__(
        self,
        messages: Sequence[bytes],
        *,
        username: str,
        password: str,
        certfile: Path,
        keyfile: Path,
    ) -> None:
        self.messages = [StoredMessage(uid, raw) for uid, raw in enumerate(messages, 1)]
        self.username = username
        self.password = password
        self.commands: list[str] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.client_logged_in = threading.Event()
        """Set once a client has logged in."""
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(certfile, keyfile)
        self._server = _TlsServer(self, tls)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def deliver(self, raw: bytes) -> None:
        """A message arriving now."""
        with self.lock:
            uid = max((m.uid for m in self.messages), default=0) + 1
            self.messages.append(StoredMessage(uid, raw, arrived=dt.datetime.now(dt.UTC)))

    def received(self) -> list[str]:
        """The commands received so far, in order (« LOGIN » without its arguments)."""
        with self.lock:
            return list(self.commands)

    def __enter__(self) -> ImapServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()  # returns once serve_forever has stopped
        self._server.server_close()
        self._thread.join()
