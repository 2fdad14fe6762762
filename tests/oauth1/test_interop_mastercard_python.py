"""Against Mastercard's Python signer (mastercard-oauth1-signer, a dev-only oracle)."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xbsec import SecurityPolicy
from xbsec.oauth1 import OAuth1Signer, OAuth1Verifier
from xbsec.oauth1.base_string import signature_base_string

from .corpus import BODIES, METHODS, URLS

pytestmark = pytest.mark.interop

oauth1_lib = pytest.importorskip("oauth1.oauth")
coreutils = pytest.importorskip("oauth1.coreutils")

CK = "abc-abc-abc!123"
NONCE = "Wpe3LF09z1e3xQRI"
TS = 1_700_000_000


@pytest.fixture
def peer_sign(monkeypatch: pytest.MonkeyPatch, rsa_key_2048: Any):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(coreutils, "get_nonce", lambda length=16: NONCE)
    monkeypatch.setattr(coreutils, "get_timestamp", lambda: TS)

    def sign(method: str, url: str, body: bytes) -> str:
        return oauth1_lib.OAuth.get_authorization_header(  # type: ignore[no-any-return]
            url, method, body, CK, rsa_key_2048)

    return sign


CORPUS = list(itertools.product(METHODS, URLS, BODIES))


@pytest.mark.parametrize(("method", "url", "body"), CORPUS)
def test_every_peer_header_is_accepted(peer_sign, rsa_key_2048, method, url, body) -> None:
    header = peer_sign(method, url, body)
    verifier = OAuth1Verifier({CK: rsa_key_2048.public_key()},
                              policy=SecurityPolicy.mastercard_compatible(), clock=lambda: TS)
    assert verifier.verify(method, url, header, body).consumer_key == CK


@pytest.mark.parametrize(("method", "url", "body"), CORPUS)
def test_python_variant_equals_the_peer_byte_for_byte(peer_sign, rsa_key_2048, method, url,
                                                      body) -> None:
    ours = OAuth1Signer(CK, rsa_key_2048, variant="python", nonce=lambda: NONCE,
                        clock=lambda: TS)
    assert ours.authorization_header(method, url, body) == peer_sign(method, url, body)


def _coincide(url: str) -> bool:
    """Java and Python rules coincide: no '+', and name-then-value order equals string order."""
    params = [(("oauth_consumer_key", CK))]
    return (signature_base_string("GET", url, params, "java")
            == signature_base_string("GET", url, params, "python"))


def test_the_rules_coincide_on_most_of_the_corpus() -> None:
    coinciding = [u for u in URLS if _coincide(u)]
    differing = sorted(set(URLS) - set(coinciding))
    assert differing == sorted([
        "https://api.mastercard.com/p?q=a+b&r=%3A",
        "https://api.mastercard.com/p?b=2&a=1&a=0&a1=z&empty&odd=",
    ])


@pytest.mark.parametrize(("method", "url", "body"),
                         [c for c in CORPUS if _coincide(c[1])])
def test_java_variant_equals_the_peer_where_the_rules_coincide(peer_sign, rsa_key_2048,
                                                               method, url, body) -> None:
    ours = OAuth1Signer(CK, rsa_key_2048, nonce=lambda: NONCE, clock=lambda: TS)
    assert ours.authorization_header(method, url, body) == peer_sign(method, url, body)


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
                max_size=8)
values = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(names, values), max_size=6),
       body=st.binary(max_size=64))
def test_pct_encoded_queries_agree_with_the_peer(monkeypatch_module, rsa_key_2048, pairs,
                                                 body) -> None:
    """URLs built as xbsec builds them: every name and value encoded with pct()."""
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    url = "https://sandbox.api.mastercard.com/send/x" + (f"?{query}" if query else "")
    peer = oauth1_lib.OAuth.get_authorization_header(url, "POST", body, CK, rsa_key_2048)
    ours = OAuth1Signer(CK, rsa_key_2048, variant="python", nonce=lambda: NONCE,
                        clock=lambda: TS)
    assert ours.authorization_header("POST", url, body) == peer
    verifier = OAuth1Verifier({CK: rsa_key_2048.public_key()},
                              policy=SecurityPolicy.mastercard_compatible(), clock=lambda: TS)
    verifier.verify("POST", url, peer, body)


@pytest.fixture(scope="module")
def monkeypatch_module():  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(coreutils, "get_nonce", lambda length=16: NONCE)
        patch.setattr(coreutils, "get_timestamp", lambda: TS)
        yield patch
