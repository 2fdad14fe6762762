"""Three ``xbsec sandbox serve --redis URL`` processes behind one name, sharing a real Redis.

Clients sign for the load balancer's URL (``--external-url``), so one signed request is
valid at every instance. Of N concurrent copies spread over the three, exactly one is
served; with Redis down nothing is served (503); with Redis back, service resumes.
"""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import pytest

from tests.e2e.documents import new_reference, quote_for
from tests.e2e.raw_requests import JSON, refusal, v1
from tests.e2e.sandbox_process import Project, SandboxServer, Servers, init_project
from tests.redis_server import RedisServer
from tests.sandbox.samples import count_rows
from xbsec.documents import dumps_json
from xbsec.oauth1 import OAuth1Signer

pytestmark = pytest.mark.slow

BALANCER = "http://xbs-sandbox.test"
COPIES = 30


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return init_project(tmp_path_factory.mktemp("replay") / "project")


def three_instances(servers: Servers, project: Project,
                    redis_url: str | None) -> list[SandboxServer]:
    started = [servers.make(project, redis_url=redis_url, external_url=BALANCER)
               for _ in range(3)]
    for server in started:
        server.launch()
    return [server.wait_ready() for server in started]


def signed_quote(project: Project) -> tuple[str, bytes, dict[str, str]]:
    """A fresh signed quote request: the path, the body, the headers."""
    path = v1(project.partner_id, "/quotes")
    body = dumps_json(quote_for(new_reference()))
    signer = OAuth1Signer(project.consumer_key, project.signing[0])
    return path, body, {**JSON, "Authorization": signer.authorization_header(
        "POST", BALANCER + path, body)}


def send_together(instances: list[SandboxServer], path: str, body: bytes,
                  headers: dict[str, str], copies: int) -> list[httpx.Response]:
    """``copies`` copies of one request, each on its own connection, released together
    and spread round-robin over the instances."""
    barrier = threading.Barrier(copies)
    responses: list[httpx.Response | BaseException] = [RuntimeError("not sent")] * copies

    def send(index: int) -> None:
        url = instances[index % len(instances)].url + path
        with httpx.Client(timeout=20) as http:
            barrier.wait()
            try:
                responses[index] = http.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                responses[index] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    answered = [r for r in responses if isinstance(r, httpx.Response)]
    assert len(answered) == copies, [r for r in responses if not isinstance(r, httpx.Response)]
    return answered


def outcomes(responses: list[httpx.Response]) -> Counter[str]:
    return Counter("served" if r.status_code == 200 else refusal(r)[1] for r in responses)


def proposals_of(response: httpx.Response) -> int:
    proposal = response.json()["quote"]["proposals"]["proposal"]
    return len(proposal) if isinstance(proposal, list) else 1


def test_one_of_many_concurrent_copies_is_served(project: Project, servers: Servers,
                                                 redis_url: str) -> None:
    instances = three_instances(servers, project, redis_url)
    before = count_rows(project.database, "proposals")
    path, body, headers = signed_quote(project)
    responses = send_together(instances, path, body, headers, COPIES)
    assert outcomes(responses) == {"served": 1, "NONCE_REPLAYED": COPIES - 1}
    assert {refusal(r) for r in responses if r.status_code != 200} == {
        (401, "NONCE_REPLAYED", "Gateway")}
    (served,) = [r for r in responses if r.status_code == 200]
    assert count_rows(project.database, "proposals") == before + proposals_of(served)
    # Each instance was asked for one copy at least (they are separate processes)...
    assert {r.request.url.port for r in responses} == {i.port for i in instances}


def test_without_a_shared_store_each_instance_serves_the_copy_once(
        project: Project, servers: Servers) -> None:
    # ...which is why they need --redis: each process alone remembers only its own nonces,
    # so three copies get past the gateways, one per process; the sandbox they share then
    # declines the quote's reference twice, as XBS declines a reference quoted before.
    instances = three_instances(servers, project, None)
    path, body, headers = signed_quote(project)
    responses = send_together(instances, path, body, headers, 12)
    assert outcomes(responses) == {"served": 1, "DECLINE": 2, "NONCE_REPLAYED": 9}


def test_redis_down_refuses_everything_and_redis_back_resumes(
        project: Project, servers: Servers, redis_server: RedisServer) -> None:
    instances = three_instances(servers, project, redis_server.url)
    with httpx.Client(timeout=20) as http:

        def fresh(instance: SandboxServer) -> httpx.Response:
            path, body, headers = signed_quote(project)
            return http.post(instance.url + path, content=body, headers=headers)

        assert [fresh(i).status_code for i in instances] == [200, 200, 200]
        before = count_rows(project.database, "proposals")

        redis_server.stop()
        down = [fresh(i) for i in instances for _ in range(2)]
        assert {refusal(r) for r in down} == {(503, "SERVICE_UNAVAILABLE", "Gateway")}
        health = [http.get(i.url + "/health") for i in instances]
        assert {(h.status_code, h.json()["replay_store"]) for h in health} == {
            (503, "unreachable")}
        assert count_rows(project.database, "proposals") == before  # nothing was served

        redis_server.start()  # the same port, an empty Redis
        assert [fresh(i).status_code for i in instances] == [200, 200, 200]
        # And replays are refused again, wherever they land.
        path, body, headers = signed_quote(project)
        again = [http.post(i.url + path, content=body, headers=headers) for i in instances]
        assert [r.status_code for r in again] == [200, 401, 401]

