"""The README's first command, for real: a fresh virtual environment with the ``demo`` extra
alone runs ``xbsec demo`` to its end. What the demo imports beyond that extra fails here."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_demo_extra_is_all_the_demo_needs(tmp_path: Path) -> None:
    started = time.monotonic()
    environment = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True, timeout=120)
    python = environment / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q",
                                "--disable-pip-version-check", "-e", f"{ROOT}[demo]"],
                               capture_output=True, text=True, timeout=600, env=env,
                               check=False)
    assert installed.returncode == 0, installed.stderr
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"],
                            capture_output=True, text=True, check=True, env=env).stdout.lower()
    for not_needed in ("requests==", "aiohttp==", "redis==", "pytest=="):
        assert not_needed not in listed, not_needed
    demo = subprocess.run([str(environment / "bin" / "xbsec"), "demo"], capture_output=True,
                          text=True, timeout=300, env=env, cwd=tmp_path, check=False)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "refused (the payment request replayed): 401 NONCE_REPLAYED" in demo.stdout
    assert "== The same in Python" in demo.stdout
    print(f"fresh environment to a verified round trip: {time.monotonic() - started:.1f} s")
