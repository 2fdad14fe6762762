"""docs/key-rotation.md, run as written: its commands, in order, against a real sandbox.

The shell blocks run in one bash script; each profile edit (a TOML block the runbook marks
``<!-- profile edit -->``) is applied to the profile where it stands in the text. The
runbook passes when every command succeeds and the portal ends as its last step says.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.sandbox_process import Servers, init_project, xbsec_command
from tests.redis_server import free_port

pytestmark = pytest.mark.slow

RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "key-rotation.md"
EDITOR = Path(__file__).with_name("apply_profile_edit.py")
_BLOCK = re.compile(r"(<!-- profile edit -->\n)?```(sh|toml)\n(.*?)```", re.S)


def runbook_script() -> str:
    """The runbook as one bash script."""
    parts = ["set -euo pipefail", "set -a  # every variable a step sets is exported"]
    blocks = _BLOCK.findall(RUNBOOK.read_text())
    assert blocks, "the runbook has no commands"
    for edit, kind, body in blocks:
        if kind == "sh":
            parts.append(body)
        else:
            assert edit, "a TOML block in the runbook that is not a profile edit"
            parts.append(f'"{sys.executable}" "{EDITOR}" "$PROJECT/xbsec.toml" <<\'EDIT\'\n'
                         f"{body}EDIT")
    return "\n".join(parts) + "\n"


def test_the_runbook_runs_as_written(tmp_path: Path, servers: Servers) -> None:
    port = free_port()
    project = init_project(tmp_path / "project", port=port)
    servers.start(project, port=port, fixed_port=True)  # where the profile points
    keys = tmp_path / "keys"
    keys.mkdir()
    environment = {**os.environ, "PROJECT": str(project.folder), "KEYS": str(keys),
                   "PATH": f"{Path(xbsec_command()).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", runbook_script()], env=environment, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    listing = json.loads(subprocess.run(
        [xbsec_command(), "sandbox", "keys", "list", "--dir", str(project.folder), "--json"],
        capture_output=True, text=True, check=True).stdout)
    assert sorted((k["kind"], k["status"]) for k in listing) == [
        ("client-encryption", "active"), ("client-encryption", "retired"),
        ("mastercard-encryption", "active"), ("mastercard-encryption", "retired"),
        ("signing", "active"), ("signing", "retired")]
