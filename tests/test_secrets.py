"""No secret in anything the library writes: canary passwords and code, every flow, every byte.

Each flow runs in a Session (async API, with a browser of its own) that keeps everything it can
(traces, HAR files, saved logins, evidence, logs at DEBUG); then every file is searched, inside
zip archives too, together with every exception, report and record the test saw. A canary found
anywhere fails the test.
"""

from __future__ import annotations

import io
import json
import logging
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from pydantic import SecretStr

from helpers import FAST_RETRY
from linxo_assoconnect._core.har import scrub_har
from linxo_assoconnect._core.secrets import MASK, RedactingFilter, redact, remember
from linxo_assoconnect.aio import (
    BankAuthFailed,
    Credentials,
    HumanActionRequired,
    LinxoAssoconnectError,
    LoginFailed,
    PageChanged,
    Session,
)
from linxo_assoconnect.testing import (
    DEMO_ASSOCONNECT,
    DEMO_BANK,
    DEMO_LINXO,
    SCENARIOS,
    Sandbox,
    Scenario,
)

LINXO_CANARY = "canari-Linxo-Q7Z3W"
ASSOCONNECT_CANARY = "canari-Asso-K2R8M"
BANK_CANARY = "canari-Banque-X4N6P"
CODE_CANARY = "Kq7Zx2"  # the bank's field takes 6 characters
LINXO_CODE_CANARY = "Lx4Qm9"  # and so does Linxo's
WRONG_CANARY = "canari-Faux-J5T1Y"
CANARIES = (
    LINXO_CANARY,
    ASSOCONNECT_CANARY,
    BANK_CANARY,
    CODE_CANARY,
    LINXO_CODE_CANARY,
    WRONG_CANARY,
)

LINXO = Credentials(username=DEMO_LINXO.username, password=SecretStr(LINXO_CANARY))
ASSOCONNECT = Credentials(
    username=DEMO_ASSOCONNECT.username, password=SecretStr(ASSOCONNECT_CANARY)
)
BANK = Credentials(username=DEMO_BANK.username, password=SecretStr(BANK_CANARY))
CANARY_SECRETS = {
    "linxo_password": SecretStr(LINXO_CANARY),
    "assoconnect_password": SecretStr(ASSOCONNECT_CANARY),
    "bank_password": SecretStr(BANK_CANARY),
    "sms_code": SecretStr(CODE_CANARY),
    "linxo_code": SecretStr(LINXO_CODE_CANARY),
}
# Linxo in two steps, then the code it sends by e-mail (markups other than « a » and « b »).
LINXO_CODE = {"variant": "bare", "linxo_login": "two_steps", "linxo_asks_code": True}


def scenario(name: str, **changes: object) -> Scenario:
    return SCENARIOS[name].model_copy(update={**CANARY_SECRETS, **changes})


# name, scenario, Linxo credentials, bank credentials, error expected
Flow = tuple[str, Scenario, Credentials, Credentials | None, type[LinxoAssoconnectError] | None]
FLOWS: list[Flow] = [
    ("restored-by-sms-code", scenario("demo"), LINXO, BANK, None),
    ("restored-by-app", scenario("app_validation", app_validation_delay=0.2), LINXO, BANK, None),
    ("restored-after-linxo-code", scenario("demo", **LINXO_CODE), LINXO, BANK, None),
    (
        "linxo-refuses-code",
        scenario("demo", **LINXO_CODE, linxo_rejects_code=True),
        LINXO,
        BANK,
        LoginFailed,
    ),
    (
        "linxo-refuses-password",
        scenario("healthy"),
        Credentials(username=DEMO_LINXO.username, password=SecretStr(WRONG_CANARY)),
        BANK,
        LoginFailed,
    ),
    ("bank-refuses-password", scenario("wrong_password"), LINXO, BANK, BankAuthFailed),
    ("bank-refuses-code", scenario("wrong_code"), LINXO, BANK, BankAuthFailed),
    ("no-person-for-the-bank", scenario("broken_connection"), LINXO, None, HumanActionRequired),
    (
        "site-changed-after-the-bank",
        scenario("demo", changed_labels={"Synchroniser": "Lancer l’import"}),
        LINXO,
        BANK,
        PageChanged,
    ),
]


