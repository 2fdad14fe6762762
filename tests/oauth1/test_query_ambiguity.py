"""A signature binds one query: no other query that reads differently may verify with it.

"Reads" is what the application behind the gateway sees: the query split on ``&``, each
name and value form-decoded (``+`` is a space, ``%XX`` a byte), in any order. Two queries
that read the same may share a signature (the parameters are sorted, so ``?a=1&b=2`` and
``?b=2&a=1`` must); two that read differently must not, under either policy.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from xbsec import SecurityPolicy, SignatureError
from xbsec.oauth1 import OAuth1Signer, OAuth1Verifier, signature_base_string
from xbsec.oauth1.encoding import body_hash
from xbsec.oauth1.header import format_authorization
from xbsec.oauth1.signature import sign_message

from .conftest import CONSUMER_KEY, NOW

BASE = "https://sandbox.api.mastercard.com/send/v1/partners/SANDBOX_1/crossborder"
NONCE = "kllo9940pd9333jh"
POLICIES = {"strict": SecurityPolicy(), "compatible": SecurityPolicy.mastercard_compatible()}
VARIANTS = ("java", "python", "node", "rfc5849")


def reading(query: str) -> Counter[tuple[bytes, bytes]]:
    """What a form-decoding application reads: the test's own statement of the rule."""
    pairs: Counter[tuple[bytes, bytes]] = Counter()
    for segment in query.split("&"):
        if segment:
            name, _, value = segment.partition("=")
            pairs[(unquote_to_bytes(name.replace("+", " ")),
                   unquote_to_bytes(value.replace("+", " ")))] += 1
    return pairs


def _verifier(key: Any, policy: SecurityPolicy) -> OAuth1Verifier:
    return OAuth1Verifier({CONSUMER_KEY: key.public_key()}, policy=policy, clock=lambda: NOW)


def _signer(key: Any, variant: str = "java") -> OAuth1Signer:
    return OAuth1Signer(CONSUMER_KEY, key, variant=variant,  # type: ignore[arg-type]
                        nonce=lambda: NONCE, clock=lambda: NOW)


def _verifies(key: Any, policy: SecurityPolicy, url: str, header: str) -> bool:
    try:
        _verifier(key, policy).authenticate("GET", url, header, b"")
    except SignatureError:
        return False
    return True


# --- the cases found by attack ---------------------------------------------------------


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize(("signed", "sent"), [
    ("a=1%26b%3D2", "a=1&b=2"),
    ("ref%3DX", "ref=X"),
    ("a=1&b=2", "a=1%26b%3D2"),
    ("ref=X", "ref%3DX"),
    ("q=a%2Bb%21", "q=a+b%21"),
    ("q=a+b%21", "q=a%2Bb%21"),
])
def test_encoded_separators_and_plus_do_not_carry_a_signature_over(
        rsa_key_2048: Any, policy: str, signed: str, sent: str) -> None:
    assert reading(signed) != reading(sent)
    header = _signer(rsa_key_2048).authorization_header("GET", f"{BASE}?{signed}", b"")
    assert _verifies(rsa_key_2048, POLICIES[policy], f"{BASE}?{signed}", header)
    assert not _verifies(rsa_key_2048, POLICIES[policy], f"{BASE}?{sent}", header)


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("variant", VARIANTS)
def test_a_repeated_pair_is_another_query(rsa_key_2048: Any, policy: str, variant: str) -> None:
    header = _signer(rsa_key_2048, variant).authorization_header("GET", f"{BASE}?ref=R", b"")
    assert not _verifies(rsa_key_2048, POLICIES[policy], f"{BASE}?ref=R&ref=R", header)


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("variant", VARIANTS)
def test_oauth_parameters_copied_into_the_query_are_another_query(
        rsa_key_2048: Any, policy: str, variant: str) -> None:
    signed = _signer(rsa_key_2048, variant).sign("GET", f"{BASE}?ref=R", b"")
    copied = (f"{BASE}?ref=R&oauth_nonce={NONCE}&oauth_timestamp={NOW}"
              f"&oauth_consumer_key={CONSUMER_KEY}&oauth_signature_method=RSA-SHA256"
              "&oauth_version=1.0")
    assert not _verifies(rsa_key_2048, POLICIES[policy], copied, signed.authorization)


