"""Carded rates: the day's rates, in tiers, each with a ``rate_id`` to pay with (JSON, XML).

``GET /send/v1/partners/{pid}/crossborder/rates`` -> (GEN Rate, FIDELITY §3 item 6)::

    {"rates": {"rate": [{"partner_id", "event_type": "CARDFX_PUB", "type": "tiered",
        "use": "CMSP", "from_currency_code": "USD", "to_currency_code": "EUR",
        "valid_from": "2023-11-14T00:00:00Z", "valid_to": "2023-11-14T23:59:59Z",
        "account_type": "BANK", "tier_identifier_rate": "",
        "tiers": {"tier": [{"from_amount": "0", "rate_id": "CR20231114USDEUR1",
                            "ask_rate", "mid_rate", "bid_rate"}, ...]}}]}}

One rate from each of ``CARDED_FROM`` to each of ``CARDED_TO`` (chosen: Mastercard's sandbox
offers no carded-rate testing, DOC, so the pairs are the sandbox's own), two tiers each:
from 0 and from ``SECOND_TIER``. ``mid_rate`` is the quotes' rate (``xbsec.sandbox.rates``),
``ask_rate`` 0.5 % above it and ``bid_rate``, the rate a payment gets, 0.5 % below it (0.25 %
in the second tier). A rate is valid for its UTC day: a payment naming a ``rate_id`` of
another day is declined (``find_tier``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final

from xbsec.sandbox.money import CURRENCIES, MONEY, Currency
from xbsec.sandbox.rates import fx_rate
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import utc_timestamp

__all__ = ["CARDED_FROM", "CARDED_TO", "CardedTier", "carded_rates", "find_tier"]

CARDED_FROM: Final = ("USD", "EUR", "GBP")
CARDED_TO: Final = ("AUD", "CAD", "EUR", "GBP", "INR", "JPY", "KES", "MAD", "MXN", "NGN", "PHP",
                    "USD")
SECOND_TIER: Final = Decimal(10_000)
_SPREADS: Final = ((Decimal(0), Decimal("0.005")), (SECOND_TIER, Decimal("0.0025")))
_ASK_SPREAD: Final = Decimal("0.005")
_RATE_ID: Final = re.compile(r"CR(\d{8})([A-Z]{3})([A-Z]{3})([12])")
_QUANTUM: Final = Decimal("1E-10")


@dataclass(frozen=True, slots=True)
class CardedTier:
    sender: Currency
    receiver: Currency
    from_amount: Decimal
    bid_rate: Decimal


def _day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y%m%d")


def _spread(rate: Decimal, spread: Decimal) -> Decimal:
    moved = MONEY.multiply(rate, MONEY.add(Decimal(1), spread))
    return moved.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN, context=MONEY).normalize(MONEY)


def _pairs() -> list[tuple[str, str]]:
    return [(s, r) for s in CARDED_FROM for r in CARDED_TO if r != s]


def _rate(partner_id: str, sender: str, receiver: str, now: float) -> dict[str, Any]:
    day = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = day.timestamp()
    mid = fx_rate(CURRENCIES[sender], CURRENCIES[receiver])
    tiers = [{"from_amount": format(from_amount, "f"),
              "rate_id": f"CR{_day(now)}{sender}{receiver}{index}",
              "ask_rate": format(_spread(mid, _ASK_SPREAD), "f"),
              "mid_rate": format(mid, "f"),
              "bid_rate": format(_spread(mid, -spread), "f")}
             for index, (from_amount, spread) in enumerate(_SPREADS, start=1)]
    return {"partner_id": partner_id, "event_type": "CARDFX_PUB", "type": "tiered",
            "use": "CMSP", "from_currency_code": sender, "to_currency_code": receiver,
            "valid_from": utc_timestamp(start), "valid_to": utc_timestamp(start + 86_399),
            "account_type": "BANK", "tier_identifier_rate": "", "tiers": {"tier": tiers}}


def carded_rates(request: Request, store: Store) -> Reply:
    return Reply({"rates": {"rate": [_rate(request.partner_id, sender, receiver, request.now)
                                     for sender, receiver in _pairs()]}})


def find_tier(rate_id: str, now: float) -> CardedTier | None:
    """The tier ``rate_id`` names, if it is one of the rates valid at ``now``."""
    match = _RATE_ID.fullmatch(rate_id)
    if match is None:
        return None
    day, sender, receiver, index = match.groups()
    if day != _day(now) or (sender, receiver) not in _pairs():
        return None
    from_amount, spread = _SPREADS[int(index) - 1]
    mid = fx_rate(CURRENCIES[sender], CURRENCIES[receiver])
    return CardedTier(CURRENCIES[sender], CURRENCIES[receiver], from_amount,
                      _spread(mid, -spread))
