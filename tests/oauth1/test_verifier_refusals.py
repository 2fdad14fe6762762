"""Every refusal of SPEC §2.7, with its HTTP status and ReasonCode."""

from __future__ import annotations

from typing import Any

import pytest

from xbsec import (
    AccessDeniedError,
    BodyHashError,
    InvalidAuthHeaderError,
    NonceReplayError,
    RefusedError,
    SecurityPolicy,
    ServiceUnavailableError,
    SignatureError,
    TimestampError,
)
from xbsec.oauth1 import OAuth1Signer, OAuth1Verifier
from xbsec.stores.replay import MemoryReplayStore

from .conftest import CONSUMER_KEY, NOW, make_certificate

URL = "https://sandbox.api.mastercard.com/send/v1/partners/P1/crossborder/quotes?x=1"
BODY = b'{"quoterequest":{"amount":"100.00"}}'


@pytest.fixture
def signer(rsa_key_2048: Any) -> OAuth1Signer:
    return OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW)


@pytest.fixture
def store() -> MemoryReplayStore:
    return MemoryReplayStore()


@pytest.fixture
def verifier(certificate: Any, store: MemoryReplayStore) -> OAuth1Verifier:
    return OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=store, clock=lambda: NOW)


def _refusal(exc: RefusedError) -> tuple[int, str]:
    return exc.status, exc.reason_code


def test_a_good_request_is_accepted(signer, verifier) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    verified = verifier.verify("POST", URL, header, BODY)
    assert verified.consumer_key == CONSUMER_KEY
    assert verified.variant == "rfc5849"  # the only one strict tries; java's equals it here
    assert verified.timestamp == NOW


@pytest.mark.parametrize("header", [None, "", "Bearer abc", "OAuth", "OAuth ",
                                    'OAuth oauth_nonce="x"'])
def test_missing_or_foreign_header_is_400(verifier, header) -> None:
    with pytest.raises(InvalidAuthHeaderError) as info:
        verifier.verify("POST", URL, header, BODY)
    assert _refusal(info.value) == (400, "INVALID_AUTH_HEADER")


def test_a_duplicated_parameter_is_400(signer, verifier) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    with pytest.raises(InvalidAuthHeaderError, match="more than once"):
        verifier.verify("POST", URL, header + ',oauth_nonce="AAAAAAAAAAAAAAAA"', BODY)


def test_a_truncated_header_is_400(signer, verifier) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    with pytest.raises(InvalidAuthHeaderError):
        verifier.verify("POST", URL, header[: len(header) // 2], BODY)


def test_wrong_version_is_400(signer, verifier) -> None:
    header = signer.authorization_header("POST", URL, BODY).replace(
        'oauth_version="1.0"', 'oauth_version="2.0"')
    with pytest.raises(InvalidAuthHeaderError, match=r"must be 1\.0"):
        verifier.verify("POST", URL, header, BODY)


def test_missing_version_is_accepted_unless_the_policy_requires_it(signer, certificate) -> None:
    header = signer.authorization_header("POST", URL, BODY).replace('oauth_version="1.0",', "")
    lenient = OAuth1Verifier({CONSUMER_KEY: certificate}, clock=lambda: NOW)
    with pytest.raises(SignatureError):  # it was signed with a version: the base string differs
        lenient.verify("POST", URL, header, BODY)
    strict = OAuth1Verifier({CONSUMER_KEY: certificate}, clock=lambda: NOW,
                            policy=SecurityPolicy(oauth1_require_version=True))
    with pytest.raises(InvalidAuthHeaderError, match="oauth_version"):
        strict.verify("POST", URL, header, BODY)


def test_unknown_signature_method_is_400(signer, verifier) -> None:
    header = signer.authorization_header("POST", URL, BODY).replace("RSA-SHA256", "HMAC-SHA1")
    with pytest.raises(InvalidAuthHeaderError, match="oauth_signature_method"):
        verifier.verify("POST", URL, header, BODY)


def test_rsa_pss_is_refused_by_default_and_accepted_when_allowed(rsa_key_2048,
                                                                 certificate) -> None:
    pss = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, signature_method="RSA-PSS",
                       clock=lambda: NOW)
    header = pss.authorization_header("POST", URL, BODY)
    with pytest.raises(InvalidAuthHeaderError):
        OAuth1Verifier({CONSUMER_KEY: certificate}, clock=lambda: NOW).verify(
            "POST", URL, header, BODY)
    compatible = OAuth1Verifier({CONSUMER_KEY: certificate}, clock=lambda: NOW,
                                policy=SecurityPolicy.mastercard_compatible())
    assert compatible.verify("POST", URL, header, BODY).signature_method == "RSA-PSS"


@pytest.mark.parametrize("nonce", ["short", "has space in it!!", "x" * 65, "nön-ascii-nonce-1"])
def test_malformed_nonce_is_400(rsa_key_2048, verifier, nonce) -> None:
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW, nonce=lambda: nonce)
    with pytest.raises(InvalidAuthHeaderError, match="oauth_nonce"):
        verifier.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)


