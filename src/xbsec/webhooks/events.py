"""The push notifications as typed events: what a receiver hands to its handler.

``parse_event(document)`` reads a decrypted JSON body into one of four events, each with
the members a handler needs as attributes and the whole document as ``payload``::

    kind               event                   its own attributes
    statusChange       StatusChangeEvent       event_type ("PAYMENT" | "QUOTE"),
                                               transaction_reference, payment | quote, status
    cardedRate         CardedRateEvent         rates (one mapping per currency pair)
    rfi                RfiEvent                event_type ("REQUEST_CREATED", ...),
                                               request_id, request_status, transactions
    accountValidation  AccountValidationEvent  status, ref_id, result

Every event has ``event_ref`` (what de-duplication keys on), ``kind``, ``timestamp`` (the
push's ``eventTimestamp``, ``None`` for the carded-rate push, which has none), ``partner_id``
(when given), ``payload`` and ``encrypted`` (whether it came in an ``encrypted_payload``
envelope).

Reading is strict about what it reads and tolerant of the rest: a member an event needs
must be there with the right JSON type, or the push is refused (``PushNotificationError``
400 ``INVALID_NOTIFICATION``, naming the member); members it does not know are kept in
``payload`` and never refused, so that a push Mastercard extends is not lost. The bodies
are described in the contract's ``webhooks`` (``xbsec.contract``), whose own schemas are
the sender's business.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

from xbsec.contract.notifications import NotificationKind, notification_kind
from xbsec.errors import PushNotificationError

__all__ = ["AccountValidationEvent", "CardedRateEvent", "PushEvent", "RfiEvent",
           "StatusChangeEvent", "WebhookEvent", "parse_event"]

MAX_EVENT_REF: Final = 256
"""The longest ``eventRef`` accepted (the contract says 64; a store keys up to 256)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PushEvent:
    """What every push notification carries."""

    event_ref: str
    """The event's id: a push sent again carries the same one (SPEC §9)."""
    kind: NotificationKind
    timestamp: str | None
    partner_id: str | None
    payload: Mapping[str, Any]
    """The whole document as received (decrypted)."""
    encrypted: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChangeEvent(PushEvent):
    """A payment's or a confirmed quote's status changed (Status Change Push)."""

    event_type: Literal["PAYMENT", "QUOTE"]
    transaction_reference: str
    payment: Mapping[str, Any] | None
    """The payment as ``retrieve_payment`` answers it (``eventType`` PAYMENT)."""
    quote: Mapping[str, Any] | None
    """The confirmed quote as its retrieval answers it (``eventType`` QUOTE)."""

    @property
    def status(self) -> str | None:
        """The payment's ``status``; for a quote, its cancellation's status if it has one,
        else its confirmation's (``CONFIRMED``, ``CANCELLED``, ...)."""
        if self.payment is not None:
            return _text_or_none(self.payment.get("status"))
        quote = self.quote.get("quote") if self.quote is not None else None
        if not isinstance(quote, Mapping):
            return None
        for name in ("cancelStatus", "confirmStatus"):
            found = quote.get(name)
            if isinstance(found, Mapping):
                return _text_or_none(found.get("status"))
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class CardedRateEvent(PushEvent):
    """New carded rates (FX Rate Push)."""

    rates: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RfiEvent(PushEvent):
    """A request for information was raised or changed (RFI Push)."""

    event_type: str
    request_id: str
    request_status: str
    transactions: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountValidationEvent(PushEvent):
    """The result of an account validation (Account Validation Push)."""

    status: str
    ref_id: str | None
    result: Mapping[str, Any]
    """The validation's answer (``accountValidation``): status, message, match, ..."""


WebhookEvent: TypeAlias = StatusChangeEvent | CardedRateEvent | RfiEvent | AccountValidationEvent
"""Any of the four events."""


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _invalid(message: str) -> PushNotificationError:
    return PushNotificationError(400, "INVALID_NOTIFICATION", message)


