"""The client fixtures (key files, loopback server, profiles), shared with the adapters' tests."""

from tests.client.conftest import key_dir, loopback, make_profile

__all__ = ["key_dir", "loopback", "make_profile"]
