"""The client's OAuth 2.0 machinery for the Balance APIs of MTS EU/UK customers (SPEC §6).

- ``token_client``: ``TokenClient`` / ``AsyncTokenClient``, the token endpoint over httpx;
- ``login``: ``LoopbackListener``, the browser's redirect back to this machine (RFC 8252);
- ``access_token``: ``AccessTokenAuth`` / ``AsyncAccessTokenAuth``, ``Bearer`` access tokens
  refreshed before they expire, one refresh however many callers;
- ``from_profile``: all of it built from a profile's ``[oauth2]`` table.

The protocol pieces they drive (PKCE, authorization requests, client assertions, token
endpoint forms and answers) are in ``xbsec.oauth2``; the token stores in ``xbsec.stores``.
Import the names from ``xbsec.oauth2`` or from their modules here.
"""
