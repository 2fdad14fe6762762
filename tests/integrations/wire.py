"""What the adapters' tests send, and how to read what was signed from what was sent."""

from __future__ import annotations

import socket

from xbsec.oauth1.header import parse_authorization

QUOTE = {"quoterequest": {"transaction_reference": "0999999034810154901",
                          "payment_amount": {"amount": "100.00", "currency": "EUR"},
                          "sender": {"name": "Zoë Ångström 東京"}}}


def quotes_path(partner_id: str) -> str:
    return f"/send/v1/partners/{partner_id}/crossborder/quotes"


def signed_body_hash(authorization: str) -> str:
    """The oauth_body_hash an OAuth 1.0a Authorization header carries (SPEC §2.3)."""
    return parse_authorization(authorization)["oauth_body_hash"]


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens: the port was just released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
