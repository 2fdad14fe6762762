"""The client side: profiles to pipeline to HTTP integrations and ``XBSClient``.

``XBSClient`` and ``AsyncXBSClient`` live in ``xbsec.client.xbs`` (they need httpx), and
the HTTP integrations in ``xbsec.integrations.*``, each needing only its own library.
"""

from xbsec.client.auth import OAuth1Auth, RequestAuth, RequestTokenAuth, auth_from_profile
from xbsec.client.exchange import Exchange
from xbsec.client.pipeline import ClientPipeline, Encryption, IncomingResponse, OutgoingRequest

__all__ = [
    "ClientPipeline",
    "Encryption",
    "Exchange",
    "IncomingResponse",
    "OAuth1Auth",
    "OutgoingRequest",
    "RequestAuth",
    "RequestTokenAuth",
    "auth_from_profile",
]
