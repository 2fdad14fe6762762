"""A real Redis for the replay-store integration tests.

``redis_url``: the server named by ``XBSEC_TEST_REDIS_URL`` (CI starts one), otherwise a
``redis-server`` started here for the session; the tests skip only when there is neither.
``redis_server``: a dedicated ``redis-server`` for one test, which the test may stop,
restart on the same port or pause; ``make_redis_server(*options)`` starts more, configured.
Every test gets its own key ``prefix``, so tests never see each other's keys on a shared
server.

A test module imports the fixtures it uses (the import is what registers them with pytest).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

URL_VARIABLE = "XBSEC_TEST_REDIS_URL"
REDIS_SERVER = shutil.which("redis-server")
_NO_BINARY = ("redis-server is not installed (apt install redis-server), so a dedicated "
              "server cannot be started")


def free_port() -> int:
    """A TCP port nobody listens on now (redis-server refuses ``--port 0``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(host: str, port: int, *, timeout: float = 0.2) -> bool:
    """True if a Redis server answers a PING on ``host:port`` (any reply, even NOAUTH)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64)[:1] in (b"+", b"-")
    except OSError:
        return False


class RedisServer:
    """A ``redis-server`` subprocess on a fixed port, so that it can come back where it was.

    No persistence (``--save ''``, no AOF): a restarted server has forgotten every key.
    """

    def __init__(self, *args: str, port: int | None = None) -> None:
        if REDIS_SERVER is None:
            raise RuntimeError(_NO_BINARY)
        self.port = port or free_port()
        self.args = args
        self._dir = tempfile.mkdtemp(prefix="xbsec-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, timeout: float = 5.0) -> None:
        assert REDIS_SERVER is not None
        self._process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self._dir,
             "--loglevel", "warning", *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not answers("127.0.0.1", self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                output = self._stop_and_read()
                raise RuntimeError(f"redis-server did not start on port {self.port}: {output}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop the server (idempotent); the port is free again when this returns."""
        self._stop_and_read()

    def _stop_and_read(self) -> str:
        process, self._process = self._process, None
        if process is None:
            return ""
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused server cannot handle SIGTERM
            process.terminate()
        try:
            output, _ = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        return output.decode(errors="replace").strip()

    def pause(self) -> None:
        """Freeze the server: it keeps its connections but answers nothing (a hung Redis)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


def start_server(*args: str) -> RedisServer:
    """A started server on a free port; tries another port if one was taken in between."""
    for attempt in range(5):
        server = RedisServer(*args)
        try:
            server.start()
        except RuntimeError:
            server.close()
            if attempt == 4:
                raise
            continue
        return server
    raise AssertionError("unreachable")


_session_server: RedisServer | None = None


@pytest.fixture(scope="session", name="redis_url")
def redis_url_fixture() -> Iterator[str]:
    """A reachable Redis for the session: CI's, or our own, or a skip."""
    global _session_server
    url = os.environ.get(URL_VARIABLE)
    if url:
        from xbsec.stores.redis.replay import RedisReplayStore, redact_url

        # Set but unreachable is a broken setup, not a reason to skip.
        with RedisReplayStore.from_url(url, socket_timeout=2, socket_connect_timeout=2) as probe:
            if not probe.ping():
                pytest.fail(f"{URL_VARIABLE}={redact_url(url)} does not answer a PING",
                            pytrace=False)
        yield url
        return
    if REDIS_SERVER is None:
        pytest.skip(f"no Redis for the integration tests: set {URL_VARIABLE}="
                    "redis://HOST:PORT/DB, or install redis-server (apt install redis-server)")
    # A module-level server, because each test module that imports this fixture gets its
    # own copy of it: they must all share one server.
    if _session_server is None:
        _session_server = start_server()
    yield _session_server.url
    if _session_server is not None:
        _session_server.close()
        _session_server = None


@pytest.fixture(name="make_redis_server")
def make_redis_server_fixture() -> Iterator[Callable[..., RedisServer]]:
    """Start dedicated ``redis-server`` processes (extra options as arguments); all are
    stopped when the test ends."""
    if REDIS_SERVER is None:
        pytest.skip(_NO_BINARY)
    started: list[RedisServer] = []

    def make(*args: str) -> RedisServer:
        started.append(start_server(*args))
        return started[-1]

    yield make
    for server in started:
        server.close()


@pytest.fixture(name="redis_server")
def redis_server_fixture(make_redis_server: Callable[..., RedisServer]) -> RedisServer:
    """A dedicated, started ``redis-server`` that the test may stop, restart or pause."""
    return make_redis_server()


@pytest.fixture(name="prefix")
def prefix_fixture() -> str:
    """A key prefix of this test's own, so that tests on a shared server never collide."""
    return f"xbsec-test:{uuid.uuid4().hex}:"
