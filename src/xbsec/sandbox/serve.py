"""``xbsec sandbox serve``: the sandbox behind the gateway, on uvicorn.

One process (or ``workers`` processes) serving ``XBSGateway(SandboxApp)`` for a project made
by ``xbsec sandbox init``. What the processes share:

- the SQLite business database (``server/sandbox.db``);
- the replay claims and the quota buckets: in ``server/gateway.db`` (SQLite, shared by the
  processes of this host, kept across restarts) or, with ``redis_url``, in Redis (shared
  by several hosts). A replayed request is refused once per consumer, whichever process
  receives it; a Redis that can lose keys is refused at start-up (or warned about).

The signed URL is the project's (``base_url`` of its profile, which ``init --port`` wrote),
or what ``external_url`` says: never the request's ``Host`` header. ``serve`` listens on
that URL's port unless told another, and prints the URL.

``GET /health`` answers without authentication: a claim round trip in the replay store, a
write to the database, and what the start-up checks warned about. The Balance APIs'
authorization server (SPEC §6.4) answers under ``/oauth2/``; its tokens, kept in
``server/oauth2.db``, are what the gateway accepts on the Balance paths.

TLS: ``tls_cert`` and ``tls_key`` serve HTTPS; with ``client_ca`` a client certificate is
asked for and, when sent, must chain to that CA; the gateway then requires, from the
consumers the registry marks ``mtls``, the certificates the registry binds to them.

Every connection has a header deadline, a body deadline and a place under a cap
(``xbsec.server.connection_guard``); every request, one structured log line.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import ssl
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
           "project_url", "serve"]

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
    """The scheme and host clients sign for; ``None``: the project's ``base_url``."""
    rate_limit: float | None = DEFAULT_RATE_LIMIT
    """Requests per second per consumer; ``None``: no quota."""
    rate_burst: int | None = None
    redis_checks: StoreDurability = "refuse"
    log_level: str = "info"
    log_format: str = "text"


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
    if options.external_url:
        given = options.external_url
        return (given,) if isinstance(given, str) else tuple(given)
    url = project_url(options.folder)
    if url is None:
        raise ConfigurationError(f"{options.folder}: its xbsec.toml names no base_url; give "
                                 "--external-url (the URL clients sign for)")
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
    from xbsec.sandbox.accounts import SETTLEMENT_CURRENCIES, account_id

    return [f"{account_id(partner_id, currency)} (settlement account, {currency})"
            for currency in SETTLEMENT_CURRENCIES]


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
    server = folder / "server"
    registry_file = server / "registry.toml"
    if not registry_file.is_file():
        raise ConfigurationError(f"{folder} is not a sandbox project (no server/registry.toml);"
                                 " make one with `xbsec sandbox init --dir DIR`")
    registry = Registry.load(registry_file)
    external = _external_urls(options)
    replay_store, rate_store = _stores(options, server)
    sandbox = create_sandbox_app(server / "sandbox.db")
    tokens = AuthorizationStore(server / "oauth2.db")
    authorization = AuthorizationServer(
        registry, tokens, accounts=_sandbox_accounts,
        settings=AuthorizationServerSettings(external_url=external[0],
                                             environment="sandbox"))
    policy = SecurityPolicy.mastercard_compatible().replace(
        rate_limit_per_second=options.rate_limit, rate_limit_burst=options.rate_burst,
        replay_store_durability=options.redis_checks)
    gateway = XBSGateway(sandbox, registry, policy=policy, replay_store=replay_store,
                         rate_store=rate_store, external_url=external, environment="sandbox",
                         access_tokens=StoredAccessTokenValidator(tokens, registry=registry))
    return _Health(_AuthorizationMount("/oauth2/", authorization, gateway),
                   store=replay_store, database=sandbox.store, gateway=gateway)


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


def _listen_url(host: str, port: int, tls: bool) -> str:
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - recognising it, not binding it
        raise ConfigurationError(f"listening on every interface ({host!r}), serve cannot tell "
                                 "which URL clients sign for: give --external-url")
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def serve(options: ServeOptions, *, host: str = "127.0.0.1", port: int | None = None,
          workers: int = 1, tls_cert: str | None = None, tls_key: str | None = None,
          client_ca: str | None = None, header_timeout: float = 60.0,
          body_timeout: float = 60.0, max_connections: int = 1000) -> None:
    """Run the sandbox until interrupted (blocking)."""
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
    if options.external_url is None:
        listen = _listen_url(host, port, tls_cert is not None)
        options = ServeOptions(**{**asdict(options),
                                  "external_url": tuple(_with_loopback_names(listen))})
    # Descriptors for the connections, the databases and the workers' pipes.
    limit = raise_file_limit(max_connections + 256)
    limits = ConnectionLimits(header_timeout, body_timeout,
                              max(1, min(max_connections, limit - 128)))
    use_limits(limits)
    build_app(options)  # fail here, in the parent, on a bad project, registry or store
    os.environ[_ENV] = json.dumps(asdict(options))
    external = options.external_url
    shown = external if isinstance(external, str) else (external or ("?",))[0]
    _log.info("serving %s on %s:%d (%d worker%s); clients sign for %s", options.folder, host,
              port, workers, "" if workers == 1 else "s", shown)
    uvicorn.run("xbsec.sandbox.serve:app_from_environment", factory=True, host=host,
                port=port, workers=workers, log_config=None, http=PROTOCOL,
                ssl_certfile=tls_cert, ssl_keyfile=tls_key, ssl_ca_certs=client_ca,
                ssl_cert_reqs=ssl.CERT_OPTIONAL if client_ca else ssl.CERT_NONE,
                access_log=False, server_header=False, proxy_headers=False)
