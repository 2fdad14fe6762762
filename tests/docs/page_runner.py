"""Runs one page's code blocks in order, as a reader would, in a folder of the page's own.

- ``python``: executed in one namespace per page (the blocks of a page are one story), with
  the page's folder as working directory, so ``./xbsec.toml`` is the page's profile;
- ``sh``: ``bash -euo pipefail`` in the page's folder, with the installed ``xbsec`` on PATH;
  a ``background`` block is left running (a server) until the session ends;
- ``toml``: parsed; a profile (``[profiles...]``) is written beside the page's keys and
  loaded with ``xbsec.profile``, a registry (``[[consumers]]``) with ``Registry.load``, a
  ``profile edit`` merged into ``xbsec.toml``, which must still load;
- ``json``: parsed; ``xml``: parsed (defusedxml).

Two things are not exactly as written, and only these: the port ``8080`` of the docs
(``127.0.0.1:8080``, ``--port 8080``) becomes a free port, so that pages can run side by side
and on a busy machine; and the environment has ``XBS_KEY_PW`` and ``XBS_MC_PW``, the sandbox
keystores' password, which the docs' profiles name with ``password_env``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx

from tests.docs.markdown_blocks import ROOT, Block, blocks, page_markers, relative
from tests.e2e.sandbox_process import SandboxServer, init_project, xbsec_command
from tests.redis_server import free_port

SANDBOX_PASSWORD = "keystorepassword"  # what `xbsec sandbox init` writes
ENVIRONMENT = {"XBS_KEY_PW": SANDBOX_PASSWORD, "XBS_MC_PW": SANDBOX_PASSWORD}
EDITOR = Path(__file__).with_name("apply_profile_edit.py")
_INSTALL = re.compile(r"^python3 -m venv \.venv && \. \.venv/bin/activate && "
                      r"pip install (?:-q )?-e '?\.(?:\[(?P<extras>[\w,-]+)\])?'? && (?P<rest>.+)$")


class BlockFailed(AssertionError):
    """A block did not run as written."""


class PageRun:
    """The state of one page: its folder, its sandbox, its namespace, its servers."""

    def __init__(self, page: Path, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.folder.mkdir(parents=True)
        self.blocks = blocks(page)
        self.port = free_port()
        self.namespace: dict[str, Any] = {"__name__": "__main__"}
        self.done: dict[int, Exception | None] = {}
        self.servers: list[SandboxServer] = []
        self.background: list[tuple[subprocess.Popen[bytes], Path]] = []
        self.sandbox_url = f"http://127.0.0.1:{self.port}"
        self._prepared = False
        self.closed = False

    # -- the page's setting ---------------------------------------------------------------

    def prepare(self) -> None:
        if self._prepared:
            return
        self._prepared = True
        self._sys_path = list(sys.path)
        for marker in page_markers(self.page):
            words = marker.split()
            if words[:1] == ["sandbox"]:
                # One sandbox per page: the page's own would find this one's port taken.
                assert not any(b.marker("background") is not None for b in self.blocks), \
                    f"{relative(self.page)}: a page with its own server has no page sandbox"
                auth = words[1] if len(words) > 1 else "oauth1"
                init_project(self.folder, auth=auth, port=self.port)
                server = SandboxServer(self.folder, self.folder.parent / f"{self.folder.name}.log",
                                       port=self.port, fixed_port=True)
                self.servers.append(server)
                server.start()

    def environment(self) -> dict[str, str]:
        path = f"{Path(xbsec_command()).parent}{os.pathsep}{os.environ['PATH']}"
        environment = {**os.environ, **ENVIRONMENT, "PATH": path}
        environment.pop("XBSEC_PROFILE", None)
        environment.pop("XBSEC_PROFILE_NAME", None)
        return environment

    def text(self, block: Block) -> str:
        """The block as run: the docs' port 8080 made this page's port."""
        return (block.code.replace("127.0.0.1:8080", f"127.0.0.1:{self.port}")
                .replace("localhost:8080", f"localhost:{self.port}")
                .replace("--port 8080", f"--port {self.port}"))

    # -- running --------------------------------------------------------------------------

    def run_through(self, target: Block) -> None:
        """Run every block up to ``target`` not yet run, then ``target``; raise its failure."""
        self.prepare()
        for block in self.blocks:
            if block.line > target.line:
                break
            if not runnable(block):
                continue
            if block.line not in self.done:
                try:
                    self.run(block)
                except Exception as exc:  # recorded, and raised for this block or a later one
                    self.done[block.line] = exc
                else:
                    self.done[block.line] = None
            failure = self.done[block.line]
            if block is target or block.line == target.line:
                if failure is not None:
                    raise failure
                return
            if failure is not None and block.marker("xfail") is None:
                raise BlockFailed(f"an earlier block of the page failed: {block.name}: "
                                  f"{failure}") from failure

    def run(self, block: Block) -> None:
        file = block.marker("file")
        if file is not None:
            (self.folder / file).parent.mkdir(parents=True, exist_ok=True)
            (self.folder / file).write_text(self.text(block), encoding="utf-8")
        runner = getattr(self, f"_run_{LANGUAGES[block.language]}")
        runner(block)

    def _run_python(self, block: Block) -> None:
        code = compile(self.text(block), block.name, "exec")
        saved_cwd, saved_env = os.getcwd(), dict(os.environ)
        os.chdir(self.folder)
        os.environ.update(ENVIRONMENT)
        os.environ.pop("XBSEC_PROFILE", None)
        os.environ.pop("XBSEC_PROFILE_NAME", None)
        try:
            exec(code, self.namespace)  # noqa: S102 - running the documentation is the test
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)

    def _run_shell(self, block: Block) -> None:
        script = self.text(block)
        installed = block.marker("installed here")
        if installed is not None:
            self._run_installed(block, script)
            return
        if block.marker("background") is not None:
            log = self.folder.parent / f"{self.folder.name}-{block.line}.log"
            with log.open("ab") as output:
                process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script],
                                           cwd=self.folder, env=self.environment(),
                                           stdout=output, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, start_new_session=True)
            self.background.append((process, log))
            self._wait_for_sandbox(process)
            return
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=self.folder,
                              env=self.environment(), capture_output=True, text=True,
                              timeout=120, check=False, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise BlockFailed(f"{block.name}: exit {done.returncode}\n{done.stdout}\n"
                              f"{done.stderr}")

    def _run_installed(self, block: Block, script: str) -> None:
        match = _INSTALL.match(script.strip())
        if match is None:
            raise BlockFailed(f"{block.name}: 'installed here' is for the install-then-run "
                              "command of the README")
        extras = [e for e in (match["extras"] or "").split(",") if e]
        declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
            "optional-dependencies"]
        for extra in extras:
            if extra not in declared:
                raise BlockFailed(f"{block.name}: the extra {extra!r} is not in pyproject.toml")
            for requirement in declared[extra]:
                name = re.split(r"[<>=!\[; ]", requirement, maxsplit=1)[0]
                if name == "xbsec":
                    continue
                try:
                    __import__("importlib.metadata").metadata.distribution(name)
                except Exception as exc:
                    raise BlockFailed(f"{block.name}: {name} (extra {extra}) is not installed "
                                      "in the suite's environment") from exc
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", match["rest"]], cwd=ROOT,
                              env=self.environment(), capture_output=True, text=True,
                              timeout=120, check=False, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise BlockFailed(f"{block.name}: exit {done.returncode}\n{done.stdout}\n"
                              f"{done.stderr}")

    def _wait_for_sandbox(self, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.sandbox_url}/health", timeout=1).status_code == 200:
                    return
            if process.poll() is not None:
                raise BlockFailed(f"the background command exited {process.returncode}")
            time.sleep(0.05)
        raise BlockFailed(f"nothing answered {self.sandbox_url}/health")

    def _run_toml(self, block: Block) -> None:
        text = self.text(block)
        data = tomllib.loads(text)
        if block.marker("profile edit") is not None:
            profile = self.folder / "xbsec.toml"
            subprocess.run([sys.executable, str(EDITOR), str(profile)], input=text, text=True,
                           env=self.environment(), check=True, capture_output=True)
            self._load_profile(profile)
        elif "profiles" in data:
            path = self.folder / (block.marker("file") or f".block-{block.line}.toml")
            if block.marker("file") is None:
                path.write_text(text, encoding="utf-8")
            self._load_profile(path)
        elif "consumers" in data:
            from xbsec.server import Registry

            path = self.folder / (block.marker("file") or f".block-{block.line}.toml")
            if block.marker("file") is None:
                path.write_text(text, encoding="utf-8")
            Registry.load(path)

    def _load_profile(self, path: Path) -> None:
        from xbsec.profile import load_profile

        data = tomllib.loads(path.read_text())
        for name in data["profiles"]:
            load_profile(name, path, environ={**os.environ, **ENVIRONMENT})

    def _run_json(self, block: Block) -> None:
        json.loads(self.text(block))

    def _run_xml(self, block: Block) -> None:
        from defusedxml import ElementTree

        ElementTree.fromstring(self.text(block).encode())

    # -- the end --------------------------------------------------------------------------

    @property
    def last_block(self) -> Block | None:
        """The last block of the page this suite runs."""
        return next((b for b in reversed(self.blocks) if runnable(b)), None)

    def close(self) -> list[str]:
        """Stop what the page started; the problems its servers logged (once)."""
        if self.closed:
            return []
        self.closed = True
        if self._prepared:
            # A page may import a package it made (a generated client): forget it.
            sys.path[:] = self._sys_path
            for name, module in list(sys.modules.items()):
                where = getattr(module, "__file__", None) or ""
                if where.startswith(str(self.folder)):
                    del sys.modules[name]
        problems = []
        for process, log in self.background:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            # The same log checks as for the servers the page's setting started.
            problems += [f"{relative(self.page)}: {line}"
                         for line in SandboxServer(self.folder, log).problems()]
        for server in self.servers:
            server.stop()
            problems += [f"{relative(self.page)}: {line}" for line in server.problems()]
        return problems


LANGUAGES = {"python": "python", "py": "python", "sh": "shell", "bash": "shell",
             "shell": "shell", "toml": "toml", "json": "json", "xml": "xml"}


def runnable(block: Block) -> bool:
    """Whether this suite runs the block (rather than another test, or nobody, on purpose)."""
    skipped = ("not run", "output", "run by")
    return (block.language in LANGUAGES and not any(block.marker(m) is not None
                                                     for m in skipped)
            and not delegated(block.page))


def delegated(page: Path) -> str | None:
    """The test that runs every block of ``page``, if the page says one does."""
    for marker in page_markers(page):
        if marker.startswith("every block run by "):
            return marker.removeprefix("every block run by ").strip()
    return None
