"""Every Redis member of the store family on a real Redis Cluster, behind Sentinel, and over
TLS; and how their URLs are read."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.redis_cluster import (  # noqa: F401  (registers the fixtures)
    RedisCluster,
    Sentinel,
    _cli,
    own_redis_cluster_fixture,
    redis_cluster_url_fixture,
    redis_sentinel_fixture,
)
from tests.redis_server import REDIS_SERVER, free_port, make_redis_server_fixture  # noqa: F401
from xbsec.errors import ConfigurationError, ServiceUnavailableError
from xbsec.oauth2.token_set import TokenSet
from xbsec.stores.redis.connection import _deployment, describe, redact_url
from xbsec.stores.redis.events import AsyncRedisEventStore, RedisEventStore
from xbsec.stores.redis.rates import AsyncRedisRateStore, RedisRateStore
from xbsec.stores.redis.replay import AsyncRedisReplayStore, RedisReplayStore
from xbsec.stores.redis.tokens import RedisTokenStore

pytestmark = pytest.mark.slow


def _prefix() -> str:
    return f"xbsec-test:{uuid.uuid4().hex}:"


# Generous timeouts where a test is not about failures: a loaded test machine must not turn
# a slow connect into a refusal (which the short defaults would rightly do in production).
PATIENT: dict[str, Any] = {"socket_timeout": 5, "socket_connect_timeout": 5}


# --- URLs ---------------------------------------------------------------------------------


def test_cluster_and_sentinel_urls_are_read_with_their_options() -> None:
    cluster = _deployment("rediss+cluster://user:p%40ss@a.internal:7000,[::1]:7001,b.internal"
                          "?ssl_ca_certs=/etc/ca.pem&socket_timeout=2")
    assert cluster is not None
    assert cluster.kind == "cluster"
    assert cluster.nodes == (("a.internal", 7000), ("::1", 7001), ("b.internal", 6379))
    assert cluster.options["ssl"] is True
    assert cluster.options["ssl_ca_certs"] == "/etc/ca.pem"
    assert cluster.options["socket_timeout"] == 2.0
    assert (cluster.options["username"], cluster.options["password"]) == ("user", "p@ss")
    sentinel = _deployment("redis+sentinel://:pw@s1:26380,s2/replay/3?sentinel_password=s%26pw"
                           "&ssl_ca_certs=/a%20b/ca.pem")
    assert sentinel is not None
    assert (sentinel.kind, sentinel.service, sentinel.options["db"]) == ("sentinel", "replay", 3)
    assert sentinel.nodes == (("s1", 26380), ("s2", 26379))
    assert sentinel.options["password"] == "pw"
    assert sentinel.sentinel_options == {"password": "s&pw", "ssl_ca_certs": "/a b/ca.pem"}
    assert sentinel.options["ssl_ca_certs"] == "/a b/ca.pem"  # decoded once
    assert _deployment("redis+sentinel://s1").service == "mymaster"  # type: ignore[union-attr]
    assert _deployment("redis://h:1/0") is None


@pytest.mark.parametrize("url", [
    "redis+cluster://", "redis+cluster://h:1/1", "redis+cluster://h:99999",
    "redis+sentinel://s/name/db/extra",
])
def test_an_unusable_url_is_a_configuration_error_without_its_password(url: str) -> None:
    secret_url = url.replace("://", "://:hunter2@")
    with pytest.raises(ConfigurationError) as caught:
        RedisReplayStore(secret_url)
    assert "hunter2" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_sentinel_passwords_are_redacted_too() -> None:
    url = "redis+sentinel://:pw@s1/x?sentinel_password=spw&ssl_ca_certs=/ca"
    assert redact_url(url) == "redis+sentinel://***@s1/x?sentinel_password=***&ssl_ca_certs=/ca"


# --- a Redis Cluster ----------------------------------------------------------------------


def test_every_store_works_on_a_cluster_with_keys_on_every_master(
        redis_cluster_url: str) -> None:
    prefix = _prefix()
    with RedisReplayStore.from_url(redis_cluster_url, prefix=prefix, **PATIENT) as replay:
        assert describe(replay.client).startswith("redis+cluster://")
        assert "+cluster://" in repr(replay)
        keys = [f"consumer!{i}:nonce{i}" for i in range(60)]
        assert all(replay.claim(key, 30) for key in keys)
        assert not any(replay.claim(key, 30) for key in keys)
        slots = {replay.client.keyslot(replay.redis_key(key)) for key in keys}
        nodes = {replay.client.get_node_from_key(replay.redis_key(key)).name for key in keys}
        assert len(slots) > 50
        assert len(nodes) == len(replay.client.get_primaries())
        assert replay.ping()
        assert replay.durability().unverified is None

    with RedisEventStore.from_url(redis_cluster_url, prefix=prefix, **PATIENT) as events:
        claim = events.begin("EVT-1", lease=5)
        assert claim.state == "new"
        assert events.begin("EVT-1", lease=5).state == "in_progress"
        events.finish("EVT-1", claim.token or "", keep=30)
        assert events.begin("EVT-1", lease=5).state == "done"
        other = events.begin("EVT-2", lease=5)
        events.release("EVT-2", other.token or "")
        assert events.begin("EVT-2", lease=5).state == "new"

    with RedisRateStore.from_url(redis_cluster_url, prefix=prefix, **PATIENT) as rates:
        decisions = [rates.take("consumer", rate=1, burst=2).allowed for _ in range(3)]
        assert decisions == [True, True, False]

    tokens = RedisTokenStore(redis_cluster_url, key=prefix + "tokens", lock_timeout=0.5)
    now = time.time()
    saved = TokenSet(access_token="at", expires_at=now + 900, obtained_at=now,
                     refresh_token="rt", refresh_expires_at=now + 3600)
    tokens.save(saved)
    assert tokens.load() == saved
    with tokens.refresh_lock():
        held = tokens.client.get(prefix + "tokens:lock")
        assert held is not None
    assert tokens.client.get(prefix + "tokens:lock") is None  # released by its holder
    assert tokens.delete()
    tokens.close()


def test_the_asyncio_stores_work_on_a_cluster(redis_cluster_url: str) -> None:
    prefix = _prefix()

    async def run() -> None:
        async with AsyncRedisReplayStore.from_url(redis_cluster_url, prefix=prefix,
                                                  **PATIENT) as replay:
            assert [await replay.claim("k:1", 30), await replay.claim("k:1", 30)] == [True,
                                                                                      False]
            assert await replay.ping()
            assert (await replay.durability()).unverified is None
        async with AsyncRedisEventStore.from_url(redis_cluster_url, prefix=prefix,
                                                 **PATIENT) as events:
            claim = await events.begin("E", lease=5)
            await events.finish("E", claim.token or "", keep=30)
            assert (await events.begin("E", lease=5)).state == "done"
        async with AsyncRedisRateStore.from_url(redis_cluster_url, prefix=prefix,
                                                **PATIENT) as rates:
            assert (await rates.take("c", rate=1, burst=1)).allowed
            assert not (await rates.take("c", rate=1, burst=1)).allowed

    asyncio.run(run())


def test_a_caller_cannot_pin_keys_to_one_slot_with_braces(redis_cluster_url: str) -> None:
    with RedisReplayStore.from_url(redis_cluster_url, prefix=_prefix(), **PATIENT) as replay:
        keys = [f"consumer:{{same}}{i}" for i in range(40)]
        assert all(replay.claim(key, 30) for key in keys)
        assert not any(replay.claim(key, 30) for key in keys)
        assert len({replay.client.keyslot(replay.redis_key(key)) for key in keys}) > 30
        # Distinct keys stay distinct, braces or not.
        assert replay.redis_key("a{b}") != replay.redis_key("a{b}c")
    with RedisReplayStore("redis://127.0.0.1:1/0") as single:  # not a cluster: as given
        assert single.redis_key("a{b}") == b"xbsec:replay:a{b}"


def test_a_killed_master_fails_closed_and_its_restart_forgets_nothing(
        own_redis_cluster: RedisCluster) -> None:
    cluster = own_redis_cluster
    with RedisReplayStore.from_url(cluster.url, prefix=_prefix(), **PATIENT) as replay:
        keys = [f"consumer:n{i}" for i in range(30)]
        assert all(replay.claim(key, 120) for key in keys)
        victim = cluster.node_of(replay.redis_key(keys[0]))
        cluster.nodes[victim].kill()
        on_victim = [k for k in keys if cluster.node_of(replay.redis_key(k)) == victim]
        with pytest.raises(ServiceUnavailableError) as caught:
            replay.claim(on_victim[0], 120)
        assert "cannot be reached" in str(caught.value) or "refused" in str(caught.value)
        # Once the others see it gone, the whole cluster refuses: fail closed everywhere.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                replay.claim("fresh:probe", 120)
            except ServiceUnavailableError:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the cluster kept accepting claims with a master gone")
        cluster.nodes[victim].start()
        cluster.wait_ok()
        deadline = time.monotonic() + 15
        while True:
            try:
                replayed = [replay.claim(key, 120) for key in keys]
                break
            except ServiceUnavailableError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert replayed == [False] * len(keys)  # nothing accepted twice
        assert replay.claim("fresh:after", 120)


# --- Sentinel -----------------------------------------------------------------------------


def _replica_in_sync(deployment: Sentinel) -> None:
    deadline = time.monotonic() + 15
    while "master_link_status:up" not in _cli(deployment.replica.port, "info", "replication"):
        if time.monotonic() > deadline:
            raise AssertionError("the replica never caught up with the primary")
        time.sleep(0.05)


def test_stores_follow_the_primary_sentinel_names_through_a_failover(
        redis_sentinel: Sentinel) -> None:
    _replica_in_sync(redis_sentinel)
    with RedisReplayStore.from_url(redis_sentinel.url, prefix=_prefix(), **PATIENT) as replay:
        assert describe(replay.client).startswith("redis+sentinel://")
        assert replay.claim("consumer:before", 120)
        assert replay.client.execute_command("WAIT", 1, 400) == 1  # on the replica too
        redis_sentinel.primary.kill()
        refused = 0
        deadline = time.monotonic() + 30
        while True:
            try:
                fresh = replay.claim("consumer:after", 120)
                break
            except ServiceUnavailableError:
                refused += 1  # fail closed until Sentinel names the replica
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert refused
        assert fresh
        assert str(redis_sentinel.replica.port) in redis_sentinel.master_address()
        assert not replay.claim("consumer:before", 120)  # replicated, so not accepted twice

    async def run() -> None:
        async with AsyncRedisReplayStore.from_url(redis_sentinel.url, prefix=_prefix(),
                                                  **PATIENT) as replay:
            assert [await replay.claim("k", 60), await replay.claim("k", 60)] == [True, False]

    asyncio.run(run())


# --- TLS ----------------------------------------------------------------------------------


@pytest.fixture
def tls_redis(tmp_path: Path) -> Any:
    trustme = pytest.importorskip("trustme")
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    server_cert.cert_chain_pems[0].write_to_path(str(tmp_path / "server.pem"))
    server_cert.private_key_pem.write_to_path(str(tmp_path / "server.key"))
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", str(tmp_path / "server.pem"),
         "--tls-key-file", str(tmp_path / "server.key"),
         "--tls-ca-cert-file", str(tmp_path / "ca.pem"), "--tls-auth-clients", "no",
         "--requirepass", "tls-secret", "--save", "", "--appendonly", "yes",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        url = f"rediss://:tls-secret@127.0.0.1:{port}/0?ssl_ca_certs={tmp_path / 'ca.pem'}"
        deadline = time.monotonic() + 10
        while True:
            with RedisReplayStore(url) as probe:
                if probe.ping():
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server with TLS did not start")
            time.sleep(0.05)
        yield url, port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_stores_speak_tls_and_refuse_an_unknown_server_certificate(tls_redis: Any) -> None:
    url, port = tls_redis
    with RedisReplayStore.from_url(url, prefix=_prefix(), **PATIENT) as replay:
        assert describe(replay.client).startswith("rediss://")
        assert [replay.claim("k", 30), replay.claim("k", 30)] == [True, False]
        assert replay.durability().sound

    async def run() -> None:
        async with AsyncRedisReplayStore.from_url(url, prefix=_prefix(), **PATIENT) as replay:
            assert await replay.claim("k", 30)

    asyncio.run(run())
    # Without the CA, the server's certificate is not trusted: fail closed, no password.
    with RedisReplayStore(f"rediss://:tls-secret@127.0.0.1:{port}/0") as untrusting:
        with pytest.raises(ServiceUnavailableError) as caught:
            untrusting.claim("k2", 30)
        assert "tls-secret" not in str(caught.value)
    # And plain text to a TLS port is no answer either.
    with RedisReplayStore(f"redis://:tls-secret@127.0.0.1:{port}/0") as plain, \
            pytest.raises(ServiceUnavailableError):
        plain.claim("k3", 30)
