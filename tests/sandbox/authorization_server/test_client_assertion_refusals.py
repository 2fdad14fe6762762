"""Client authentication with private_key_jwt: every assertion that is refused (RFC 7523)."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from tests.sandbox.authorization_server.flow import ASSERTION_TYPE, TOKEN_URL, assertion
from tests.sandbox.authorization_server.token_flow import (
    assert_oauth_error,
    code_and_verifier,
    exchange,
)
from xbsec.jose import b64
from xbsec.jose.jws import jws_sign
from xbsec.keys import generate_rsa_key
from xbsec.sandbox.authorization_server import AuthorizationServer, AuthorizationServerSettings

pytestmark = pytest.mark.anyio


async def _with(http, keys, clock, client_assertion: str | None, **extra: str | None):
    """A code exchange for keys.psd2 whose client_assertion is the one given."""
    code, verifier = await code_and_verifier(http, keys.psd2)
    fields: dict[str, str | None] = {"client_assertion": client_assertion}
    fields.update(extra)
    return await exchange(http, keys.psd2, clock.now, code, verifier, **fields)


def _invalid_client(answer: httpx.Response) -> str:
    return assert_oauth_error(answer, "invalid_client")


async def test_a_bad_signature(http, keys, clock) -> None:
    good = keys.psd2.assertion(clock.now)
    header, payload, signature = good.split(".")
    raw = bytearray(b64.decode(signature))
    raw[0] ^= 1
    forged = f"{header}.{payload}.{b64.encode_str(bytes(raw))}"
    assert "signature" in _invalid_client(await _with(http, keys, clock, forged))


async def test_claims_changed_after_signing(http, keys, clock) -> None:
    good = keys.psd2.assertion(clock.now)
    header, _, signature = good.split(".")
    claims = {"iss": keys.psd2.consumer_key, "sub": keys.psd2.consumer_key, "aud": TOKEN_URL,
              "exp": int(clock.now) + 100, "iat": int(clock.now), "jti": "other"}
    forged = f"{header}.{b64.encode_str(json.dumps(claims).encode())}.{signature}"
    _invalid_client(await _with(http, keys, clock, forged))


async def test_signed_with_another_consumers_key(http, keys, clock) -> None:
    # keys.ec is registered too: its key is genuine, but not this consumer's.
    theirs = assertion(keys.multi.key, keys.psd2.consumer_key, now=clock.now)
    assert "signature" in _invalid_client(await _with(http, keys, clock, theirs))


async def test_signed_with_an_unregistered_key(http, keys, clock) -> None:
    stranger = assertion(generate_rsa_key(), keys.psd2.consumer_key, now=clock.now)
    _invalid_client(await _with(http, keys, clock, stranger))


async def test_a_key_in_the_header_is_never_used(http, keys, clock) -> None:
    from cryptography.hazmat.primitives import serialization

    from xbsec.keys import self_signed_certificate

    attacker = generate_rsa_key()
    certificate = self_signed_certificate(attacker).public_bytes(serialization.Encoding.DER)
    import base64

    claims = {"iss": keys.psd2.consumer_key, "sub": keys.psd2.consumer_key, "aud": TOKEN_URL,
              "exp": int(clock.now) + 60, "iat": int(clock.now), "jti": uuid.uuid4().hex}
    token = jws_sign(json.dumps(claims).encode(), attacker,
                     header={"typ": "JWT", "x5c": [base64.b64encode(certificate).decode()],
                             "kid": keys.psd2.consumer_key})
    _invalid_client(await _with(http, keys, clock, token))


@pytest.mark.parametrize("aud", [
    "http://testserver/oauth2/authorize",
    "http://testserver/oauth2/token/",
    "https://testserver/oauth2/token",
    "http://other.example/oauth2/token",
    ["http://other.example/oauth2/token"],
    [],
    42,
    None,
])
async def test_a_wrong_audience(http, keys, clock, aud) -> None:
    token = keys.psd2.assertion(clock.now, aud=aud) if aud is not None else \
        assertion(keys.psd2.key, keys.psd2.consumer_key, now=clock.now, aud=None)
    assert "aud" in _invalid_client(await _with(http, keys, clock, token))


async def test_an_audience_array_naming_the_endpoint(http, keys, clock) -> None:
    token = keys.psd2.assertion(clock.now, aud=["https://elsewhere.example", TOKEN_URL])
    assert (await _with(http, keys, clock, token)).status_code == 200


async def test_the_configured_issuer_makes_the_audiences(keys, store, clock) -> None:
    from tests.sandbox.authorization_server.flow import get_code, pkce_pair

    settings = AuthorizationServerSettings(issuer="https://xbs.example:8443",
                                           extra_audiences=("https://alias.example/token",))
    server = AuthorizationServer(keys.registry, store, settings=settings, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server),
                                 base_url="http://testserver") as http:
        answers = {}
        for aud in ("https://xbs.example:8443/oauth2/token", "https://xbs.example:8443",
                    "https://alias.example/token", TOKEN_URL):
            verifier, challenge = pkce_pair()
            code = await get_code(http, keys.psd2.consumer_key, challenge)
            answers[aud] = await exchange(http, keys.psd2, clock.now, code, verifier,
                                          client_assertion=keys.psd2.assertion(clock.now,
                                                                               aud=aud))
    assert answers["https://xbs.example:8443/oauth2/token"].status_code == 200
    assert answers["https://xbs.example:8443"].status_code == 200  # the issuer
    assert answers["https://alias.example/token"].status_code == 200
    # The request's own Host never counts.
    assert "https://xbs.example:8443/oauth2/token" in _invalid_client(answers[TOKEN_URL])


async def test_an_expired_assertion(http, keys, clock) -> None:
    old = keys.psd2.assertion(clock.now - 300, lifetime=120)
    assert "expired" in _invalid_client(await _with(http, keys, clock, old))


async def test_an_assertion_living_too_long(http, keys, clock) -> None:
    long = keys.psd2.assertion(clock.now, lifetime=3600 + 61)  # an hour, and the skew
    assert "ahead" in _invalid_client(await _with(http, keys, clock, long))


async def test_the_clock_skew_is_tolerated(http, keys, clock) -> None:
    # Made by a client whose clock is 50 s ahead, inside the 60 s tolerance.
    ahead = keys.psd2.assertion(clock.now + 50, lifetime=300)
    assert (await _with(http, keys, clock, ahead)).status_code == 200


async def test_an_assertion_from_the_future(http, keys, clock) -> None:
    future = keys.psd2.assertion(clock.now, iat=int(clock.now) + 200, lifetime=250)
    assert "future" in _invalid_client(await _with(http, keys, clock, future))


async def test_an_assertion_not_valid_yet(http, keys, clock) -> None:
    later = keys.psd2.assertion(clock.now, nbf=int(clock.now) + 200, lifetime=250)
    assert "nbf" in _invalid_client(await _with(http, keys, clock, later))


@pytest.mark.parametrize(("claim", "value"), [
    ("exp", None), ("exp", "soon"), ("exp", True), ("iat", "now"), ("iat", 1e999),
    ("jti", None), ("jti", ""), ("jti", 7), ("jti", "x" * 257),
    ("sub", None), ("sub", "someone-else"),
    ("iss", None), ("iss", 5),
])
async def test_a_missing_or_malformed_claim(http, keys, clock, claim, value) -> None:
    token = assertion(keys.psd2.key, keys.psd2.consumer_key, now=clock.now, **{claim: value})
    _invalid_client(await _with(http, keys, clock, token))


async def test_a_replayed_jti(http, keys, clock) -> None:
    once = keys.psd2.assertion(clock.now)
    assert (await _with(http, keys, clock, once)).status_code == 200
    again = await _with(http, keys, clock, once)
    assert "jti" in _invalid_client(again)


async def test_the_same_jti_of_two_clients_is_not_a_replay(http, keys, clock) -> None:
    jti = uuid.uuid4().hex
    from tests.sandbox.authorization_server.token_flow import token

    first = await token(http, keys.ec, clock.now, grant_type="refresh_token",
                        refresh_token="A" * 43,
                        client_assertion=keys.ec.assertion(clock.now, jti=jti))
    assert_oauth_error(first, "invalid_grant")  # authenticated, then the grant failed
    second = await _with(http, keys, clock, keys.psd2.assertion(clock.now, jti=jti))
    assert second.status_code == 200


async def test_a_forged_assertion_does_not_burn_the_jti(http, keys, clock) -> None:
    jti = uuid.uuid4().hex
    forged = assertion(generate_rsa_key(), keys.psd2.consumer_key, now=clock.now, jti=jti)
    _invalid_client(await _with(http, keys, clock, forged))
    genuine = keys.psd2.assertion(clock.now, jti=jti)
    assert (await _with(http, keys, clock, genuine)).status_code == 200


async def test_a_missing_assertion(http, keys, clock) -> None:
    _invalid_client(await _with(http, keys, clock, None))
    answer = await _with(http, keys, clock, None, client_assertion_type=None)
    assert "required" in _invalid_client(answer)


@pytest.mark.parametrize("kind", ["urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
                                  None])
async def test_a_wrong_assertion_type(http, keys, clock, kind) -> None:
    answer = await _with(http, keys, clock, keys.psd2.assertion(clock.now),
                         client_assertion_type=kind)
    _invalid_client(answer)


@pytest.mark.parametrize("junk", ["not.a.jwt", "a.b", "eyJhbGciOiJub25lIn0.e30.",
                                  "x" * 20_000])
async def test_an_assertion_that_is_not_a_jws(http, keys, clock, junk) -> None:
    _invalid_client(await _with(http, keys, clock, junk))


async def test_hs256_and_none_are_refused(http, keys, clock) -> None:
    import hashlib
    import hmac

    claims = {"iss": keys.psd2.consumer_key, "sub": keys.psd2.consumer_key, "aud": TOKEN_URL,
              "exp": int(clock.now) + 60, "iat": int(clock.now), "jti": uuid.uuid4().hex}
    for alg in ("HS256", "none"):
        header = b64.encode_str(json.dumps({"alg": alg, "typ": "JWT"}).encode())
        body = b64.encode_str(json.dumps(claims).encode())
        mac = hmac.new(b"secret", f"{header}.{body}".encode(), hashlib.sha256).digest()
        signature = b64.encode_str(mac) if alg == "HS256" else ""
        _invalid_client(await _with(http, keys, clock, f"{header}.{body}.{signature}"))


async def test_an_unknown_client(http, keys, clock) -> None:
    stranger = assertion(generate_rsa_key(), "unknown!consumer", now=clock.now)
    assert "unknown client" in _invalid_client(await _with(http, keys, clock, stranger))


async def test_client_id_must_match_the_issuer(http, keys, clock) -> None:
    answer = await _with(http, keys, clock, keys.psd2.assertion(clock.now),
                         client_id=keys.ec.consumer_key)
    assert "client_id" in _invalid_client(answer)
    same = await _with(http, keys, clock, keys.psd2.assertion(clock.now),
                       client_id=keys.psd2.consumer_key)
    assert same.status_code == 200


async def test_a_client_secret_is_not_accepted(http, keys, clock) -> None:
    answer = await _with(http, keys, clock, keys.psd2.assertion(clock.now),
                         client_secret="s3cret")
    _invalid_client(answer)


async def test_an_authorization_header_is_refused(http, keys, clock) -> None:
    answer = await http.post("/oauth2/token", headers={"Authorization": "Basic eDp5"},
                             data={"grant_type": "authorization_code",
                                   "client_assertion_type": ASSERTION_TYPE,
                                   "client_assertion": keys.psd2.assertion(clock.now)})
    assert_oauth_error(answer, "invalid_client", status=401)
    assert answer.headers["www-authenticate"] == 'Basic realm="http://testserver"'


async def test_the_wrong_client_never_learns_about_the_code(http, keys, clock) -> None:
    # Unauthenticated: invalid_client, whatever the code; nothing about the grant.
    code, verifier = await code_and_verifier(http, keys.psd2)
    stranger = assertion(generate_rsa_key(), keys.psd2.consumer_key, now=clock.now)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier,
                            client_assertion=stranger)
    assert "code" not in _invalid_client(answer)
    assert (await exchange(http, keys.psd2, clock.now, code, verifier)).status_code == 200
