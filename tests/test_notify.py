"""Webhook notifications: the JSON sent, the outcome, and no secret in logs or cassettes.

HTTP answers are replayed from hand-written vcrpy cassettes (tests/cassettes/notify/) with
``record_mode="none"``: a request the cassette does not hold fails the test, and nothing ever
reaches the network. The connection failure goes to a local port that refuses connections.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import httpx
import pytest
import vcr  # type: ignore[import-untyped]
from vcr.errors import CannotOverwriteExistingCassetteException  # type: ignore[import-untyped]

from linxo_assoconnect._core.errors import ConfigurationError
from linxo_assoconnect._core.secrets import MASK, redact
from linxo_assoconnect.cli._notify import Notification, send_webhook, send_webhook_sync

CASSETTES = Path(__file__).parent / "cassettes" / "notify"

# Fake secrets: none may appear in a cassette or a log record.
PATH_CANARY = "canari-Crochet-Z9P4L"
AUTH_CANARY = "canari-Jeton-R3V8K"
NTFY_CANARY = "tk_canariNtfyW2M6Q"
CANARIES = (PATH_CANARY, AUTH_CANARY, NTFY_CANARY)

SLACK_URL = f"https://hooks.slack.com/services/T0CANARI/B0CANARI/{PATH_CANARY}"
MATTERMOST_URL = f"https://chat.example.org/hooks/{PATH_CANARY}"
NTFY_URL = "https://ntfy.sh"
AUTH = {"Authorization": f"Bearer {AUTH_CANARY}"}

PERSON = Notification(
    kind="person_must_act",
    association="Les Amis du Vélo",
    title="Action requise : banque",
    message=(
        "La Banque Postale demande une validation dans l’application.\n"
        "Relancez : linxo-assoconnect restore"
    ),
    evidence="/var/lib/linxo-assoconnect/evidence/2025-03-01T09-30-00",
)
PERSON_BODY = {
    "title": "Action requise : banque",
    "message": (
        "La Banque Postale demande une validation dans l’application.\n"
        "Relancez : linxo-assoconnect restore"
    ),
    "text": (
        "Action requise : banque\n"
        "La Banque Postale demande une validation dans l’application.\n"
        "Relancez : linxo-assoconnect restore"
    ),
    "kind": "person_must_act",
    "association": "Les Amis du Vélo",
    "evidence": "/var/lib/linxo-assoconnect/evidence/2025-03-01T09-30-00",
}
CONSENT = Notification(
    kind="consent_expires_soon",
    association="Club de Judo de Lyon",
    title="Consentement DSP2 bientôt expiré",
    message="Le consentement du Crédit Mutuel expire le 12 mars : renouvelez-le dans Linxo.",
)
TOPIC = "tresorerie-judo-lyon"


def _mask_secret_path(request: Any) -> Any:
    """Keep a webhook URL's first path segment only: the rest (and the query) is a secret."""
    parts = urlsplit(request.uri)
    segments = [segment for segment in parts.path.split("/") if segment]
    if segments or parts.query:
        kept = f"/{segments[0]}" if len(segments) > 1 else ""
        request.uri = urlunsplit((parts.scheme, parts.netloc, f"{kept}/REDACTED", "", ""))
    return request


NOTIFY_VCR = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",
    match_on=["method", "scheme", "host", "port", "path", "query", "body"],
    filter_headers=["authorization", "proxy-authorization", "cookie", "x-api-key"],
    before_record_request=_mask_secret_path,
)


