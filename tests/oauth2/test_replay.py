"""SPEC §5.4 step 7: jti replay, off by default; on, a replay is 401 NONCE_REPLAYED and a
store that cannot answer is 503 (fail closed)."""

from __future__ import annotations

from typing import Any

import pytest

from xbsec import SecurityPolicy
from xbsec.errors import MalformedTokenError, NonceReplayError, ServiceUnavailableError
from xbsec.oauth2 import RequestTokenVerifier
from xbsec.stores.replay import MemoryReplayStore

from .conftest import CONSUMER_KEY, NOW, claims, mastercard_header, refusal, status, token

REPLAY_ON = SecurityPolicy(request_token_replay_check=True)


class RecordingStore:
    def __init__(self) -> None:
        self.claims: list[tuple[str, float]] = []
        self.inner = MemoryReplayStore(clock=lambda: NOW)

    def claim(self, key: str, ttl: float) -> bool:
        self.claims.append((key, ttl))
        return self.inner.claim(key, ttl)


class BrokenStore:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def claim(self, key: str, ttl: float) -> bool:
        raise self.error


def _verifier(certificate: Any, store: Any, policy: SecurityPolicy = REPLAY_ON) -> Any:
    return RequestTokenVerifier({CONSUMER_KEY: certificate}, policy=policy, replay_store=store,
                                clock=lambda: NOW)


def test_a_replayed_token_is_accepted_by_default(certificate, minter) -> None:
    store = RecordingStore()
    verifier = _verifier(certificate, store, SecurityPolicy())
    value = minter.authorization_header()
    assert verifier.verify(value) == verifier.verify(value)
    assert store.claims == []


def test_a_replayed_token_is_401_when_the_check_is_on(certificate, minter) -> None:
    verifier = _verifier(certificate, RecordingStore())
    value = minter.authorization_header()
    verifier.verify(value)
    error = refusal(verifier, value)
    assert isinstance(error, NonceReplayError)
    assert status(error) == (401, "NONCE_REPLAYED", "Gateway")
    assert "already used" in error.description


def test_fresh_tokens_are_each_accepted_once(certificate, minter) -> None:
    verifier = _verifier(certificate, RecordingStore())
    for _ in range(20):
        verifier.verify(minter.authorization_header())


def test_the_jti_is_kept_while_the_token_could_still_be_accepted(certificate, minter) -> None:
    store = RecordingStore()
    verified = _verifier(certificate, store).verify(minter.authorization_header())
    assert store.claims == [(f"oauth2-rt:{CONSUMER_KEY}:{verified.jti}", 900 + 60)]


def test_the_retention_is_at_least_one_second(certificate, rsa_key_2048) -> None:
    store = RecordingStore()
    body = claims(at=NOW - 359.5, lifetime=300)
    _verifier(certificate, store).verify(token(mastercard_header(certificate), body,
                                               rsa_key_2048))
    assert store.claims[0][1] == 1


def test_the_same_jti_of_two_consumers_does_not_collide(certificate, rsa_key_2048) -> None:
    store = RecordingStore()
    verifier = RequestTokenVerifier({CONSUMER_KEY: certificate, "other": certificate},
                                    policy=REPLAY_ON, replay_store=store, clock=lambda: NOW)
    for kid in (CONSUMER_KEY, "other"):
        verifier.verify(token(mastercard_header(certificate, kid=kid), claims(), rsa_key_2048))


def test_a_forged_token_does_not_burn_the_jti(certificate, rsa_key_2048,
                                              other_rsa_key_2048) -> None:
    store = RecordingStore()
    verifier = _verifier(certificate, store)
    forged = token(mastercard_header(certificate), claims(), other_rsa_key_2048)
    assert status(refusal(verifier, forged))[0] == 403
    assert store.claims == []
    verifier.verify(token(mastercard_header(certificate), claims(), rsa_key_2048))


def test_an_expired_token_does_not_reach_the_store(certificate, rsa_key_2048) -> None:
    store = RecordingStore()
    expired = token(mastercard_header(certificate), claims(at=NOW - 1000), rsa_key_2048)
    assert status(refusal(_verifier(certificate, store), expired))[1] == "INVALID_TIMESTAMP"
    assert store.claims == []


def test_a_token_without_jti_is_401_when_the_check_is_on(certificate, rsa_key_2048) -> None:
    value = token(mastercard_header(certificate), claims(jti=...), rsa_key_2048)
    error = refusal(_verifier(certificate, RecordingStore()), value)
    assert isinstance(error, MalformedTokenError)
    assert error.description == "the request token has no jti"


@pytest.mark.parametrize("failure", [ConnectionError("redis down"), TimeoutError(),
                                     RuntimeError("bug"), KeyError("x")])
def test_a_store_that_cannot_answer_is_503(certificate, minter, failure) -> None:
    error = refusal(_verifier(certificate, BrokenStore(failure)), minter.mint())
    assert isinstance(error, ServiceUnavailableError)
    assert status(error) == (503, "SERVICE_UNAVAILABLE", "Gateway")
    assert "redis" not in error.description
    assert error.__cause__ is None


def test_a_store_s_own_503_passes_through(certificate, minter) -> None:
    full = ServiceUnavailableError("replay store is full")
    error = refusal(_verifier(certificate, BrokenStore(full)), minter.mint())
    assert error is full


def test_a_full_memory_store_fails_closed(certificate, minter) -> None:
    verifier = _verifier(certificate, MemoryReplayStore(max_entries=1))
    verifier.verify(minter.mint())
    assert status(refusal(verifier, minter.mint()))[0] == 503
