"""Redis replay stores against a real redis-server: claims, real expiry, and the verifiers
of several gateway instances sharing one Redis."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis

from tests.oauth1.conftest import CONSUMER_KEY, NOW, make_certificate
from tests.redis_server import prefix_fixture, redis_url_fixture  # noqa: F401 (registers them)
from xbsec import NonceReplayError, SecurityPolicy
from xbsec.oauth1 import OAuth1Signer, OAuth1Verifier
from xbsec.oauth2 import RequestTokenMinter, RequestTokenVerifier
from xbsec.stores.redis.replay import AsyncRedisReplayStore, RedisReplayStore
from xbsec.stores.replay import claim_nonce_async

URL = "https://sandbox.api.mastercard.com/send/v1/partners/P1/crossborder/quotes"
BODY = b'{"quoterequest":{"amount":"100.00"}}'


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(redis_url: str, prefix: str) -> Iterator[RedisReplayStore]:
    with RedisReplayStore(redis_url, prefix=prefix) as store:
        yield store


@pytest.fixture
async def async_store(redis_url: str, prefix: str) -> AsyncIterator[AsyncRedisReplayStore]:
    async with AsyncRedisReplayStore(redis_url, prefix=prefix) as store:
        yield store


@pytest.fixture
def certificate(rsa_key_2048: Any) -> Any:
    return make_certificate(rsa_key_2048, not_before=NOW - 86400, not_after=NOW + 86400)


def test_a_key_is_claimed_once_and_kept_as_given(store, redis_url, prefix) -> None:
    key = f"oauth1:{CONSUMER_KEY}:N0nceN0nceN0nce1"
    assert store.ping() is True
    assert store.claim(key, 600)
    assert not store.claim(key, 600)
    with redis.Redis.from_url(redis_url) as plain:
        assert plain.get(f"{prefix}{key}") == b"1"
        assert 599_000 < plain.pttl(f"{prefix}{key}") <= 600_000


@pytest.mark.anyio
async def test_a_key_is_claimed_once_asynchronously(async_store, store) -> None:
    assert await async_store.ping() is True
    assert await async_store.claim("k", 600)
    assert not await async_store.claim("k", 600)
    assert not store.claim("k", 600)


def test_a_sub_second_ttl_expires_on_time(store) -> None:
    assert store.claim("k", 0.2)
    assert not store.claim("k", 0.2)
    time.sleep(0.25)
    assert store.claim("k", 0.2)


@pytest.mark.slow
def test_a_one_second_ttl_expires_after_one_second(store) -> None:
    started = time.monotonic()
    assert store.claim("k", 1)
    while not store.claim("k", 1):
        assert time.monotonic() - started < 1.5, "the claim never expired"
        time.sleep(0.02)
    assert time.monotonic() - started >= 0.95


def test_two_oauth1_verifiers_sharing_a_redis_store_refuse_a_replay_once(
        store, rsa_key_2048, certificate) -> None:
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW)
    first = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=store, clock=lambda: NOW)
    second = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=store, clock=lambda: NOW)
    header = signer.authorization_header("POST", URL, BODY)
    first.verify("POST", URL, header, BODY)
    for verifier in (first, second):
        with pytest.raises(NonceReplayError) as info:
            verifier.verify("POST", URL, header, BODY)
        assert (info.value.status, info.value.reason_code) == (401, "NONCE_REPLAYED")
    second.verify("POST", URL, signer.authorization_header("POST", URL, BODY), BODY)


def test_gateways_with_their_own_store_instances_share_the_claims(
        redis_url, prefix, rsa_key_2048, certificate) -> None:
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW)
    header = signer.authorization_header("POST", URL, BODY)
    outcomes = []
    for _ in range(3):
        with RedisReplayStore(redis_url, prefix=prefix) as own:
            verifier = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=own,
                                      clock=lambda: NOW)
            try:
                verifier.verify("POST", URL, header, BODY)
                outcomes.append("accepted")
            except NonceReplayError:
                outcomes.append("replay")
    assert outcomes == ["accepted", "replay", "replay"]


@pytest.mark.anyio
async def test_an_asyncio_gateway_claims_through_the_async_store(
        async_store, store, rsa_key_2048, certificate) -> None:
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW)
    verifier = OAuth1Verifier({CONSUMER_KEY: certificate}, clock=lambda: NOW)
    header = signer.authorization_header("POST", URL, BODY)
    verified = verifier.authenticate("POST", URL, header, BODY)
    await claim_nonce_async(async_store, verified.replay_key, verified.replay_ttl)
    with pytest.raises(NonceReplayError):
        await claim_nonce_async(async_store, verified.replay_key, verified.replay_ttl)
    # A synchronous gateway on the same Redis sees the claim too.
    synchronous = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=store,
                                 clock=lambda: NOW)
    with pytest.raises(NonceReplayError):
        synchronous.verify("POST", URL, header, BODY)


def test_two_request_token_verifiers_sharing_a_redis_store_refuse_a_replayed_token(
        store, rsa_key_2048, certificate) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, lifetime=300,
                                clock=lambda: NOW)
    policy = SecurityPolicy(request_token_replay_check=True)
    first, second = (RequestTokenVerifier({CONSUMER_KEY: certificate}, policy=policy,
                                          replay_store=store, clock=lambda: NOW)
                     for _ in range(2))
    value = minter.authorization_header()
    verified = first.verify(value)
    with pytest.raises(NonceReplayError):
        second.verify(value)
    assert verified.replay_key is not None
    assert not store.claim(verified.replay_key, 1)
