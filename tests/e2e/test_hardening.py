"""``xbsec sandbox serve`` as an adversary and an operator find it: replays across worker
processes, Redis that can lose keys, slow and silent sockets, credential-less uploads,
floods, forged hosts, file modes, logs, health and storage failures. Real processes, real
sockets, a real redis-server; every wait is bounded."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.documents import new_reference, quote_for
from tests.e2e.raw_requests import JSON, v1
from tests.e2e.sandbox_process import (
    Project,
    SandboxServer,
    Servers,
    init_project,
    xbsec_command,
)
from tests.redis_server import RedisServer, free_port
from xbsec.documents import dumps_json
from xbsec.oauth1 import OAuth1Signer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return init_project(tmp_path_factory.mktemp("hardening") / "project", port=free_port())


def signed_quote(project: Project, base: str) -> tuple[str, bytes, dict[str, str]]:
    path = v1(project.partner_id, "/quotes")
    body = dumps_json(quote_for(new_reference()))
    signer = OAuth1Signer(project.consumer_key, project.signing[0])
    return path, body, {**JSON, "Authorization": signer.authorization_header(
        "POST", base + path, body)}


def reason(response: httpx.Response) -> str:
    if response.status_code == 200:
        return "served"
    return str(response.json()["Errors"]["Error"][0]["ReasonCode"])


def fire(url: str, body: bytes, headers: dict[str, str], copies: int) -> list[str]:
    """``copies`` copies of one request, each on its own connection, released together."""
    barrier = threading.Barrier(copies)
    results: list[str] = ["not sent"] * copies

    def send(index: int) -> None:
        with httpx.Client(timeout=20) as http:
            barrier.wait()
            results[index] = reason(http.post(url, content=body, headers=headers))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def children(pid: int) -> list[int]:
    done = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True,
                          check=False)
    return [int(p) for p in done.stdout.split()]


def rss_kib(pid: int) -> int:
    total = 0
    for process in [pid, *children(pid)]:
        status = Path(f"/proc/{process}/status").read_text()
        total += int(next(line.split()[1] for line in status.splitlines()
                          if line.startswith("VmRSS:")))
    return total


def open_descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


# -- 1. replays across worker processes ---------------------------------------------------


def test_workers_without_redis_accept_a_replayed_request_once(project: Project,
                                                              servers: Servers) -> None:
    server = servers.start(project, workers=2)
    assert server.process is not None
    deadline = time.monotonic() + 20
    while len(children(server.process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(children(server.process.pid)) >= 2, "two worker processes"
    path, body, headers = signed_quote(project, server.url)
    outcomes = fire(server.url + path, body, headers, 20)
    assert sorted(outcomes) == ["NONCE_REPLAYED"] * 19 + ["served"]


_LIBRARY_APP = textwrap.dedent("""
    from xbsec.server.gateway import XBSGateway
    from xbsec.server.registry import Registry

    async def app(scope, receive, send):
        pass

    def make():
        return XBSGateway(app, Registry.load({registry!r}), external_url="http://127.0.0.1")
