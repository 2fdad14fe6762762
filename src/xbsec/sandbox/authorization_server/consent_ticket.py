"""The consent form's ticket: the pending authorization request, carried by the page itself.

An authorization request needs no credential, so showing the consent page must cost the
server nothing it keeps: no row, no write. The page's form carries the checked request in
its hidden fields and, as ``csrf_token``, a ticket that vouches for them::

    ticket  = base64url(payload) "." base64url(mac)
    mac     = HMAC-SHA256(key, "xbsec-consent-ticket/1." + base64url(payload))
    payload = {"request": {<the form's request fields>}, "nonce": "<22 random characters>",
               "exp": <NumericDate>}

When the form comes back, the MAC proves that this server made the ticket (nothing in it
was changed, so the request was checked when the page was shown), ``exp`` bounds its life,
and the request fields sent with the answer must equal the ticket's. The ``nonce`` makes
the answer single use: the store records it once, and only then (the first write of the
whole flow). The key is the store's, shared by every process on the database file.

The ticket holds nothing secret (the request is on the page already): it is signed, not
encrypted. Holding the key would let one make tickets, which a GET gives anyone anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from xbsec.jose import b64

__all__ = ["ConsentTicket", "issue_ticket", "open_ticket"]

_CONTEXT: Final = b"xbsec-consent-ticket/1."
_NONCE_BYTES: Final = 16
_MAX_TICKET: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class ConsentTicket:
    """What a genuine ticket says: the request shown, its single-use nonce, its expiry."""

    request: dict[str, str]
    nonce: str
    expires_at: float


def _mac(key: bytes, payload: str) -> bytes:
    return hmac.new(key, _CONTEXT + payload.encode("ascii"), hashlib.sha256).digest()


def issue_ticket(key: bytes, request: Mapping[str, str], *, expires_at: float) -> str:
    """A new ticket for ``request`` (the consent form's fields), valid until ``expires_at``."""
    document = {"request": dict(request), "nonce": secrets.token_urlsafe(_NONCE_BYTES),
                "exp": int(expires_at)}
    payload = b64.encode_str(json.dumps(document, separators=(",", ":"),
                                        sort_keys=True).encode("utf-8"))
    return f"{payload}.{b64.encode_str(_mac(key, payload))}"


def open_ticket(key: bytes, ticket: str) -> ConsentTicket | None:
    """The ticket's content if this server made it (expired or not); None otherwise."""
    if len(ticket) > _MAX_TICKET or ticket.count(".") != 1:
        return None
    payload, _, mac = ticket.partition(".")
    received = b64.decode(mac)
    if received is None or not payload.isascii():
        return None
    if not hmac.compare_digest(received, _mac(key, payload)):
        return None
    raw = b64.decode(payload)
    if raw is None:  # a MAC over a payload we did not encode: not one of ours
        return None
    document = json.loads(raw)  # made here: our own JSON
    return ConsentTicket(dict(document["request"]), str(document["nonce"]),
                         float(document["exp"]))