def test_eight_character_nonces_need_the_compatible_policy(rsa_key_2048, certificate) -> None:
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW,
                          nonce=lambda: "abcd1234")
    header = signer.authorization_header("POST", URL, BODY)
    with pytest.raises(InvalidAuthHeaderError):
        OAuth1Verifier({CONSUMER_KEY: certificate}, clock=lambda: NOW).verify(
            "POST", URL, header, BODY)
    OAuth1Verifier({CONSUMER_KEY: certificate}, clock=lambda: NOW,
                   policy=SecurityPolicy.mastercard_compatible()).verify("POST", URL, header, BODY)


def test_unknown_consumer_key_is_401_declined(rsa_key_2048, verifier) -> None:
    other = OAuth1Signer("someone-else", rsa_key_2048, clock=lambda: NOW)
    with pytest.raises(AccessDeniedError) as info:
        verifier.verify("POST", URL, other.authorization_header("POST", URL, BODY), BODY)
    assert _refusal(info.value) == (401, "DECLINED")


def test_expired_or_future_certificate_is_401(signer, rsa_key_2048) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    for not_before, not_after in ((NOW - 200, NOW - 100), (NOW + 100, NOW + 200)):
        cert = make_certificate(rsa_key_2048, not_before=not_before, not_after=not_after)
        with pytest.raises(AccessDeniedError, match="not valid now"):
            OAuth1Verifier({CONSUMER_KEY: cert}, clock=lambda: NOW).verify(
                "POST", URL, header, BODY)


@pytest.mark.parametrize("offset", [-301, 301, 10_000])
def test_timestamp_outside_the_window_is_401(rsa_key_2048, verifier, offset) -> None:
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW + offset)
    with pytest.raises(TimestampError) as info:
        verifier.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)
    assert info.value.status == 401
    way = "ahead of" if offset > 0 else "behind"
    assert info.value.description == (
        f"oauth_timestamp is {abs(offset)} s {way} the server's clock (accepted: ±300 s); "
        "set the sending machine's clock (NTP)")


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_timestamp_at_the_edges_of_the_window_is_accepted(rsa_key_2048, verifier,
                                                          offset) -> None:
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW + offset)
    verifier.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)


@pytest.mark.parametrize("value", ["-5", "17e8", "1.5", " 1800000000", "9" * 13])
def test_timestamp_that_is_not_an_integer_is_401(signer, verifier, value) -> None:
    header = signer.authorization_header("POST", URL, BODY).replace(
        f'oauth_timestamp="{NOW}"', f'oauth_timestamp="{value}"')
    with pytest.raises(TimestampError):
        verifier.verify("POST", URL, header, BODY)


def test_changed_body_is_401_invalid_body_hash(signer, verifier) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    with pytest.raises(BodyHashError) as info:
        verifier.verify("POST", URL, header, BODY.replace(b"100.00", b"900.00"))
    assert _refusal(info.value) == (401, "INVALID_BODY_HASH")
    assert info.value.source == "OAuth.BodyHash"


def test_missing_body_hash_is_400_in_strict_mode(signer, verifier) -> None:
    header = signer.authorization_header("GET", URL)
    header = ",".join(p for p in header.split(",") if "oauth_body_hash" not in p)
    with pytest.raises(InvalidAuthHeaderError, match="oauth_body_hash"):
        verifier.verify("GET", URL, header, b"")


