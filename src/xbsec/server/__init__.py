"""The server side: a gateway that enforces the XBS security scheme in front of any ASGI app.

- ``xbsec.server.registry``: who may call (consumers, their keys, partners, modes);
- ``xbsec.server.gateway``: ``XBSGateway``, the ASGI middleware;
- ``xbsec.server.redis_store``: replay stores shared by several gateway instances.

Names load on first use: importing ``xbsec.server`` loads neither redis nor uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face

if TYPE_CHECKING:
    from xbsec.server.gateway import AccessTokenValidator, GatewayRefusal, XBSGateway
    from xbsec.server.redis_store import AsyncRedisReplayStore, RedisReplayStore
    from xbsec.server.registry import Consumer, Registry

_WHERE = {
    "AccessTokenValidator": "gateway",
    "AsyncRedisReplayStore": "redis_store",
    "Consumer": "registry",
    "GatewayRefusal": "gateway",
    "RedisReplayStore": "redis_store",
    "Registry": "registry",
    "XBSGateway": "gateway",
}

__all__ = [
    "AccessTokenValidator",
    "AsyncRedisReplayStore",
    "Consumer",
    "GatewayRefusal",
    "RedisReplayStore",
    "Registry",
    "XBSGateway",
]


__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__, globals())
