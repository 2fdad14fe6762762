"""OAuth 1.0a with RSA-SHA256 and a body hash, as Mastercard's gateway uses it (SPEC §2)."""

from xbsec.oauth1.base_string import base_uri, param_string, signature_base_string
from xbsec.oauth1.encoding import EMPTY_BODY_HASH, body_hash, pct
from xbsec.oauth1.header import format_authorization, parse_authorization
from xbsec.oauth1.nonce import new_nonce
from xbsec.oauth1.signature import SIGNATURE_METHODS, sign_message, verify_message
from xbsec.oauth1.signer import OAuth1Signer, SignedRequest
from xbsec.oauth1.verifier import Credential, CredentialSource, OAuth1Verifier, VerifiedRequest

__all__ = [
    "EMPTY_BODY_HASH",
    "SIGNATURE_METHODS",
    "Credential",
    "CredentialSource",
    "OAuth1Signer",
    "OAuth1Verifier",
    "SignedRequest",
    "VerifiedRequest",
    "base_uri",
    "body_hash",
    "format_authorization",
    "new_nonce",
    "param_string",
    "parse_authorization",
    "pct",
    "sign_message",
    "signature_base_string",
    "verify_message",
]