def test_the_java_construction_of_an_encoded_separator_is_not_tried_in_compatible_mode(
        rsa_key_2048: Any) -> None:
    """What Mastercard's Java signer makes of ``?a=1%26b%3D2`` reads as another query."""
    params = [("oauth_consumer_key", CONSUMER_KEY), ("oauth_nonce", NONCE),
              ("oauth_timestamp", str(NOW)), ("oauth_signature_method", "RSA-SHA256"),
              ("oauth_version", "1.0"), ("oauth_body_hash", body_hash(b""))]
    url = f"{BASE}?a=1%26b%3D2"
    sbs = signature_base_string("GET", url, params, "java")
    import base64

    header = format_authorization(params, base64.b64encode(
        sign_message(rsa_key_2048, sbs.encode(), "RSA-SHA256")).decode())
    assert not _verifies(rsa_key_2048, POLICIES["compatible"], url, header)


def test_strict_tries_the_rfc5849_reading_only() -> None:
    assert SecurityPolicy().oauth1_base_string_variants == ("rfc5849",)


def test_a_raw_colon_is_read_by_the_java_rules_in_compatible_mode_only(
        rsa_key_2048: Any) -> None:
    """Mastercard's signers keep unescaped reserved characters (SPEC §2.5): strict wants the
    query percent-encoded, as xbsec's clients send it."""
    url = f"{BASE}?param=token1:token2"
    header = _signer(rsa_key_2048).authorization_header("GET", url, b"")
    assert _verifies(rsa_key_2048, POLICIES["compatible"], url, header)
    assert not _verifies(rsa_key_2048, POLICIES["strict"], url, header)


# --- properties ------------------------------------------------------------------------

_PIECES = ["a", "b", "ref", "R", "1", "=", "&", "%26", "%3D", "%3d", "+", "%2B", "%20", ":",
           "%3A", "%", "%25", "%FF", "%C3%A9", "*", "!", "%2A", "%21", "~", "%7E", "oauth_nonce",
           "oauth_version", NONCE, "1.0", "é"]
queries = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)


@st.composite
def related(draw: st.DrawFn) -> tuple[str, str]:
    """Two queries, the second often a small rewrite of the first."""
    first = draw(queries)
    how = draw(st.sampled_from(["other", "decode", "encode", "plus", "repeat", "oauth",
                                "split"]))
    if how == "other":
        return first, draw(queries)
    swaps = {"decode": [("%26", "&"), ("%3D", "="), ("%2B", "+"), ("%20", "+"), ("%3A", ":"),
                        ("%2A", "*"), ("%21", "!"), ("%25", "%"), ("%C3%A9", "é")],
             "encode": [("&", "%26"), ("=", "%3D"), ("+", "%2B"), ("+", "%20"), (":", "%3A"),
                        ("*", "%2A"), ("!", "%21"), ("%", "%25"), ("é", "%C3%A9")],
             "plus": [("+", "%20"), ("%20", "+"), ("+", "%2B"), ("%2B", "+")]}
    if how in swaps:
        old, new = draw(st.sampled_from(swaps[how]))
        return first, first.replace(old, new, 1)
    if how == "repeat":
        pair = draw(st.sampled_from([p for p in first.split("&") if p] or ["ref=R"]))
        return first, f"{first}&{pair}"
    if how == "oauth":
        return first, f"{first}&oauth_nonce={NONCE}&oauth_version=1.0"
    return first, first.replace("&", "&&", 1) if "&" in first else f"{first}&"


RELATED = settings(max_examples=400, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])


@RELATED
@given(pair=related(), variant=st.sampled_from(VARIANTS), policy=st.sampled_from(sorted(POLICIES)))
@example(pair=("a=1%26b%3D2", "a=1&b=2"), variant="java", policy="strict")
@example(pair=("ref=R", "ref=R&ref=R"), variant="node", policy="compatible")
@example(pair=("ref%3DX", "ref=X"), variant="java", policy="compatible")
def test_a_signature_verifies_only_for_queries_that_read_the_same(
        rsa_key_2048: Any, pair: tuple[str, str], variant: str, policy: str) -> None:
    signed, sent = pair
    header = _signer(rsa_key_2048, variant).authorization_header("GET", f"{BASE}?{signed}",
                                                                 b"")
    if _verifies(rsa_key_2048, POLICIES[policy], f"{BASE}?{sent}", header):
        assert reading(signed) == reading(sent)


@RELATED
@given(signed=queries, variant=st.sampled_from(VARIANTS))
def test_every_signature_of_xbsec_verifies_for_its_own_query_in_compatible_mode(
        rsa_key_2048: Any, signed: str, variant: str) -> None:
    url = f"{BASE}?{signed}"
    header = _signer(rsa_key_2048, variant).authorization_header("GET", url, b"")
    assert _verifies(rsa_key_2048, POLICIES["compatible"], url, header)
