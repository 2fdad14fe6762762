"""Mastercard's Node libraries as test oracles (tests/interop/node, installed by .ci/run).

``node_jwe`` runs ``jwe.js``: npm ``mastercard-client-encryption`` in JWE mode, configured
for a whole XBS body. ``node_authorization`` runs ``sign.js``: npm
``mastercard-oauth1-signer``. A test that needs one is skipped, and says so, when Node.js or
the package is absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"


def _node(package: str) -> str:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / package).exists():
        pytest.skip(f"Node.js or npm {package} not installed (run .ci/run)")
    return node


def _run(script: str, package: str, request: dict[str, Any]) -> Any:
    done = subprocess.run(
        [_node(package), script], cwd=NODE_DIR, check=False, capture_output=True, timeout=120,
        input=json.dumps(request).encode(),
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return json.loads(done.stdout)


def node_jwe(config: dict[str, Any], *, encrypt: list[Any] = (),  # type: ignore[assignment]
             decrypt: list[Any] = (),  # type: ignore[assignment]
             ) -> tuple[list[Any], list[Any]]:
    """(bodies encrypted from ``encrypt``, documents decrypted from ``decrypt``) by Node.

    ``config`` holds the library's key settings: ``encryptionCertificate`` (a PEM path),
    ``privateKey`` (a PEM path) or ``keyStore``/``keyStoreAlias``/``keyStorePassword``, and
    optionally ``publicKeyFingerprintType``/``dataEncoding``. A body that does not decrypt
    comes back as ``{"error": message}``.
    """
    answer = _run("jwe.js", "mastercard-client-encryption",
                  {"config": config, "encrypt": list(encrypt), "decrypt": list(decrypt)})
    return answer["encrypted"], answer["decrypted"]


def node_authorization(key_pem: str, consumer_key: str,
                       cases: list[dict[str, Any]]) -> list[str]:
    """One ``Authorization`` header per case (method, url, body, nonce or None, timestamp)."""
    return _run("sign.js", "mastercard-oauth1-signer",  # type: ignore[no-any-return]
                {"key_pem": key_pem, "consumer_key": consumer_key, "cases": cases})
