"""`xbsec demo`, and the installed `xbsec` executable itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def test_demo_runs_the_whole_flow_and_leaves_nothing_running(run) -> None:
    import threading

    before = set(threading.enumerate())
    result = run("demo")
    assert result.exit_code == 0, result.output
    for expected in ("/crossborder/quotes", "/crossborder/payment", "?ref=DEMO",
                     "status PENDING", "cancellation SUCCESS", "the payment is now REJECTED",
                     'body on the wire (', '{"encrypted_payload":{"data":"eyJ',
                     "refused (one bit flipped in the encrypted body): 401 INVALID_BODY_HASH",
                     "refused (the payment request replayed): 401 NONCE_REPLAYED"):
        assert expected in result.output, expected
    assert "keystorepassword" not in result.output
    lingering = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert lingering == []


def _xbsec() -> str:
    found = shutil.which("xbsec") or str(Path(sys.executable).with_name("xbsec"))
    assert Path(found).exists(), "the xbsec console script is not installed"
    return found


def test_the_installed_command_runs(tmp_path) -> None:
    version = subprocess.run([_xbsec(), "--version"], capture_output=True, text=True,
                             check=True)
    assert "xbsec" in version.stdout
    made = subprocess.run([_xbsec(), "keys", "new", "--p12", str(tmp_path / "k.p12"), "--cert",
                           str(tmp_path / "c.pem")], capture_output=True, text=True, check=True)
    assert "k.p12" in made.stdout


def test_the_installed_command_reports_errors_without_a_traceback(tmp_path) -> None:
    bad = tmp_path / "bad.p12"
    bad.write_bytes(b"\x30\x82garbage")
    done = subprocess.run([_xbsec(), "keys", "inspect", str(bad), "--password", "x"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "bad.p12" in done.stderr
