"""The client pipeline against the sign + encrypt work it wraps (target: <= 10% overhead)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from benchmarks.bench_oauth1 import CONSUMER_KEY, URL, body_1kb
from benchmarks.harness import Case
from xbsec import OAuth1Signer, jwe_encrypt
from xbsec.client import ClientPipeline, Encryption, OAuth1Auth
from xbsec.keys import self_signed_certificate
from xbsec.payload import wrap


def cases() -> list[Case]:
    signing = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    mastercard = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    recipient = self_signed_certificate(mastercard)
    signer = OAuth1Signer(CONSUMER_KEY, signing)
    pipeline = ClientPipeline(OAuth1Auth(signer),
                              encryption=Encryption(recipient, mastercard))
    body = body_1kb()

    def raw() -> object:
        envelope = wrap(jwe_encrypt(body, recipient, cty="application/json"))
        return signer.authorization_header("POST", URL, envelope)

    return [Case("Client pipeline, encrypted + signed 1 KB POST", lambda: pipeline.request(
        "POST", URL, body=body), raw, "jwe_encrypt + wrap + OAuth1 sign", target=1 / 1.10)]