def _replayed_all(cassette: Any) -> None:
    assert cassette.all_played, "the cassette's request was not sent"


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record logged during the test, from DEBUG, whatever the logger."""
    caplog.set_level(logging.DEBUG)  # restored after the test
    return caplog


def _app_records(logs: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    # vcrpy's own DEBUG records quote the live request: they are the test harness's, not ours.
    return [record for record in logs.records if not record.name.startswith("vcr")]


def _warnings(logs: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in logs.records
        if record.name == "linxo_assoconnect" and record.levelno == logging.WARNING
    ]


async def test_chat_webhook_gets_the_expected_json(logs: pytest.LogCaptureFixture) -> None:
    sent: list[httpx.Request] = []

    async def capture(request: httpx.Request) -> None:
        sent.append(request)

    with NOTIFY_VCR.use_cassette("chat_ok.yaml") as cassette:
        async with httpx.AsyncClient(event_hooks={"request": [capture]}) as client:
            assert await send_webhook(SLACK_URL, PERSON, headers=AUTH, client=client) is True
        _replayed_all(cassette)

    (request,) = sent
    assert request.method == "POST"
    assert str(request.url) == SLACK_URL
    assert json.loads(request.content.decode("utf-8")) == PERSON_BODY
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == f"Bearer {AUTH_CANARY}"
    assert _warnings(logs) == []


def test_sync_twin_sends_the_same_json() -> None:
    with NOTIFY_VCR.use_cassette("chat_ok.yaml") as cassette:
        assert send_webhook_sync(SLACK_URL, PERSON, headers=AUTH) is True
        _replayed_all(cassette)


async def test_a_different_body_is_not_in_the_cassette() -> None:
    """The cassette matches on the body: the assertion above on the JSON is a real one."""
    changed = PERSON.model_copy(update={"message": "Autre chose."})
    with (
        NOTIFY_VCR.use_cassette("chat_ok.yaml"),
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        await send_webhook(SLACK_URL, changed, headers=AUTH)


async def test_ntfy_root_gets_the_topic_in_the_body() -> None:
    # No client given: the function's own short-lived client, replayed by vcrpy.
    with NOTIFY_VCR.use_cassette("ntfy_topic.yaml") as cassette:
        headers = {"Authorization": f"Bearer {NTFY_CANARY}"}
        assert await send_webhook(NTFY_URL, CONSENT, headers=headers, topic=TOPIC) is True
        _replayed_all(cassette)
    body = json.loads(cassette.requests[0].body)
    assert body["topic"] == TOPIC
    assert body["evidence"] is None
    assert body["text"] == f"{CONSENT.title}\n{CONSENT.message}"


async def test_error_answer_gives_false_and_a_warning_without_secrets(
    logs: pytest.LogCaptureFixture,
) -> None:
    with NOTIFY_VCR.use_cassette("chat_500.yaml") as cassette:
        assert await send_webhook(MATTERMOST_URL, PERSON, headers=AUTH) is False
        _replayed_all(cassette)

    (warning,) = _warnings(logs)
    assert "https://chat.example.org" in warning
    assert "500" in warning
    # Not merely masked afterwards: the message names the scheme and host only.
    assert MASK not in warning
    assert "/hooks" not in warning
    for record in _app_records(logs):
        for canary in CANARIES:
            assert canary not in record.getMessage()


async def test_httpx_request_log_is_masked(logs: pytest.LogCaptureFixture) -> None:
    """httpx logs each request's full URL at INFO: the webhook's secret path is masked there."""
    with NOTIFY_VCR.use_cassette("chat_ok.yaml"):
        assert await send_webhook(SLACK_URL, PERSON, headers=AUTH) is True
    httpx_messages = [record.getMessage() for record in logs.records if record.name == "httpx"]
    assert any("HTTP Request: POST" in message for message in httpx_messages)
    for record in _app_records(logs):
        for canary in CANARIES:
            assert canary not in record.getMessage()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A local URL whose port is bound but not listening: connections are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        yield f"http://127.0.0.1:{port}/hooks/{PATH_CANARY}"


async def test_connection_refused_gives_false(
    refused_url: str, logs: pytest.LogCaptureFixture
) -> None:
    assert await send_webhook(refused_url, PERSON, headers=AUTH, timeout=5) is False
    (warning,) = _warnings(logs)
    assert "ConnectError" in warning
    assert refused_url.rpartition("/hooks")[0] in warning  # http://127.0.0.1:<port>
    assert PATH_CANARY not in warning
    assert MASK not in warning


def test_connection_refused_gives_false_in_sync_code(refused_url: str) -> None:
    assert send_webhook_sync(refused_url, PERSON, timeout=5) is False


async def test_timeout_gives_false(logs: pytest.LogCaptureFixture) -> None:
    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(too_slow)) as client:
        assert await send_webhook(SLACK_URL, PERSON, client=client) is False
    (warning,) = _warnings(logs)
    assert "ReadTimeout" in warning
    assert "https://hooks.slack.com" in warning


async def test_secrets_are_remembered_even_when_httpx_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token, key, path, password = (f"canari-{uuid4().hex}" for _ in range(4))
    url = f"https://alice:{password}@chat.example.org/hooks/{path}?k={key}"
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ConfigurationError, match=r"extra webhook.*linxo-assoconnect\[webhook\]"):
        await send_webhook(url, PERSON, headers={"Authorization": f"Bearer {token}"})
    for secret in (f"Bearer {token}", token, f"/hooks/{path}", password, key, url):
        assert redact(f"<{secret}>") == f"<{MASK}>"


def test_sync_twin_needs_httpx_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ConfigurationError, match="pip install"):
        send_webhook_sync(SLACK_URL, PERSON)


def test_secret_headers_are_remembered_by_name() -> None:
    values = {
        name: f"canari-{uuid4().hex}"
        for name in ("X-Gotify-Key", "X-Webhook-Token", "X-Client-Secret", "Proxy-Authorization")
    }
    plain = f"canari-{uuid4().hex}"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        headers = {**values, "X-Plain": plain}
        assert send_webhook_sync(NTFY_URL, PERSON, headers=headers, client=client) is True
    for value in values.values():
        assert redact(value) == MASK
    assert redact(plain) == plain


def test_cassettes_hold_no_secret() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert {file.name for file in files} >= {"chat_ok.yaml", "chat_500.yaml", "ntfy_topic.yaml"}
    for file in files:
        text = file.read_text(encoding="utf-8")
        for canary in (*CANARIES, "T0CANARI", "B0CANARI"):
            assert canary not in text, f"{canary} in {file.name}"
        assert "authorization" not in text.lower(), file.name


def test_notification_is_strict() -> None:
    with pytest.raises(ValueError, match="kind"):
        Notification.model_validate({**PERSON.model_dump(), "kind": "other"})
    with pytest.raises(ValueError, match="Extra inputs"):
        Notification.model_validate({**PERSON.model_dump(), "url": "https://x"})
