"""The public face of xbsec.webhooks, pinned: a change here is a change to the API."""

from __future__ import annotations

import subprocess
import sys

import xbsec.webhooks


def test_webhooks_exports_are_pinned() -> None:
    assert xbsec.webhooks.__all__ == [
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
    for name in xbsec.webhooks.__all__:
        assert getattr(xbsec.webhooks, name) is not None
    assert set(dir(xbsec.webhooks)) >= set(xbsec.webhooks.__all__)


def test_importing_the_face_loads_no_server_and_no_store_backend() -> None:
    code = ("import sys, xbsec.webhooks; xbsec.webhooks.WebhookReceiver; "
            "print(sorted(m for m in sys.modules if m.startswith(('xbsec.server', "
            "'xbsec.sandbox', 'redis', 'sqlite3', 'uvicorn'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
