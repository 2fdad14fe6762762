"""``xbsec sign`` and ``xbsec verify``: OAuth 1.0a from the command line."""

from __future__ import annotations

import json
from typing import Any

import click

from xbsec.cli.options import (
    EXIT_REFUSED,
    fail,
    handle_errors,
    password_options,
    read_body,
    renamed_option,
    resolve_password,
)
from xbsec.errors import ConfigurationError, KeyFileError, RefusedError


@click.command("sign")
@click.option("--method", "-X", required=True, help="HTTP method.")
@click.option("--url", required=True, help="Full URL, query included, exactly as sent.")
@click.option("--body-file", metavar="F|-", help="The exact body bytes (- for stdin).")
@click.option("--consumer-key", required=True, help="The project's consumer key.")
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False),
              help="Signing key: PKCS#12, PEM or DER.")
@password_options
@click.option("--alias", help="PKCS#12 alias.")
@click.option("--nonce", help="Use this nonce (for reproducing a request).")
@click.option("--timestamp", type=int, help="Use this timestamp (seconds since the epoch).")
@click.option("--signature-method", type=click.Choice(["RSA-SHA256", "RSA-PSS"]),
              default="RSA-SHA256", show_default=True,
              help="RSA-SHA256 (PKCS#1 v1.5), as XBS documents; RSA-PSS, which some of "
              "Mastercard's libraries send.")
@click.option("--json", "as_json", is_flag=True,
              help="Print authorization, base_string and body_hash as JSON.")
