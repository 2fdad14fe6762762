"""``xbsec webhooks listen`` in a subprocess, as a developer runs it: its standard output
(one JSON line per delivery answered 200) and standard error (the others) go to files the
test reads."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.e2e.sandbox_process import xbsec_command


class WebhookListener:
    def __init__(self, folder: Path, logs: Path, port: int, *, fail_first: int = 0,
                 redis_url: str | None = None) -> None:
        self.folder = folder
        self.port = port
        self.stdout = logs / f"listen-{port}.out"
        self.stderr = logs / f"listen-{port}.err"
        self.command = [xbsec_command(), "webhooks", "listen", "--dir", str(folder),
                        "--port", str(port)]
        if fail_first:
            self.command += ["--fail-first", str(fail_first)]
        if redis_url:
            self.command += ["--redis", redis_url]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> WebhookListener:
        with self.stdout.open("ab") as out, self.stderr.open("ab") as err:
            self.process = subprocess.Popen(self.command, stdout=out, stderr=err,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while "listening on" not in self.stderr.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("xbsec webhooks listen did not start:\n"
                                     + self.stderr.read_text(errors="replace"))
            time.sleep(0.03)
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def lines(self) -> list[dict[str, Any]]:
        """What it printed on standard output: one object per delivery answered 200."""
        text = self.stdout.read_text() if self.stdout.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def refusals(self) -> list[dict[str, Any]]:
        """The JSON lines of standard error: deliveries not answered 200."""
        text = self.stderr.read_text(errors="replace") if self.stderr.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def wait_for(self, done: Callable[[list[dict[str, Any]]], bool],
                 timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            if done(lines):
                return lines
            if time.monotonic() > deadline:
                raise AssertionError(f"the listener printed {lines}; stderr:\n"
                                     + self.stderr.read_text(errors="replace"))
            time.sleep(0.05)

    def printed(self, event_ref: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["eventRef"] == event_ref]
