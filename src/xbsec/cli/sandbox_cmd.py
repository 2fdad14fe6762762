"""``xbsec sandbox init | serve``: a local XBS sandbox behind the gateway."""

from __future__ import annotations

import json

import click

from xbsec.cli.options import handle_errors


@click.group("sandbox")
def sandbox_group() -> None:
    """Make a test project and serve the local XBS sandbox behind the gateway."""


@sandbox_group.command("init")
@click.option("--dir", "folder", required=True, type=click.Path(file_okay=False),
              help="An empty (or new) folder for the project.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535),
              help="The port the profile's base URL points at.")
@click.option("--auth", type=click.Choice(["oauth1", "request-token"]), default="oauth1",
              show_default=True, help="OAuth 1.0a, or request tokens (an MTS EU customer).")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty.")
@click.option("--days", type=click.IntRange(1, 3650), default=365, show_default=True,
              help="How long the certificates are valid (a few days: to test expiry).")
@click.option("--webhook-url", metavar="URL",
              help="Where the sandbox pushes notifications (https://HOST:PORT/PATH, mutual "
                   "TLS); without it, nothing is pushed.")
@click.option("--json", "as_json", is_flag=True, help="Print what was made as JSON.")
@handle_errors
def sandbox_init(folder: str, port: int, auth: str, force: bool, days: int,
                 webhook_url: str | None, as_json: bool) -> None:
    """Create keys, a client profile and a sandbox registry for one test partner."""
    from xbsec.sandbox.project import init_project

    project = init_project(folder, port=port, auth=auth, force=force, days=days,
                           webhook_url=webhook_url)
    made = project.to_dict()
    if as_json:
        click.echo(json.dumps(made, indent=2))
        return
    click.echo(f"made a sandbox project in {folder}")
    for name in ("profile", "registry", "partner_id", "signing_p12", "client_encryption_cert",
                 "mastercard_encryption_key", "webhook_client_ca", "webhook_server_cert",
                 "webhook_url"):
        click.echo(f"  {name:<26} {made[name] or '(none: no pushes)'}")
    click.echo(f"next: xbsec sandbox serve --dir {folder} --port {port}")
    if webhook_url:
        click.echo(f"and:  xbsec webhooks listen --dir {folder}")


@sandbox_group.command("serve")
@click.option("--dir", "folder", required=True, type=click.Path(file_okay=False, exists=True),
              help="A project made by `xbsec sandbox init`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535),
              help="The port to listen on  [default: the one `init --port` chose]")
@click.option("--redis", "redis_url", metavar="URL", envvar="XBSEC_REDIS_URL",
              help="Share replay claims and quotas with other hosts (redis://host:port/db, "
                   "redis+cluster://host:port,host:port, redis+sentinel://host:port/service; "
                   "rediss for TLS). "
                   "A URL with a password goes in $XBSEC_REDIS_URL or --redis-url-file, "
                   "never on the command line.")
@click.option("--redis-url-file", type=click.Path(dir_okay=False, exists=True),
              help="A file holding the Redis URL (its first line).")
@click.option("--redis-checks", type=click.Choice(["refuse", "warn"]), default="refuse",
              show_default=True,
              help="A Redis that can lose keys (eviction policy, no persistence): refuse to "
                   "start, or warn.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving together (they share the project's SQLite stores).")
@click.option("--tls-cert", type=click.Path(dir_okay=False, exists=True),
              help="Serve HTTPS with this certificate (PEM).")
@click.option("--tls-key", type=click.Path(dir_okay=False, exists=True),
              help="The private key of --tls-cert (PEM).")
@click.option("--client-ca", type=click.Path(dir_okay=False, exists=True),
              help="Ask for client certificates signed by this CA (mutual TLS).")
@click.option("--external-url", "external_urls", metavar="URL", multiple=True,
              help="The scheme and host clients use, when it is not the URL served (behind "
                   "a proxy): the URL they sign for, and the authorization server's issuer "
                   "(the first one); repeat for several names.")
