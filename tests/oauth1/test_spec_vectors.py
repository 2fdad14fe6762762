"""SPEC §2.9 vectors (computed with Mastercard's Java and Python signers), in Java mode."""

from __future__ import annotations

import pytest

from xbsec.oauth1 import EMPTY_BODY_HASH, OAuth1Signer, body_hash

CONSUMER_KEY = "0" * 48 + "!" + "0" * 48
NONCE = "uTeLPs6K5OKx8n5i"
TIMESTAMP = 1700000000
QUOTES = "https://sandbox.api.mastercard.com/send/v1/partners/SANDBOX_1234567/crossborder/quotes"
RETRIEVE = ("https://sandbox.api.mastercard.com/send/v1/partners/SANDBOX_1234567/crossborder"
            "?ref=0999999034810154901")
ENCRYPTED_BODY = b'{"encrypted_payload":{"data":"eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.x.y.z.t"}}'


@pytest.fixture
def java_signer(peer_p12) -> OAuth1Signer:
    return OAuth1Signer(CONSUMER_KEY, peer_p12[0], nonce=lambda: NONCE, clock=lambda: TIMESTAMP)


def test_body_hash_of_the_empty_body() -> None:
    assert body_hash(b"") == EMPTY_BODY_HASH == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_body_hash_of_a_non_ascii_body() -> None:
    assert body_hash('{"foõ":"bar"}'.encode()) == "+Z+PWW2TJDnPvRcTgol+nKO3LT7xm8smnsg+//XMIyI="


def test_xbs_shaped_post(java_signer: OAuth1Signer) -> None:
    signed = java_signer.sign("POST", QUOTES, ENCRYPTED_BODY)
    assert signed.body_hash == "QwOl5sPGdEXXCfLjfBGML6tJDieuZB+C5Wlnf82efGU="
    assert signed.base_string == (
        "POST&https%3A%2F%2Fsandbox.api.mastercard.com%2Fsend%2Fv1%2Fpartners%2FSANDBOX_1234567"
        "%2Fcrossborder%2Fquotes&oauth_body_hash%3DQwOl5sPGdEXXCfLjfBGML6tJDieuZB%2BC5Wlnf82efGU"
        "%3D%26oauth_consumer_key%3D000000000000000000000000000000000000000000000000%2100000000"
        "0000000000000000000000000000000000000000%26oauth_nonce%3DuTeLPs6K5OKx8n5i%26oauth_sig"
        "nature_method%3DRSA-SHA256%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0"
    )
    signature = (
        "WyJJxH1GlWZJmvg+yvPUwC5VVD5M6hEbjY9yq+ZXknbRee3gV8iZuJ4+6EICH4iLQPZUNHO/zm0qvzRMgZ/8E6eC"
        "vNMAMCZeiuCd+QItgb3iDaATwx+u+uFZ6nKzEkDBBKV6unAf5m1GroWAQk/f4us7fYUSb3X2YygUIGYpSOOF3Zc"
        "auzwcIB8BgALfMKDwM1llSbVXXGedP9C6J+sMVZtRYAvs7grN4aiLOepb44Ne2fjU9YIwZmJ2aBsKiL0W/loef"
        "YC54Yg9gAmr6r1xZLJqk40//jJZazTyF2v7DHbW+mp28CcpHUtdgDK5p4zBR87QqKJ+8UwJDhK7qXsEyQ=="
    )
    encoded = signature.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert signed.authorization == (
        f'OAuth oauth_consumer_key="{CONSUMER_KEY}",oauth_nonce="{NONCE}",'
        f'oauth_timestamp="{TIMESTAMP}",oauth_signature_method="RSA-SHA256",'
        'oauth_version="1.0",oauth_body_hash="QwOl5sPGdEXXCfLjfBGML6tJDieuZB+C5Wlnf82efGU=",'
        f'oauth_signature="{encoded}"'
    )


def test_xbs_shaped_get_with_query(java_signer: OAuth1Signer) -> None:
    signed = java_signer.sign("GET", RETRIEVE)
    assert signed.base_string.startswith(
        "GET&https%3A%2F%2Fsandbox.api.mastercard.com%2Fsend%2Fv1%2Fpartners%2FSANDBOX_1234567"
        "%2Fcrossborder&oauth_body_hash%3D47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D"
    )
    assert signed.base_string.endswith(
        "%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0%26ref%3D0999999034810154901"
    )
    assert signed.authorization.endswith(
        "aJ29VjVtyJxYoF8MCUMZbmh8Lzkt428X3zHnnTUjXkEIq2TaMjn7Bk7twWiA0yKu4FewamebqLX1IJWKO5ALy1lP"
        "AThLHoj2xPk4hH9fKtuwc7u2GXm%2FvKB4oLPNEaTHvaB%2FFIEH2L86ZuJM4%2BWIIbjn7FQJRqeakUQphGf2GF"
        "JAbIPL6xsOl6Y7PrFVMTBW6tDjgy9VxelKC5uOA5kINW%2FFER43KRzq31iqBneCmjFe%2B7GV0xvKgC9hdwF6a3"
        "c6awUH6TQcOcRvlpDMRQAsqDuAkTT6ccgblx4KfPMGcvckXQePM2h6bmSP1TxHPHK%2FGrAfOpzjjzyTAkuo9WdR"
        'QA%3D%3D"'
    )


def test_java_library_fixture_sorts_upper_case_first(java_signer: OAuth1Signer) -> None:
    signed = java_signer.sign("GET", "https://api.mastercard.com/x?Format=XML&PageOffset=0"
                                     "&PageLength=10")
    assert "Format%3DXML%26PageLength%3D10%26PageOffset%3D0%26oauth_body_hash" in (
        signed.base_string
    )
