"""Checking request documents: against the contract first, then field by field.

``contract_problems`` turns what ``xbsec.contract`` finds wrong with a body into XBS errors:
a missing member is ``MISSING_REQUIRED_INPUT``, a too long or too short one
``INVALID_INPUT_LENGTH``, anything else ``INVALID_INPUT_VALUE``; the ``Source`` is the
member's dotted path without the transaction APIs' root (``payment_amount.amount``, as
XBS reports it, SPEC §8.3), camelCase paths as they are (``accountUri.value``, FIDELITY
§5.8), and an index in brackets (``data_field[0].name``).

Then a ``Fields`` wraps one object of a document; each accessor returns the value or ``None``
and records a problem whose ``Source`` is the field's dotted path (``payment_amount.amount``,
``answers[0].question_id``), as XBS reports it (SPEC §8.3). A handler reads every field it
needs, then calls ``Problems.check()``, which refuses with all of them at once (HTTP 400).

What a field may hold, since XML leaves are always text and JSON leaves are typed:

- text: a string, or a JSON integer (written back as its digits); an empty string is a
  missing value, as an empty XML element is;
- a flag: ``true``/``false`` as text (any case) or a JSON boolean;
- an amount: a plain decimal string or a JSON number, no sign or exponent.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any, Final

from xbsec.contract import Problem
from xbsec.error_envelope import ErrorItem
from xbsec.sandbox.business_errors import (
    INVALID_INPUT_FORMAT,
    INVALID_INPUT_LENGTH,
    INVALID_INPUT_VALUE,
    MISSING_REQUIRED_INPUT,
    Refusal,
)
from xbsec.sandbox.countries import is_country
from xbsec.sandbox.money import CURRENCIES, Currency, Money, parse_amount

__all__ = ["TRANSACTION_ROOTS", "Fields", "Problems", "contract_problems", "document_object"]

TRANSACTION_ROOTS: Final = frozenset({"quoterequest", "paymentrequest", "cancelpaymentrequest",
                                      "quoteconfirmationrequest", "cancelConfirmedQuoteRequest"})
"""Roots left out of an error's Source: XBS names ``proposal_id``, not
``paymentrequest.proposal_id`` (REF's test of a bad proposal)."""
_LENGTH_KEYWORDS: Final = frozenset({"minLength", "maxLength", "minItems", "maxItems"})


def _source(path: tuple[str | int, ...]) -> str:
    parts = list(path)
    if parts and parts[0] in TRANSACTION_ROOTS and len(parts) > 1:
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "Body"


def _reason(problem: Problem) -> str:
    if problem.keyword == "required" or (problem.keyword == "minLength"
                                         and problem.message.startswith("'' ")):
        return MISSING_REQUIRED_INPUT
    if problem.keyword in _LENGTH_KEYWORDS:
        return INVALID_INPUT_LENGTH
    return INVALID_INPUT_VALUE


def contract_problems(found: Collection[Problem]) -> list[ErrorItem]:
    """The XBS errors for what the contract's validator found (one per Source and reason)."""
    items: dict[tuple[str, str], ErrorItem] = {}
    for problem in found:
        path: tuple[str | int, ...] = problem.path
        if problem.keyword == "required":
            missing = problem.source.rsplit(".", 1)[-1]
            path = (*path, missing)
        source, reason = _source(path), _reason(problem)
        if (source, reason) not in items:
            items[source, reason] = ErrorItem(source, reason, f"{source}: {problem.message}")
    return list(items.values())

_CURRENCY_SHAPE = re.compile(r"[A-Z]{3}")
_COUNTRY_SHAPE = re.compile(r"[A-Z]{3}")
_MAX_AMOUNT_CHARACTERS = 18
_MAX_AMOUNT = Decimal("999999999999")


class Problems:
    """The problems found so far in one request."""

    def __init__(self) -> None:
        self.items: list[ErrorItem] = []

    def add(self, source: str, reason_code: str, description: str) -> None:
        self.items.append(ErrorItem(source, reason_code, description))

    def check(self) -> None:
        """Refuse the request (400) if anything was found."""
        if self.items:
            raise Refusal(400, self.items)


def document_object(content: Any, source: str) -> Fields:
    """A document (or a root's content) that must be an object; an empty XML root is one."""
    if content == "":
        content = {}
    if not isinstance(content, Mapping):
        raise Refusal.one(400, source, INVALID_INPUT_FORMAT, f"{source} must be an object")
    return Fields(content, Problems())


class Fields:
    """One object of a request document; ``path`` is its place in the document."""

    def __init__(self, data: Mapping[str, Any], problems: Problems, path: str = "") -> None:
        self.data = data
        self.problems = problems
        self.path = path

    def source(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def _missing(self, name: str) -> None:
        self.problems.add(self.source(name), MISSING_REQUIRED_INPUT,
                          f"{self.source(name)} is required")

    def _invalid(self, name: str, why: str) -> None:
        self.problems.add(self.source(name), INVALID_INPUT_VALUE, f"{self.source(name)} {why}")

    def present(self, name: str) -> bool:
        value = self.data.get(name)
        return value is not None and value != ""

    def text(self, name: str, *, required: bool = True, min_length: int = 1,
             max_length: int | None = None, pattern: re.Pattern[str] | None = None,
             choices: Collection[str] | None = None) -> str | None:
        """A text field, checked for length, then shape (``pattern``) or ``choices``."""
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self._missing(name)
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self._invalid(name, "must be text")
            return None
        if len(value) < min_length or (max_length is not None and len(value) > max_length):
            bound = (f"{min_length} to {max_length}" if max_length is not None
                     else f"at least {min_length}")
            self.problems.add(self.source(name), INVALID_INPUT_LENGTH,
                              f"{self.source(name)} must be {bound} characters long")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self._invalid(name, "is not in the expected format")
            return None
        if choices is not None and value not in choices:
            self._invalid(name, f"must be one of {', '.join(sorted(choices))}")
            return None
        return value

    def flag(self, name: str, *, default: bool) -> bool | None:
        """``true`` or ``false``; ``default`` when absent, ``None`` when neither."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self._invalid(name, "must be true or false")
        return None

    def section(self, name: str, *, required: bool = True) -> Fields | None:
        """A nested object."""
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self._missing(name)
            return None
        if not isinstance(value, Mapping):
            self._invalid(name, "must be an object")
            return None
        return Fields(value, self.problems, self.source(name))

    def currency(self, name: str, *, required: bool = True) -> Currency | None:
        """An ISO 4217 code the sandbox prices."""
        code = self.text(name, required=required, min_length=3, max_length=3,
                         pattern=_CURRENCY_SHAPE)
        if code is None:
            return None
        if code not in CURRENCIES:
            self._invalid(name, f"is not an ISO 4217 currency ({code})")
            return None
        return CURRENCIES[code]

    def country(self, name: str, *, required: bool = True) -> str | None:
        """An ISO 3166-1 alpha-3 country code."""
        code = self.text(name, required=required, min_length=3, max_length=3,
                         pattern=_COUNTRY_SHAPE)
        if code is not None and not is_country(code):
            self._invalid(name, f"is not an ISO 3166-1 alpha-3 country ({code})")
            return None
        return code

    def money(self, name: str, *, required: bool = True) -> Money | None:
        """``{"amount": "100.00", "currency": "USD"}``: positive, no more decimals than the
        currency has."""
        fields = self.section(name, required=required)
        if fields is None:
            return None
        currency = fields.currency("currency")
        raw = fields.data.get("amount")
        if raw is None or raw == "":
            fields._missing("amount")
            return None
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            fields._invalid("amount", "must be a decimal number")
            return None
        text = raw if isinstance(raw, str) else str(raw)
        if len(text) > _MAX_AMOUNT_CHARACTERS:
            self.problems.add(fields.source("amount"), INVALID_INPUT_LENGTH,
                              f"{fields.source('amount')} is longer than "
                              f"{_MAX_AMOUNT_CHARACTERS} characters")
            return None
        amount = parse_amount(text)
        if amount is None:
            fields._invalid("amount", "must be a plain decimal number such as 100.00")
            return None
        if amount <= 0 or amount > _MAX_AMOUNT:
            fields._invalid("amount", f"must be above 0 and at most {_MAX_AMOUNT}")
            return None
        if currency is None:
            return None
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > currency.exponent:
            fields._invalid("amount", f"has more decimals than {currency.code} allows "
                                      f"({currency.exponent})")
            return None
        return Money(amount, currency)
