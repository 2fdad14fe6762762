"""Sandbox projects made by ``xbsec sandbox init`` and served by ``xbsec sandbox serve``.

Both go through the installed ``xbsec`` command, in subprocesses, exactly as a user runs
them. A ``SandboxServer`` is one ``serve`` process on a loopback port, ready once its
``GET /health`` answers; it runs in a process group of its own, so that stopping it stops
whatever it started. Its output goes to a log file, which ``problems()`` searches for
tracebacks and internal errors.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx

from tests.redis_server import free_port
from xbsec.client.xbs import XBSClient
from xbsec.documents import Format
from xbsec.keys import load_key_and_certificate
from xbsec.profile import Profile, load_profile

SIGNING_PASSWORD = "keystorepassword"  # Mastercard's sandbox default, written by init
_PROBLEMS = ("Traceback", "failed inside the gateway", "Exception in ASGI application",
             "sandbox request", "INTERNAL_ERROR", "contract violation")


def xbsec_command() -> str:
    """The installed console script: the one beside this interpreter, else on PATH."""
    beside = Path(sys.executable).with_name("xbsec")
    found = str(beside) if beside.exists() else shutil.which("xbsec")
    assert found, "the xbsec console script is not installed"
    return found


@dataclass(frozen=True)
class Project:
    """A project folder made by ``xbsec sandbox init --json`` and what the command printed."""

    folder: Path
    made: dict[str, Any]

    @property
    def consumer_key(self) -> str:
        return str(self.made["consumer_key"])

    @property
    def partner_id(self) -> str:
        return str(self.made["partner_id"])

    @property
    def registry(self) -> Path:
        return Path(self.made["registry"])

    @property
    def database(self) -> Path:
        return self.folder / "server" / "sandbox.db"

    def profile(self, **changes: Any) -> Profile:
        """The profile init wrote, with ``changes`` (``format``, ``encryption``, ...)."""
        return dataclasses.replace(load_profile(path=self.made["profile"], environ={}),
                                   **changes)

    @cached_property
    def signing(self) -> tuple[Any, Any]:
        """The signing key and its certificate, from the project's PKCS#12 file."""
        return load_key_and_certificate(self.made["signing_p12"],
                                        password=self.made["signing_password"])

    def add_consumer(self, consumer_key: str, partner_id: str, *,
                     encryption: str = "optional", environment: str = "sandbox",
                     psd2: bool = False, mtls: bool = False) -> None:
        """Register one more consumer sharing the project's keys, by editing the TOML."""
        keys = ('client_encryption_keys = [{ path = "client-encryption-key.pem", '
                'certificate = "client-encryption.pem" }]\n'
                'mastercard_encryption_certificate = "mastercard-encryption.pem"\n'
                if encryption != "off" else "")
        with self.registry.open("a") as registry:
            registry.write(f"""
[[consumers]]
consumer_key = {json.dumps(consumer_key)}
environment = "{environment}"
partner_ids = [{json.dumps(partner_id)}]
signing_certificates = ["signing.pem"]
psd2 = {str(psd2).lower()}
mtls = {str(mtls).lower()}
encryption = "{encryption}"
{keys}""")

    def set_mtls(self, *thumbprints: str) -> None:
        """Mark the project's own consumer ``mtls = true`` in the registry, bound to the
        client certificates with these SHA-256 thumbprints."""
        text = self.registry.read_text()
        assert "\nmtls" not in text
        bound = ", ".join(json.dumps(t) for t in thumbprints)
        self.registry.write_text(text.replace(
            "\npsd2 = ", f"\nmtls = true\nclient_certificate_sha256 = [{bound}]\npsd2 = ", 1))

    def client(self, server: SandboxServer, *, format: Format = "json",
               encrypted: bool = True, http: httpx.Client | None = None,
               **options: Any) -> XBSClient:
        """An ``XBSClient`` for this project's profile, pointed at ``server``."""
        profile = self.profile(format=format, encryption=encrypted, base_url=server.url)
        return XBSClient(profile, http=http or httpx.Client(timeout=20), **options)


