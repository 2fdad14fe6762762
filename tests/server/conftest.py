"""Fixtures of the server tests, defined in their own modules and registered here."""

from tests.server.gateway_fixture import world  # noqa: F401
