"""Simulated rates and fees: the documented formula, Decimal only, currency exponents kept."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xbsec.sandbox.money import CURRENCIES, Money, parse_amount
from xbsec.sandbox.rates import FEE_SCHEDULE, fee, fx_rate, price_forward, price_reverse

USD, EUR, JPY, KWD = (CURRENCIES[c] for c in ("USD", "EUR", "JPY", "KWD"))
codes = st.sampled_from(sorted(CURRENCIES))
payment_types = st.sampled_from(sorted(FEE_SCHEDULE))


def _exponent(text: str) -> int:
    return len(text.partition(".")[2])


def test_the_same_currency_converts_at_exactly_one() -> None:
    assert fx_rate(EUR, EUR) == 1
    assert format(fx_rate(EUR, EUR), "f") == "1"


def test_the_rate_follows_the_documented_formula() -> None:
    # Recomputed here from the module docstring, independently of the implementation.
    h = int.from_bytes(hashlib.sha256(b"USD->EUR").digest()[:8], "big")
    expected = Decimal("0.92") * (1 + Decimal(h % 401 - 200) / 10000)
    assert fx_rate(USD, EUR) == round(expected, 8 - expected.adjusted() - 1)


@given(codes, codes)
def test_a_rate_is_within_two_percent_of_the_nominal_ratio(sender: str, receiver: str) -> None:
    s, r = CURRENCIES[sender], CURRENCIES[receiver]
    rate = fx_rate(s, r)
    nominal = r.per_usd / s.per_usd
    assert abs(rate / nominal - 1) <= Decimal("0.0201")
    assert len(rate.as_tuple().digits) <= 8
    assert fx_rate(s, r) == rate  # a pure function of the pair


def test_pairs_get_different_rates() -> None:
    assert len({fx_rate(USD, CURRENCIES[c]) / CURRENCIES[c].per_usd for c in CURRENCIES}) > 20


@pytest.mark.parametrize(("payment_type", "base", "expected"), [
    ("P2P", Money(Decimal("100.00"), USD), "2.00"),        # 2 %
    ("B2B", Money(Decimal("1000"), USD), "5.00"),          # 0.5 %
    ("G2P", Money(Decimal("100"), USD), "0.50"),           # 0.5 %
    ("P2P", Money(Decimal("10025"), JPY), "201"),          # 200.5, rounded half up
    ("P2B", Money(Decimal("10.000"), KWD), "0.150"),       # 1.5 %
])
def test_fees_follow_the_schedule(payment_type: str, base: Money, expected: str) -> None:
    assert fee(payment_type, base).document()["amount"] == expected


def test_a_forward_quote_without_fees_included() -> None:
    terms = price_forward(Money(Decimal("100.00"), USD), EUR, "P2P", fees_included=False)
    assert terms.principal.document() == {"amount": "100.00", "currency": "USD"}
    assert terms.fees.document() == {"amount": "2.00", "currency": "USD"}
    assert terms.charged.document() == {"amount": "102.00", "currency": "USD"}
    assert terms.credited.amount == (Decimal("100.00") * terms.fx_rate).quantize(
        Decimal("0.01"), rounding="ROUND_DOWN")


def test_a_forward_quote_with_fees_included_takes_them_from_the_amount() -> None:
    terms = price_forward(Money(Decimal("100.00"), USD), EUR, "P2P", fees_included=True)
    assert terms.charged.document()["amount"] == "100.00"
    assert terms.fees.document()["amount"] == "2.00"
    assert terms.principal.document()["amount"] == "98.00"


def test_any_amount_can_be_sent_fees_included() -> None:
    # Mastercard's reference app pays 200 INR business to business, fees included.
    assert price_forward(Money(Decimal("200"), CURRENCIES["INR"]), USD, "B2B",
                         fees_included=True).positive


def test_an_amount_too_small_to_convert_makes_no_positive_proposal() -> None:
    assert not price_forward(Money(Decimal("1"), JPY), USD, "P2P", fees_included=True).positive


def test_the_table_is_every_iso_4217_currency_with_a_minor_unit() -> None:
    assert len(CURRENCIES) > 150
    assert {"MAD", "RWF", "THB", "ZMW"} <= set(CURRENCIES)
    assert "XAU" not in CURRENCIES  # gold has no minor unit
    assert (CURRENCIES["KWD"].exponent, CURRENCIES["JPY"].exponent) == (3, 0)


def test_a_reverse_quote_fixes_what_the_recipient_receives() -> None:
    terms = price_reverse(Money(Decimal("5000"), JPY), USD, "P2P")
    assert terms.credited.document() == {"amount": "5000", "currency": "JPY"}
    assert terms.principal.currency is USD
    assert terms.principal.amount * terms.fx_rate >= Decimal(5000)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2),
       codes, codes, payment_types, st.booleans())
def test_amounts_are_written_with_their_currency_decimals(
        amount: Decimal, sender: str, receiver: str, payment_type: str,
        fees_included: bool) -> None:
    s, r = CURRENCIES[sender], CURRENCIES[receiver]
    forward = price_forward(Money(s.quantize(amount), s), r, payment_type,
                            fees_included=fees_included)
    reverse = price_reverse(Money(r.quantize(amount), r), s, payment_type)
    for terms in (forward, reverse):
        for part in (terms.charged, terms.principal, terms.fees, terms.credited):
            assert _exponent(part.document()["amount"]) == part.currency.exponent
        assert terms.charged.amount == terms.principal.amount + terms.fees.amount
    # forward: the recipient gets the principal converted, rounded down to one unit
    # (a proposal that is not positive is never offered: the quote is refused)
    converted = forward.principal.amount * forward.fx_rate
    if forward.positive:
        assert forward.credited.amount <= converted < forward.credited.amount + r.quantum
    # reverse: the smallest principal that converts to at least the amount asked
    assert reverse.principal.amount * reverse.fx_rate >= reverse.credited.amount
    assert (reverse.principal.amount - s.quantum) * reverse.fx_rate < reverse.credited.amount


@pytest.mark.parametrize(("text", "expected"), [
    ("100", Decimal(100)), ("100.5", Decimal("100.5")), ("0.01", Decimal("0.01")),
    ("", None), ("-1", None), ("1e3", None), ("1.", None), (".5", None), ("1.2.3", None),
    ("NaN", None), (" 1", None), ("١٢", None),
])
def test_amount_text(text: str, expected: Decimal | None) -> None:
    assert parse_amount(text) == expected
