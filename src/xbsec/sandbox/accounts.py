"""Balances: the partner's prefunded settlement accounts (JSON only, GEN Account).

Every partner has the accounts of ``ACCOUNTS`` (the ids and currencies Mastercard's sandbox
and reference app show: FIDELITY §5.6); nothing is stored for them. Their balances are
computed, when asked, from the partner's payments and confirmed quotes in that currency, so
they move with them and are the same in every process serving the database:

==============================  ===========================================================
``openingBalance``              ``OPENING_BALANCE`` units of the currency
``processedAmount``             minus the charged amounts of the payments that succeeded
``reservedBalance``             the charged amounts of pending payments and of confirmed
                                quotes not yet paid, cancelled or expired
``availableBalance``            opening + processed - reserved
``settlementAccountBalance``    opening + processed
``thresholdAmount``             a tenth of the opening balance
``queuedBalance``               zero (the sandbox queues nothing)
==============================  ===========================================================

``GET .../accounts`` answers a JSON array, ``GET .../accounts/{account_id}`` one account
(404 for another id). Without ``include_balance=true`` (Mastercard's default is false, GEN)
an account has no ``balanceAsOfTimestamp`` and no ``balanceDetails``.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any, Final

from xbsec.sandbox.business_errors import INVALID_INPUT_VALUE, RESOURCE_UNKNOWN, Refusal
from xbsec.sandbox.lifecycle import state
from xbsec.sandbox.money import CURRENCIES, MONEY, Money
from xbsec.sandbox.proposals import confirmed_proposals
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp

__all__ = ["ACCOUNTS", "OPENING_BALANCE", "list_accounts", "retrieve_account"]

ACCOUNTS: Final = {"acct_1001": "USD", "acct_1002": "JPY", "acct_1003": "BHD",
                   "acct_1234": "EUR"}
"""Account id -> settlement currency, the same for every partner."""
OPENING_BALANCE: Final = Decimal(1_000_000)


def _include_balance(request: Request) -> bool:
    value = request.query_value("include_balance", required=False)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise Refusal.one(400, "include_balance", INVALID_INPUT_VALUE,
                          "include_balance must be true or false")
    return value.lower() == "true"


def _amount(value: Decimal, currency: str) -> dict[str, str]:
    return Money(value, CURRENCIES[currency]).document()


def _details(db: sqlite3.Connection, partner_id: str, currency: str,
             now: float) -> dict[str, Any]:
    processed = reserved = Decimal(0)
    for row in db.execute("SELECT * FROM payments WHERE partner_id = ? AND"
                          " charged_currency = ?", (partner_id, currency)):
        status = state(row, now).status
        if status == "SUCCESS":
            processed = MONEY.subtract(processed, Decimal(row["charged_amount"]))
        elif status == "PENDING":
            reserved = MONEY.add(reserved, Decimal(row["charged_amount"]))
    for proposal in confirmed_proposals(db, partner_id):
        charged = proposal.proposal["charged_amount"]
        if charged["currency"] == currency and proposal.reserves(now):
            reserved = MONEY.add(reserved, Decimal(charged["amount"]))
    settled = MONEY.add(OPENING_BALANCE, processed)
    return {"openingBalance": _amount(OPENING_BALANCE, currency),
            "processedAmount": _amount(processed, currency),
            "reservedBalance": _amount(reserved, currency),
            "availableBalance": _amount(MONEY.subtract(settled, reserved), currency),
            "settlementAccountBalance": _amount(settled, currency),
            "thresholdAmount": _amount(MONEY.divide(OPENING_BALANCE, Decimal(10)), currency),
            "queuedBalance": _amount(Decimal(0), currency),
            "thresholds": []}


def _account(db: sqlite3.Connection, request: Request, account_id: str,
             with_balance: bool) -> dict[str, Any]:
    currency = ACCOUNTS[account_id]
    account: dict[str, Any] = {"accountId": account_id, "settlementCurrency": currency,
                               "accountState": "ACTIVE", "openingBalanceTimestamp": "00:00:00Z"}
    if with_balance:
        account["balanceAsOfTimestamp"] = iso_timestamp(request.now)
        account["balanceDetails"] = _details(db, request.partner_id, currency, request.now)
    return account


def list_accounts(request: Request, store: Store) -> Reply:
    with_balance = _include_balance(request)
    with store.transaction(write=False) as db:
        return Reply([_account(db, request, account_id, with_balance)
                      for account_id in ACCOUNTS])


def retrieve_account(request: Request, store: Store) -> Reply:
    with_balance = _include_balance(request)
    wanted = request.params["account_id"]
    if wanted not in ACCOUNTS:
        raise Refusal.one(404, "account_id", RESOURCE_UNKNOWN, "no such account")
    with store.transaction(write=False) as db:
        return Reply(_account(db, request, wanted, with_balance))
