"""Real Redis deployments on loopback for the scale-out tests: a Redis Cluster of three
masters, a primary with a replica behind Sentinel, and a server that speaks only TLS.

``redis_cluster_url``: the cluster named by ``XBSEC_TEST_REDIS_CLUSTER`` (CI starts one; a
``redis+cluster://`` URL or ``host:port,host:port,...``), otherwise one started here for
the session; ``own_redis_cluster``: a cluster of the test's own, which it may break.
Every cluster node keeps an append-only file (fsync on every write), so that a node that
is killed and started again comes back with every claim it acknowledged.

A test module imports the fixtures it uses (the import is what registers them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redis_server import REDIS_SERVER, answers, free_port

CLUSTER_VARIABLE = "XBSEC_TEST_REDIS_CLUSTER"
REDIS_CLI = shutil.which("redis-cli")
_NO_BINARIES = ("redis-server and redis-cli are not installed (apt install redis-server), so "
                "a Redis Cluster cannot be started")


def cluster_port() -> int:
    """A free port a cluster node can use: its bus listens 10000 higher, so at most 55535."""
    for _ in range(100):
        port = free_port()
        if port <= 55535 and _free(port + 10000):
            return port
    raise RuntimeError("no free port below 55536 for a cluster node")


def _free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _cli(port: int, *args: str, tls: tuple[str, ...] = ()) -> str:
    assert REDIS_CLI is not None
    done = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), *tls, *args],
                          capture_output=True, text=True, timeout=30, check=False)
    return done.stdout + done.stderr


class _Node:
    """One ``redis-server`` process with a folder of its own (config, AOF, nodes.conf)."""

    def __init__(self, folder: Path, port: int, args: tuple[str, ...]) -> None:
        self.folder = folder
        self.port = port
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        assert REDIS_SERVER is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.folder), "--save", "", "--loglevel", "warning", *self.args],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while not answers("127.0.0.1", self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"redis-server did not start on port {self.port}: "
                                   f"{(self.folder / 'server.log').read_text()[-1500:]}")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: a crash, nothing flushed beyond what fsync already wrote."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class RedisCluster:
    """Three masters on loopback, no replicas: every slot is on exactly one of them."""

    NODE_TIMEOUT_MS = 1000

    def __init__(self, masters: int = 3) -> None:
        if REDIS_SERVER is None or REDIS_CLI is None:
            raise RuntimeError(_NO_BINARIES)
        self._dir = Path(tempfile.mkdtemp(prefix="xbsec-cluster-"))
        args = ("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", str(self.NODE_TIMEOUT_MS),
                "--appendonly", "yes", "--appendfsync", "always")
        self.nodes = []
        for _ in range(masters):
            port = cluster_port()
            self.nodes.append(_Node(self._dir / str(port), port, args))

    @property
    def ports(self) -> list[int]:
        return [node.port for node in self.nodes]

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def start(self) -> None:
        for node in self.nodes:
            node.start()
        out = _cli(self.ports[0], "--cluster", "create",
                   *(f"127.0.0.1:{port}" for port in self.ports),
                   "--cluster-replicas", "0", "--cluster-yes")
        if "[OK]" not in out:
            raise RuntimeError(f"redis-cli --cluster create failed: {out[-1500:]}")
        self.wait_ok()

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Until every node says ``cluster_state:ok`` (and knows every other node)."""
        deadline = time.monotonic() + timeout
        while True:
            states = [_cli(port, "cluster", "info") for port in self.ports]
            if all("cluster_state:ok" in state
                   and f"cluster_known_nodes:{len(self.ports)}" in state for state in states):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster is not ok: {states}")
            time.sleep(0.1)

    def node_of(self, key: bytes | str) -> int:
        """The index of the node serving ``key``'s slot (asked of a node that answers)."""
        from redis.crc import key_slot

        slot = key_slot(key.encode("utf-8") if isinstance(key, str) else key)
        alive = next(port for port, node in zip(self.ports, self.nodes, strict=True)
                     if node.process is not None)
        for line in _cli(alive, "cluster", "nodes").splitlines():
            fields = line.split()
            port = int(fields[1].split("@")[0].rsplit(":", 1)[1])
            for span in fields[8:]:
                low, _, high = span.partition("-")
                if low.isdigit() and int(low) <= slot <= int(high or low):
                    return self.ports.index(port)
        raise AssertionError(f"no node serves slot {slot}")

    def close(self) -> None:
        for node in self.nodes:
            node.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


