"""``xbsec request METHOD PATH``: one signed (and encrypted) call from a profile, like curl
for XBS: the answer is printed decrypted."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from xbsec.cli.options import EXIT_REFUSED, fail, handle_errors, profile_options


def _document(data: str | None) -> Any:
    """``--data``: a JSON or XML document, inline or ``@file`` (``@-``: standard input)."""
    if data is None:
        return None
    if data.startswith("@"):
        name = data[1:]
        try:
            raw = sys.stdin.buffer.read() if name == "-" else open(name, "rb").read()  # noqa: SIM115
        except OSError as exc:
            raise click.UsageError(f"cannot read {name}: {exc.strerror}") from None
    else:
        raw = data.encode("utf-8")
    from xbsec.documents import loads

    text = raw.lstrip()
    return loads(raw, "xml" if text.startswith(b"<") else "json")


@click.command("request")
@click.argument("method")
@click.argument("path")
@profile_options
@click.option("--data", metavar="DOC|@FILE",
              help="The request document (JSON or XML), inline or @file (@- for stdin).")
@click.option("--query", "queries", metavar="NAME=VALUE", multiple=True,
              help="A query parameter (repeatable); it is signed.")
@click.option("--header", "headers", metavar="NAME: VALUE", multiple=True,
              help="An extra header (repeatable), such as Partner-Ref-Id.")
@click.option("--format", "fmt", type=click.Choice(["json", "xml"]),
              help="The format on the wire (default: the profile's).")
@handle_errors
def request(method: str, path: str, profile_name: str | None, profile_file: str | None,
            data: str | None, queries: tuple[str, ...], headers: tuple[str, ...],
            fmt: str | None) -> None:
    """Send METHOD PATH (relative to the profile's base URL), signed and, when the profile
    says so, encrypted; print the answer, decrypted. Exit 1 when XBS refuses, 2 when no
    answer came."""
    from xbsec.client.xbs import XBSClient
    from xbsec.errors import ApiError

    query = dict(q.split("=", 1) for q in queries if "=" in q)
    extra = {name.strip(): value.strip() for name, _, value in
             (h.partition(":") for h in headers)}
    with XBSClient.from_profile(profile_name, profile_file, retries=0) as client:
        try:
            answer = client.request(method, path, document=_document(data), query=query,
                                    headers=extra, format=fmt)  # type: ignore[arg-type]
        except ApiError as exc:
            fail(f"refused: {exc}", EXIT_REFUSED)
    if answer is not None:
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False, default=str))
