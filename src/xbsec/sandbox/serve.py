"""``xbsec sandbox serve``: the sandbox behind the gateway, on uvicorn.

One process (or ``workers`` processes) serving ``XBSGateway(SandboxApp)`` for a project made
by ``xbsec sandbox init``. Several processes share the SQLite file; with ``redis_url`` they
also share one replay store, so a replayed request is refused exactly once whichever
process receives it. ``GET /health`` answers without authentication (and says whether the
replay store answers), and so does ``GET /openapi.json`` (the contract, to generate a client
from).

The Balance APIs' authorization server (SPEC §6.4) answers under ``/oauth2/`` (the consent
page and the token endpoint, outside the gateway's request authentication); its tokens,
kept in ``server/oauth2.db``, are what the gateway accepts on the Balance paths.

TLS: ``tls_cert`` and ``tls_key`` serve HTTPS; with ``client_ca`` a client certificate is
asked for and, when sent, must chain to that CA. The gateway then requires one from the
consumers the registry marks ``mtls`` (the PSD2 edges) and refuses them otherwise.
"""

from __future__ import annotations

import inspect
import json
import os
import ssl
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xbsec.errors import ConfigurationError

__all__ = ["ServeOptions", "app_from_environment", "build_app", "serve"]

_ENV = "XBSEC_SANDBOX_OPTIONS"
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """How to serve one project folder."""

    folder: str
    redis_url: str | None = None
    external_url: str | None = None


class _Health:
    """``GET /health`` without authentication; everything else to the gateway."""

    def __init__(self, app: ASGIApp, store: Any) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") == "/health":
            ping = getattr(self.store, "ping", None)
            result = True if ping is None else ping()
            store_ok = bool(await result) if inspect.isawaitable(result) else bool(result)
            body = json.dumps({"status": "ok" if store_ok else "degraded",
                               "replay_store": "ok" if store_ok else "unreachable"}).encode()
            await send({"type": "http.response.start", "status": 200 if store_ok else 503,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


class _AuthorizationMount:
    """Requests under ``prefix`` to the authorization server; everything else (lifespan
    included) to the gateway."""

    def __init__(self, prefix: str, authorization: ASGIApp, app: ASGIApp) -> None:
        self.prefix = prefix
        self.authorization = authorization
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(self.prefix):
            await self.authorization(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _sandbox_accounts(partner_id: str) -> list[str]:
    from xbsec.sandbox.accounts import ACCOUNTS

    return [f"{account_id} (settlement account, {currency})"
            for account_id, currency in ACCOUNTS.items()]


def build_app(options: ServeOptions) -> ASGIApp:
    """The gateway in front of the sandbox, for a project folder."""
    from xbsec.policy import SecurityPolicy
    from xbsec.sandbox.app import OPENAPI_PATH, create_sandbox_app
    from xbsec.sandbox.authorization_server import (
        AuthorizationServer,
        AuthorizationServerSettings,
        AuthorizationStore,
        StoredAccessTokenValidator,
    )
    from xbsec.server.gateway import XBSGateway
    from xbsec.server.registry import Registry

    folder = Path(options.folder)
    registry_file = folder / "server" / "registry.toml"
    if not registry_file.is_file():
        raise ConfigurationError(f"{folder} is not a sandbox project (no server/registry.toml);"
                                 " make one with `xbsec sandbox init --dir DIR`")
    registry = Registry.load(registry_file)
    store: Any = None
    if options.redis_url:
        from xbsec.stores.redis.replay import AsyncRedisReplayStore

        store = AsyncRedisReplayStore.from_url(options.redis_url)
    sandbox = create_sandbox_app(folder / "server" / "sandbox.db")
    tokens = AuthorizationStore(folder / "server" / "oauth2.db")
    authorization = AuthorizationServer(
        registry, tokens, accounts=_sandbox_accounts,
        settings=AuthorizationServerSettings(external_url=options.external_url,
                                             environment="sandbox"))
    gateway = XBSGateway(sandbox, registry, policy=SecurityPolicy.mastercard_compatible(),
                         replay_store=store, external_url=options.external_url,
                         environment="sandbox", exempt_paths=(OPENAPI_PATH,),
                         access_tokens=StoredAccessTokenValidator(tokens, registry=registry))
    return _Health(_AuthorizationMount("/oauth2/", authorization, gateway), store)


def app_from_environment() -> ASGIApp:
    """The app for uvicorn's workers (``factory=True``): options come from the environment."""
    raw = os.environ.get(_ENV)
    if not raw:
        raise ConfigurationError(f"{_ENV} is not set; start the sandbox with `xbsec sandbox "
                                 "serve`")
    return build_app(ServeOptions(**json.loads(raw)))


def serve(options: ServeOptions, *, host: str = "127.0.0.1", port: int = 8080,
          workers: int = 1, tls_cert: str | None = None, tls_key: str | None = None,
          client_ca: str | None = None, log_level: str = "info") -> None:
    """Run the sandbox until interrupted (blocking)."""
    import uvicorn

    from xbsec.server.uvicorn_tls import TLSExtensionH11Protocol

    if (tls_cert is None) != (tls_key is None):
        raise ConfigurationError("give --tls-cert and --tls-key together")
    if client_ca is not None and tls_cert is None:
        raise ConfigurationError("--client-ca needs --tls-cert and --tls-key")
    if workers < 1:
        raise ConfigurationError("--workers must be at least 1")
    build_app(options)  # fail here, in the parent, on a bad project or registry
    os.environ[_ENV] = json.dumps({"folder": str(options.folder),
                                   "redis_url": options.redis_url,
                                   "external_url": options.external_url})
    uvicorn.run("xbsec.sandbox.serve:app_from_environment", factory=True, host=host,
                port=port, workers=workers, log_level=log_level,
                http=TLSExtensionH11Protocol,
                ssl_certfile=tls_cert, ssl_keyfile=tls_key, ssl_ca_certs=client_ca,
                ssl_cert_reqs=ssl.CERT_OPTIONAL if client_ca else ssl.CERT_NONE,
                access_log=False, server_header=False)
