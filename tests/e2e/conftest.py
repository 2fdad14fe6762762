"""Fixtures of the end-to-end tests: real projects, real ``xbsec sandbox serve`` processes.

``oauth1_project`` and ``token_project`` are made once by ``xbsec sandbox init`` (OAuth 1.0a,
and ``--auth request-token``) and served for the whole session by ``oauth1_sandbox`` and
``token_sandbox``. The OAuth 1.0a registry gets three more consumers sharing the project's
keys, edited in as an operator would: one that must encrypt, one without encryption, one of
another environment. ``servers`` starts servers for one test.

Every server is stopped when its fixture ends, whatever the test did, and its log must then
hold no traceback and no internal error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.sandbox_process import Project, SandboxServer, Servers, init_project
from tests.redis_server import (  # noqa: F401  (the fixtures register on import)
    free_port,
    make_redis_server_fixture,
    redis_server_fixture,
    redis_url_fixture,
)

STRICT_KEY = "strict-consumer!" + "1" * 32
PLAIN_KEY = "plaintext-consumer!" + "2" * 32
PRODUCTION_KEY = "production-consumer!" + "3" * 32
STRICT_PARTNER = "STRICT_1000001"
PLAIN_PARTNER = "PLAIN_1000002"
PRODUCTION_PARTNER = "PROD_1000003"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _closing(servers: Servers) -> None:
    problems = servers.close()
    assert not problems, "the sandbox logged problems:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def session_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    servers = Servers(tmp_path_factory.mktemp("logs"))
    yield servers
    _closing(servers)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    """Start sandbox servers for one test; all are stopped when it ends."""
    made = Servers(tmp_path)
    yield made
    _closing(made)


@pytest.fixture(scope="session")
def oauth1_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    port = free_port()
    project = init_project(tmp_path_factory.mktemp("oauth1") / "project", port=port)
    project.add_consumer(STRICT_KEY, STRICT_PARTNER, encryption="required")
    project.add_consumer(PLAIN_KEY, PLAIN_PARTNER, encryption="off")
    project.add_consumer(PRODUCTION_KEY, PRODUCTION_PARTNER, environment="production")
    return project


@pytest.fixture(scope="session")
def oauth1_sandbox(oauth1_project: Project, session_servers: Servers) -> SandboxServer:
    port = int(oauth1_project.profile().base_url.rsplit(":", 1)[1])
    return session_servers.start(oauth1_project, port=port)


@pytest.fixture(scope="session")
def token_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return init_project(tmp_path_factory.mktemp("token") / "project", auth="request-token",
                        port=free_port())


@pytest.fixture(scope="session")
def token_sandbox(token_project: Project, session_servers: Servers) -> SandboxServer:
    port = int(token_project.profile().base_url.rsplit(":", 1)[1])
    return session_servers.start(token_project, port=port)
