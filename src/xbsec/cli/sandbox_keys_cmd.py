"""``xbsec sandbox keys list | renew | retire``: the sandbox as Mastercard's key portal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from xbsec.cli.options import handle_errors

_DIR = click.option("--dir", "folder", required=True,
                    type=click.Path(file_okay=False, exists=True),
                    help="A project made by `xbsec sandbox init`.")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print as JSON.")


@click.group("keys")
def keys_group() -> None:
    """List, renew and retire a sandbox project's keys, as Mastercard's portal does."""


def _show(entry: dict[str, Any]) -> None:
    click.echo(f"{entry['kind']:<22} {entry['status']:<9} {entry['fingerprint']}")
    if entry.get("consumer_key"):
        click.echo(f"{'':<22} consumer key {entry['consumer_key']}")
    click.echo(f"{'':<22} not after {entry['not_after'] or '?'}  {entry['certificate']}")


@keys_group.command("list")
@_DIR
@_JSON
@handle_errors
def keys_list(folder: str, as_json: bool) -> None:
    """Every key of the project: kind, fingerprint (the kid), consumer key, expiry, status."""
    from xbsec.sandbox.key_portal import KeyPortal

    listing = KeyPortal(folder).listing()
    if as_json:
        click.echo(json.dumps(listing, indent=2))
        return
    for entry in listing:
        _show(entry)


@keys_group.command("renew")
@_DIR
@click.option("--kind", required=True,
              type=click.Choice(["signing", "client-encryption", "mastercard-encryption"]),
              help="Which key to renew.")
@click.option("--csr", "csr_path", type=click.Path(dir_okay=False, exists=True),
              help="Your certificate signing request (signing and Mastercard-encryption keys).")
@click.option("--days", type=click.IntRange(1, 3650), default=365, show_default=True,
              help="How long the new certificate is valid.")
@_JSON
@handle_errors
def keys_renew(folder: str, kind: str, csr_path: str | None, days: int, as_json: bool) -> None:
    """Renew a key: a certificate for your CSR, or a new client-encryption pair; the new key
    works beside the old one until you retire it."""
    from xbsec.sandbox.key_portal import KeyPortal

    csr = Path(csr_path).read_bytes() if csr_path else None
    made = KeyPortal(folder).renew(kind, csr, csr_source=csr_path or "<csr>", days=days)
    printed = {"kind": made["kind"], "certificate": made["certificate"],
               "fingerprint": made["fingerprint"], "consumer_key": made["consumer_key"]}
    if as_json:
        click.echo(json.dumps(printed, indent=2))
        return
    _show(made)
    if kind == "signing":
        click.echo("next: sign with the new key and its consumer key, then retire the old key")
    elif kind == "client-encryption":
        click.echo("next: encrypt to the new certificate, then retire the old key")
    else:
        click.echo("next: give your client the new private key, then retire the old key")


@keys_group.command("retire")
@_DIR
@click.option("--fingerprint", required=True, help="The key's fingerprint (its kid).")
@_JSON
@handle_errors
def keys_retire(folder: str, fingerprint: str, as_json: bool) -> None:
    """Retire a key: from now on it is refused (the last key of a kind cannot be retired)."""
    from xbsec.sandbox.key_portal import KeyPortal

    retired = KeyPortal(folder).retire(fingerprint)
    if as_json:
        click.echo(json.dumps(retired, indent=2))
        return
    _show(retired)