@click.option("--rate-limit", default=100.0, show_default=True, type=click.FloatRange(min=0),
              help="Requests per second per consumer (0: no quota); over it, 429.")
@click.option("--rate-burst", type=click.IntRange(min=1),
              help="Requests per consumer at once above the rate  [default: twice the rate]")
@click.option("--header-timeout", default=60.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="Seconds a client has to send a request's head.")
@click.option("--body-timeout", default=60.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="Seconds a client may pause while sending a body.")
@click.option("--max-connections", default=1000, show_default=True,
              type=click.IntRange(min=1), help="Open connections per process.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              help="The least severe log lines written.")
@click.option("--log-format", default="text", show_default=True,
              type=click.Choice(["text", "json"]), help="One line per request, as text or JSON.")
@click.option("--inspector/--no-inspector", default=None,
              help="Show every request, check by check, under /_inspector/ (its URL and "
                   "token are printed)  [default: on for a loopback --host, else off]")
@handle_errors
def sandbox_serve(folder: str, host: str, port: int | None, redis_url: str | None,
                  redis_url_file: str | None, redis_checks: str, workers: int,
                  tls_cert: str | None, tls_key: str | None, client_ca: str | None,
                  external_urls: tuple[str, ...], rate_limit: float, rate_burst: int | None,
                  header_timeout: float, body_timeout: float, max_connections: int,
                  log_level: str, log_format: str, inspector: bool | None) -> None:
    """Serve the sandbox behind the gateway until interrupted."""
    from xbsec.sandbox.serve import ServeOptions, serve

    redis_url = _redis_url(redis_url, redis_url_file)
    serve(ServeOptions(folder, redis_url, external_urls or None,
                       rate_limit=rate_limit or None, rate_burst=rate_burst,
                       redis_checks=redis_checks,  # type: ignore[arg-type]
                       log_level=log_level, log_format=log_format),
          host=host, port=port, workers=workers, tls_cert=tls_cert, tls_key=tls_key,
          client_ca=client_ca, header_timeout=header_timeout, body_timeout=body_timeout,
          max_connections=max_connections, inspector=inspector)


def _redis_url(given: str | None, file: str | None) -> str | None:
    """The Redis URL, from the option, $XBSEC_REDIS_URL or a file; never a password from the
    command line, where every user of the machine can read it (``ps``)."""
    from click.core import ParameterSource

    from xbsec.errors import ConfigurationError
    from xbsec.stores.redis.connection import has_credentials

    if file is not None:
        if given is not None:
            raise ConfigurationError("give --redis or --redis-url-file, not both")
        try:
            with open(file, encoding="utf-8") as stream:
                given = stream.readline().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{file}: cannot be read: {exc}") from None
        if not given:
            raise ConfigurationError(f"{file}: holds no Redis URL")
        return given
    source = click.get_current_context().get_parameter_source("redis_url")
    if given is not None and source == ParameterSource.COMMANDLINE and has_credentials(given):
        raise ConfigurationError(
            "--redis holds a password, which every user of this machine can read in the "
            "process list: put the URL in $XBSEC_REDIS_URL or in a file (--redis-url-file)")
    return given


@sandbox_group.command("openapi")
@click.option("--server", "server_url", metavar="URL",
              help="Put this URL first in the document's servers (e.g. the sandbox's own).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@handle_errors
def sandbox_openapi(server_url: str | None, output: str | None) -> None:
    """Print the XBS contract (OpenAPI 3.1 JSON) the sandbox serves at /openapi.json.

    Generate a client from it with OpenAPI Generator and point it at the sandbox.
    """
    from xbsec.contract import document, document_bytes

    if server_url is None:
        text = document_bytes()
    else:
        import json

        contract = document()
        contract["servers"] = [{"url": server_url, "description": "Given to xbsec sandbox "
                                "openapi --server."}, *contract.get("servers", [])]
        text = (json.dumps(contract, indent=2, ensure_ascii=False) + "\n").encode()
    if output is None:
        click.echo(text.decode("utf-8"), nl=False)
    else:
        with open(output, "wb") as sink:
            sink.write(text)
