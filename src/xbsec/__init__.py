"""xbsec: the Mastercard Cross-Border Services (XBS) API security scheme, both sides of the wire."""

from xbsec._version import __version__
from xbsec.errors import (
    AccessDeniedError,
    BodyHashError,
    ConfigurationError,
    DecryptionError,
    InvalidAuthHeaderError,
    KeyAliasError,
    KeyFileError,
    KeyMaterialError,
    KeyMismatchError,
    KeyPasswordError,
    NonceReplayError,
    PayloadError,
    RefusedError,
    ServiceUnavailableError,
    SignatureError,
    SigningError,
    TimestampError,
    XBSecError,
)
from xbsec.policy import SecurityPolicy

__all__ = [
    "AccessDeniedError",
    "BodyHashError",
    "ConfigurationError",
    "DecryptionError",
    "InvalidAuthHeaderError",
    "KeyAliasError",
    "KeyFileError",
    "KeyMaterialError",
    "KeyMismatchError",
    "KeyPasswordError",
    "NonceReplayError",
    "PayloadError",
    "RefusedError",
    "SecurityPolicy",
    "ServiceUnavailableError",
    "SignatureError",
    "SigningError",
    "TimestampError",
    "XBSecError",
    "__version__",
]