def test_missing_body_hash_with_a_body_is_400_even_when_lenient(signer, certificate) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    header = ",".join(p for p in header.split(",") if "oauth_body_hash" not in p)
    lenient = OAuth1Verifier({CONSUMER_KEY: certificate}, clock=lambda: NOW,
                             policy=SecurityPolicy.mastercard_compatible())
    with pytest.raises(InvalidAuthHeaderError, match="oauth_body_hash"):
        lenient.verify("POST", URL, header, BODY)


def test_signature_by_another_key_is_403(other_rsa_key_2048, verifier) -> None:
    forger = OAuth1Signer(CONSUMER_KEY, other_rsa_key_2048, clock=lambda: NOW)
    with pytest.raises(SignatureError) as info:
        verifier.verify("POST", URL, forger.authorization_header("POST", URL, BODY), BODY)
    assert _refusal(info.value) == (403, "AUTHENTICATION_FAILED")
    assert "variant" not in str(info.value)


@pytest.mark.parametrize("signature", ["not base64!", "", "AAAA", "QUJD" * 200])
def test_malformed_signature_is_403_or_400(signer, verifier, signature) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    start = header.index('oauth_signature="') + len('oauth_signature="')
    forged = header[:start] + signature + '"'
    with pytest.raises((SignatureError, InvalidAuthHeaderError)):
        verifier.verify("POST", URL, forged, BODY)


@pytest.mark.parametrize("url", [
    "https://sandbox.api.mastercard.com/send/v1/partners/P2/crossborder/quotes?x=1",
    "https://sandbox.api.mastercard.com/send/v1/partners/P1/crossborder/quotes?x=2",
    "https://sandbox.api.mastercard.com/send/v1/partners/P1/crossborder/quotes",
    "http://sandbox.api.mastercard.com/send/v1/partners/P1/crossborder/quotes?x=1",
    "https://evil.example/send/v1/partners/P1/crossborder/quotes?x=1",
    "https://sandbox.api.mastercard.com:8443/send/v1/partners/P1/crossborder/quotes?x=1",
])
def test_any_change_to_the_url_is_403(signer, verifier, url) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    with pytest.raises(SignatureError):
        verifier.verify("POST", url, header, BODY)


def test_changed_method_is_403(signer, verifier) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    with pytest.raises(SignatureError):
        verifier.verify("PUT", URL, header, BODY)


def test_unparsable_url_on_the_server_is_a_plain_403(signer, verifier) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    with pytest.raises(SignatureError):
        verifier.verify("POST", "not a url", header, BODY)


def test_replayed_nonce_is_refused(signer, verifier) -> None:
    header = signer.authorization_header("POST", URL, BODY)
    verifier.verify("POST", URL, header, BODY)
    with pytest.raises(NonceReplayError) as info:
        verifier.verify("POST", URL, header, BODY)
    assert _refusal(info.value) == (401, "NONCE_REPLAYED")


def test_nonce_is_recorded_only_after_the_signature_verifies(rsa_key_2048, other_rsa_key_2048,
                                                             verifier) -> None:
    """A forger cannot burn a legitimate client's nonce (SPEC §2.7)."""
    fixed = "FixedNonce123456"
    forger = OAuth1Signer(CONSUMER_KEY, other_rsa_key_2048, clock=lambda: NOW,
                          nonce=lambda: fixed)
    with pytest.raises(SignatureError):
        verifier.verify("POST", URL, forger.authorization_header("POST", URL, BODY), BODY)
    honest = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW, nonce=lambda: fixed)
    verifier.verify("POST", URL, honest.authorization_header("POST", URL, BODY), BODY)


def test_the_same_nonce_from_two_consumers_is_not_a_replay(rsa_key_2048, certificate) -> None:
    verifier = OAuth1Verifier({"ck-1": certificate, "ck-2": certificate}, clock=lambda: NOW)
    for consumer in ("ck-1", "ck-2"):
        signer = OAuth1Signer(consumer, rsa_key_2048, clock=lambda: NOW,
                              nonce=lambda: "SameNonce1234567")
        verifier.verify("GET", URL, signer.authorization_header("GET", URL), b"")


def test_replay_store_failure_fails_closed_with_503(signer, certificate) -> None:
    class Down:
        def claim(self, key: str, ttl: float) -> bool:
            raise ConnectionError("redis is down")

    verifier = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=Down(),
                              clock=lambda: NOW)
    with pytest.raises(ServiceUnavailableError) as info:
        verifier.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)
    assert _refusal(info.value) == (503, "SERVICE_UNAVAILABLE")


