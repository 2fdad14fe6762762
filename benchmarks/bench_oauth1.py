"""OAuth 1.0a: signing and verification against RSA-2048 sign and verify."""

from __future__ import annotations

import itertools
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from benchmarks.harness import Case
from xbsec import OAuth1Signer, OAuth1Verifier
from xbsec.stores.replay import MemoryReplayStore

URL = "https://sandbox.api.mastercard.com/send/v1/partners/SANDBOX_1234567/crossborder/quotes"
CONSUMER_KEY = "a" * 48 + "!" + "b" * 48


def body_1kb() -> bytes:
    doc = {"quoterequest": {"transaction_reference": "0999999034810154901",
                            "sender_account_uri": "tel:+254108989",
                            "recipient_account_uri": "ban:DE89370400440532013000;bic=COBADEFFXXX",
                            "payment_amount": {"amount": "100.00", "currency": "USD"},
                            "payment_origination_country": "USA",
                            "payment_type": "P2P", "padding": ""}}
    raw = json.dumps(doc, separators=(",", ":"))
    doc["quoterequest"]["padding"] = "x" * (1024 - len(raw))
    return json.dumps(doc, separators=(",", ":")).encode()


def cases() -> list[Case]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    body = body_1kb()
    signer = OAuth1Signer(CONSUMER_KEY, key)
    sbs = signer.sign("POST", URL, body).base_string.encode()
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
    raw_signature = key.sign(sbs, pkcs1, sha256)

    peers = {}
    try:  # dev-only oracle: Mastercard's Python signer on the same work
        from oauth1.oauth import OAuth

        text = body.decode()
        peers["mastercard-oauth1-signer"] = lambda: OAuth.get_authorization_header(
            URL, "POST", text, CONSUMER_KEY, key)
    except ImportError:
        pass

    # Verification: every call needs its own nonce, so sign a supply in advance.
    supply = [signer.authorization_header("POST", URL, body) for _ in range(4000)]
    verifier = OAuth1Verifier({CONSUMER_KEY: public}, replay_store=MemoryReplayStore())
    headers = itertools.cycle(supply)
    stores = itertools.count()

    def verify() -> None:
        # A fresh store each time the supply wraps keeps every claim a first claim.
        if next(stores) % len(supply) == 0:
            verifier._store = MemoryReplayStore()
        verifier.verify("POST", URL, next(headers), body)

    return [
        Case("OAuth1 sign, 1 KB POST", lambda: signer.authorization_header("POST", URL, body),
             lambda: key.sign(sbs, pkcs1, sha256), "RSA-2048 PKCS#1 v1.5 SHA-256 sign",
             target=0.93, peers=peers),
        Case("OAuth1 verify, 1 KB POST (parse, base string, signature, replay claim)", verify,
             lambda: public.verify(raw_signature, sbs, pkcs1, sha256),
             "RSA-2048 PKCS#1 v1.5 SHA-256 verify", target=0.5),
    ]
