"""French amounts, dates and names, as the sites print them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linxo_assoconnect import AccountNotFound
from linxo_assoconnect._core.text import (
    PARIS,
    fold,
    label_regex,
    match_name,
    parse_amount,
    parse_french_datetime,
    parse_linxo_update,
)

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)
spaces = st.sampled_from([" ", "\u00a0", "\u202f", ""])


def french(amount: Decimal, thousands: str, currency: str) -> str:
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):,.2f}".split(".")
    return f"{sign}{whole.replace(',', thousands)},{cents}{currency}"


@given(amounts, st.sampled_from([" ", "\u00a0", "\u202f", "."]), spaces)
def test_amounts_round_trip_through_french_formats(
    amount: Decimal, thousands: str, before_currency: str
) -> None:
    for currency in ("€", "EUR"):
        assert parse_amount(french(amount, thousands, before_currency + currency)) == amount


@given(amounts)
def test_amount_is_found_inside_a_line(amount: Decimal) -> None:
    text = f"Banque Exemple Mise à jour: 28.01.24, 06h33 {french(amount, ' ', ' €')} M’authentifier"
    assert parse_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56 €", Decimal("1234.56")),
        ("-67 €", Decimal("-67")),
        ("−67,00 €", Decimal("-67.00")),
        ("67 €", Decimal("67")),
        ("Solde : 5\u202f000,00\u00a0€", Decimal("5000.00")),
        ("Mise à jour: 28.01.24, 06h33", None),
        ("Aucun solde", None),
    ],
)
def test_amount_examples(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text) == expected


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_linxo_update_round_trip(moment: datetime) -> None:
    shown = f"Mise à jour: {moment:%d.%m.%y, %Hh%M}"
    parsed = parse_linxo_update(shown)
    assert parsed == moment.replace(second=0, microsecond=0, tzinfo=PARIS)
    assert parsed is not None and parsed.utcoffset() is not None


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_french_datetime_round_trip(moment: datetime) -> None:
    parsed = parse_french_datetime(f"Dernier import : {moment:%d/%m/%Y à %H:%M}")
    assert parsed == moment.replace(second=0, microsecond=0, tzinfo=PARIS)


def test_dates_examples() -> None:
    assert parse_linxo_update("Mise à jour: 28.01.24, 06h33") == datetime(
        2024, 1, 28, 6, 33, tzinfo=PARIS
    )
    assert parse_linxo_update("Mise à jour: 31.02.24, 06h33") is None
    assert parse_linxo_update("jamais") is None


FRENCH = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæABCDÉÈÇÀ'’ -\u00a0"


@given(st.text(alphabet=FRENCH, min_size=1, max_size=30).filter(str.strip))
def test_label_regex_matches_its_own_text_in_any_style(text: str) -> None:
    styled = text.replace("'", "’").upper()
    assert label_regex(text).search(styled)
    assert label_regex(text).search(fold(text))


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("M'authentifier", "M’AUTHENTIFIER"),
        ("M’authentifier", "M'authentifier"),
        ("Gérer ses comptes", "GERER  SES\u00a0comptes"),
        ("Plus d'options", "Plus d’options"),
        ("Déconnecter", "deconnecter"),
    ],
)
def test_label_regex_ignores_apostrophes_case_accents_and_spaces(label: str, shown: str) -> None:
    assert label_regex(label).search(shown)
    assert label_regex(label, exact=True).search(f"  {shown} ")
    assert not label_regex(label, exact=True).search(f"{shown} et plus")


def test_fold() -> None:
    assert fold("  Crédit  Coopératif’s\u00a0Exemple ") == "credit cooperatif's exemple"


def test_match_name_exact_wins_then_unique_part() -> None:
    choices = ["Livret A", "Livret A Association", "Compte courant"]
    assert match_name("livret a", choices) == "Livret A"
    assert match_name("courant", choices) == "Compte courant"
    assert match_name("Credit Cooperatif", ["Crédit Coopératif Exemple"]) == (
        "Crédit Coopératif Exemple"
    )


def test_match_name_lists_choices_when_none_or_several_match() -> None:
    with pytest.raises(AccountNotFound, match="Choix possibles") as none:
        match_name("Épargne", ["Livret A", "Compte courant"])
    assert none.value.choices == ["Livret A", "Compte courant"]
    with pytest.raises(AccountNotFound, match="Plusieurs") as several:
        match_name("FR76", ["Compte FR76 1", "Livret FR76 2"])
    assert several.value.wanted == "FR76"


@pytest.mark.parametrize(
    ("label", "name"),
    [
        (
            "Compte courant Association Exemple 1\u202f234,56\u00a0€",
            "Compte courant Association Exemple",
        ),
        ("Compte 0123456789 1 234,56 €", "Compte 0123456789"),
        ("Parts sociales 2024 -67,00 €", "Parts sociales 2024"),
        ("Livret A 15 €", "Livret A"),
    ],
)
def test_a_radio_label_loses_its_balance_not_the_digits_of_its_name(label: str, name: str) -> None:
    from linxo_assoconnect.pages._accounts import AMOUNT_AT_END

    assert AMOUNT_AT_END.sub("", label) == name


def test_an_unknown_association_is_said_in_good_french() -> None:
    with pytest.raises(AccountNotFound, match=r"^Aucune association ne correspond"):
        match_name("Club Exemple", ["Association Exemple"], what="association")
    with pytest.raises(AccountNotFound, match=r"^Aucun compte Linxo ne correspond"):
        match_name("Épargne", ["Livret A"], what="compte Linxo")
