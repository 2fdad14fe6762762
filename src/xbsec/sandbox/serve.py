"""``xbsec sandbox serve``: the sandbox behind the gateway, on uvicorn.

One process (or ``workers`` processes) serving ``XBSGateway(SandboxApp)`` for a project made
by ``xbsec sandbox init``. What the processes share:

- the SQLite business database (``server/sandbox.db``);
- the replay claims and the quota buckets: in ``server/gateway.db`` (SQLite, shared by the
  processes of this host, kept across restarts) or, with ``redis_url``, in Redis (shared
  by several hosts). A replayed request is refused once per consumer, whichever process
  receives it; a Redis that can lose keys is refused at start-up (or warned about).

The URL clients use is ``external_url`` when given (behind a proxy), else the URL ``serve``
listens on (``url``), else the project's own (``base_url`` of its profile, which
``init --port`` wrote; ``serve`` listens on that port unless told another). It is what
requests are signed for (never the request's ``Host`` header) and the authorization
server's issuer.

``GET /health`` answers without authentication: a claim round trip in the replay store, a
write to the database, and what the start-up checks warned about. ``GET /openapi.json``
(the contract, to generate a client from) needs no authentication either. The Balance APIs'
authorization server (SPEC §6.4) answers under ``/oauth2/`` (the consent page and the token
endpoint, outside the gateway's request authentication) and ``/.well-known/`` (its RFC 8414
metadata; any other name there is a 404); its tokens, kept in ``server/oauth2.db``, are
what the gateway accepts on the Balance paths.

TLS: ``tls_cert`` and ``tls_key`` serve HTTPS; with ``client_ca`` a client certificate is
asked for and, when sent, must chain to that CA; the gateway and the token endpoint then
require, from the consumers the registry marks ``mtls``, the certificate the registry binds
to them (``client_certificate_sha256`` or ``client_certificate_subject``).

Every connection has a header deadline, a body deadline and a place under a cap
(``xbsec.server.connection_guard``); every request, one structured log line.

Push notifications: when the project's ``server/webhooks.toml`` names a webhook URL, each
process runs a push sender (``xbsec.sandbox.push_delivery``) from the application's start
to its end, sending the outbox of the shared database to that URL over mutual TLS.

The inspector (``xbsec.sandbox.inspector``), with ``inspector_token``: every request the
gateway answers, check by check, with its documents, kept in ``server/inspector.db`` and
shown under ``/_inspector/`` to whoever holds the token. ``serve`` turns it on when it
listens on a loopback address (elsewhere only when asked) and prints its URL.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import ssl
import threading
import tomllib
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from xbsec.errors import ConfigurationError
from xbsec.policy import StoreDurability

__all__ = ["DEFAULT_RATE_LIMIT", "ServeOptions", "app_from_environment", "build_app",
           "is_loopback", "listening_url", "project_url", "serve"]

_ENV: Final = "XBSEC_SANDBOX_OPTIONS"
DEFAULT_RATE_LIMIT: Final = 100.0
"""Requests per second per consumer (burst: twice as many): generous for a sandbox, and a
flood still gets its 429s."""
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
_log = logging.getLogger("xbsec.sandbox.serve")


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """How to serve one project folder (what ``serve`` hands to every worker)."""

    folder: str
    redis_url: str | None = None
    external_url: tuple[str, ...] | str | None = None
    """The scheme and host clients use, behind a proxy (one, or several names): what they
    sign for, and the issuer (the first)."""
    url: str | None = None
    """The URL the server listens on (``serve`` fills it in); without either, the project's
    ``base_url``."""
    rate_limit: float | None = DEFAULT_RATE_LIMIT
    """Requests per second per consumer; ``None``: no quota."""
    rate_burst: int | None = None
    redis_checks: StoreDurability = "refuse"
    log_level: str = "info"
    log_format: str = "text"
    inspector_token: str | None = None
    """The inspector's per-run token; ``None``: no inspector."""