""")


def test_a_library_gateway_with_memory_stores_refuses_to_start_in_several_processes(
        project: Project, tmp_path: Path) -> None:
    (tmp_path / "gateway_app.py").write_text(_LIBRARY_APP.format(registry=str(project.registry)))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "gateway_app:make", "--workers", "2",
         "--port", str(port), "--log-level", "info"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)}, start_new_session=True)
    try:
        output = ""
        deadline = time.monotonic() + 30
        while "refusing to start" not in output and time.monotonic() < deadline:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            output += line
        assert "replay store is in this process's memory" in output, output
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/send/v1/partners/X/crossborder/rates", timeout=2)
    finally:
        os.killpg(process.pid, 9)
        process.communicate(timeout=10)


# -- 2. a Redis that can lose claims --------------------------------------------------------


def _serve_exit(project: Project, *args: str, timeout: float = 30) -> tuple[int, str]:
    done = subprocess.run([xbsec_command(), "sandbox", "serve", "--dir", str(project.folder),
                           "--port", str(free_port()), *args], capture_output=True, text=True,
                          timeout=timeout, check=False)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize(("options", "said"), [
    (("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"), "maxmemory-policy"),
    (("--maxmemory", "64mb", "--maxmemory-policy", "volatile-ttl"), "volatile-ttl"),
    ((), "no persistence"),
])
def test_a_redis_that_can_lose_claims_is_refused_at_start_up(
        project: Project, make_redis_server: object, options: tuple[str, ...],
        said: str) -> None:
    redis = make_redis_server(*options)  # type: ignore[operator]
    code, output = _serve_exit(project, "--redis", redis.url)
    assert code != 0
    assert said in output
    assert "refusing to start" in output


def test_warn_serves_and_says_so_in_health(project: Project, servers: Servers,
                                           make_redis_server: object) -> None:
    redis = make_redis_server("--maxmemory", "64mb",  # type: ignore[operator]
                              "--maxmemory-policy", "allkeys-lru")
    server = servers.start(project, redis_url=redis.url, redis_checks="warn")
    health = httpx.get(server.url + "/health").json()
    assert health["status"] == "ok"
    assert any("allkeys-lru" in warning for warning in health["warnings"])
    assert "start-up check" in server.log_text()


def test_a_durable_redis_starts_without_a_warning(project: Project, servers: Servers,
                                                  make_redis_server: object) -> None:
    redis = make_redis_server("--appendonly", "yes")  # type: ignore[operator]
    server = servers.start(project, redis_url=redis.url, redis_checks="refuse")
    assert httpx.get(server.url + "/health").json()["warnings"] == []


# -- 3. slow and silent sockets -------------------------------------------------------------


def _closed_within(connection: socket.socket, seconds: float) -> tuple[bool, bytes]:
    connection.settimeout(seconds)
    answer = b""
    try:
        while chunk := connection.recv(4096):
            answer += chunk
    except TimeoutError:
        return False, answer
    return True, answer


def test_half_sent_headers_are_cut_off_at_the_header_deadline(project: Project,
                                                             servers: Servers) -> None:
    server = servers.start(project, extra=("--header-timeout", "1"))
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(b"POST /send/v1/partners/X/crossborder/quotes HTTP/1.1\r\nHost: a")
        started = time.monotonic()
        closed, answer = _closed_within(connection, 5)
    assert closed
    assert time.monotonic() - started < 3
    assert answer.startswith(b"HTTP/1.1 408")


def test_a_body_that_stops_coming_is_cut_off_at_the_body_deadline(project: Project,
                                                                  servers: Servers) -> None:
    server = servers.start(project, extra=("--body-timeout", "1"))
    path, body, headers = signed_quote(project, server.url)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            + f"Content-Length: {len(body)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(head + body[:10])  # signed for the whole body; sends ten bytes
        started = time.monotonic()
        closed, _ = _closed_within(connection, 5)
    assert closed
    assert time.monotonic() - started < 3


def test_silent_connections_do_not_starve_a_valid_request(project: Project,
                                                          servers: Servers) -> None:
    server = servers.start(project, extra=("--max-connections", "40",
                                           "--header-timeout", "60"))
    assert server.process is not None
    silent = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(300)]
    try:
        time.sleep(0.5)
        path, body, headers = signed_quote(project, server.url)
        started = time.monotonic()
        with httpx.Client(timeout=10) as http:
            response = http.post(server.url + path, content=body, headers=headers)
        assert response.status_code == 200
        assert time.monotonic() - started < 3
        assert open_descriptors(server.process.pid) < 40 + 40  # the cap, and its own files
    finally:
        for connection in silent:
            connection.close()


# -- 4. credential-less uploads are refused on their headers ---------------------------------


def test_an_upload_without_credentials_is_answered_before_its_body(project: Project,
                                                                   servers: Servers) -> None:
    server = servers.start(project)
    path = v1(project.partner_id, "/quotes")
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {10 * 1024 * 1024 - 1}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(head)  # and not a byte of the body
        connection.settimeout(5)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
            answer += connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"INVALID_AUTH_HEADER" in answer


def test_twenty_credential_less_uploads_cost_the_server_no_memory(project: Project,
                                                                  servers: Servers) -> None:
    server = servers.start(project)
    assert server.process is not None
    path = v1(project.partner_id, "/quotes")
    before = rss_kib(server.process.pid)
    chunk = b"x" * 65536

    def upload() -> None:
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                f"\r\nContent-Length: {10 * 1024 * 1024 - 1}\r\n\r\n").encode()
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
                conn.sendall(head)
                for _ in range(160):  # ~10 MiB, as long as the server takes it
                    conn.sendall(chunk)
        except OSError:
            pass  # the server answered and closed: that is the point

    threads = [threading.Thread(target=upload) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert rss_kib(server.process.pid) - before < 30 * 1024


# -- 6. quotas ------------------------------------------------------------------------------


def test_a_flood_gets_429s_with_retry_after(project: Project, servers: Servers) -> None:
    server = servers.start(project, extra=("--rate-limit", "1", "--rate-burst", "3"))
    answers = []
    with httpx.Client(timeout=10) as http:
        for _ in range(8):
            path, body, headers = signed_quote(project, server.url)
            answers.append(http.post(server.url + path, content=body, headers=headers))
    assert [a.status_code for a in answers][:3] == [200, 200, 200]
    limited = [a for a in answers if a.status_code == 429]
    assert len(limited) >= 4
    error = limited[0].json()["Errors"]["Error"][0]
    assert (error["ReasonCode"], error["Source"], error["Recoverable"]) == (
        "TOO_MANY_REQUESTS", "Gateway", True)
    assert int(limited[0].headers["retry-after"]) >= 1


def test_instances_sharing_redis_share_the_quota(project: Project, servers: Servers,
                                                 redis_url: str) -> None:
    balancer = f"http://127.0.0.1:{free_port()}"
    first, second = (servers.make(project, redis_url=redis_url, external_url=balancer,
                                  extra=("--rate-limit", "0.2", "--rate-burst", "2"))
                     for _ in range(2))
    first.launch()
    second.launch()
    first.wait_ready()
    second.wait_ready()
    statuses = []
    with httpx.Client(timeout=10) as http:
        for server in (first, first, second, second):
            path, body, headers = signed_quote(project, balancer)
            statuses.append(http.post(server.url + path, content=body,
                                      headers=headers).status_code)
    assert statuses == [200, 200, 429, 429]


# -- 8. the signed URL is the configured one ------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example:8080", "127.0.0.1.evil.example"])
def test_a_request_signed_for_another_host_is_refused(project: Project, servers: Servers,
                                                      host: str) -> None:
    server = servers.start(project)
    path, body, headers = signed_quote(project, f"http://{host}")
    with httpx.Client(timeout=10) as http:
        response = http.post(server.url + path, content=body, headers={**headers, "Host": host})
    assert (response.status_code, reason(response)) == (403, "AUTHENTICATION_FAILED")


def test_forwarded_headers_from_loopback_are_not_trusted(project: Project,
                                                        servers: Servers) -> None:
    server = servers.start(project)
    https = server.url.replace("http://", "https://")
    path, body, headers = signed_quote(project, https)
    with httpx.Client(timeout=10) as http:
        response = http.post(server.url + path, content=body,
                             headers={**headers, "X-Forwarded-Proto": "https"})
    assert response.status_code == 403


# -- 16. secrets on disk and on the command line --------------------------------------------


_WATCH_CHMOD = textwrap.dedent("""
    import os, stat, sys
    seen = []
    def hook(event, args):
        if event == "os.chmod" and isinstance(args[0], (str, bytes, os.PathLike)):
            try:
                mode = stat.S_IMODE(os.stat(args[0]).st_mode)
            except OSError:
                return
            if mode & 0o077:
                seen.append((os.fspath(args[0]), oct(mode)))
    sys.addaudithook(hook)
    os.umask(0)
    from xbsec.sandbox.project import init_project
    init_project(sys.argv[1])
    print(seen)