def _url_from_variable(value: str) -> str:
    return value if "://" in value else "redis+cluster://" + value


_session_cluster: RedisCluster | None = None


@pytest.fixture(scope="session", name="redis_cluster_url")
def redis_cluster_url_fixture() -> Iterator[str]:
    """A Redis Cluster for the session: CI's, or one of our own, or a skip."""
    global _session_cluster
    value = os.environ.get(CLUSTER_VARIABLE)
    if value:
        yield _url_from_variable(value)
        return
    if REDIS_SERVER is None or REDIS_CLI is None:
        pytest.skip(f"no Redis Cluster: set {CLUSTER_VARIABLE}=host:port,host:port,... or "
                    "install redis-server (apt install redis-server)")
    if _session_cluster is None:
        _session_cluster = RedisCluster()
        _session_cluster.start()
    yield _session_cluster.url
    if _session_cluster is not None:
        _session_cluster.close()
        _session_cluster = None


@pytest.fixture(name="own_redis_cluster")
def own_redis_cluster_fixture() -> Iterator[RedisCluster]:
    """A started cluster of this test's own, which it may break."""
    if REDIS_SERVER is None or REDIS_CLI is None:
        pytest.skip(_NO_BINARIES)
    cluster = RedisCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()


class Sentinel:
    """A primary, its replica, and one sentinel watching them (quorum 1), on loopback."""

    SERVICE = "xbsec-primary"

    def __init__(self) -> None:
        if REDIS_SERVER is None:
            raise RuntimeError(_NO_BINARIES)
        self._dir = Path(tempfile.mkdtemp(prefix="xbsec-sentinel-"))
        primary, replica, sentinel = free_port(), free_port(), free_port()
        self.primary = _Node(self._dir / "primary", primary, ("--appendonly", "yes"))
        self.replica = _Node(self._dir / "replica", replica,
                             ("--appendonly", "yes", "--replicaof", "127.0.0.1", str(primary)))
        config = self._dir / "sentinel" / "sentinel.conf"
        config.parent.mkdir(parents=True)
        config.write_text(
            f"sentinel monitor {self.SERVICE} 127.0.0.1 {primary} 1\n"
            f"sentinel down-after-milliseconds {self.SERVICE} 1000\n"
            f"sentinel failover-timeout {self.SERVICE} 5000\n")
        self.sentinel = _Node(self._dir / "sentinel", sentinel, ())

    @property
    def url(self) -> str:
        return f"redis+sentinel://127.0.0.1:{self.sentinel.port}/{self.SERVICE}/0"

    def start(self) -> None:
        self.primary.start()
        self.replica.start()
        # A sentinel's configuration file comes first on its command line.
        assert REDIS_SERVER is not None
        node = self.sentinel
        log = (node.folder / "server.log").open("ab")
        node.process = subprocess.Popen(
            [REDIS_SERVER, str(node.folder / "sentinel.conf"), "--sentinel", "--port",
             str(node.port), "--bind", "127.0.0.1", "--dir", str(node.folder)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 10
        while f"127.0.0.1:{self.primary.port}" not in self.master_address():
            if time.monotonic() > deadline:
                raise RuntimeError("the sentinel does not know the primary: "
                                   f"{(node.folder / 'server.log').read_text()[-1500:]}")
            time.sleep(0.05)

    def master_address(self) -> str:
        out = _cli(self.sentinel.port, "sentinel", "get-master-addr-by-name", self.SERVICE)
        return ":".join(out.split())

    def close(self) -> None:
        for node in (self.sentinel, self.replica, self.primary):
            node.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


@pytest.fixture(name="redis_sentinel")
def redis_sentinel_fixture() -> Iterator[Sentinel]:
    if REDIS_SERVER is None or REDIS_CLI is None:
        pytest.skip(_NO_BINARIES)
    deployment = Sentinel()
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.close()
