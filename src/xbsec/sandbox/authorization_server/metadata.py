"""The authorization server's metadata document (RFC 8414 §2), from its settings alone.

``GET /.well-known/oauth-authorization-server`` answers it, so that a standard client can
find the endpoints and what they accept instead of being told. Every URL in it is made
from the configured issuer, never from the request.
"""

from __future__ import annotations

from typing import Any

from xbsec.sandbox.authorization_server.client_assertion import ALGORITHMS
from xbsec.sandbox.authorization_server.pkce import METHOD
from xbsec.sandbox.authorization_server.settings import AuthorizationServerSettings

__all__ = ["metadata_document"]


def metadata_document(settings: AuthorizationServerSettings) -> dict[str, Any]:
    """The RFC 8414 metadata of a server with ``settings``."""
    return {
        "issuer": settings.issuer,
        "authorization_endpoint": settings.authorization_endpoint,
        "token_endpoint": settings.token_endpoint,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": [METHOD],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": sorted(ALGORITHMS),
        "scopes_supported": sorted(settings.scopes),
        # RFC 9207: every authorization response carries iss.
        "authorization_response_iss_parameter_supported": True,
    }
