"""A signer reuses each URL's base string with its changing values cut out: the result is
exactly what building everything afresh gives, for every construction, URL, consumer key,
nonce and timestamp, on the first request to a URL and on every one after it."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import bodies, methods, urls
from xbsec.oauth1 import OAuth1Signer
from xbsec.oauth1.base_string import signing_base_string
from xbsec.oauth1.encoding import body_hash
from xbsec.oauth1.header import format_authorization
from xbsec.oauth1.nonce import ALPHABET, new_nonce
from xbsec.oauth1.signature import sign_message

from .conftest import CONSUMER_KEY

FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

variants = st.sampled_from(["java", "python", "node", "rfc5849"])
consumer_keys = st.one_of(
    st.just(CONSUMER_KEY),
    st.text(st.characters(blacklist_characters='" \t\r\n,', blacklist_categories=("Cs",)),
            min_size=1, max_size=12),
    st.just("XBSECxNONCExSLOT"),  # the signer's own placeholder text, in a consumer key
)
nonces = st.one_of(st.text(ALPHABET, min_size=1, max_size=20),
                   st.text(min_size=1, max_size=8).filter(lambda n: '"' not in n))
timestamps = st.one_of(st.integers(min_value=0, max_value=10**12),
                       st.integers(max_value=-1))
paths = st.sampled_from(["", "/", "/a;b/c", "/x%2Fy", "/XBSECxTIMExSLOT", "/~!*'()"])


def _expected(key: Any, consumer_key: str, variant: str, method: str, url: str, body: bytes,
              nonce: str, timestamp: int) -> tuple[str, str]:
    digest = body_hash(body)
    params = (("oauth_consumer_key", consumer_key), ("oauth_nonce", nonce),
              ("oauth_timestamp", str(timestamp)), ("oauth_signature_method", "RSA-SHA256"),
              ("oauth_version", "1.0"), ("oauth_body_hash", digest))
    sbs = signing_base_string(method, url, params, variant)  # type: ignore[arg-type]
    signature = base64.b64encode(sign_message(key, sbs.encode("utf-8"))).decode("ascii")
    return sbs, format_authorization(params, signature)


@FAST
@given(variant=variants, consumer_key=consumer_keys, method=methods,
       url=st.one_of(urls(), st.builds(lambda p: "https://Api.Example.com:443" + p, paths)),
       body=bodies, requests=st.lists(st.tuples(nonces, timestamps), min_size=1, max_size=3))
def test_every_request_signs_what_a_fresh_build_signs(rsa_key_2048, variant, consumer_key,
                                                      method, url, body, requests) -> None:
    signer = OAuth1Signer(consumer_key, rsa_key_2048, variant=variant)
    for nonce, timestamp in requests:
        signed = signer.sign(method, url, body, nonce=nonce, timestamp=timestamp)
        assert (signed.base_string, signed.authorization) == _expected(
            rsa_key_2048, consumer_key, variant, method, url, body, nonce, timestamp)


def test_the_injected_sources_and_other_body_types_take_the_same_path(rsa_key_2048) -> None:
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, nonce=lambda: "n0nce", clock=lambda: 7)
    url = "https://api.example.com/send/v1/partners/P1/crossborder/quotes"
    for body in (b"{}", bytearray(b"{}"), memoryview(b"{}")):
        header = signer.authorization_header("POST", url, body)
        assert header == _expected(rsa_key_2048, CONSUMER_KEY, "java", "POST", url, b"{}",
                                   "n0nce", 7)[1]


def test_nonces_use_every_symbol_and_only_those() -> None:
    seen = set("".join(new_nonce() for _ in range(400)))
    assert seen == set(ALPHABET)
    assert new_nonce(0) == ""
    # The same draws give the same nonce as sampling byte by byte: reject 248..255.
    draws = iter([bytes([255, 0, 61, 62, 247, 248] + [1] * 26)])
    assert new_nonce(random_bytes=lambda n: next(draws)) == "0z0z" + "1" * 12
