"""The documentation's runnable examples use the end-to-end suite's real sandbox servers."""

from tests.e2e.conftest import servers  # noqa: F401  (registers the fixture)
