"""``xbsec sandbox serve`` and its inspector: on for loopback, off elsewhere unless asked for,
off when told; a new token each run; the history kept across a restart; shared by workers."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.sandbox_process import Project, SandboxServer, Servers, init_project
from tests.sandbox.inspector.calls import Calls

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return init_project(tmp_path / "project")


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    started = Servers(tmp_path)
    yield started
    problems = started.close()
    assert not problems, "\n".join(problems)


def printed_urls(server: SandboxServer) -> list[str]:
    return re.findall(r"^inspector: (\S+)$", server.log_text(), re.MULTILINE)


def listed(http: httpx.Client, url: str, expected: int) -> str:
    """The list page (through the printed URL) once it shows ``expected`` requests."""
    deadline = time.monotonic() + 10
    while True:
        page = http.get(url, follow_redirects=True)
        assert page.status_code == 200
        found = len(re.findall(r'<tr class="\w+" data-id="', page.text))
        if found == expected or time.monotonic() > deadline:
            assert found == expected, page.text[-2000:]
            return page.text
        time.sleep(0.1)


def test_on_by_default_on_loopback_and_kept_across_a_restart(project: Project,
                                                             servers: Servers) -> None:
    server = servers.start(project)
    (first_url,) = printed_urls(server)
    calls = Calls(project.made["profile"], server.url)
    with httpx.Client(timeout=20) as http:
        assert calls.good().send(http).status_code == 200
        listed(http, first_url, 1)
    assert (project.folder / "server" / "inspector.db").stat().st_mode & 0o077 == 0

    server.stop()
    server.start()
    urls = printed_urls(server)
    assert len(urls) == 2
    assert urls[1] != first_url  # a token per run
    with httpx.Client(timeout=20) as http:
        assert http.get(first_url).status_code == 403  # the last run's token is no more
        assert calls.wrong_key().send(http).status_code == 403
        page = listed(http, urls[1], 2)
    assert "AUTHENTICATION_FAILED" in page


def test_the_workers_share_one_history(project: Project, servers: Servers) -> None:
    server = servers.start(project, workers=2, extra=("--rate-limit", "0"))
    (url,) = printed_urls(server)
    calls = Calls(project.made["profile"], server.url)
    with httpx.Client(timeout=20) as http:
        for _ in range(6):  # new connections: the workers take turns
            with httpx.Client(timeout=20) as once:
                assert calls.good(encrypted=False).send(once).status_code == 200
        listed(http, url, 6)


def test_off_when_told(project: Project, servers: Servers) -> None:
    server = servers.start(project, extra=("--no-inspector",))
    assert printed_urls(server) == []
    answer = httpx.get(f"{server.url}/_inspector/")
    assert answer.json()["Errors"]["Error"][0]["ReasonCode"] == "INVALID_AUTH_HEADER"
    assert not (project.folder / "server" / "inspector.db").exists()


def test_off_beyond_loopback_unless_asked_for(project: Project, servers: Servers) -> None:
    wildcard = servers.start(project, extra=("--host", "0.0.0.0"))  # noqa: S104
    assert printed_urls(wildcard) == []
    answer = httpx.get(f"{wildcard.url}/_inspector/")
    assert answer.json()["Errors"]["Error"][0]["ReasonCode"] == "INVALID_AUTH_HEADER"
    wildcard.stop()

    asked = servers.start(project, extra=("--host", "0.0.0.0", "--inspector"))  # noqa: S104
    (url,) = printed_urls(asked)
    assert "beyond this machine" in asked.log_text()
    assert httpx.get(url, follow_redirects=True).status_code == 200
