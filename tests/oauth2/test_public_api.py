"""The public face of xbsec.oauth2 and xbsec.jose.jws, pinned."""

from __future__ import annotations

import xbsec.jose.jws
import xbsec.oauth2


def test_oauth2_exports_are_pinned() -> None:
    assert xbsec.oauth2.__all__ == [
        "MAX_LIFETIME",
        "RECOMMENDED_LIFETIME",
        "AccessTokenAuth",
        "AsyncAccessTokenAuth",
        "AsyncTokenClient",
        "AuthorizationRequest",
        "ClientAssertionMinter",
        "FileTokenStore",
        "LoopbackListener",
        "MemoryTokenStore",
        "Pkce",
        "RedisTokenStore",
        "RequestTokenMinter",
        "RequestTokenVerifier",
        "TokenClient",
        "TokenCredential",
        "TokenCredentialSource",
        "TokenSet",
        "TokenStore",
        "VerifiedToken",
        "X5tForm",
    ]
    for name in xbsec.oauth2.__all__:
        assert getattr(xbsec.oauth2, name) is not None


def test_jws_exports_are_pinned() -> None:
    assert xbsec.jose.jws.__all__ == [
        "DEFAULT_MAX_BYTES",
        "JWS_ALGORITHMS",
        "MAX_HEADER_CHARS",
        "JwsSigner",
        "UnverifiedJws",
        "jws_parse",
        "jws_sign",
        "jws_verify",
    ]
    assert frozenset({"RS256", "ES256"}) == xbsec.jose.jws.JWS_ALGORITHMS
