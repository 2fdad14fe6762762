"""Properties: sign then verify round-trips; any change is refused with the right ReasonCode."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.strategies import bodies, methods, urls
from xbsec import (
    BodyHashError,
    InvalidAuthHeaderError,
    NonceReplayError,
    RefusedError,
    SecurityPolicy,
    SignatureError,
    TimestampError,
)
from xbsec.oauth1 import OAuth1Signer, OAuth1Verifier, parse_authorization
from xbsec.stores.replay import MemoryReplayStore

from .conftest import CONSUMER_KEY, NOW

FAST = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _pair(key: Any, certificate: Any, variant: str = "java",
          policy: SecurityPolicy | None = None) -> tuple[OAuth1Signer, OAuth1Verifier]:
    signer = OAuth1Signer(CONSUMER_KEY, key, clock=lambda: NOW, variant=variant)  # type: ignore[arg-type]
    verifier = OAuth1Verifier({CONSUMER_KEY: certificate}, clock=lambda: NOW, policy=policy,
                              replay_store=MemoryReplayStore())
    return signer, verifier


@FAST
@given(method=methods, url=urls(), body=bodies,
       variant=st.sampled_from(["java", "python", "node", "rfc5849"]))
def test_sign_then_verify_round_trips(rsa_key_2048, certificate, method, url, body,
                                      variant) -> None:
    signer, verifier = _pair(rsa_key_2048, certificate, variant,
                             SecurityPolicy.mastercard_compatible())
    verified = verifier.verify(method, url, signer.authorization_header(method, url, body), body)
    assert verified.consumer_key == CONSUMER_KEY


@FAST
@given(method=methods, url=urls(), body=bodies)
def test_strict_verifier_accepts_the_default_signer(rsa_key_2048, certificate, method, url,
                                                     body) -> None:
    signer, verifier = _pair(rsa_key_2048, certificate)
    assert verifier.verify(method, url, signer.authorization_header(method, url, body),
                           body).variant == "rfc5849"


@FAST
@given(method=methods, url=urls())
def test_on_percent_encoded_queries_the_java_signature_is_the_rfc5849_reading(method,
                                                                               url) -> None:
    """Why strict needs no other construction for xbsec's requests: they coincide."""
    from xbsec.oauth1.base_string import (
        reads_faithfully,
        signature_base_string,
        signing_base_string,
    )

    oauth = [("oauth_consumer_key", CONSUMER_KEY), ("oauth_body_hash", "x+/=")]
    rfc = signature_base_string(method, url, oauth, "rfc5849", encode_oauth=False)
    assert signing_base_string(method, url, oauth, "java") == rfc
    if reads_faithfully(url, "java"):
        assert signature_base_string(method, url, oauth, "java") == rfc


@FAST
@given(url=urls(), body=bodies.filter(bool), data=st.data())
def test_changing_any_body_byte_is_invalid_body_hash(rsa_key_2048, certificate, url, body,
                                                     data) -> None:
    signer, verifier = _pair(rsa_key_2048, certificate)
    header = signer.authorization_header("POST", url, body)
    index = data.draw(st.integers(0, len(body) - 1))
    flip = data.draw(st.integers(1, 255))
    tampered = body[:index] + bytes([body[index] ^ flip]) + body[index + 1:]
    with pytest.raises(BodyHashError):
        verifier.verify("POST", url, header, tampered)


@FAST
@given(url=urls(), body=bodies, data=st.data())
def test_changing_any_header_parameter_is_refused(rsa_key_2048, certificate, url, body,
                                                  data) -> None:
    signer, verifier = _pair(rsa_key_2048, certificate)
    params = parse_authorization(signer.authorization_header("POST", url, body))
    name = data.draw(st.sampled_from(sorted(params)))
    new_value = data.draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1,
                                  max_size=20))
    assume(new_value != params[name])
    params[name] = new_value
    header = "OAuth " + ",".join(f'{k}="{v}"' for k, v in params.items())
    with pytest.raises(RefusedError) as info:
        verifier.verify("POST", url, header, body)
    expected = {
        "oauth_consumer_key": "DECLINED",
        "oauth_nonce": ("AUTHENTICATION_FAILED", "INVALID_AUTH_HEADER"),
        "oauth_timestamp": "INVALID_TIMESTAMP",
        "oauth_signature_method": "INVALID_AUTH_HEADER",
        "oauth_version": "INVALID_AUTH_HEADER",
        "oauth_body_hash": "INVALID_BODY_HASH",
        "oauth_signature": "AUTHENTICATION_FAILED",
    }[name]
    assert info.value.reason_code in (expected if isinstance(expected, tuple) else (expected,))


@FAST
@given(url=urls(), other=urls(), method=methods)
def test_changing_the_url_is_refused(rsa_key_2048, certificate, url, other, method) -> None:
    signer, verifier = _pair(rsa_key_2048, certificate)
    header = signer.authorization_header(method, url, b"")
    assume(signer.sign(method, other, b"", nonce="x" * 16, timestamp=NOW).base_string
           != signer.sign(method, url, b"", nonce="x" * 16, timestamp=NOW).base_string)
    with pytest.raises(SignatureError):
        verifier.verify(method, other, header, b"")


@FAST
@given(skew=st.integers(301, 10**9), sign=st.sampled_from([-1, 1]), url=urls())
def test_a_clock_beyond_the_window_is_refused(rsa_key_2048, certificate, skew, sign,
                                              url) -> None:
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW + sign * skew)
    _, verifier = _pair(rsa_key_2048, certificate)
    with pytest.raises(TimestampError):
        verifier.verify("GET", url, signer.authorization_header("GET", url), b"")


@FAST
@given(url=urls(), body=bodies)
def test_a_replayed_request_is_refused(rsa_key_2048, certificate, url, body) -> None:
    signer, verifier = _pair(rsa_key_2048, certificate)
    header = signer.authorization_header("POST", url, body)
    verifier.verify("POST", url, header, body)
    with pytest.raises(NonceReplayError):
        verifier.verify("POST", url, header, body)


def test_an_unparsable_header_is_never_anything_but_400(certificate, rsa_key_2048) -> None:
    _, verifier = _pair(rsa_key_2048, certificate)

    @FAST
    @given(header=st.text(max_size=300))
    def check(header: str) -> None:
        with pytest.raises(RefusedError) as info:
            verifier.verify("GET", "https://a.example/", header, b"")
        # a random string is a malformed header (400); one that happens to parse is
        # refused further on, never accepted and never a crash
        assert info.value.status in (400, 401, 403)
        if info.value.status == 400:
            assert isinstance(info.value, InvalidAuthHeaderError)

    check()
