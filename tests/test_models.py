"""Models: frozen, JSON round-trips, secrets masked."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from pydantic import SecretStr, ValidationError

from linxo_assoconnect import (
    BankConnection,
    BankProfile,
    Credentials,
    LinxoAssoconnectError,
    RetryPolicy,
    SyncResult,
)
from linxo_assoconnect._core import errors
from linxo_assoconnect._core.text import PARIS

CANARY = "canari-7f3e-mot-de-passe"


def test_credentials_never_show_the_password() -> None:
    login = Credentials(username="tresorier@association-exemple.fr", password=SecretStr(CANARY))
    for shown in (repr(login), str(login), login.model_dump_json(), f"{login}", f"{login!r}"):
        assert CANARY not in shown
    assert login.password.get_secret_value() == CANARY


def test_models_are_frozen_and_round_trip_through_json() -> None:
    connection = BankConnection(
        bank="Banque Populaire Exemple",
        healthy=True,
        message=None,
        updated_at=datetime(2024, 1, 28, 6, 33, tzinfo=PARIS),
        balance=Decimal("1234.56"),
    )
    assert BankConnection.model_validate_json(connection.model_dump_json()) == connection
    with pytest.raises(ValidationError):
        connection.healthy = False  # type: ignore[misc]


def test_times_must_be_aware() -> None:
    with pytest.raises(ValidationError):
        SyncResult(
            account="Livret A",
            ok=True,
            status="Synchronisation active",
            attempts=1,
            used_fallback=False,
            finished_at=datetime(2024, 1, 28, 6, 33),
        )


def test_bank_profile_takes_one_label_or_several() -> None:
    profile = BankProfile(identifier="Numéro d’abonné", submit=["Entrer", "Valider"])
    assert profile.identifier == ("Numéro d’abonné",)
    assert profile.submit == ("Entrer", "Valider")
    assert "Mot de passe" in profile.password
    with pytest.raises(ValidationError):
        BankProfile(code=[])


def test_retry_policy_is_bounded() -> None:
    with pytest.raises(ValidationError):
        RetryPolicy(attempts=0)
    with pytest.raises(ValidationError):
        RetryPolicy(deadline=0)


def test_every_error_shares_one_root() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), LinxoAssoconnectError)


def test_an_expired_login_is_not_a_refused_one() -> None:
    """``except LoginFailed`` (a wrong password, never retried) must not catch an expired
    session, which a `Session` simply logs in again."""
    assert not issubclass(errors.LoginRequired, errors.LoginFailed)