""")


def test_no_secret_file_is_ever_readable_by_others(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    done = subprocess.run([sys.executable, "-c", _WATCH_CHMOD, str(folder)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", "a file was readable by others until chmod-ed"
    secrets = ["xbsec.toml", "signing.p12", "mastercard-encryption.p12",
               "server/client-encryption-key.pem"]
    for name in secrets:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name


def test_the_databases_are_created_private(project: Project, servers: Servers) -> None:
    servers.start(project)
    for name in ("sandbox.db", "oauth2.db", "gateway.db"):
        assert stat.S_IMODE((project.folder / "server" / name).stat().st_mode) == 0o600, name


def test_a_redis_password_never_goes_on_the_command_line(project: Project, servers: Servers,
                                                         tmp_path: Path,
                                                         redis_server: RedisServer) -> None:
    url = f"redis://:hunter2@127.0.0.1:{redis_server.port}/0"
    code, output = _serve_exit(project, "--redis", url)
    assert code == 2
    assert "XBSEC_REDIS_URL" in output
    assert "hunter2" not in output
    # The same URL from a file is used, and does not show in the process list.
    url_file = tmp_path / "redis-url"
    url_file.write_text(f"redis://127.0.0.1:{redis_server.port}/0\n")
    server = servers.start(project, extra=("--redis-url-file", str(url_file),
                                           "--redis-checks", "warn"))
    assert server.process is not None
    command_line = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
    assert b"redis://" not in command_line


# -- 17. one structured line per request -------------------------------------------------------


def test_json_logs_have_one_line_per_request_and_no_secret(project: Project,
                                                           servers: Servers) -> None:
    server = servers.start(project, extra=("--log-format", "json"))
    path, body, headers = signed_quote(project, server.url)
    with httpx.Client(timeout=10) as http:
        assert http.post(server.url + path, content=body, headers=headers).status_code == 200
        assert http.post(server.url + path, content=body, headers=headers).status_code == 401
    def access_lines() -> list[dict[str, object]]:
        return [json.loads(line) for line in server.log_text().splitlines()
                if line.startswith("{") and '"xbsec.gateway"' in line]

    deadline = time.monotonic() + 5  # the line is written once the answer has gone
    while len(lines := access_lines()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(line["status"], line["reason"]) for line in lines] == [
        (200, "-"), (401, "NONCE_REPLAYED")]
    for line in lines:
        assert {"request_id", "consumer", "partner", "latency_ms", "method", "path"} <= set(line)
        assert line["partner"] == project.partner_id
    text = server.log_text()
    assert headers["Authorization"][30:80] not in text
    assert project.consumer_key not in text


# -- 18, 19. health that means it, storage failures that say so -------------------------------


@pytest.fixture
def immutable(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Make files immutable (chattr +i), as a disk that refuses writes would; undone after."""
    if shutil.which("chattr") is None:
        pytest.fail("chattr (e2fsprogs) is needed to make a database refuse writes")
    made: list[Path] = []

    def make(*paths: Path) -> None:
        done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, f"chattr +i failed: {done.stderr}"
        made.extend(paths)

    yield make
    subprocess.run(["chattr", "-i", *map(str, made)], check=False)


