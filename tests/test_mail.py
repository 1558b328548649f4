"""« Import avec Linxo » alert e-mails: from saved .eml files and, read-only, over IMAP/TLS."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from imap_server import ImapServer, make_certificate, unused_port
from linxo_assoconnect._core.errors import ConfigurationError
from linxo_assoconnect._core.secrets import MASK, redact
from linxo_assoconnect._core.text import PARIS
from linxo_assoconnect.cli._mail import (
    MailAlert,
    alerts_from_files,
    alerts_from_imap,
    code_in,
    linxo_code_from_imap,
)

MAIL = Path(__file__).resolve().parent / "mail"
COMITE = MAIL / "comite-des-fetes.eml"
CLUB = MAIL / "club-voile-html.eml"
AMIS = MAIL / "amis-du-quartier.eml"
NEWSLETTER = MAIL / "newsletter.eml"
RECENT = MAIL / "association-exemple-a-recente.eml"
OLDER = MAIL / "association-exemple-b-ancienne.eml"
ALL_FILES = [AMIS, RECENT, OLDER, CLUB, COMITE, NEWSLETTER]

EXPECTED = [
    ("Association Exemple", datetime(2024, 5, 2, 6, 5, tzinfo=PARIS)),
    ("Club Exemple de Voile", datetime(2024, 4, 15, 7, 12, 45, tzinfo=PARIS)),
    ("Comité des fêtes Exemple", datetime(2024, 3, 12, 6, 58, 3, tzinfo=PARIS)),
    ("Les Amis du Quartier Exemple", datetime(2024, 5, 20, 9, 30, tzinfo=PARIS)),
]

USER = "tresorier@example.org"
PASSWORD = "imap-Canari-7Hq2"


def summary(alerts: list[MailAlert]) -> list[tuple[str, datetime | None]]:
    return [(a.association, a.received_at) for a in alerts]


def one_line_error(error: pytest.ExceptionInfo[ConfigurationError]) -> str:
    message = str(error.value)
    assert message and "\n" not in message and "\r" not in message
    return message


def alert_file(folder: Path, body: str, *, subject: str = "Import avec Linxo") -> Path:
    """A plain-text alert saved as a mail client would."""
    message = EmailMessage()
    message["From"] = "AssoConnect <notifications@example.org>"
    message["To"] = "tresorier@example.org"
    message["Date"] = "Fri, 7 Jun 2024 06:00:00 +0200"
    message["Subject"] = subject
    message.set_content(body, cte="quoted-printable")
    path = folder / "alerte.eml"
    path.write_bytes(bytes(message))
    return path


# ------------------------------------------------------------------------------------------
# Saved files


def test_the_saved_alerts_name_their_associations() -> None:
    alerts = alerts_from_files(ALL_FILES)

    assert summary(alerts) == EXPECTED
    for alert in alerts:
        assert alert.received_at is not None
        assert str(alert.received_at.tzinfo) == "Europe/Paris"
    # Winter time in March, summer time in May.
    assert [a.received_at.utcoffset() for a in alerts if a.received_at] == [
        timedelta(hours=2),
        timedelta(hours=2),
        timedelta(hours=1),
        timedelta(hours=2),
    ]
    assert [a.source for a in alerts] == [str(RECENT), str(CLUB), str(COMITE), str(AMIS)]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        # multipart/alternative, quoted-printable, the name across a soft line break
        (COMITE, "Comité des fêtes Exemple"),
        # HTML only, base64, the name across two lines of the HTML source
        (CLUB, "Club Exemple de Voile"),
        # RFC 2047 subject, format=flowed text, the name in guillemets and wrapped
        (AMIS, "Les Amis du Quartier Exemple"),
    ],
    ids=["quoted-printable", "html-base64", "encoded-subject"],
)
def test_each_kind_of_alert_is_read(path: Path, name: str) -> None:
    assert [a.association for a in alerts_from_files([path])] == [name]


def test_another_email_is_skipped_even_if_it_speaks_of_the_association() -> None:
    assert "pour votre association" in NEWSLETTER.read_bytes().decode()
    assert alerts_from_files([NEWSLETTER]) == []


@pytest.mark.parametrize(
    ("subject", "read"),
    [
        ("IMPORT AVEC LINXO", True),
        ("Import  avec Linxo ", True),
        ("Import avéc Linxo", True),
        ("Re: Import avec Linxo", False),
        ("Import avec Linxo réussi", False),
    ],
)
def test_the_subject_is_compared_loosely_but_wholly(
    tmp_path: Path, subject: str, read: bool
) -> None:
    path = alert_file(
        tmp_path,
        "La connexion entre LinxoConnect et AssoConnect ne fonctionne plus pour votre "
        "association Association Exemple.\n",
        subject=subject,
    )
    assert [a.association for a in alerts_from_files([path])] == (
        ["Association Exemple"] if read else []
    )


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        (
            "pour votre association A.S. Exemple de Voile. Rétablir la connexion",
            "A.S. Exemple de Voile",
        ),
        ("pour votre association Club Exemple\nRétablir la connexion", "Club Exemple"),
        ("pour votre association Tennis Club 2. Les opérations…", "Tennis Club 2"),
        ("pour votre association Équipe B. Les opérations…", "Équipe B"),
        ("pour votre association Club Exemple Rétablir la connexion", "Club Exemple"),
        ("pour votre association « Club Exemple » !\n\nRétablir la connexion", "Club Exemple"),
        ("pour votre association  Comité\u00a0des fêtes   Exemple.", "Comité des fêtes Exemple"),
        ("pour votre association Comité des\nfêtes Exemple.", "Comité des fêtes Exemple"),
        ("pour votre association Club Exemple\nhttps://app.example.org/linxo", "Club Exemple"),
        ('pour votre association "L\'Amicale Exemple". Merci.', "L'Amicale Exemple"),
    ],
)
def test_the_name_runs_to_the_end_of_the_sentence(tmp_path: Path, sentence: str, name: str) -> None:
    body = f"Bonjour,\n\nLa connexion ne fonctionne plus {sentence}\n\nL'équipe AssoConnect\n"
    assert [a.association for a in alerts_from_files([alert_file(tmp_path, body)])] == [name]


def test_an_alert_without_a_name_is_skipped(tmp_path: Path) -> None:
    path = alert_file(tmp_path, "La connexion ne fonctionne plus.\n\nRétablir la connexion\n")
    assert alerts_from_files([path]) == []


@pytest.mark.parametrize("order", [[RECENT, OLDER], [OLDER, RECENT]], ids=["new-old", "old-new"])
def test_the_most_recent_alert_of_an_association_is_kept(order: list[Path]) -> None:
    (alert,) = alerts_from_files(order)

    assert alert.association == "Association Exemple"
    assert alert.source == str(RECENT)
    assert alert.received_at == datetime(2024, 5, 2, 6, 5, tzinfo=PARIS)


def test_a_folder_stands_for_its_eml_files(tmp_path: Path) -> None:
    for path in ALL_FILES:
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "notes.txt").write_bytes(b"\x00\x01 not an e-mail \xff")
    (tmp_path / "sub.eml").mkdir()

    alerts = alerts_from_files([tmp_path])

    assert summary(alerts) == EXPECTED
    assert alerts[0].source == str(tmp_path / RECENT.name)
    assert summary(alerts_from_files([str(MAIL)])) == EXPECTED


def test_an_alert_is_immutable_and_strict() -> None:
    (alert,) = alerts_from_files([CLUB])
    with pytest.raises(ValidationError):
        alert.association = "Autre"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        MailAlert(association="A", received_at=None, source="x", extra="y")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        MailAlert(association="A", received_at=datetime(2024, 1, 1), source="x")


def test_a_missing_file_is_a_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.eml"
    with pytest.raises(ConfigurationError) as error:
        alerts_from_files([COMITE, missing])
    assert str(missing) in one_line_error(error)


@pytest.mark.parametrize(
    "content",
    [bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"", b"\n\n  \n"],
    ids=["binary", "png", "empty", "blank"],
)
def test_a_file_that_is_no_email_is_a_configuration_error(tmp_path: Path, content: bytes) -> None:
    garbage = tmp_path / "piece jointe.eml"
    garbage.write_bytes(content)
    with pytest.raises(ConfigurationError) as error:
        alerts_from_files([garbage])
    message = one_line_error(error)
    assert str(garbage) in message
    assert message.startswith("Courriel illisible")


# ------------------------------------------------------------------------------------------
# IMAP


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return make_certificate(tmp_path)


@pytest.fixture
def trusting(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certificate[0])


@pytest.fixture
def imap(certificate: tuple[Path, Path]) -> Iterator[ImapServer]:
    messages = [path.read_bytes() for path in ALL_FILES]
    cert, key = certificate
    with ImapServer(
        messages, username=USER, password=PASSWORD, certfile=cert, keyfile=key
    ) as server:
        yield server


def read_imap(server: ImapServer, context: ssl.SSLContext, **options: object) -> list[MailAlert]:
    return alerts_from_imap(
        host="127.0.0.1",
        port=server.port,
        username=USER,
        password=SecretStr(str(options.pop("password", PASSWORD))),
        ssl_context=context,
        **options,  # type: ignore[arg-type]
    )


def assert_read_only(server: ImapServer) -> None:
    commands = server.received()
    assert commands[0] == "CAPABILITY" and "LOGIN" in commands and commands[-1] == "LOGOUT"
    for command in commands:
        verb = command.removeprefix("UID ").split(" ")[0]
        assert verb in {"CAPABILITY", "LOGIN", "EXAMINE", "SEARCH", "FETCH", "LOGOUT"}, command
        if verb == "FETCH":
            assert "BODY.PEEK[]" in command and "RFC822" not in command, command
    assert all(not m.flags for m in server.messages), "a message was marked"


def test_imap_finds_the_alerts_over_tls_and_changes_nothing(
    imap: ImapServer, trusting: ssl.SSLContext
) -> None:
    raw_before = [m.raw for m in imap.messages]

    alerts = read_imap(imap, trusting)

    assert summary(alerts) == EXPECTED
    prefix = f"imap://127.0.0.1:{imap.port}/INBOX;UID="
    assert [a.source for a in alerts] == [
        prefix + str(ALL_FILES.index(path) + 1) for path in (RECENT, CLUB, COMITE, AMIS)
    ]
    assert all(USER not in a.source and PASSWORD not in a.source for a in alerts)
    commands = imap.received()
    assert 'EXAMINE "INBOX"' in commands
    assert 'UID SEARCH SUBJECT "Import avec Linxo"' in commands
    # The newsletter does not match the search: it is never downloaded.
    assert len([c for c in commands if c.startswith("UID FETCH")]) == 5
    assert all(PASSWORD not in c for c in commands)
    assert_read_only(imap)
    assert [m.raw for m in imap.messages] == raw_before
    assert all("\\Seen" not in m.flags for m in imap.messages)


def test_imap_since_keeps_the_later_alerts(imap: ImapServer, trusting: ssl.SSLContext) -> None:
    alerts = read_imap(imap, trusting, since=date(2024, 4, 1))

    assert summary(alerts) == [EXPECTED[0], EXPECTED[1], EXPECTED[3]]
    assert 'UID SEARCH SUBJECT "Import avec Linxo" SINCE 1-Apr-2024' in imap.received()
    assert_read_only(imap)


def test_imap_wrong_password_is_refused_without_showing_it(
    imap: ImapServer, trusting: ssl.SSLContext
) -> None:
    wrong = "Faux-mot-2-passe-Q9"
    with pytest.raises(ConfigurationError) as error:
        read_imap(imap, trusting, password=wrong)

    message = one_line_error(error)
    assert "refuse l’identifiant ou le mot de passe" in message
    assert f"127.0.0.1:{imap.port}" in message
    assert wrong not in message and PASSWORD not in message
    assert wrong not in repr(error.value.__cause__) + repr(error.value.__context__)
    # The password given is masked from every log and message from now on.
    assert redact(f"mot de passe {wrong} refusé") == f"mot de passe {MASK} refusé"
    assert imap.received() == ["CAPABILITY", "LOGIN", "LOGOUT"]


@pytest.mark.parametrize("folder", ["Archives", "Trésorerie"])
def test_imap_unknown_folder_is_named(
    imap: ImapServer, trusting: ssl.SSLContext, folder: str
) -> None:
    with pytest.raises(ConfigurationError) as error:
        read_imap(imap, trusting, folder=folder)

    assert f"« {folder} »" in one_line_error(error)
    examined = [c for c in imap.received() if c.startswith("EXAMINE")]
    assert examined == [f'EXAMINE "{"Tr&AOk-sorerie" if folder == "Trésorerie" else folder}"']
    assert_read_only(imap)


def test_imap_nothing_listening_is_a_configuration_error(trusting: ssl.SSLContext) -> None:
    with unused_port() as port, pytest.raises(ConfigurationError) as error:
        alerts_from_imap(
            host="127.0.0.1",
            port=port,
            username=USER,
            password=SecretStr(PASSWORD),
            ssl_context=trusting,
            timeout=5,
        )
    message = one_line_error(error)
    assert f"127.0.0.1:{port}" in message and "connexion refusée" in message


def test_imap_untrusted_certificate_is_a_configuration_error(imap: ImapServer) -> None:
    with pytest.raises(ConfigurationError) as error:
        read_imap(imap, ssl.create_default_context())  # the system's authorities only
    message = one_line_error(error)
    assert f"127.0.0.1:{imap.port}" in message and "certificat TLS refusé" in message
    assert imap.received() == []


def test_imap_silent_server_times_out(trusting: ssl.SSLContext) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        with pytest.raises(ConfigurationError) as error:
            alerts_from_imap(
                host="127.0.0.1",
                port=port,
                username=USER,
                password=SecretStr(PASSWORD),
                ssl_context=trusting,
                timeout=0.5,
            )
    message = one_line_error(error)
    assert f"127.0.0.1:{port}" in message and "aucune réponse en 0.5 s" in message


# ------------------------------------------------------------------------------------------
# Linxo's login code


def code_mail(
    to: str, body: str, *, sender: str = "Linxo <no-reply@linxo.com>", html: bool = False
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Votre code de vérification"
    message["Date"] = format_datetime(datetime.now(UTC))
    message.set_content(body, subtype="html" if html else "plain")
    return bytes(message)


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize(
    ("body", "html", "expected"),
    [
        ("Votre code de vérification : 482913\nValable jusqu’au 03/12/2026.", False, "482913"),
        ("<p>Bonjour,</p><p>Votre code&nbsp;: <b>482913</b></p>", True, "482913"),
        ("Saisissez 482913 pour accéder à votre espace.", False, "482913"),  # the only one
        ("Réf. 100200, montant 300400 : aucun code ici.", False, None),  # which one? none
        ("Votre code de vérification vous attend.", False, None),
    ],
    ids=["plain", "html", "only-one", "unclear", "none"],
)
def test_the_code_is_read_from_linxo_s_message(body: str, html: bool, expected: str | None) -> None:
    assert code_in(parsed(code_mail(USER, body, html=html))) == expected


def read_code(
    server: ImapServer, context: ssl.SSLContext, since: datetime, wait: float
) -> str | None:
    return linxo_code_from_imap(
        host="127.0.0.1",
        port=server.port,
        username=USER,
        password=SecretStr(PASSWORD),
        linxo_user="tresorier@association-exemple.fr",
        since=since,
        wait=wait,
        ssl_context=context,
    )


def test_only_the_newest_code_to_this_linxo_user_after_the_login_counts(
    certificate: tuple[Path, Path], trusting: ssl.SSLContext
) -> None:
    user = "tresorier@association-exemple.fr"
    cert, key = certificate
    start = datetime.now(UTC)
    with ImapServer([], username=USER, password=PASSWORD, certfile=cert, keyfile=key) as server:
        server.deliver(code_mail(user, "Votre code : 111111"))
        server.messages[-1].arrived = start - timedelta(minutes=5)  # a former login's code
        server.deliver(code_mail("autre@example.org", "Votre code : 222222"))  # another user's
        server.deliver(code_mail(user, "Votre code : 333333", sender="Banque <x@banque.example>"))
        assert read_code(server, trusting, start, wait=0.5) is None  # none of them
        server.deliver(code_mail(user, "Votre code : 482913"))
        server.deliver(code_mail(user, "Votre code : 590317"))  # Linxo sent it again
        assert read_code(server, trusting, start, wait=0.5) == "590317"
        commands = server.received()
    assert not any(c.split(" ")[-1] in {"BODY[]", "RFC822"} for c in commands)
    assert all(not m.flags for m in server.messages)


def test_a_code_that_never_comes_is_none_within_the_wait(
    imap: ImapServer, trusting: ssl.SSLContext
) -> None:
    started = time.monotonic()
    assert read_code(imap, trusting, datetime.now(UTC), wait=2.5) is None
    assert 2.5 <= time.monotonic() - started < 10
    searches = [c for c in imap.received() if c.startswith("UID SEARCH")]
    assert len(searches) >= 2  # looked again while waiting
