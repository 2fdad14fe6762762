"""Carded rates: the rates of the day from each settlement currency (JSON only).

``GET /send/v1/partners/{pid}/crossborder/rates`` ->
``{"rates": {"effective_date": "YYYY-MM-DD", "rate": [{"sender_currency",
"receiver_currency", "fx_rate"}]}}``, one entry for every pair of a settlement currency
(``xbsec.sandbox.accounts``) and another known currency, at the rates quotes use
(``xbsec.sandbox.rates``). The rates never change; the date is the clock's.
"""

from __future__ import annotations

from xbsec.sandbox.accounts import SETTLEMENT_CURRENCIES
from xbsec.sandbox.money import CURRENCIES
from xbsec.sandbox.rates import fx_rate
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_date

__all__ = ["carded_rates"]


def carded_rates(request: Request, store: Store) -> Reply:
    rates = [{"sender_currency": sender, "receiver_currency": receiver,
              "fx_rate": format(fx_rate(CURRENCIES[sender], CURRENCIES[receiver]), "f")}
             for sender in SETTLEMENT_CURRENCIES for receiver in sorted(CURRENCIES)
             if receiver != sender]
    return Reply({"rates": {"effective_date": iso_date(request.now), "rate": rates}})
