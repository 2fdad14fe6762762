"""Shared fixtures. Vector files are data kept outside the project (../shared/, or where
``XBSEC_SHARED_DIR`` points), loaded here; without them the run stops at once, by name."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xbsec.sandbox.conformance import ENVIRONMENT_VARIABLE

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("XBSEC_SHARED_DIR") or ROOT.parent / "shared").resolve()
WYCHEPROOF = SHARED / "vectors" / "wycheproof"
PEER = SHARED / "peer-vectors"


# Every sandbox the tests build, in process or by `xbsec sandbox serve` (which inherits the
# environment), checks each of its answers against the contract: a violation is logged and
# answered as a 500 CONTRACT_VIOLATION (see xbsec.sandbox.conformance).
os.environ[ENVIRONMENT_VARIABLE] = "1"


class _Violations(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.found.append(record.getMessage())


@pytest.fixture(autouse=True)
def sandbox_answers_match_the_contract() -> Iterator[_Violations]:
    """Fail the test whose request made an in-process sandbox answer outside the contract
    (a test of the check itself takes the violations it caused out of ``found``)."""
    handler = _Violations()
    logger = logging.getLogger("xbsec.sandbox.contract")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
    assert not handler.found, "the sandbox answered outside the contract:\n" + "\n".join(
        handler.found)


def pytest_configure(config: pytest.Config) -> None:
    # The vectors and the reference app's bodies are part of what the suite proves: a run
    # without them is refused, not skipped test by test.
    if not SHARED.is_dir():
        raise pytest.UsageError(
            f"the shared test data is not at {SHARED}: keep it beside the project "
            "(../shared) or point XBSEC_SHARED_DIR at it")


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"test data not found at {path} (in the shared data, {SHARED})",
                    pytrace=False)
    return path


def load_wycheproof(name: str) -> dict[str, Any]:
    """A Wycheproof file from ../shared/vectors/wycheproof/."""
    return json.loads(_require(WYCHEPROOF / name).read_text())  # type: ignore[no-any-return]


def load_peer(name: str) -> Any:
    """A JSON file from ../shared/peer-vectors/."""
    return json.loads(_require(PEER / name).read_text())


def peer_path(name: str) -> Path:
    """Path of a binary or PEM file in ../shared/peer-vectors/."""
    return _require(PEER / name)


def certificate_for(key: Any, common_name: str = "test") -> Any:
    """A self-signed certificate for ``key``, built on cryptography directly (valid 2030)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )


@pytest.fixture(scope="session")
def rsa_key_2048():  # type: ignore[no-untyped-def]
    """One generated RSA-2048 key per test session (our tests make their own keys)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_rsa_key_2048():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)
