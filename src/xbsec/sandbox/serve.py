"""``xbsec sandbox serve``: the sandbox behind the gateway, on uvicorn.

One process (or ``workers`` processes) serving ``XBSGateway(SandboxApp)`` for a project made
by ``xbsec sandbox init``. Several processes share the SQLite file; with ``redis_url`` they
also share one replay store, so a replayed request is refused exactly once whichever
process receives it. ``GET /health`` answers without authentication (and says whether the
replay store answers).

The Balance APIs' authorization server (SPEC §6.4) answers under ``/oauth2/`` (the consent
page and the token endpoint, outside the gateway's request authentication) and
``/.well-known/`` (its RFC 8414 metadata; any other name there is a 404); its tokens, kept
in ``server/oauth2.db``, are what the gateway accepts on the Balance paths. Its issuer is
``external_url`` when given, else the URL the server listens on (``url``).

TLS: ``tls_cert`` and ``tls_key`` serve HTTPS; with ``client_ca`` a client certificate is
asked for and, when sent, must chain to that CA. The gateway then requires one from the
consumers the registry marks ``mtls`` (the PSD2 edges) and refuses them otherwise; the
token endpoint requires the very certificate the registry binds to the consumer
(``client_certificate_sha256`` or ``client_certificate_subject``).
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import ssl
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xbsec.errors import ConfigurationError

__all__ = ["ServeOptions", "app_from_environment", "build_app", "listening_url", "serve"]

_ENV = "XBSEC_SANDBOX_OPTIONS"
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """How to serve one project folder."""

    folder: str
    redis_url: str | None = None
    external_url: str | None = None
    """The scheme and host clients use, behind a proxy: the gateway's signed URLs and the
    authorization server's issuer."""
    url: str | None = None
    """The URL the server listens on (``serve`` fills it in): the issuer otherwise."""


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
    """Requests under ``prefixes`` to the authorization server; everything else (lifespan
    included) to the gateway."""

    def __init__(self, prefixes: tuple[str, ...], authorization: ASGIApp,
                 app: ASGIApp) -> None:
        self.prefixes = prefixes
        self.authorization = authorization
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(self.prefixes):
            await self.authorization(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _sandbox_accounts(partner_id: str) -> list[str]:
    from xbsec.sandbox.accounts import SETTLEMENT_CURRENCIES, account_id

    return [f"{account_id(partner_id, currency)} (settlement account, {currency})"
            for currency in SETTLEMENT_CURRENCIES]


def build_app(options: ServeOptions) -> ASGIApp:
    """The gateway in front of the sandbox, for a project folder."""
    from xbsec.policy import SecurityPolicy
    from xbsec.sandbox.app import create_sandbox_app
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
    issuer = options.external_url or options.url
    if issuer is None:
        raise ConfigurationError("the sandbox needs the URL clients reach it at (the "
                                 "authorization server's issuer): give external_url or url")
    settings = AuthorizationServerSettings(issuer=issuer, environment="sandbox")
    sandbox = create_sandbox_app(folder / "server" / "sandbox.db")
    tokens = AuthorizationStore(folder / "server" / "oauth2.db")
    authorization = AuthorizationServer(registry, tokens, accounts=_sandbox_accounts,
                                        settings=settings)
    gateway = XBSGateway(sandbox, registry, policy=SecurityPolicy.mastercard_compatible(),
                         replay_store=store, external_url=options.external_url,
                         environment="sandbox",
                         access_tokens=StoredAccessTokenValidator(tokens, registry=registry))
    return _Health(_AuthorizationMount(("/oauth2/", "/.well-known/"), authorization,
                                       gateway), store)


def app_from_environment() -> ASGIApp:
    """The app for uvicorn's workers (``factory=True``): options come from the environment."""
    raw = os.environ.get(_ENV)
    if not raw:
        raise ConfigurationError(f"{_ENV} is not set; start the sandbox with `xbsec sandbox "
                                 "serve`")
    return build_app(ServeOptions(**json.loads(raw)))


def listening_url(host: str, port: int, *, https: bool, have_external_url: bool) -> str | None:
    """``scheme://host:port`` of a server listening on ``host`` and ``port``.

    A wildcard address (``0.0.0.0``, ``::``) is reached on the loopback interface from this
    machine; port 0 has no URL before the system picks one, so it needs ``external_url``.
    """
    if port == 0:
        if have_external_url:
            return None
        raise ConfigurationError("--port 0 needs --external-url: the authorization server "
                                 "publishes its URL (the issuer) before the port is known")
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{'https' if https else 'http'}://{host}:{port}"


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
    if options.url is None:
        options = dataclasses.replace(options, url=listening_url(
            host, port, https=tls_cert is not None, have_external_url=bool(
                options.external_url)))
    build_app(options)  # fail here, in the parent, on a bad project or registry
    os.environ[_ENV] = json.dumps(dataclasses.asdict(options))
    uvicorn.run("xbsec.sandbox.serve:app_from_environment", factory=True, host=host,
                port=port, workers=workers, log_level=log_level,
                http=TLSExtensionH11Protocol,
                ssl_certfile=tls_cert, ssl_keyfile=tls_key, ssl_ca_certs=client_ca,
                ssl_cert_reqs=ssl.CERT_OPTIONAL if client_ca else ssl.CERT_NONE,
                access_log=False, server_header=False)
