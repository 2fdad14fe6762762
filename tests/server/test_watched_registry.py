"""A registry read again when its file changes: keys rotate under a running gateway."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from tests.clocks import Clock
from xbsec.errors import ConfigurationError
from xbsec.keys import generate_rsa_key, self_signed_certificate, write_certificate_pem
from xbsec.server.registry import WatchedRegistry

ENTRY = """
[[consumers]]
consumer_key = "{key}"
partner_ids = ["P1"]
signing_certificates = ["signing.pem"]
encryption = "off"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_certificate_pem(tmp_path / "signing.pem", self_signed_certificate(generate_rsa_key()))
    return tmp_path


def write(path: Path, text: str) -> None:
    temporary = path.with_name(".registry.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def test_a_change_is_read_once_the_interval_has_passed(folder: Path) -> None:
    file, clock = folder / "registry.toml", Clock(1000.0)
    write(file, ENTRY.format(key="ck!1"))
    registry = WatchedRegistry(file, interval=1.0, clock=clock)
    assert registry.get("ck!1") is not None
    write(file, ENTRY.format(key="ck!2"))
    assert registry.get("ck!2") is None  # not looked at yet
    clock.advance(1.5)
    assert registry.get("ck!2") is not None
    assert registry.get("ck!1") is None
    assert registry.signing_certificates("ck!2") is not None
    assert [c.consumer_key for c in registry] == ["ck!2"]
    assert len(registry) == 1


def test_a_file_that_no_longer_reads_keeps_the_registry_in_force(
        folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    file, clock = folder / "registry.toml", Clock(1000.0)
    write(file, ENTRY.format(key="ck!1"))
    registry = WatchedRegistry(file, interval=0.1, clock=clock)
    write(file, ENTRY.format(key="ck!2") + "\n[[consumers]]\nnot toml at all = = =\n")
    clock.advance(1)
    with caplog.at_level(logging.ERROR, logger="xbsec.server.registry"):
        assert registry.get("ck!1") is not None
    assert "keeping the one in force" in caplog.text
    write(file, ENTRY.format(key="ck!3"))  # the next good version is taken up
    clock.advance(1)
    assert registry.get("ck!3") is not None


def test_a_first_read_that_fails_is_fatal(folder: Path) -> None:
    with pytest.raises(ConfigurationError, match="no such registry file"):
        WatchedRegistry(folder / "missing.toml")