def test_two_certificates_during_rotation_are_both_accepted(rsa_key_2048, other_rsa_key_2048,
                                                            certificate) -> None:
    new_cert = make_certificate(other_rsa_key_2048, not_before=NOW - 10, not_after=NOW + 10)
    verifier = OAuth1Verifier({CONSUMER_KEY: [certificate, new_cert]}, clock=lambda: NOW)
    for key in (rsa_key_2048, other_rsa_key_2048):
        signer = OAuth1Signer(CONSUMER_KEY, key, clock=lambda: NOW)
        verifier.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)


def test_a_callable_credential_source_is_consulted(signer, certificate) -> None:
    asked: list[str] = []

    def lookup(consumer_key: str) -> Any:
        asked.append(consumer_key)
        return certificate if consumer_key == CONSUMER_KEY else None

    verifier = OAuth1Verifier(lookup, clock=lambda: NOW)
    verifier.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)
    assert asked == [CONSUMER_KEY]


def test_a_non_rsa_credential_is_never_a_match(signer) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_key = ec.generate_private_key(ec.SECP256R1())
    cert = make_certificate(ec_key, not_before=NOW - 10, not_after=NOW + 10)
    verifier = OAuth1Verifier({CONSUMER_KEY: [cert, "junk"]}, clock=lambda: NOW)  # type: ignore[list-item]
    with pytest.raises(AccessDeniedError):
        verifier.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)


def test_store_refusal_passes_through_unchanged(signer, certificate) -> None:
    full = MemoryReplayStore(max_entries=1)
    full.claim("someone-else", 600)
    verifier = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=full,
                              clock=lambda: NOW)
    assert verifier.policy == SecurityPolicy()
    with pytest.raises(ServiceUnavailableError, match="full"):
        verifier.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)


def test_certificate_dates_are_ignored_when_the_policy_says_so(signer, rsa_key_2048) -> None:
    expired = make_certificate(rsa_key_2048, not_before=NOW - 200, not_after=NOW - 100)
    verifier = OAuth1Verifier({CONSUMER_KEY: expired}, clock=lambda: NOW,
                              policy=SecurityPolicy(oauth1_check_certificate_validity=False))
    verifier.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)


def test_many_distinct_credentials_keep_the_key_cache_bounded(rsa_key_2048) -> None:
    from cryptography.hazmat.primitives import serialization

    der = rsa_key_2048.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    fresh: list[Any] = []

    def lookup(consumer_key: str) -> Any:
        fresh.append(serialization.load_der_public_key(der))
        return fresh[-1]

    verifier = OAuth1Verifier(lookup, clock=lambda: NOW)
    for i in range(4200):
        signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW,
                              nonce=lambda i=i: f"nonce{i:011d}")
        if i % 100 == 0:
            verifier.verify("GET", URL, signer.authorization_header("GET", URL), b"")
        else:
            verifier._credentials(CONSUMER_KEY)
    assert len(verifier._cache) <= 4097


def test_two_verifiers_sharing_one_store_refuse_a_replay_across_them(signer,
                                                                     certificate) -> None:
    """An empty store is still the store given (an empty store is falsy: it has __len__)."""
    shared = MemoryReplayStore()
    first = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=shared, clock=lambda: NOW)
    second = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=shared, clock=lambda: NOW)
    header = signer.authorization_header("POST", URL, BODY)
    first.verify("POST", URL, header, BODY)
    with pytest.raises(NonceReplayError):
        second.verify("POST", URL, header, BODY)
    assert len(shared) == 1


def test_authenticate_checks_everything_but_leaves_the_claim_to_the_caller(signer,
                                                                          certificate) -> None:
    store = MemoryReplayStore()
    verifier = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=store,
                              clock=lambda: NOW)
    header = signer.authorization_header("POST", URL, BODY)
    first = verifier.authenticate("POST", URL, header, BODY)
    again = verifier.authenticate("POST", URL, header, BODY)
    assert first == again
    assert len(store) == 0
    assert first.replay_key == f"oauth1:{CONSUMER_KEY}:{first.nonce}"
    assert first.replay_ttl == SecurityPolicy().oauth1_nonce_ttl
    with pytest.raises(BodyHashError):
        verifier.authenticate("POST", URL, header, b"other")
