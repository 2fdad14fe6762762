"""OAuth 1.0a with RSA-SHA256 and a body hash, as Mastercard's gateway uses it (SPEC §2).

Names load on first use, so that a client that only signs never imports the verifier's
dependencies (see ``benchmarks/``: import time is part of the contract).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face

if TYPE_CHECKING:
    from xbsec.oauth1.base_string import (
        base_uri,
        canonical_query_url,
        param_string,
        signature_base_string,
    )
    from xbsec.oauth1.encoding import EMPTY_BODY_HASH, body_hash, pct
    from xbsec.oauth1.header import format_authorization, parse_authorization
    from xbsec.oauth1.nonce import new_nonce
    from xbsec.oauth1.signature import SIGNATURE_METHODS, sign_message, verify_message
    from xbsec.oauth1.signer import OAuth1Signer, SignedRequest
    from xbsec.oauth1.verifier import (
        Credential,
        CredentialSource,
        OAuth1Verifier,
        VerifiedRequest,
    )

_WHERE = {
    "base_uri": "base_string", "param_string": "base_string",
    "canonical_query_url": "base_string",
    "signature_base_string": "base_string",
    "EMPTY_BODY_HASH": "encoding", "body_hash": "encoding", "pct": "encoding",
    "format_authorization": "header", "parse_authorization": "header",
    "new_nonce": "nonce",
    "SIGNATURE_METHODS": "signature", "sign_message": "signature",
    "verify_message": "signature",
    "OAuth1Signer": "signer", "SignedRequest": "signer",
    "Credential": "verifier", "CredentialSource": "verifier", "OAuth1Verifier": "verifier",
    "VerifiedRequest": "verifier",
}

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
    "canonical_query_url",
    "format_authorization",
    "new_nonce",
    "param_string",
    "parse_authorization",
    "pct",
    "sign_message",
    "signature_base_string",
    "verify_message",
]


__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__, globals())