@handle_errors
def sign(method: str, url: str, body_file: str | None, consumer_key: str, key_path: str,
         password: str | None, password_env: str | None, alias: str | None,
         nonce: str | None, timestamp: int | None, signature_method: str,
         as_json: bool) -> None:
    """Print the Authorization header value for one request."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from xbsec.keys import load_private_key
    from xbsec.oauth1 import OAuth1Signer

    key = load_private_key(key_path, password=resolve_password(password, password_env),
                           alias=alias)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError(f"{key_path}: OAuth 1.0a needs an RSA key")
    signer = OAuth1Signer(consumer_key, key, signature_method=signature_method)
    signed = signer.sign(method, url, read_body(body_file), nonce=nonce, timestamp=timestamp)
    if as_json:
        click.echo(json.dumps({"authorization": signed.authorization,
                               "base_string": signed.base_string,
                               "body_hash": signed.body_hash,
                               "nonce": signed.nonce, "timestamp": signed.timestamp},
                              indent=2))
    else:
        click.echo(signed.authorization)


def load_credential(path: str, password: str | None = None, alias: str | None = None) -> Any:
    """A certificate (PEM, DER or PKCS#12, with its password), or failing that a public key."""
    from xbsec.keys import load_certificate, load_public_key

    try:
        return load_certificate(path, password=password, alias=alias)
    except KeyFileError:
        return load_public_key(path)


def _credential_options(func: Any) -> Any:
    """``--signing-cert`` (formerly ``--cert``) and, for a keystore, its password and alias."""
    func = click.option("--alias", "cert_alias",
                        help="PKCS#12 alias of the certificate.")(func)
    func = password_options(func)
    return renamed_option("--signing-cert", "cert_path", old_names=("--cert",), required=True,
                          type=click.Path(dir_okay=False),
                          help="The consumer's signing certificate (PEM, DER, PKCS#12) or "
                          "public key.")(func)


@click.command("verify")
@click.option("--method", "-X", required=True, help="HTTP method.")
@click.option("--url", required=True,
              help="The URL as the client addressed it, query included.")
@click.option("--body-file", metavar="F|-", help="The exact body bytes received (- for stdin).")
@click.option("--authorization", required=True, help="The Authorization header value.")
@_credential_options
@click.option("--now", type=int, help="Check as of this time (seconds since the epoch).")
@click.option("--strict", is_flag=True,
              help="Strict profile: only the Java and RFC 5849 base strings, 16-char nonces.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@handle_errors
def verify(method: str, url: str, body_file: str | None, authorization: str, cert_path: str,
           password: str | None, password_env: str | None, cert_alias: str | None,
           now: int | None, strict: bool, as_json: bool) -> None:
    """Check a signed request as the gateway would (Mastercard-compatible unless --strict).

    Exit 0 and print the consumer key when valid; exit 1 with the ReasonCode when not.
    """
    import time

    from xbsec.oauth1 import OAuth1Verifier
    from xbsec.policy import SecurityPolicy

    credential = load_credential(cert_path, resolve_password(password, password_env),
                                 cert_alias)
    policy = SecurityPolicy.strict() if strict else SecurityPolicy.mastercard_compatible()
    verifier = OAuth1Verifier(lambda _consumer_key: credential, policy=policy,
                              clock=(lambda: float(now)) if now is not None else time.time)
    body = read_body(body_file)
    try:
        verified = verifier.verify(method, url, authorization, body)
    except RefusedError as exc:
        if as_json:
            click.echo(json.dumps({"valid": False, "status": exc.status,
                                   "reason_code": exc.reason_code,
                                   "description": exc.description}, indent=2))
            raise SystemExit(EXIT_REFUSED) from None
        fail(f"{exc.reason_code} ({exc.status}): {exc.description}", EXIT_REFUSED)
        return
    if as_json:
        click.echo(json.dumps({"valid": True, "consumer_key": verified.consumer_key,
                               "signature_method": verified.signature_method,
                               "base_string_variant": verified.variant}, indent=2))
    else:
        click.echo(verified.consumer_key)


@click.command("explain")
@click.option("--method", "-X", required=True, help="HTTP method.")
@click.option("--url", required=True, help="The URL as the client addressed it.")
@click.option("--body-file", metavar="F|-", help="The exact body bytes received (- for stdin).")
@click.option("--authorization", required=True, help="The Authorization header value.")
@_credential_options
@click.option("--now", type=int, help="Check as of this time (seconds since the epoch).")
@click.option("--strict", is_flag=True,
              help="Strict profile: only the Java and RFC 5849 base strings, 16-char nonces.")
@click.option("--signed-base-string", metavar="F|-",
              help="The base string the client signed (xbsec sign --json, a signer's debug "
              "output): compared with the one built here, component by component.")
@click.option("--show-base-strings", is_flag=True,
              help="Print every base-string construction in full.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@handle_errors
def explain(method: str, url: str, body_file: str | None, authorization: str, cert_path: str,
            password: str | None, password_env: str | None, cert_alias: str | None,
            now: int | None, strict: bool, signed_base_string: str | None,
            show_base_strings: bool, as_json: bool) -> None:
    """Say why a signature fails: every check, what was expected, the likely mistake.

    The verdict is verify's own (same checks, same policy, same exit status); for a base
    string the client gives, the first component that differs is shown side by side.
    """
    from xbsec.oauth1.diagnose import base_string_components, explain_request
    from xbsec.policy import SecurityPolicy

    credential = load_credential(cert_path, resolve_password(password, password_env),
                                 cert_alias)
    policy = SecurityPolicy.strict() if strict else SecurityPolicy.mastercard_compatible()
    signed = None
    if signed_base_string is not None:
        signed = read_body(signed_base_string).decode("utf-8", "replace").strip()
    verdict, report = explain_request(method, url, authorization, read_body(body_file),
                                      credential, policy=policy, now=now, signed_base_string=signed)
    if as_json:
        click.echo(json.dumps({
            "valid": verdict.valid, "status": verdict.status,
            "reason_code": verdict.reason_code or None, "matched": report.matched,
            "findings": [{"level": f.level, "check": f.check, "message": f.message}
                         for f in report.findings],
            "differences": [{"component": d.component, "signed": d.signed, "built": d.built}
                            for d in report.differences],
            "base_strings": report.base_strings}, indent=2))
    else:
        marks = {"ok": "ok  ", "warning": "warn", "error": "FAIL"}
        for finding in report.findings:
            click.echo(f"[{marks[finding.level]}] {finding.check}: {finding.message}")
        if report.differences:
            width = max(len(d.component) for d in report.differences)
            click.echo(f"\n{'component':<{width}}  {'signed':<40}  built here")
            for d in report.differences:
                click.echo(f"{d.component:<{width}}  {_cell(d.signed):<40}  {_cell(d.built)}")
        elif (not verdict.valid and report.matched is None and "java" in report.base_strings
              and not show_base_strings):
            click.echo("\nbuilt here (compare with the signer's, or give it with "
                       "--signed-base-string):")
            for name, value in base_string_components(report.base_strings["java"]):
                click.echo(f"  {name}: {value}")
        if show_base_strings:
            for variant, sbs in report.base_strings.items():
                click.echo(f"\nbase string ({variant}):\n{sbs}")
        click.echo("\nverify: " + ("valid" if verdict.valid else
                                   f"refused, {verdict.status} {verdict.reason_code}"))
    if not verdict.valid:
        raise SystemExit(EXIT_REFUSED)


def _cell(value: str | None) -> str:
    if value is None:
        return "(missing)"
    return value if len(value) <= 40 else value[:37] + "..."
