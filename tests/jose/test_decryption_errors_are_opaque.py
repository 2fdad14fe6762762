"""Every cause of failure raises the same DecryptionError, with nothing chained behind it."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import DecryptionError
from xbsec.jose import jwe_decrypt, jwe_encrypt

from .forge import b64d, b64e, flip_bit, forge, joined, segments

SECRET = b'{"pan":"5555555555554444"}'


def _failures(key: rsa.RSAPrivateKey, other: rsa.RSAPrivateKey) -> dict[str, object]:
    token = jwe_encrypt(SECRET, key.public_key())
    parts = segments(token)

    def changed(index: int, value: str) -> str:
        copy = list(parts)
        copy[index] = value
        return joined(copy)

    header = json.loads(b64d(parts[0]))
    return {
        "not a string": 12,
        "not ascii": token[:-1] + "é",
        "four segments": joined(parts[:4]),
        "bad base64url": changed(2, parts[2] + "="),
        "header not json": changed(0, b64e(b"{")),
        "header zip": changed(0, b64e(json.dumps({**header, "zip": "DEF"}).encode())),
        "alg not allowed": forge({"alg": "RSA1_5", "enc": "A256GCM"}, key.public_key()),
        "iv length": changed(2, b64e(bytes(16))),
        "tag length": changed(4, b64e(bytes(15))),
        "wrapped key length": changed(1, b64e(bytes(255))),
        "wrapped key garbage": changed(1, b64e(bytes(256))),
        "wrong key": jwe_encrypt(SECRET, other.public_key()),
        "tag": changed(4, flip_bit(parts[4])),
        "ciphertext": changed(3, flip_bit(parts[3])),
        "aad": changed(0, b64e(json.dumps({**header, "kid": "x"}).encode())),
    }


def test_all_failures_look_the_same(
    rsa_key_2048: rsa.RSAPrivateKey, other_rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    failures = _failures(rsa_key_2048, other_rsa_key_2048)
    seen = set()
    for cause, token in failures.items():
        with pytest.raises(DecryptionError) as caught:
            jwe_decrypt(token, rsa_key_2048)  # type: ignore[arg-type]
        error = caught.value
        assert type(error) is DecryptionError, cause
        assert error.args == ("decryption failed",), cause
        assert error.__cause__ is None, cause
        assert error.__context__ is None or error.__suppress_context__, cause
        seen.add((type(error), error.args))
    assert len(failures) == 15
    assert seen == {(DecryptionError, ("decryption failed",))}
