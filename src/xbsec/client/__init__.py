"""The client side: profiles to pipeline to HTTP integrations and ``XBSClient``."""

from xbsec.client.auth import OAuth1Auth, RequestAuth, RequestTokenAuth, auth_from_profile
from xbsec.client.pipeline import ClientPipeline, Encryption, IncomingResponse, OutgoingRequest

__all__ = [
    "ClientPipeline",
    "Encryption",
    "IncomingResponse",
    "OAuth1Auth",
    "OutgoingRequest",
    "RequestAuth",
    "RequestTokenAuth",
    "auth_from_profile",
]
