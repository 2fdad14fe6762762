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
@click.option("--json", "as_json", is_flag=True, help="Print what was made as JSON.")
@handle_errors
def sandbox_init(folder: str, port: int, auth: str, force: bool, as_json: bool) -> None:
    """Create keys, a client profile and a sandbox registry for one test partner."""
    from xbsec.sandbox.project import init_project

    project = init_project(folder, port=port, auth=auth, force=force)
    made = project.to_dict()
    if as_json:
        click.echo(json.dumps(made, indent=2))
        return
    click.echo(f"made a sandbox project in {folder}")
    for name in ("profile", "registry", "partner_id", "signing_p12", "client_encryption_cert",
                 "mastercard_encryption_key"):
        click.echo(f"  {name:<26} {made[name]}")
    click.echo(f"next: xbsec sandbox serve --dir {folder} --port {port}")


@sandbox_group.command("serve")
@click.option("--dir", "folder", required=True, type=click.Path(file_okay=False, exists=True),
              help="A project made by `xbsec sandbox init`.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--redis", "redis_url", metavar="URL",
              help="Share the replay store between processes (redis://host:port/db).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--tls-cert", type=click.Path(dir_okay=False, exists=True))
@click.option("--tls-key", type=click.Path(dir_okay=False, exists=True))
@click.option("--client-ca", type=click.Path(dir_okay=False, exists=True),
              help="Ask for client certificates signed by this CA (mutual TLS).")
@click.option("--external-url", metavar="URL",
              help="The scheme and host clients sign for, when behind a proxy.")
@handle_errors
def sandbox_serve(folder: str, host: str, port: int, redis_url: str | None, workers: int,
                  tls_cert: str | None, tls_key: str | None, client_ca: str | None,
                  external_url: str | None) -> None:
    """Serve the sandbox behind the gateway until interrupted."""
    from xbsec.sandbox.serve import ServeOptions, serve

    serve(ServeOptions(folder, redis_url, external_url), host=host, port=port,
          workers=workers, tls_cert=tls_cert, tls_key=tls_key, client_ca=client_ca)


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
