"""AsyncXBSClient's RSA work in a pool of threads: the same results and errors as on the
loop, the loop free meanwhile, cancellation and context variables handled."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from typing import Any

import httpx
import pytest

from xbsec import jwe_encrypt
from xbsec.client import ClientPipeline, Encryption, OAuth1Auth
from xbsec.client.offload import DEFAULT_WORKERS, Offloader, default_offloader
from xbsec.client.xbs import AsyncXBSClient
from xbsec.errors import BusinessError, ConfigurationError, DecryptionError
from xbsec.keys import generate_rsa_key, self_signed_certificate
from xbsec.oauth1 import OAuth1Signer
from xbsec.payload import wrap

PARTNER = "SANDBOX_1"
QUOTE = {"transaction_reference": "0999999034810154901", "sender": {"name": "Zoë"}}


class _Keys:
    def __init__(self) -> None:
        self.signing = generate_rsa_key()
        self.gateway = generate_rsa_key()   # the request is encrypted to its certificate
        self.client = generate_rsa_key()    # the answer is encrypted to this key


@pytest.fixture(scope="module")
def keys() -> _Keys:
    return _Keys()


def _client(keys: _Keys, handler: Any, offload: Offloader | None) -> AsyncXBSClient:
    pipeline = ClientPipeline(
        OAuth1Auth(OAuth1Signer("ck!1", keys.signing)),
        encryption=Encryption(self_signed_certificate(keys.gateway), keys.client))
    return AsyncXBSClient(pipeline=pipeline, base_url="https://xbs.test", partner_id=PARTNER,
                          http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
                          offload=offload)


def _answer(keys: _Keys, document: bytes = b'{"quote":{"id":"q1"}}') -> httpx.Response:
    body = wrap(jwe_encrypt(document, keys.client.public_key()))
    return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_results_are_the_same_in_a_pool_and_on_the_loop(keys: _Keys, workers: int) -> None:
    threads: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["x-encrypted"] == "true"
        assert request.headers["authorization"].startswith("OAuth ")
        return _answer(keys)

    async def run() -> Any:
        offload = Offloader(workers)
        async with _client(keys, handler, offload) as xbs:
            original = xbs.pipeline.request

            def spy(*args: Any, **kwargs: Any) -> Any:
                threads.add(threading.current_thread().name)
                return original(*args, **kwargs)

            xbs.pipeline.request = spy  # type: ignore[method-assign]
            results = await asyncio.gather(*(xbs.create_quote(QUOTE) for _ in range(6)))
        offload.shutdown()
        return results

    assert _run(run()) == [{"id": "q1"}] * 6
    if workers:
        assert all(name.startswith("xbsec-offload") for name in threads)
    else:
        assert threads == {threading.main_thread().name}


@pytest.mark.parametrize("workers", [0, 2])
def test_errors_are_the_same_in_a_pool_and_on_the_loop(keys: _Keys, workers: int) -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"Errors": {"Error": [{
            "Source": "quote", "ReasonCode": "INVALID_INPUT_VALUE", "Recoverable": False,
            "Description": "no"}]}})

    def forged(request: httpx.Request) -> httpx.Response:
        return _answer(_Keys())  # encrypted to someone else

    async def run(handler: Any) -> BaseException:
        async with _client(keys, handler, Offloader(workers)) as xbs:
            try:
                await xbs.create_quote(QUOTE)
            except Exception as exc:
                return exc
        raise AssertionError("no error")

    business = _run(run(refused))
    assert isinstance(business, BusinessError)
    assert business.reason_code == "INVALID_INPUT_VALUE"
    assert type(_run(run(forged))) is DecryptionError


def test_the_loop_keeps_running_while_the_pool_works(keys: _Keys) -> None:
    async def longest_stall(offload: Offloader) -> float:
        async with _client(keys, lambda request: _answer(keys), offload) as xbs:
            stalls = [0.0]
            stop = asyncio.Event()

            async def ticker() -> None:
                last = time.perf_counter()
                while not stop.is_set():
                    await asyncio.sleep(0.001)
                    now = time.perf_counter()
                    stalls.append(now - last)
                    last = now

            ticking = asyncio.create_task(ticker())
            await asyncio.gather(*(xbs.create_quote(QUOTE) for _ in range(40)))
            stop.set()
            await ticking
        return max(stalls)

    offload = Offloader(2)
    pooled = _run(longest_stall(offload))
    offload.shutdown()
    inline = _run(longest_stall(Offloader(0)))
    # On the loop, 40 requests' RSA work runs back to back between two ticks; in the pool
    # the loop only hands work over and collects it.
    assert pooled < inline


def test_a_cancelled_call_stops_waiting_and_the_pool_goes_on(keys: _Keys) -> None:
    started, release = threading.Event(), threading.Event()

    async def run() -> Any:
        offload = Offloader(1)
        async with _client(keys, lambda request: _answer(keys), offload) as xbs:
            original = xbs.pipeline.request

            def slow(*args: Any, **kwargs: Any) -> Any:
                started.set()
                release.wait(5)
                return original(*args, **kwargs)

            xbs.pipeline.request = slow  # type: ignore[method-assign]
            task = asyncio.create_task(xbs.create_quote(QUOTE))
            while not started.is_set():
                await asyncio.sleep(0.001)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            release.set()
            xbs.pipeline.request = original  # type: ignore[method-assign]
            result = await xbs.create_quote(QUOTE)
        offload.shutdown()
        return result

    assert _run(run()) == {"id": "q1"}


def test_context_variables_reach_the_worker() -> None:
    where: contextvars.ContextVar[str] = contextvars.ContextVar("where", default="unset")

    async def run() -> tuple[str, str]:
        offload = Offloader(1)
        where.set("request 42")
        seen = await offload.run(where.get)
        name = await offload.run(lambda: threading.current_thread().name)
        offload.shutdown()
        return seen, name

    seen, name = _run(run())
    assert seen == "request 42"
    assert name.startswith("xbsec-offload")


def test_generators_step_and_finish_through_the_pool() -> None:
    def counter() -> Any:
        got = yield 1
        return got * 2

    async def run() -> list[tuple[bool, Any]]:
        offload = Offloader(1)
        flow = counter()
        steps = [await offload.send(flow, None), await offload.send(flow, 21)]
        offload.shutdown()
        return steps

    assert _run(run()) == [(False, 1), (True, 42)]


def test_construction() -> None:
    assert Offloader().max_workers == DEFAULT_WORKERS
    assert Offloader(0).inline
    assert default_offloader() is default_offloader()
    assert repr(Offloader(3)) == "Offloader(max_workers=3)"
    for bad in (-1, 1.5, True, "2"):
        with pytest.raises(ConfigurationError):
            Offloader(bad)  # type: ignore[arg-type]


def test_a_worker_outliving_its_loop_drops_its_outcome_quietly() -> None:
    started, release = threading.Event(), threading.Event()
    offload = Offloader(1)

    def slow() -> str:
        started.set()
        release.wait(5)
        return "late"

    async def give_up() -> None:
        task = asyncio.create_task(offload.run(slow))
        while not started.is_set():
            await asyncio.sleep(0.001)
        task.cancel()

    _run(give_up())  # the loop is closed when this returns; the worker is still busy
    release.set()

    async def again() -> str:
        return await offload.run(lambda: "next")

    assert _run(again()) == "next"  # the pool goes on
    offload.shutdown()


def test_threads_start_on_first_use_and_again_after_shutdown_or_a_fork() -> None:
    offload = Offloader(2)
    assert offload._threads == []

    async def name() -> str:
        return await offload.run(lambda: threading.current_thread().name)

    assert _run(name()).startswith("xbsec-offload-")
    assert len(offload._threads) == 2
    offload.shutdown()
    assert offload._threads == []
    assert _run(name()).startswith("xbsec-offload-")
    first, first_jobs = list(offload._threads), offload._jobs
    offload._pid = -1  # as in a child forked after the threads started: they are not there
    assert _run(name()).startswith("xbsec-offload-")
    assert not set(first) & set(offload._threads)
    for _ in first:  # the "parent's" threads, still in this process here: stop them too
        first_jobs.put(None)
    offload.shutdown()
    for thread in first:
        thread.join(5)
        assert not thread.is_alive()
