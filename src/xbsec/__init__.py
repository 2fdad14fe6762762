"""xbsec: the Mastercard Cross-Border Services (XBS) API security scheme, both sides of the wire.

The public face. Errors load with the package; everything else loads on first use, so
that ``import xbsec`` stays cheap for command-line tools and short-lived workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face
from xbsec._version import __version__
from xbsec.errors import (
    AccessDeniedError,
    ApiError,
    AuthorizationError,
    BodyHashError,
    BusinessError,
    CertificateExpiryWarning,
    ConfigurationError,
    DecryptionError,
    GatewayError,
    InvalidAuthHeaderError,
    KeyAliasError,
    KeyFileError,
    KeyMaterialError,
    KeyMismatchError,
    KeyPasswordError,
    LoginRequiredError,
    MalformedTokenError,
    NonceReplayError,
    PayloadError,
    RefusedError,
    ServiceUnavailableError,
    SignatureError,
    SigningError,
    TimestampError,
    TokenEndpointError,
    TransportError,
    XBSecError,
    XBSecWarning,
)

if TYPE_CHECKING:
    from xbsec.client.oauth2.access_token import AccessTokenAuth, AsyncAccessTokenAuth
    from xbsec.client.pipeline import ClientPipeline
    from xbsec.client.xbs import AsyncXBSClient, XBSClient
    from xbsec.jose.header import JweHeader
    from xbsec.jose.jwe import jwe_decrypt, jwe_decrypt_with_header, jwe_encrypt, jwe_header
    from xbsec.jose.keyring import JweKeyring
    from xbsec.keys.project import KeyFile, ProjectKeys
    from xbsec.oauth1.signer import OAuth1Signer, SignedRequest
    from xbsec.oauth1.verifier import OAuth1Verifier, VerifiedRequest
    from xbsec.oauth2.request_token import RequestTokenMinter
    from xbsec.oauth2.request_token_verifier import RequestTokenVerifier, VerifiedToken
    from xbsec.payload.encrypted_body import decrypt_payload, encrypt_payload
    from xbsec.payload.field_config import FieldLevelConfig, JweFieldConfig
    from xbsec.payload.field_encryption import EncryptedFields, decrypt_fields, encrypt_fields
    from xbsec.policy import SecurityPolicy
    from xbsec.profile import Profile, load_profile
    from xbsec.stores.replay import MemoryReplayStore, ReplayStore

_LAZY = {
    "AccessTokenAuth": "xbsec.client.oauth2.access_token",
    "AsyncAccessTokenAuth": "xbsec.client.oauth2.access_token",
    "AsyncXBSClient": "xbsec.client.xbs",
    "ClientPipeline": "xbsec.client.pipeline",
    "Profile": "xbsec.profile",
    "XBSClient": "xbsec.client.xbs",
    "load_profile": "xbsec.profile",
    "JweHeader": "xbsec.jose.header",
    "JweKeyring": "xbsec.jose.keyring",
    "KeyFile": "xbsec.keys.project",
    "MemoryReplayStore": "xbsec.stores.replay",
    "OAuth1Signer": "xbsec.oauth1.signer",
    "OAuth1Verifier": "xbsec.oauth1.verifier",
    "ReplayStore": "xbsec.stores.replay",
    "SecurityPolicy": "xbsec.policy",
    "SignedRequest": "xbsec.oauth1.signer",
    "VerifiedRequest": "xbsec.oauth1.verifier",
    "ProjectKeys": "xbsec.keys.project",
    "RequestTokenMinter": "xbsec.oauth2.request_token",
    "RequestTokenVerifier": "xbsec.oauth2.request_token_verifier",
    "VerifiedToken": "xbsec.oauth2.request_token_verifier",
    "jwe_decrypt": "xbsec.jose.jwe",
    "jwe_decrypt_with_header": "xbsec.jose.jwe",
    "jwe_encrypt": "xbsec.jose.jwe",
    "jwe_header": "xbsec.jose.jwe",
    "decrypt_payload": "xbsec.payload.encrypted_body",
    "encrypt_payload": "xbsec.payload.encrypted_body",
    "FieldLevelConfig": "xbsec.payload.field_config",
    "JweFieldConfig": "xbsec.payload.field_config",
    "EncryptedFields": "xbsec.payload.field_encryption",
    "decrypt_fields": "xbsec.payload.field_encryption",
    "encrypt_fields": "xbsec.payload.field_encryption",
}

__all__ = [
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


__getattr__, __dir__ = lazy_face(__name__, _LAZY, __all__, globals())
