"""Three gateway instances sharing replay claims on a real three-master Redis Cluster.

One signed request, sent to all of them at once, is served exactly once. With a master
killed they refuse (503) rather than accept anything they cannot record; once it is back
(its append-only file replayed), service resumes and nothing is accepted twice.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.redis_cluster import (  # noqa: F401  (registers the fixtures)
    RedisCluster,
    own_redis_cluster_fixture,
    redis_cluster_url_fixture,
)
from tests.server.gateway_fixture import PARTNER, World, echo_app
from xbsec.client import ClientPipeline, OAuth1Auth
from xbsec.oauth1 import OAuth1Signer
from xbsec.policy import SecurityPolicy
from xbsec.server.gateway import XBSGateway
from xbsec.stores.redis.replay import AsyncRedisReplayStore

pytestmark = pytest.mark.slow

BALANCER = "https://xbs.example.test"
QUOTES = f"/send/v1/partners/{PARTNER}/crossborder/quotes"
DOC = {"quoterequest": {"amount": "100.00"}}


def _signed(world: World) -> tuple[str, bytes, dict[str, str]]:
    pipe = ClientPipeline(OAuth1Auth(OAuth1Signer(world.plain.consumer_key,
                                                  world.plain.signing_key)))
    out = pipe.request("POST", BALANCER + QUOTES, document=DOC)
    return QUOTES, out.body, out.headers


class _Instances:
    """``count`` gateways, each with its own store (its own client) on one cluster."""

    def __init__(self, world: World, url: str, count: int = 3) -> None:
        prefix = f"xbsec-test:{uuid.uuid4().hex}:"
        # Generous timeouts: a loaded test machine must not turn a slow connect into a 503
        # (which is what the short defaults would rightly do in production).
        self.stores = [AsyncRedisReplayStore.from_url(url, prefix=prefix, socket_timeout=5,
                                                      socket_connect_timeout=5)
                       for _ in range(count)]
        self.gateways = [XBSGateway(echo_app, world.registry, external_url=BALANCER,
                                    policy=SecurityPolicy.mastercard_compatible(),
                                    replay_store=store) for store in self.stores]
        self.clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway),
                                          base_url="http://gateway") for gateway in
                        self.gateways]

    async def ready(self) -> None:
        """Every store connected before the clock of a test starts."""
        assert all([await store.ping() for store in self.stores])

    async def send(self, index: int, request: tuple[str, bytes, dict[str, str]]) -> Any:
        path, body, headers = request
        return await self.clients[index % len(self.clients)].post(path, content=body,
                                                                    headers=headers)

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()
        for store in self.stores:
            await store.aclose()


def _outcome(response: Any) -> str:
    if response.status_code == 200:
        return "served"
    return response.json()["Errors"]["Error"][0]["ReasonCode"]


def test_a_request_sent_to_three_instances_at_once_is_served_once(
        world: World, redis_cluster_url: str) -> None:
    async def run() -> list[Counter[str]]:
        instances = _Instances(world, redis_cluster_url)
        try:
            await instances.ready()
            results = []
            for _ in range(5):  # five requests, each sent 12 times across the three
                request = _signed(world)
                answers = await asyncio.gather(*(instances.send(i, request)
                                                 for i in range(12)))
                results.append(Counter(_outcome(answer) for answer in answers))
            return results
        finally:
            await instances.close()

    for outcome in asyncio.run(run()):
        assert outcome == {"served": 1, "NONCE_REPLAYED": 11}


def test_a_killed_master_means_503_then_recovery_with_nothing_accepted_twice(
        world: World, own_redis_cluster: RedisCluster) -> None:
    cluster = own_redis_cluster

    async def run() -> None:
        instances = _Instances(world, cluster.url)
        try:
            await instances.ready()
            served = [_signed(world) for _ in range(12)]
            first = [await instances.send(i, request) for i, request in enumerate(served)]
            assert [r.status_code for r in first] == [200] * 12

            cluster.nodes[1].kill()
            # Claims in the dead master's slots fail at once; once the others mark it
            # failed, the whole cluster refuses. Either way: 503, never a 200.
            deadline = time.monotonic() + 15
            down: list[Any] = []
            while time.monotonic() < deadline:
                batch = [await instances.send(i, _signed(world)) for i in range(3)]
                down += batch
                if all(r.status_code == 503 for r in batch):
                    break
                await asyncio.sleep(0.2)
            assert all(r.status_code == 503 for r in down[-3:])
            for response in down:
                assert response.status_code in (200, 503)
                if response.status_code == 503:
                    error = response.json()["Errors"]["Error"][0]
                    assert (error["ReasonCode"], error["Recoverable"]) == (
                        "SERVICE_UNAVAILABLE", True)
            # The ones served earlier, replayed while it is down: refused, or 503.
            replays = [await instances.send(i, request) for i, request in enumerate(served)]
            assert {r.status_code for r in replays} <= {401, 503}

            cluster.nodes[1].start()
            cluster.wait_ok()
            deadline = time.monotonic() + 20
            while True:
                fresh = await instances.send(0, _signed(world))
                if fresh.status_code == 200 or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            assert fresh.status_code == 200
            # Every request served before the outage is still refused, on every instance.
            for index, request in enumerate(served):
                answers = [await instances.send(i, request) for i in range(3)]
                assert [_outcome(a) for a in answers] == ["NONCE_REPLAYED"] * 3, index
            fresh_again = [await instances.send(i, _signed(world)) for i in range(3)]
            assert [r.status_code for r in fresh_again] == [200] * 3
        finally:
            await instances.close()

    asyncio.run(run())