def _contents(path: Path) -> Iterator[tuple[str, bytes]]:
    data = path.read_bytes()
    yield str(path), data
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield f"{path}!{member}", archive.read(member)


def canaries_in(folder: Path, also: str = "") -> list[str]:
    """Where a canary (as typed, or URL-encoded) shows in ``folder``'s files or in ``also``."""
    needles = {c.encode() for c in CANARIES} | {quote_plus(c).encode() for c in CANARIES}
    found = [
        f"{name}: {needle.decode()}"
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        for name, data in _contents(path)
        for needle in needles
        if needle in data
    ]
    found += [f"text seen by the test: {c}" for c in CANARIES if c in also]
    return found


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Every log record of every logger, at DEBUG, into a file."""
    path = tmp_path / "run" / "debug.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()


@pytest.mark.parametrize("flow", FLOWS, ids=[f[0] for f in FLOWS])
async def test_no_canary_in_anything_written(
    flow: Flow, debug_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, flow_scenario, linxo, bank, expected = flow
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    run = debug_log.parent
    sandbox = Sandbox(flow_scenario)
    seen: list[str] = []
    failure: LinxoAssoconnectError | None = None
    async with Session(
        state_dir=run / "state",
        evidence_dir=run / "evidence",
        har_dir=run / "har",
        trace=True,
        on_context=sandbox.attach_async,
        retry=FAST_RETRY,
        timeout=3,
        bank_timeout=10,
    ) as session:
        try:
            report = await session.restore(
                association="Association Exemple",
                linxo=linxo,
                assoconnect=ASSOCONNECT,
                bank=bank,
                otp=lambda: CODE_CANARY,
                linxo_otp=lambda: LINXO_CODE_CANARY,
            )
            seen += [repr(report), str(report), report.model_dump_json()]
            assert report.ok
        except LinxoAssoconnectError as error:
            failure = error
            seen += [str(error), repr(error), repr(error.__dict__)]
            logging.getLogger("test").exception("the flow failed")  # its traceback, logged
    if expected is None:
        assert failure is None
    else:
        assert isinstance(failure, expected), repr(failure)
        if expected is not HumanActionRequired:  # that one is known before any page fails
            assert failure.evidence is not None
            assert failure.evidence.is_relative_to(run / "evidence")
    seen += [repr(sandbox.record), repr(sandbox.scenario), repr(session), repr(linxo), str(bank)]

    if name != "linxo-refuses-password":  # the others did type every secret they hold
        assert sandbox.record.logins
    if flow_scenario.linxo_asks_code:
        assert len(sandbox.record.linxo_code_submissions) == 1  # Linxo's code was typed
    if bank is not None and expected not in (LoginFailed, HumanActionRequired):
        assert len(sandbox.record.credential_submissions) == 1  # the bank password was typed
    written = {p.suffix for p in run.rglob("*") if p.is_file()}
    assert {".log", ".har"} <= written
    assert canaries_in(run, also="\n".join(seen)) == []


def test_the_sweep_finds_a_canary_where_there_is_one(tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("trace.network", f"password={quote_plus(WRONG_CANARY)}")
    (tmp_path / "trace.zip").write_bytes(archive.getvalue())
    assert canaries_in(tmp_path) == [f"{tmp_path / 'trace.zip'}!trace.network: {WRONG_CANARY}"]


async def test_har_files_keep_the_requests_but_not_their_secrets(tmp_path: Path) -> None:
    sandbox = Sandbox(scenario("healthy"))
    async with Session(
        state_dir=tmp_path / "state",
        evidence_dir=tmp_path / "evidence",
        har_dir=tmp_path / "har",
        on_context=sandbox.attach_async,
    ) as session:
        await session.linxo(LINXO)
    [har] = (tmp_path / "har").iterdir()
    text = har.read_text(encoding="utf-8")
    assert '"method": "POST"' in text  # the login form was recorded, masked
    assert "https://wwws.linxo.com/auth.page" in text
    assert MASK in text
    assert LINXO_CANARY not in text
    assert "JSESSIONID=" not in text  # no session cookie in clear


def test_a_har_keeps_no_token_of_a_redirection(tmp_path: Path) -> None:
    entry = {
        "request": {
            "method": "GET",
            "url": "https://wwws.linxo.com/psd2/callback?code=token-in-url-1&state=s",
            "headers": [
                {"name": "Referer", "value": "https://bank.example/ok?code=token-in-url-2"}
            ],
            "queryString": [{"name": "code", "value": "token-in-url-1"}],
            "cookies": [{"name": "JSESSIONID", "value": "session-cookie-3"}],
        },
        "response": {
            "status": 302,
            "redirectURL": "https://wwws.linxo.com/next?code=token-in-url-4",
            "headers": [
                {"name": "Location", "value": "/next?code=token-in-url-4"},
                {"name": "Set-Cookie", "value": "JSESSIONID=session-cookie-5; Path=/"},
            ],
            "cookies": [],
        },
    }
    raw, scrubbed = tmp_path / "raw.har", tmp_path / "scrubbed.har"
    raw.write_text(json.dumps({"log": {"entries": [entry]}}))
    scrub_har(raw, scrubbed)
    text = scrubbed.read_text()
    assert "token-in-url" not in text and "session-cookie" not in text
    assert "https://wwws.linxo.com/psd2/callback" in text and "/next" in text
    assert stat.S_IMODE(scrubbed.stat().st_mode) == 0o600


def test_a_numeric_code_does_not_break_a_har(tmp_path: Path) -> None:
    remember("730184")  # a one-time code: digits, as a timing may hold
    entry = {
        "request": {"method": "GET", "url": "https://wwws.linxo.com/sca?c=730184", "headers": []},
        "response": {"status": 200, "headers": [], "bodySize": 77301845},
        "time": 17301844.5,
    }
    raw, scrubbed = tmp_path / "raw.har", tmp_path / "scrubbed.har"
    raw.write_text(json.dumps({"log": {"entries": [entry, {"comment": "code 730184"}]}}))
    scrub_har(raw, scrubbed)
    entries = json.loads(scrubbed.read_text())["log"]["entries"]
    assert entries[0]["time"] == 17301844.5 and entries[1]["comment"] == f"code {MASK}"


def test_log_records_are_redacted_before_any_handler(caplog: pytest.LogCaptureFixture) -> None:
    remember("mot-de-passe-XYZ1")
    logger = logging.getLogger("linxo_assoconnect")
    with caplog.at_level(logging.DEBUG, logger="linxo_assoconnect"):
        logger.info("typed %s", "mot-de-passe-XYZ1")
        try:
            raise ValueError("refused: mot-de-passe-XYZ1")
        except ValueError:
            logger.exception("failed")
    assert "mot-de-passe-XYZ1" not in caplog.text
    assert caplog.text.count(MASK) == 3  # the message, and the traceback's line and error


def test_redaction_masks_the_longest_secret_first() -> None:
    remember("abcd1234")
    remember("abcd1234-suite")
    assert redact("x abcd1234-suite y abcd1234") == f"x {MASK} y {MASK}"
    assert redact("abc") == "abc"  # too short to be told from ordinary text: never masked


def test_a_filter_alone_masks_arguments_and_tracebacks() -> None:
    remember("tout-seul-7788")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "v=%s", ("tout-seul-7788",), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == f"v={MASK}"


def test_error_messages_and_credentials_never_show_a_password() -> None:
    credentials = Credentials(username="t@example.org", password=SecretStr("secret-message-1"))
    error = LoginFailed(f"refused with {credentials.password.get_secret_value()}")
    assert "secret-message-1" not in str(error)
    assert "secret-message-1" not in repr(credentials) + str(credentials)
    assert "secret-message-1" not in credentials.model_dump_json()
