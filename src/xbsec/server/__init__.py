"""The server side: a gateway that enforces the XBS security scheme in front of any ASGI app.

- ``xbsec.server.registry``: who may call (consumers, their keys, partners, modes);
- ``xbsec.server.gateway``: ``XBSGateway``, the ASGI middleware.

The replay stores that several gateway instances share live with the other stores in
``xbsec.stores``; ``RedisReplayStore`` and ``AsyncRedisReplayStore`` are re-exported here.

Names load on first use: importing ``xbsec.server`` loads neither redis nor uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face

if TYPE_CHECKING:
    from xbsec.server.gateway import AccessTokenValidator, GatewayRefusal, XBSGateway
    from xbsec.server.registry import Consumer, Registry
    from xbsec.stores.redis.replay import AsyncRedisReplayStore, RedisReplayStore

_WHERE = {
    "AccessTokenValidator": "gateway",
    "AsyncRedisReplayStore": "xbsec.stores.redis.replay",
    "Consumer": "registry",
    "GatewayRefusal": "gateway",
    "RedisReplayStore": "xbsec.stores.redis.replay",
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
