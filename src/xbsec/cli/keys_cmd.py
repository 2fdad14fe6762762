"""``xbsec keys``: make, inspect and renew project keys."""

from __future__ import annotations

import json
from pathlib import Path

import click

from xbsec.cli.options import (
    EXIT_REFUSED,
    EXIT_WARNING,
    handle_errors,
    password_options,
    renamed_option,
    resolve_password,
)


@click.group("keys")
def keys_group() -> None:
    """Make, inspect and renew project keys (PKCS#12, PEM, DER)."""


@keys_group.command("new")
@click.option("--p12", "p12_path", required=True, type=click.Path(dir_okay=False),
              help="Where to write the PKCS#12 keystore.")
@renamed_option("--cert-out", "cert_path", old_names=("--cert",), required=True,
                type=click.Path(dir_okay=False), help="Where to write the certificate (PEM).")
@click.option("--alias", default="keyalias", show_default=True,
              help="Keystore alias (Mastercard's sandbox default).")
@password_options
@click.option("--cn", default="xbsec", show_default=True, help="Certificate common name.")
@click.option("--bits", type=click.Choice(["2048", "3072", "4096"]), default="2048",
              show_default=True, help="RSA key size.")
@click.option("--days", type=click.IntRange(1, 3650), default=365, show_default=True,
              help="Certificate validity.")
@click.option("--force", is_flag=True,
              help="Replace existing files (the key they hold is lost).")
@click.option("--json", "as_json", is_flag=True, help="Print what was made as JSON.")
@handle_errors
def keys_new(p12_path: str, cert_path: str, alias: str, password: str | None,
             password_env: str | None, cn: str, bits: str, days: int, force: bool,
             as_json: bool) -> None:
    """Generate an RSA key and self-signed certificate, written as Mastercard delivers them.

    The keystore password defaults to Mastercard's sandbox default, keystorepassword.
    Existing files are kept unless --force: a keystore overwritten is a key lost.
    """
    taken = [p for p in (p12_path, cert_path) if Path(p).exists()]
    if taken and not force:
        verb = "exists" if len(taken) == 1 else "exist"
        raise click.UsageError(f"{' and '.join(taken)} already {verb}; keep the key (choose "
                               "other paths) or replace it with --force")
    from xbsec.keys import (
        generate_rsa_key,
        self_signed_certificate,
        spki_sha256_hex,
        write_certificate_pem,
        write_pkcs12,
    )

    secret = resolve_password(password, password_env) or "keystorepassword"
    key = generate_rsa_key(int(bits))
    cert = self_signed_certificate(key, common_name=cn, days=days)
    write_pkcs12(p12_path, key, cert, alias=alias, password=secret)
    write_certificate_pem(cert_path, cert)
    made = {"p12": str(Path(p12_path)), "certificate": str(Path(cert_path)), "alias": alias,
            "bits": int(bits), "spki_sha256_hex": spki_sha256_hex(cert),
            "not_after": cert.not_valid_after_utc.isoformat()}
    if as_json:
        click.echo(json.dumps(made, indent=2))
    else:
        click.echo(f"wrote {made['p12']} (alias {alias}) and {made['certificate']}")
        click.echo(f"kid (SPKI SHA-256): {made['spki_sha256_hex']}")


@keys_group.command("inspect")
@click.argument("path", type=click.Path(dir_okay=False))
@password_options
@click.option("--alias", help="PKCS#12 alias (friendly name) to describe.")
@click.option("--warn-days", type=click.IntRange(0, 3650), default=30, show_default=True,
              help="Warn (exit 3) when the certificate expires within this many days.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@handle_errors
def keys_inspect(path: str, password: str | None, password_env: str | None,
                 alias: str | None, warn_days: int, as_json: bool) -> None:
    """Describe a key, certificate or keystore: kind, size, subject, validity, fingerprints.

    Exit status 3 when the certificate expires within --warn-days, 1 when it has expired
    (or is not valid yet): renewing takes time, so the warning comes first.
    """
    from xbsec.client.doctor import expiry_check
    from xbsec.keys import inspect_key_file, load_certificate

    info = inspect_key_file(path, password=resolve_password(password, password_env),
                            alias=alias)
    data = info.to_dict()
    check = None
    if info.not_after is not None:
        certificate = (load_certificate(path, password=resolve_password(password, password_env),
                                        alias=alias))
        check = expiry_check("certificate", certificate, warn_days=warn_days)
        data["expiry"] = check.outcome
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        width = max(len(k) for k in data)
        for name, value in data.items():
            if isinstance(value, list | tuple):
                value = ", ".join(str(v) for v in value) or "-"
            click.echo(f"{name:<{width}}  {'-' if value is None else value}")
    if check is not None and check.outcome != "ok":
        click.echo(f"{check.outcome}: the certificate {check.detail}; {check.fix}", err=True)
        raise SystemExit(EXIT_REFUSED if check.outcome == "problem" else EXIT_WARNING)


@keys_group.command("csr")
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False),
              help="The private key (PKCS#12, PEM or DER) to renew with.")
@password_options
@click.option("--alias", help="PKCS#12 alias.")
@click.option("--cn", required=True, help="Common name for the request.")
@click.option("--org", help="Organisation (O).")
@click.option("--country", help="Two-letter country code (C).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@handle_errors
def keys_csr(key_path: str, password: str | None, password_env: str | None,
             alias: str | None, cn: str, org: str | None, country: str | None,
             out: str | None) -> None:
    """Make a certificate signing request for an existing key (key renewal)."""
    from xbsec.keys import csr_pem, load_private_key, make_csr, write_csr_pem

    key = load_private_key(key_path, password=resolve_password(password, password_env),
                           alias=alias)
    csr = make_csr(key, common_name=cn, organization=org, country=country)
    if out:
        write_csr_pem(out, csr)
        click.echo(f"wrote {out}")
    else:
        click.echo(csr_pem(csr).decode(), nl=False)
