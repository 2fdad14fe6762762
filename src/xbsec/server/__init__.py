"""The server side: a gateway that enforces the XBS security scheme in front of any ASGI app.

- ``xbsec.server.registry``: who may call (consumers, their keys, partners, modes);
- ``xbsec.server.gateway``: ``XBSGateway``, the ASGI middleware;
- ``xbsec.server.redis_store``: replay stores shared by several gateway instances.

Names load on first use: importing ``xbsec.server`` loads neither redis nor uvicorn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'xbsec.server' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"xbsec.server.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