def project_url(folder: str | os.PathLike[str]) -> str | None:
    """The ``base_url`` the project's own profile points at (``init --port`` wrote it)."""
    try:
        data = tomllib.loads((Path(folder) / "xbsec.toml").read_text(encoding="utf-8"))
        profile = data["profiles"][data.get("default", "sandbox")]
        url = profile.get("base_url")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return None
    return url if isinstance(url, str) else None


def _with_loopback_names(url: str) -> list[str]:
    """``url`` and, for a loopback host, its other name (127.0.0.1 and localhost)."""
    parts = urlsplit(url)
    names = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}
    if parts.hostname in names:
        port = f":{parts.port}" if parts.port else ""
        return [url, f"{parts.scheme}://{names[parts.hostname]}{port}"]
    return [url]


def _external_urls(options: ServeOptions) -> tuple[str, ...]:
    """The URLs clients use, the issuer first."""
    if options.external_url:
        given = options.external_url
        return (given,) if isinstance(given, str) else tuple(given)
    url = options.url or project_url(options.folder)
    if url is None:
        raise ConfigurationError(
            f"{options.folder}: its xbsec.toml names no base_url, so the sandbox cannot tell "
            "the URL clients reach it at (what they sign for, the authorization server's "
            "issuer): give --external-url")
    return tuple(_with_loopback_names(url.rstrip("/")))


