"""A sandbox project served in process with its inspector, and the calls to send it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.inspector.calls import TOKEN, Calls
from tests.server.gateway_fixture import ASGIClient
from xbsec.sandbox.project import SandboxProject, init_project
from xbsec.sandbox.serve import ServeOptions, build_app

BASE = "http://127.0.0.1:8080"


@pytest.fixture
def project(tmp_path: Path) -> SandboxProject:
    return init_project(tmp_path / "project")


@pytest.fixture
def served(project: SandboxProject) -> Iterator[Any]:
    """``build_app`` with the inspector on: an ``InspectorMount``."""
    app = build_app(ServeOptions(str(project.folder), url=BASE, inspector_token=TOKEN,
                                 rate_limit=None))
    yield app
    app.recorder.close()


@pytest.fixture
def http(served: Any) -> ASGIClient:
    return ASGIClient(served, base_url=BASE)


@pytest.fixture
def calls(project: SandboxProject) -> Calls:
    return Calls(project.profile, BASE)


class Browser:
    """The page as a browser with the cookie sees it."""

    def __init__(self, http: ASGIClient, served: Any) -> None:
        self.http = http
        self.served = served
        self.cookie = f"{served.page.cookie}={TOKEN}"

    def get(self, where: str, **params: str) -> Any:
        assert self.served.recorder.flush()
        return self.http.get(where, params=params, headers={"Cookie": self.cookie})


@pytest.fixture
def browser(http: ASGIClient, served: Any) -> Browser:
    return Browser(http, served)
