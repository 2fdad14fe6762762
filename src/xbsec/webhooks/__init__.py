"""Receiving XBS push notifications: mutual TLS, decryption, typed events, each handed over
once.

Mastercard pushes Status Change, Carded Rate, RFI and Account Validation notifications to
the partner's webhook URL over mutual TLS, expects a 200, resends up to three times, and
may deliver an event twice (SPEC §9)::

    receiver = WebhookReceiver(handle, client_ca="mastercard-client-ca.pem",
                               decryption_keys=my_mastercard_encryption_key,
                               store=SQLiteEventStore("events.db"))
    delivery = receiver.receive(body, headers, client_certificate)   # from any framework
    # answer delivery.status, delivery.headers, delivery.body

    app = WebhookApp(AsyncWebhookReceiver(handle, client_ca=..., store=...))   # ASGI

- ``WebhookReceiver`` / ``AsyncWebhookReceiver``: the framework-free core
  (``xbsec.webhooks.receiver``): certificate, body, decryption, event, de-duplication,
  handler; a ``Delivery`` out.
- ``WebhookApp``: the ASGI application (``xbsec.webhooks.asgi``).
- ``ClientCertificateTrust``: which client certificates may push (``.certificates``).
- ``parse_event`` and the events ``StatusChangeEvent``, ``CardedRateEvent``, ``RfiEvent``,
  ``AccountValidationEvent`` (``.events``).

De-duplication uses the event-claim stores of ``xbsec.stores``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face

if TYPE_CHECKING:
    from xbsec.webhooks.asgi import WebhookApp
    from xbsec.webhooks.certificates import ClientCertificateTrust
    from xbsec.webhooks.events import (
        AccountValidationEvent,
        CardedRateEvent,
        PushEvent,
        RfiEvent,
        StatusChangeEvent,
        WebhookEvent,
        parse_event,
    )
    from xbsec.webhooks.receiver import AsyncWebhookReceiver, Delivery, WebhookReceiver

_WHERE = {
    "WebhookApp": "asgi",
    "ClientCertificateTrust": "certificates",
    "AccountValidationEvent": "events",
    "CardedRateEvent": "events",
    "PushEvent": "events",
    "RfiEvent": "events",
    "StatusChangeEvent": "events",
    "WebhookEvent": "events",
    "parse_event": "events",
    "AsyncWebhookReceiver": "receiver",
    "Delivery": "receiver",
    "WebhookReceiver": "receiver",
}

__all__ = [
    "AccountValidationEvent",
    "AsyncWebhookReceiver",
    "CardedRateEvent",
    "ClientCertificateTrust",
    "Delivery",
    "PushEvent",
    "RfiEvent",
    "StatusChangeEvent",
    "WebhookApp",
    "WebhookEvent",
    "WebhookReceiver",
    "parse_event",
]


__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__, globals())