class _Health:
    """``GET /health`` without authentication; everything else to the gateway.

    What a request needs, tried for real: a claim round trip in the replay store and a
    write to the sandbox's database. 200 when both work, 503 otherwise; ``warnings`` lists
    what the start-up checks found and let through.
    """

    def __init__(self, app: ASGIApp, *, store: Any, database: Any, gateway: Any) -> None:
        self.app = app
        self.store = store
        self.database = database
        self.gateway = gateway

    async def _replay_store(self) -> str:
        try:
            claimed = self.store.claim(f"health:{uuid.uuid4().hex}", 1)
            claimed = await claimed if inspect.isawaitable(claimed) else claimed
        except Exception as exc:
            _log.error("health: the replay store cannot answer: %s", exc)
            return "unreachable"
        return "ok" if claimed is True else "unreachable"

    def _database(self) -> str:
        try:
            self.database.heartbeat()
        except Exception as exc:
            _log.error("health: the sandbox database cannot be written: %s", exc)
            return "unavailable"
        return "ok"

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") == "/health":
            import anyio.to_thread

            store = await self._replay_store()
            database = await anyio.to_thread.run_sync(self._database)
            healthy = store == "ok" and database == "ok"
            body = json.dumps({"status": "ok" if healthy else "degraded",
                               "replay_store": store, "database": database,
                               "warnings": list(self.gateway.startup_warnings)}).encode()
            await send({"type": "http.response.start", "status": 200 if healthy else 503,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


class _Pushing:
    """Runs the push sender while the application runs (ASGI lifespan)."""

    def __init__(self, app: ASGIApp, sender: Any) -> None:
        self.app = app
        self.sender = sender

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        import anyio.to_thread

        async def watched() -> Any:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.sender.start()
            elif message["type"] == "lifespan.shutdown":
                await anyio.to_thread.run_sync(self.sender.stop)
            return message

        await self.app(scope, watched, send)


def _encryption_certificate(registry: Any) -> Any:
    """The partner's Mastercard-encryption certificate, as the registry names it now."""

    def find(partner_id: str) -> Any:
        for consumer in registry:
            if (partner_id in consumer.partner_ids
                    and consumer.mastercard_encryption_certificate is not None):
                return consumer.mastercard_encryption_certificate
        return None

    return find


def _partners(registry: Any) -> Any:
    return lambda: {partner for consumer in registry for partner in consumer.partner_ids}


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
    from xbsec.sandbox.accounts import ACCOUNTS

    return [f"{account_id} (settlement account, {currency})"
            for account_id, currency in ACCOUNTS.items()]


def _stores(options: ServeOptions, server: Path) -> tuple[Any, Any]:
    """The replay store and the quota store every process of this sandbox shares."""
    if options.redis_url:
        from xbsec.stores.redis.rates import AsyncRedisRateStore
        from xbsec.stores.redis.replay import AsyncRedisReplayStore

        return (AsyncRedisReplayStore.from_url(options.redis_url),
                AsyncRedisRateStore.from_url(options.redis_url))
    from xbsec.stores.sqlite import SQLiteRateStore, SQLiteReplayStore

    # "normal": in WAL mode a commit survives the process being killed; a sandbox needs no
    # more, and each request is spared two disk flushes.
    database = server / "gateway.db"
    return (SQLiteReplayStore(database, durability="normal"),
            SQLiteRateStore(database, durability="normal"))


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
    from xbsec.sandbox.push_settings import PushSettings
    from xbsec.server.gateway import XBSGateway
    from xbsec.server.registry import WatchedRegistry

    folder = Path(options.folder)
    server = folder / "server"
    registry_file = server / "registry.toml"
    if not registry_file.is_file():
        raise ConfigurationError(f"{folder} is not a sandbox project (no server/registry.toml);"
                                 " make one with `xbsec sandbox init --dir DIR`")
    # Read again when it changes: `xbsec sandbox keys` rotates keys under a running sandbox.
    registry = WatchedRegistry(registry_file)
    external = _external_urls(options)
    replay_store, rate_store = _stores(options, server)
    pushing = PushSettings.load(server)
    wake = threading.Event()
    sandbox = create_sandbox_app(server / "sandbox.db", pushes=wake.set
                                 if pushing is not None and pushing.enabled else None)
    tokens = AuthorizationStore(server / "oauth2.db")
    authorization = AuthorizationServer(
        registry, tokens, accounts=_sandbox_accounts,
        settings=AuthorizationServerSettings(issuer=external[0], environment="sandbox"))
    policy = SecurityPolicy.mastercard_compatible().replace(
        rate_limit_per_second=options.rate_limit, rate_limit_burst=options.rate_burst,
        replay_store_durability=options.redis_checks)
    recorder = None
    if options.inspector_token:
        from xbsec.sandbox.inspector.recorder import Recorder
        from xbsec.sandbox.inspector.store import InspectorStore

        recorder = Recorder(InspectorStore(server / "inspector.db"))
    # Documents for the inspector: this is a sandbox, on test keys.
    gateway = XBSGateway(sandbox, registry, policy=policy, replay_store=replay_store,
                         rate_store=rate_store, external_url=external, environment="sandbox",
                         exempt_paths=(OPENAPI_PATH,),
                         access_tokens=StoredAccessTokenValidator(tokens, registry=registry),
                         observer=recorder, observe_documents=recorder is not None)
    app: ASGIApp = _Health(_AuthorizationMount(("/oauth2/", "/.well-known/"), authorization,
                                               gateway),
                           store=replay_store, database=sandbox.store, gateway=gateway)
    if recorder is not None and options.inspector_token:
        from xbsec.sandbox.inspector.page import InspectorMount, InspectorPage

        app = InspectorMount(InspectorPage(recorder.store, options.inspector_token,
                                           folder=folder), app, recorder=recorder)
    if sandbox.pushes is not None and pushing is not None:
        from xbsec.sandbox.push_delivery import PushSender

        app = _Pushing(app, PushSender(sandbox.store, pushing,
                                       encryption_certificate=_encryption_certificate(registry),
                                       partners=_partners(registry), wake=wake))
    return app


def app_from_environment() -> ASGIApp:
    """The app for uvicorn's workers (``factory=True``): options come from the environment."""
    from xbsec.server.access_log import configure_logging

    raw = os.environ.get(_ENV)
    if not raw:
        raise ConfigurationError(f"{_ENV} is not set; start the sandbox with `xbsec sandbox "
                                 "serve`")
    values = json.loads(raw)
    if isinstance(values.get("external_url"), list):
        values["external_url"] = tuple(values["external_url"])
    options = ServeOptions(**values)
    configure_logging(options.log_level, options.log_format)  # type: ignore[arg-type]
    return build_app(options)


def listening_url(host: str, port: int, *, https: bool, have_external_url: bool) -> str | None:
    """``scheme://host:port`` of a server listening on ``host`` and ``port``.

    A wildcard address (``0.0.0.0``, ``::``) is reached on the loopback interface from this
    machine (clients elsewhere need ``external_url``); port 0 has no URL before the system
    picks one, so it needs ``external_url``.
    """
    if port == 0:
        if have_external_url:
            return None
        raise ConfigurationError("--port 0 needs --external-url: requests are signed for the "
                                 "URL, and the authorization server publishes it (the issuer) "
                                 "before the port is known")
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{'https' if https else 'http'}://{host}:{port}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address, or ``localhost``) is reached from this machine only."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_port_free(host: str, port: int) -> None:
    """Say so, and which option changes it, when the port is taken (uvicorn would exit 3)."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigurationError(
                    f"{host}:{port} is already in use (another sandbox?): stop it, or serve "
                    "on another port with --port") from None
            raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(options: ServeOptions, *, host: str = "127.0.0.1", port: int | None = None,
          workers: int = 1, tls_cert: str | None = None, tls_key: str | None = None,
          client_ca: str | None = None, header_timeout: float = 60.0,
          body_timeout: float = 60.0, max_connections: int = 1000,
          inspector: bool | None = None) -> None:
    """Run the sandbox until interrupted (blocking).

    ``inspector``: serve the inspector under ``/_inspector/``; ``None``, when ``host`` is a
    loopback address. Its URL, with a token made for this run, is printed on standard
    output.
    """
    import uvicorn

    from xbsec.server.access_log import configure_logging
    from xbsec.server.connection_guard import (
        PROTOCOL,
        ConnectionLimits,
        raise_file_limit,
        use_limits,
    )

    if (tls_cert is None) != (tls_key is None):
        raise ConfigurationError("give --tls-cert and --tls-key together")
    if client_ca is not None and tls_cert is None:
        raise ConfigurationError("--client-ca needs --tls-cert and --tls-key")
    if workers < 1:
        raise ConfigurationError("--workers must be at least 1")
    configure_logging(options.log_level, options.log_format)  # type: ignore[arg-type]
    if port is None:
        known = project_url(options.folder)
        port = urlsplit(known).port if known else None
        port = port or 8080
    if options.url is None:
        options = ServeOptions(**{**asdict(options), "url": listening_url(
            host, port, https=tls_cert is not None,
            have_external_url=bool(options.external_url))})
    # Descriptors for the connections, the databases and the workers' pipes.
    limit = raise_file_limit(max_connections + 256)
    limits = ConnectionLimits(header_timeout, body_timeout,
                              max(1, min(max_connections, limit - 128)))
    use_limits(limits)
    if inspector is None:
        inspector = is_loopback(host)
    if inspector and options.inspector_token is None:
        import secrets

        options = ServeOptions(**{**asdict(options),
                                  "inspector_token": secrets.token_urlsafe(24)})
    elif not inspector:
        options = ServeOptions(**{**asdict(options), "inspector_token": None})
    build_app(options)  # fail here, in the parent, on a bad project, registry or store
    _check_port_free(host, port)
    os.environ[_ENV] = json.dumps(asdict(options))
    shown = _external_urls(options)[0]
    _log.info("serving %s on %s:%d (%d worker%s); clients sign for %s", options.folder, host,
              port, workers, "" if workers == 1 else "s", shown)
    if options.inspector_token:
        if not is_loopback(host):
            _log.warning("the inspector is served on %s, beyond this machine: whoever holds "
                         "its URL sees every request and its documents", host)
        page = (options.url or shown).rstrip("/")
        print(f"inspector: {page}/_inspector/?token={options.inspector_token}", flush=True)
    uvicorn.run("xbsec.sandbox.serve:app_from_environment", factory=True, host=host,
                port=port, workers=workers, log_config=None, http=PROTOCOL,
                ssl_certfile=tls_cert, ssl_keyfile=tls_key, ssl_ca_certs=client_ca,
                ssl_cert_reqs=ssl.CERT_OPTIONAL if client_ca else ssl.CERT_NONE,
                access_log=False, server_header=False, proxy_headers=False)
