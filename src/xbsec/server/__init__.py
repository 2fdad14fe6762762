"""The server side: a gateway that enforces the XBS security scheme in front of any ASGI app.

- ``xbsec.server.registry``: who may call (consumers, their keys, partners, modes);
- ``xbsec.server.gateway``: ``XBSGateway``, the ASGI middleware;
- ``xbsec.server.redis_store``: replay stores shared by several gateway instances.
"""
