"""``xbsec webhooks listen``: a local receiver of the sandbox's push notifications.

It serves ``xbsec.webhooks.WebhookApp`` on uvicorn with the project's TLS files (made by
``xbsec sandbox init``): the server certificate ``webhook-server.pem``, and mutual TLS
required, with client certificates of ``webhook-client-ca.pem`` (the test "Mastercard
client CA"); encrypted pushes are decrypted with the profile's Mastercard-encryption keys.

Standard output gets one JSON line per delivery answered 200::

    {"eventRef": "...", "type": "statusChange", "duplicate": false, "payload": {...}}

(``duplicate``: the event was handled by an earlier delivery, of this process or of one
sharing its store). A delivery answered otherwise (``--fail-first``, a refused push) is a
JSON line on standard error: ``{"eventRef", "type", "status", "reason"}``.
``--fail-first N`` answers 500 to the first N deliveries of each event, as a handler that
fails would, so that the sender's retries can be watched.
"""

from __future__ import annotations

import json
import logging
import ssl
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from xbsec.cli.options import handle_errors


@click.group("webhooks")
def webhooks_group() -> None:
    """Receive XBS push notifications locally (the sandbox's, over mutual TLS)."""


class _FailFirst(Exception):
    """The first deliveries of an event fail on purpose (--fail-first)."""


def _decryption_keys(folder: Path) -> Any:
    from xbsec.profile import load_profile

    profile = load_profile(path=folder / "xbsec.toml", environ={})
    keys = profile.keys
    return keys.decryption_keys_by_kid() or keys.mastercard_encryption_keys or None


def _project_port(folder: Path) -> int | None:
    from urllib.parse import urlsplit

    from xbsec.sandbox.push_settings import PushSettings

    settings = PushSettings.load(folder / "server")
    if settings is None or settings.url is None:
        return None
    return urlsplit(settings.url).port or 443


def _store(redis_url: str | None, store_file: str | None) -> Any:
    from xbsec.errors import ConfigurationError

    if redis_url and store_file:
        raise ConfigurationError("give --redis or --store-file, not both")
    if redis_url:
        from xbsec.stores.redis.events import AsyncRedisEventStore

        return AsyncRedisEventStore.from_url(redis_url)
    if store_file:
        from xbsec.stores.sqlite import SQLiteEventStore

        return SQLiteEventStore(store_file)
    return None


def _printer(fail_first: int) -> tuple[Any, Any]:
    """The handler (failing the first deliveries of each event) and the observer (printing
    each delivery)."""
    failures: Counter[str] = Counter()

    def handle(event: Any) -> None:
        failures[event.event_ref] += 1
        if failures[event.event_ref] <= fail_first:
            raise _FailFirst

    def observe(delivery: Any) -> None:
        event = delivery.event
        if delivery.status == 200 and event is not None:
            line = {"eventRef": event.event_ref, "type": event.kind,
                    "duplicate": delivery.duplicate, "payload": event.payload}
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            return
        line = {"eventRef": None if event is None else event.event_ref,
                "type": None if event is None else event.kind,
                "status": delivery.status,
                "reason": "FAIL_FIRST" if delivery.reason == "HANDLER_FAILED" and fail_first
                else delivery.reason}
        sys.stderr.write(json.dumps(line) + "\n")
        sys.stderr.flush()

    return handle, observe


@webhooks_group.command("listen")
@click.option("--dir", "folder", required=True, type=click.Path(file_okay=False, exists=True),
              help="A project made by `xbsec sandbox init`.")
@click.option("--port", type=click.IntRange(1, 65535),
              help="The port to listen on  [default: the one of the project's webhook URL]")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--fail-first", default=0, show_default=True, type=click.IntRange(min=0),
              help="Answer 500 to the first N deliveries of each event (to watch retries).")
@click.option("--redis", "redis_url", metavar="URL",
              help="Remember handled events in Redis, shared with other receivers "
                   "(redis://host:port/db).")
@click.option("--store-file", type=click.Path(dir_okay=False),
              help="Remember handled events in this SQLite file (shared on this host).")
@handle_errors
def listen(folder: str, port: int | None, host: str, fail_first: int, redis_url: str | None,
           store_file: str | None) -> None:
    """Receive the project's push notifications; print one JSON line per delivery."""
    from xbsec.errors import ConfigurationError

    project = Path(folder)
    port = port or _project_port(project)
    if port is None:
        raise ConfigurationError("the project names no webhook URL: give --port")
    handle, observe = _printer(fail_first)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    # The deliberate failures are not worth an error line each.
    logging.getLogger("xbsec.webhooks").setLevel(logging.CRITICAL if fail_first
                                                 else logging.WARNING)
    config = listener_config(project, host, port, handle, observer=observe,
                             store=_store(redis_url, store_file))
    _serve(config, f"https://{host}:{port}")


def listener_config(project: Path, host: str, port: int, handler: Any, *,
                    observer: Any = None, store: Any = None) -> Any:
    """uvicorn's configuration of a receiver for a project's pushes: its server
    certificate, mutual TLS required with its client CA, its decryption keys."""
    import uvicorn

    from xbsec.errors import ConfigurationError
    from xbsec.server.uvicorn_tls import TLSExtensionH11Protocol
    from xbsec.webhooks import AsyncWebhookReceiver, WebhookApp

    files = {name: project / name for name in ("webhook-server.pem", "webhook-server-key.pem",
                                               "webhook-client-ca.pem")}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise ConfigurationError(f"{project} has no push TLS files ({', '.join(missing)}); "
                                 "make the project with a current `xbsec sandbox init`")
    receiver = AsyncWebhookReceiver(handler, client_ca=files["webhook-client-ca.pem"],
                                    decryption_keys=_decryption_keys(project), store=store,
                                    observer=observer)
    return uvicorn.Config(WebhookApp(receiver), host=host, port=port,
                          ssl_certfile=str(files["webhook-server.pem"]),
                          ssl_keyfile=str(files["webhook-server-key.pem"]),
                          ssl_ca_certs=str(files["webhook-client-ca.pem"]),
                          ssl_cert_reqs=ssl.CERT_REQUIRED, http=TLSExtensionH11Protocol,
                          lifespan="on", log_config=None, log_level="warning",
                          access_log=False, server_header=False)


def _serve(config: Any, url: str) -> None:
    """uvicorn's server, saying on standard error when it listens."""
    import uvicorn

    class Announcing(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                click.echo(f"listening on {url} (mutual TLS); Ctrl-C to stop", err=True)

    server = Announcing(config)
    server.run()
    if not server.started:
        raise SystemExit(1)
