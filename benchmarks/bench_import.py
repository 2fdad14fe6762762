"""Import time, measured in fresh interpreters."""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys

from benchmarks.harness import Result

BASELINE = "from cryptography.hazmat.primitives.asymmetric import rsa"


def _seconds(statement: str, runs: int) -> float:
    code = ("import time; t = time.perf_counter(); " + statement +
            "; print(time.perf_counter() - t)")
    samples = [float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                    text=True, check=True).stdout) for _ in range(runs)]
    return statistics.median(samples)


def results(runs: int = 15) -> list[Result]:
    base = _seconds(BASELINE, runs)
    out = []
    for name, statement, target in [
        ("import xbsec", "import xbsec", 1.5),
        ("import xbsec + OAuth1Signer ready", "from xbsec import OAuth1Signer", None),
    ]:
        ours = _seconds(statement, runs)
        peers = {}
        for peer, peer_statement in [("mastercard-oauth1-signer", "import oauth1.oauth"),
                                     ("mastercard-client-encryption",
                                      "import client_encryption.jwe_encryption")]:
            with contextlib.suppress(subprocess.CalledProcessError):  # peer not installed
                peers[peer] = 1.0 / _seconds(peer_statement, runs)
        # Expressed as "imports per second" so the ratio reads like the others:
        # ratio = baseline time / our time; a target of 1.5x slower is a ratio >= 1/1.5.
        out.append(Result(name, 1.0 / ours, 1.0 / base, "import cryptography RSA module",
                          None if target is None else 1.0 / target, peers,
                          f"{ours * 1000:.1f} ms vs {base * 1000:.1f} ms"))
    return out