def init_project(folder: Path, *, auth: str = "oauth1", port: int = 8080) -> Project:
    """``xbsec sandbox init --dir FOLDER --port PORT --auth AUTH --json``."""
    done = subprocess.run([xbsec_command(), "sandbox", "init", "--dir", str(folder),
                           "--port", str(port), "--auth", auth, "--json"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return Project(folder, json.loads(done.stdout))


@dataclass(frozen=True)
class TLSFiles:
    """What ``serve`` is given for HTTPS, and the CA a client needs to trust it."""

    certificate: Path
    key: Path
    ca: Path
    client_ca: Path | None = None


class SandboxServer:
    """``xbsec sandbox serve`` for one project folder, on a loopback port of its own."""

    def __init__(self, folder: Path, log: Path, *, port: int | None = None,
                 redis_url: str | None = None, external_url: str | None = None,
                 tls: TLSFiles | None = None, fixed_port: bool = False,
                 redis_checks: str = "warn", workers: int = 1,
                 extra: tuple[str, ...] = (), pass_port: bool = True) -> None:
        self.folder = folder
        self.log = log
        self.port = port or free_port()
        self.fixed_port = fixed_port
        """Fail rather than move to another port when ``port`` was taken meanwhile."""
        self.redis_url = redis_url
        self.redis_checks = redis_checks
        """The test Redis servers keep nothing on disk (a restart must forget): the
        sandbox is told to warn about that rather than refuse to start."""
        self.workers = workers
        self.extra = extra
        self.pass_port = pass_port
        """False: no --port, so that serve takes the one ``init --port`` chose."""
        self.external_url = external_url
        self.tls = tls
        self.process: subprocess.Popen[bytes] | None = None
        self._launched_at = 0

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [xbsec_command(), "sandbox", "serve", "--dir", str(self.folder),
                   "--host", "127.0.0.1"]
        if self.pass_port:
            command += ["--port", str(self.port)]
        if self.redis_url:
            command += ["--redis", self.redis_url, "--redis-checks", self.redis_checks]
        if self.workers != 1:
            command += ["--workers", str(self.workers)]
        command += list(self.extra)
        if self.external_url:
            command += ["--external-url", self.external_url]
        if self.tls:
            command += ["--tls-cert", str(self.tls.certificate), "--tls-key", str(self.tls.key)]
            if self.tls.client_ca:
                command += ["--client-ca", str(self.tls.client_ca)]
        return command

    def launch(self) -> SandboxServer:
        """Start the process without waiting for it (see ``wait_ready``)."""
        assert self.process is None, "already running"
        self._launched_at = len(self.log_text())
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(self.command(), stdout=output,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 30.0) -> SandboxServer:
        """Wait until ``GET /health`` answers 200; on a port taken meanwhile, try another."""
        deadline = time.monotonic() + timeout
        verify: ssl.SSLContext | bool = (ssl.create_default_context(cafile=self.tls.ca)
                                         if self.tls else True)
        while True:
            assert self.process is not None
            try:
                health = httpx.get(f"{self.url}/health", timeout=1, verify=verify)
                if health.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                self.process = None
                taken = "address already in use" in self.log_text()[self._launched_at:]
                if taken and not self.fixed_port:
                    self.port = free_port()
                    self.launch()
                    continue
                raise AssertionError(f"xbsec sandbox serve exited:\n{self.log_text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"xbsec sandbox serve is not ready:\n{self.log_text()}")
            time.sleep(0.03)

    def start(self) -> SandboxServer:
        return self.launch().wait_ready()

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """Stop the process group (idempotent): ``sig``, then SIGKILL after 10 seconds."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            return process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def problems(self) -> list[str]:
        """Log lines that show a traceback or an internal error."""
        return [line for line in self.log_text().splitlines()
                if any(marker in line for marker in _PROBLEMS)]


class Servers:
    """The servers a fixture started; ``close`` stops them all and reports any problem."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[SandboxServer] = []

    def make(self, project: Project | Path, **options: Any) -> SandboxServer:
        """A server for a project, not started yet (``start``, or ``launch`` several)."""
        folder = project.folder if isinstance(project, Project) else project
        server = SandboxServer(folder, self.folder / f"serve-{len(self.started)}.log",
                               **options)
        self.started.append(server)
        return server

    def start(self, project: Project | Path, **options: Any) -> SandboxServer:
        return self.make(project, **options).start()

    def close(self) -> list[str]:
        problems = []
        for server in self.started:
            server.stop()
            problems += [f"{server.log.name}: {line}" for line in server.problems()]
        return problems
