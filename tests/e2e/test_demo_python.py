"""``xbsec demo --dir D`` keeps its project and ends with the Python that does what it did:
that Python runs, as printed, against the kept project served again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.e2e.sandbox_process import Servers, xbsec_command


def test_the_printed_python_runs_against_the_kept_project(tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    demo = subprocess.run([xbsec_command(), "demo", "--dir", str(folder)], capture_output=True,
                          text=True, timeout=180, check=False)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    printed = demo.stdout.split("== The same in Python\n", 1)[1]
    code, _, closing = printed.partition("\nThe sandbox is stopped; the project is kept in ")
    assert closing.startswith(str(folder.resolve()))
    assert f"path={str(folder.resolve() / 'xbsec.toml')!r}" in code
    assert (folder / "server" / "sandbox.db").is_file()

    servers = Servers(tmp_path)
    try:
        port = int((folder / "xbsec.toml").read_text().split('base_url = "http://127.0.0.1:')[1]
                   .split('"')[0])
        servers.start(folder, port=port)
        ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, check=False)
    finally:
        servers.close()
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0].startswith("payment rem_")
    assert lines[0].endswith(" PENDING")
    assert lines[1] == "cancellation SUCCESS"


def test_a_folder_in_use_is_refused(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("mine")
    demo = subprocess.run([xbsec_command(), "demo", "--dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert demo.returncode == 2
    assert "is not empty; give a new or empty folder" in demo.stderr
    assert (tmp_path / "something").read_text() == "mine"
