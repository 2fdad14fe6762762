"""Whether a Redis keeps a store's keys until they expire: read from real servers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.redis_server import (  # noqa: F401  (registers the fixtures)
    RedisServer,
    make_redis_server_fixture,
)
from xbsec.stores.redis.connection import durability_of, has_credentials
from xbsec.stores.redis.replay import AsyncRedisReplayStore, RedisReplayStore


@pytest.mark.parametrize(("settings", "problems"), [
    ({"maxmemory-policy": "noeviction", "maxmemory": "0", "appendonly": "yes", "save": ""}, 0),
    ({"maxmemory-policy": "noeviction", "appendonly": "no", "save": "3600 1"}, 0),
    ({"maxmemory-policy": "allkeys-lru", "maxmemory": "1gb", "appendonly": "yes"}, 1),
    ({"maxmemory-policy": "volatile-ttl", "appendonly": "yes"}, 1),
    ({"maxmemory-policy": "noeviction", "appendonly": "no", "save": ""}, 1),
    ({"maxmemory-policy": "allkeys-random", "appendonly": "no", "save": " "}, 2),
])
def test_what_loses_keys(settings: dict[str, str], problems: int) -> None:
    assert len(durability_of(settings).problems) == problems


def test_each_problem_names_the_setting_to_change() -> None:
    report = durability_of({"maxmemory-policy": "allkeys-lru", "appendonly": "no", "save": ""})
    assert "set maxmemory-policy noeviction" in report.problems[0]
    assert "set appendonly yes" in report.problems[1]
    assert not report.sound


MakeServer = Callable[..., RedisServer]


def test_a_durable_server_is_sound(make_redis_server: MakeServer) -> None:
    server = make_redis_server("--appendonly", "yes")
    with RedisReplayStore(server.url) as store:
        assert store.durability().sound


def test_an_evicting_server_is_found_out(make_redis_server: MakeServer) -> None:
    server = make_redis_server("--appendonly", "yes", "--maxmemory", "32mb",
                               "--maxmemory-policy", "allkeys-lru")
    with RedisReplayStore(server.url) as store:
        report = store.durability()
    assert len(report.problems) == 1
    assert "allkeys-lru (maxmemory 33554432)" in report.problems[0]


def test_a_server_without_persistence_is_found_out_asynchronously(
        make_redis_server: MakeServer) -> None:
    server = make_redis_server()  # the test servers keep nothing on disk

    async def read() -> tuple[str, ...]:
        async with AsyncRedisReplayStore(server.url) as store:
            return (await store.durability()).problems

    assert ["no persistence" in p for p in asyncio.run(read())] == [True]


def test_a_server_that_refuses_config_is_unverified(make_redis_server: MakeServer) -> None:
    server = make_redis_server("--rename-command", "CONFIG", "")
    with RedisReplayStore(server.url) as store:
        report = store.durability()
    assert report.problems == ()
    assert report.unverified is not None
    assert "cannot read the Redis settings" in report.unverified


@pytest.mark.parametrize(("url", "secret"), [
    ("redis://:pw@host:6379/0", True), ("redis://user:pw@host/0", True),
    ("redis://host:6379/0?password=pw", True), ("redis://host:6379/0", False),
    ("rediss://host:6380/1", False), ("unix:///run/redis.sock", False),
])
def test_a_url_with_a_password_is_recognised(url: str, secret: bool) -> None:
    assert has_credentials(url) is secret
