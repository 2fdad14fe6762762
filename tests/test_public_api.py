"""The public face of xbsec, pinned: a change here is a change to the API."""

from __future__ import annotations

import subprocess
import sys

import pytest

import xbsec
import xbsec.jose
import xbsec.keys
import xbsec.oauth1
import xbsec.server

EXPECTED = [
    "AccessDeniedError",
    "AccessTokenAuth",
    "ApiError",
    "AsyncAccessTokenAuth",
    "AsyncXBSClient",
    "AuthorizationError",
    "BodyHashError",
    "BusinessError",
    "CertificateExpiryWarning",
    "ClientPipeline",
    "ConfigurationError",
    "DecryptionError",
    "EncryptedFields",
    "FieldLevelConfig",
    "GatewayError",
    "InvalidAuthHeaderError",
    "JweFieldConfig",
    "JweHeader",
    "JweKeyring",
    "KeyAliasError",
    "KeyFile",
    "KeyFileError",
    "KeyMaterialError",
    "KeyMismatchError",
    "KeyPasswordError",
    "LoginRequiredError",
    "MalformedTokenError",
    "MemoryReplayStore",
    "NonceReplayError",
    "OAuth1Signer",
    "OAuth1Verifier",
    "PayloadError",
    "Profile",
    "ProjectKeys",
    "RefusedError",
    "ReplayStore",
    "RequestTokenMinter",
    "RequestTokenVerifier",
    "SecurityPolicy",
    "ServiceUnavailableError",
    "SignatureError",
    "SignedRequest",
    "SigningError",
    "TimestampError",
    "TokenEndpointError",
    "TransportError",
    "VerifiedRequest",
    "VerifiedToken",
    "XBSClient",
    "XBSecError",
    "XBSecWarning",
    "__version__",
    "decrypt_fields",
    "decrypt_payload",
    "encrypt_fields",
    "encrypt_payload",
    "jwe_decrypt",
    "jwe_decrypt_with_header",
    "jwe_encrypt",
    "jwe_header",
    "load_profile",
]


def test_exported_members_are_pinned() -> None:
    assert xbsec.__all__ == EXPECTED


@pytest.mark.parametrize("module", [xbsec, xbsec.oauth1, xbsec.keys, xbsec.jose,
                                    xbsec.server])
def test_every_exported_name_resolves(module) -> None:  # type: ignore[no-untyped-def]
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    assert set(module.__all__) <= set(dir(module))


@pytest.mark.parametrize("module", [xbsec, xbsec.oauth1, xbsec.server])
def test_an_unknown_name_is_an_attribute_error(module) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        module.nope  # noqa: B018


def test_every_error_is_an_xbsec_error() -> None:
    for name in xbsec.__all__:
        value = getattr(xbsec, name)
        if isinstance(value, type) and issubclass(value, Warning):
            assert issubclass(value, xbsec.XBSecWarning), name
        elif isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, xbsec.XBSecError), name


def test_importing_xbsec_loads_neither_x509_nor_the_verifier() -> None:
    code = ("import sys, xbsec; from xbsec import OAuth1Signer; "
            "print(sorted(m for m in ('cryptography.x509', 'xbsec.oauth1.verifier', "
            "'dataclasses', 'xbsec.policy', 'httpx', 'requests', 'aiohttp') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
