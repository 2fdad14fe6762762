"""XBSGateway(observer=...): one record per request, with the stage it reached and how it
ended; documents only when asked for; an observer that fails costs the client nothing."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.server.gateway_fixture import PARTNER, ASGIClient, World
from tests.server.test_gateway import BASE, DOC, QUOTES, gateway, pipeline
from xbsec.server.observer import STAGES, ObservedRequest


class Recorder:
    def __init__(self) -> None:
        self.seen: list[ObservedRequest] = []

    def observe(self, request: ObservedRequest) -> None:
        self.seen.append(request)


def send(app: Any, out: Any) -> Any:
    with ASGIClient(app) as client:
        return client.request(out.method, out.url, content=out.body, headers=out.headers)


def test_a_good_request_is_observed_whole(world: World) -> None:
    recorder = Recorder()
    app = gateway(world, observer=recorder)
    out = pipeline(world).request("POST", BASE + QUOTES + "?x=1", document=DOC)
    response = send(app, out)
    assert response.status_code == 200
    (seen,) = recorder.seen
    assert (seen.stage, seen.status, seen.reason_code, seen.auth) == (
        "application", 200, None, "oauth1")
    assert seen.request_id == response.headers["x-request-id"]
    assert seen.target == QUOTES + "?x=1"
    assert seen.signed_url == BASE
    assert seen.variant == "java"
    assert seen.body == out.body
    assert seen.consumer is not None
    assert seen.consumer.consumer_key == world.plain.consumer_key
    assert ("authorization", out.headers["Authorization"]) in seen.headers
    assert seen.partner == PARTNER
    assert seen.latency_ms >= 0
    # Documents only when the gateway is told to hand them over.
    assert (seen.documents, seen.document, seen.response_body) == (False, None, None)
    assert dict(seen.response_headers)["content-type"] == "application/json"
    assert "Authorization" not in repr(seen)
    assert "OAuth" not in repr(seen)


def test_documents_are_handed_over_in_the_clear_when_asked_for(world: World) -> None:
    recorder = Recorder()
    app = gateway(world, observer=recorder, observe_documents=True)
    out = pipeline(world, encrypt=True).request("POST", BASE + QUOTES, document=DOC)
    response = send(app, out)
    assert response.status_code == 200
    (seen,) = recorder.seen
    assert seen.encrypted
    assert seen.body == out.body  # as received: the envelope
    assert seen.document is not None
    assert json.loads(seen.document) == DOC
    assert seen.response_body is not None
    assert json.loads(seen.response_body)["echo"]["xbsec"]["encrypted"] is True


@pytest.mark.parametrize(("change", "stage", "reason"), [
    ({"Authorization": "Basic x"}, "credentials", "INVALID_AUTH_HEADER"),
    ({"body": b'{"quoterequest":{}} '}, "oauth1", "INVALID_BODY_HASH"),
    ({"Partner-Ref-Id": "SOMEONE_ELSE"}, "entitlement", "DECLINED"),
    ({"x-encrypted": "true"}, "decryption", "INVALID_INPUT_FORMAT"),
])
def test_a_refusal_is_observed_at_its_stage(world: World, change: dict[str, Any], stage: str,
                                            reason: str) -> None:
    recorder = Recorder()
    app = gateway(world, observer=recorder)
    body = change.pop("body", None)
    out = pipeline(world).request("POST", BASE + QUOTES, document=DOC,
                                  headers={k: v for k, v in change.items()
                                           if k != "Authorization"})
    headers = {**out.headers, **change}
    with ASGIClient(app) as client:
        response = client.post(QUOTES, content=out.body if body is None else body,
                               headers=headers)
    (seen,) = recorder.seen
    assert seen.stage in STAGES
    assert (seen.stage, seen.status, seen.reason_code) == (stage, response.status_code,
                                                          reason)
    assert seen.description


def test_a_replay_is_refused_at_the_nonce(world: World) -> None:
    recorder = Recorder()
    app = gateway(world, observer=recorder)
    out = pipeline(world).request("POST", BASE + QUOTES, document=DOC)
    send(app, out)
    send(app, out)
    assert [(s.stage, s.reason_code) for s in recorder.seen] == [
        ("application", None), ("nonce", "NONCE_REPLAYED")]


def test_an_observer_that_fails_is_logged_and_the_answer_stands(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def observe(self, request: ObservedRequest) -> None:
            raise RuntimeError("observer down")

    app = gateway(world, observer=Broken())
    with caplog.at_level(logging.ERROR, logger="xbsec.gateway"):
        response = send(app, pipeline(world).request("POST", BASE + QUOTES, document=DOC))
    assert response.status_code == 200
    assert "the observer failed: RuntimeError" in caplog.text


def test_exempt_paths_and_lifespan_are_not_observed(world: World) -> None:
    recorder = Recorder()
    app = gateway(world, observer=recorder, exempt_paths=["/ping"])
    with ASGIClient(app) as client:
        client.get("/ping")
    assert recorder.seen == []
