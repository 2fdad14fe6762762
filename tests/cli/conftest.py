from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xbsec.cli.app import cli


@pytest.fixture
def run():  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str, input: bytes | str | None = None, env=None):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A keystore and certificate made once with `xbsec keys new`."""
    directory = tmp_path_factory.mktemp("keys")
    result = CliRunner().invoke(cli, ["keys", "new", "--p12", str(directory / "k.p12"),
                                      "--cert", str(directory / "c.pem"), "--cn", "cli test"])
    assert result.exit_code == 0, result.output
    return directory