class _Reader:
    """Reads the members of one document, refusing a missing or mistyped one by name."""

    def __init__(self, document: Mapping[str, Any], kind: NotificationKind) -> None:
        self.document = document
        self.kind = kind

    def text(self, name: str) -> str:
        value = self.document.get(name)
        if not isinstance(value, str) or not value:
            raise _invalid(f"a {self.kind} push needs {name} as a non-empty string")
        return value

    def optional_text(self, name: str) -> str | None:
        return None if self.document.get(name) is None else self.text(name)

    def mapping(self, name: str) -> Mapping[str, Any]:
        value = self.document.get(name)
        if not isinstance(value, Mapping):
            raise _invalid(f"a {self.kind} push needs {name} as a JSON object")
        return value

    def objects(self, value: object, name: str) -> tuple[Mapping[str, Any], ...]:
        if value is None:
            return ()
        if not isinstance(value, Sequence) or isinstance(value, str) or not all(
                isinstance(item, Mapping) for item in value):
            raise _invalid(f"{name} of a {self.kind} push must be a list of JSON objects")
        return tuple(value)

    def common(self, *, timestamp: bool = True) -> dict[str, Any]:
        event_ref = self.text("eventRef")
        if len(event_ref) > MAX_EVENT_REF:
            raise _invalid(f"eventRef is longer than {MAX_EVENT_REF} characters")
        return {"event_ref": event_ref, "kind": self.kind,
                "timestamp": self.text("eventTimestamp") if timestamp else None,
                "partner_id": self.optional_text("partnerId"),
                "payload": self.document}


def _status_change(reader: _Reader, encrypted: bool) -> StatusChangeEvent:
    event_type = reader.document.get("eventType")
    payment = quote = None
    if event_type == "PAYMENT":
        payment = reader.mapping("payment")
        if not isinstance(payment.get("status"), str):
            raise _invalid("the payment of a statusChange push needs its status")
    else:
        quote = reader.mapping("quote")
    return StatusChangeEvent(**reader.common(), encrypted=encrypted,
                             event_type="PAYMENT" if event_type == "PAYMENT" else "QUOTE",
                             transaction_reference=reader.text("transactionReference"),
                             payment=payment, quote=quote)


def _carded_rate(reader: _Reader, encrypted: bool) -> CardedRateEvent:
    rates = reader.mapping("rates")
    return CardedRateEvent(**reader.common(timestamp=False), encrypted=encrypted,
                           rates=reader.objects(rates.get("rate"), "rates.rate"))


def _rfi(reader: _Reader, encrypted: bool) -> RfiEvent:
    return RfiEvent(**reader.common(), encrypted=encrypted,
                    event_type=reader.text("eventType"),
                    request_id=reader.text("requestId"),
                    request_status=reader.text("requestStatus"),
                    transactions=reader.objects(reader.document.get("transactions"),
                                                "transactions"))


def _account_validation(reader: _Reader, encrypted: bool) -> AccountValidationEvent:
    result = reader.mapping("accountValidation")
    status = result.get("status")
    if not isinstance(status, str) or not status:
        raise _invalid("the accountValidation of a push needs its status")
    return AccountValidationEvent(**reader.common(), encrypted=encrypted, status=status,
                                  ref_id=_text_or_none(result.get("refId")), result=result)


_READERS: Final[Mapping[NotificationKind, Callable[[_Reader, bool], WebhookEvent]]] = {
    "statusChange": _status_change, "cardedRate": _carded_rate, "rfi": _rfi,
    "accountValidation": _account_validation}


def parse_event(document: object, *, encrypted: bool = False) -> WebhookEvent:
    """The event a push's JSON document is; ``PushNotificationError`` (400) if none.

    ``encrypted`` says whether the document came encrypted (it becomes the event's own).
    """
    kind = notification_kind(document)
    if kind is None or not isinstance(document, Mapping):
        raise PushNotificationError(400, "UNKNOWN_NOTIFICATION", "the body is not a push "
                                    "notification XBS sends (status change, carded rate, RFI "
                                    "or account validation)")
    reader = _Reader(document, kind)
    return _READERS[kind](reader, encrypted)