def test_a_database_that_refuses_writes_is_a_recoverable_503_and_unhealthy(
        tmp_path: Path, servers: Servers, immutable) -> None:  # type: ignore[no-untyped-def]
    own = init_project(tmp_path / "project", port=free_port())
    server = servers.start(own)
    database = own.folder / "server" / "sandbox.db"
    immutable(database, database.with_name("sandbox.db-wal"))
    health = httpx.get(server.url + "/health")
    assert (health.status_code, health.json()["database"]) == (503, "unavailable")
    path, body, headers = signed_quote(own, server.url)
    response = httpx.post(server.url + path, content=body, headers=headers, timeout=10)
    assert response.status_code == 503
    error = response.json()["Errors"]["Error"]  # the business envelope: one Error, an object
    assert (error["ReasonCode"], error["Recoverable"]) == ("SERVICE_UNAVAILABLE", "true")
    assert "disk I/O error" in server.log_text() or "readonly" in server.log_text()
    servers.started.remove(server)  # its log holds the failure on purpose
    server.stop()


def test_health_fails_when_the_replay_store_does(project: Project, servers: Servers,
                                                 redis_server: RedisServer) -> None:
    server = servers.start(project, redis_url=redis_server.url)
    assert httpx.get(server.url + "/health").status_code == 200
    redis_server.stop()
    health = httpx.get(server.url + "/health", timeout=10)
    assert (health.status_code, health.json()["replay_store"]) == (503, "unreachable")
    path, body, headers = signed_quote(project, server.url)
    refused = httpx.post(server.url + path, content=body, headers=headers, timeout=10)
    assert refused.status_code == 503
    assert str(redis_server.port) not in refused.text
    assert "ConnectionError" not in refused.text


# -- 20. the port init chose -------------------------------------------------------------------


def test_serve_listens_where_init_said(tmp_path: Path) -> None:
    port = free_port()
    own = init_project(tmp_path / "project", port=port)
    server = SandboxServer(own.folder, tmp_path / "serve.log", port=port, fixed_port=True,
                           pass_port=False)
    try:
        server.start()
        client = own.client(server)
        with client:
            assert client.create_quote(quote_for(new_reference()))["proposals"]
    finally:
        server.stop()
