"""The client fixtures (key files, loopback server, profiles), shared with the adapters' tests."""

import pytest

from tests.client.conftest import key_dir, loopback, make_profile

__all__ = ["anyio_backend", "key_dir", "loopback", "make_profile"]


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``@pytest.mark.anyio``) run on asyncio, the loop httpx users mostly run."""
    return "asyncio"
