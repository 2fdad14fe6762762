"""Balances: the partner's settlement accounts (JSON and XML).

Every partner has one settlement account in each of ``SETTLEMENT_CURRENCIES``; nothing is
stored for them. An account's id is derived from the partner id and the currency (``ACC``
and 15 digits of SHA-256), and its balance is ``OPENING_BALANCE`` minus the charged amounts
of the partner's payments in that currency that are not cancelled, so it moves with the
payments and is the same in every process serving the database.

================================================  ==========================================
GET .../crossborder/accounts?include_balance=     ``{"accounts": {"account": [...]}}``
GET .../crossborder/accounts/{account_id}         ``{"account": {...}}``, 404 if unknown
================================================  ==========================================

An account: ``{"account_id", "account_type": "SETTLEMENT", "currency", "status": "ACTIVE",
"balance": {"amount", "currency"}, "balance_timestamp"}``; ``include_balance=false`` leaves
out the last two (the default is ``true``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from decimal import Decimal
from typing import Any, Final

from xbsec.sandbox.business_errors import INVALID_INPUT_VALUE, RESOURCE_UNKNOWN, Refusal
from xbsec.sandbox.money import CURRENCIES, MONEY, Money
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp

__all__ = ["OPENING_BALANCE", "SETTLEMENT_CURRENCIES", "account_id", "list_accounts",
           "retrieve_account"]

SETTLEMENT_CURRENCIES: Final = ("USD", "EUR", "GBP")
OPENING_BALANCE: Final = Decimal("1000000.00")


def account_id(partner_id: str, currency: str) -> str:
    digest = hashlib.sha256(f"{partner_id}\x00{currency}".encode()).digest()
    return f"ACC{int.from_bytes(digest[:8], 'big') % 10**15:015d}"


def _include_balance(request: Request) -> bool:
    value = request.query_value("include_balance", required=False)
    if value is None:
        return True
    if value.lower() not in ("true", "false"):
        raise Refusal.one(400, "include_balance", INVALID_INPUT_VALUE,
                          "include_balance must be true or false")
    return value.lower() == "true"


def _account(db: sqlite3.Connection, request: Request, currency: str,
             with_balance: bool) -> dict[str, Any]:
    account: dict[str, Any] = {"account_id": account_id(request.partner_id, currency),
                               "account_type": "SETTLEMENT", "currency": currency,
                               "status": "ACTIVE"}
    if with_balance:
        balance = OPENING_BALANCE
        for (amount,) in db.execute(
                "SELECT charged_amount FROM payments WHERE partner_id = ?"
                " AND charged_currency = ? AND status <> 'CANCELLED'",
                (request.partner_id, currency)):
            balance = MONEY.subtract(balance, Decimal(amount))
        account["balance"] = Money(balance, CURRENCIES[currency]).document()
        account["balance_timestamp"] = iso_timestamp(request.now)
    return account


def list_accounts(request: Request, store: Store) -> Reply:
    with_balance = _include_balance(request)
    with store.transaction(write=False) as db:
        accounts = [_account(db, request, currency, with_balance)
                    for currency in SETTLEMENT_CURRENCIES]
    return Reply({"accounts": {"account": accounts}})


def retrieve_account(request: Request, store: Store) -> Reply:
    with_balance = _include_balance(request)
    wanted = request.params["account_id"]
    for currency in SETTLEMENT_CURRENCIES:
        if account_id(request.partner_id, currency) == wanted:
            with store.transaction(write=False) as db:
                return Reply({"account": _account(db, request, currency, with_balance)})
    raise Refusal.one(404, "account_id", RESOURCE_UNKNOWN, "no such account")
