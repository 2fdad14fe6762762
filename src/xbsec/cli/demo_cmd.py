"""``xbsec demo``: a walk through the scheme on embedded defaults, nothing to configure."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import click

from xbsec.cli.options import handle_errors

PARTNER = "SANDBOX_1234567"
URL = f"https://sandbox.api.mastercard.com/send/v1/partners/{PARTNER}/crossborder/quotes"
QUOTE = {"quoterequest": {
    "transaction_reference": "0999999034810154901",
    "sender_account_uri": "tel:+254108989",
    "recipient_account_uri": "ban:DE89370400440532013000;bic=COBADEFFXXX",
    "payment_amount": {"amount": "100.00", "currency": "USD"},
    "payment_origination_country": "USA",
    "payment_type": "P2P",
}}


def _step(title: str) -> None:
    click.secho(f"\n== {title}", bold=True)


@click.command("demo")
@handle_errors
def demo() -> None:
    """Generate project keys, sign a quote request, verify it as the gateway does, tamper."""
    from xbsec.errors import RefusedError
    from xbsec.keys import (
        DEFAULT_ALIAS,
        DEFAULT_PASSWORD,
        generate_rsa_key,
        load_certificate,
        load_private_key,
        self_signed_certificate,
        spki_sha256_hex,
        write_pkcs12,
    )
    from xbsec.oauth1 import OAuth1Signer, OAuth1Verifier

    consumer_key = "demo" + "0" * 44 + "!" + "0" * 48
    with tempfile.TemporaryDirectory(prefix="xbsec-demo-") as tmp:
        _step("1. Project keys, as Mastercard delivers them")
        p12 = Path(tmp) / "signing.p12"
        key = generate_rsa_key()
        write_pkcs12(p12, key, self_signed_certificate(key, common_name="xbsec demo"))
        # Mastercard's sandbox defaults: alias keyalias, password keystorepassword (SPEC §2.2)
        signing_key = load_private_key(p12, password=DEFAULT_PASSWORD, alias=DEFAULT_ALIAS)
        certificate = load_certificate(p12, password=DEFAULT_PASSWORD, alias=DEFAULT_ALIAS)
        click.echo(f"signing keystore {p12.name}: alias keyalias, RSA-2048, "
                   f"kid {spki_sha256_hex(certificate)[:16]}...")
        click.echo(f"consumer key {consumer_key[:12]}...{consumer_key[-6:]}")

        _step("2. The client serialises the quote once and signs those exact bytes")
        body = json.dumps(QUOTE, separators=(",", ":")).encode()
        signer = OAuth1Signer(consumer_key, signing_key)  # type: ignore[arg-type]
        signed = signer.sign("POST", URL, body)
        click.echo(f"POST {URL}")
        click.echo(f"body ({len(body)} bytes): {body.decode()}")
        click.echo(f"oauth_body_hash = base64(SHA-256(body)) = {signed.body_hash}")
        click.echo(f"signature base string:\n  {signed.base_string}")
        click.echo(f"Authorization: {signed.authorization[:96]}...")

        _step("3. The gateway verifies what it received")
        verifier = OAuth1Verifier({consumer_key: certificate})
        verified = verifier.verify("POST", URL, signed.authorization, body)
        click.secho(f"accepted: consumer key verified, signature method "
                    f"{verified.signature_method}, nonce {verified.nonce} recorded", fg="green")

        _step("4. Anything changed on the way is refused")
        fresh = signer.sign("POST", URL, body, timestamp=int(time.time()))
        attempts = [
            ("amount changed from 100.00 to 900.00",
             ("POST", URL, fresh.authorization, body.replace(b"100.00", b"900.00"))),
            ("request sent to another partner",
             ("POST", URL.replace(PARTNER, "SANDBOX_7654321"), fresh.authorization, body)),
            ("the accepted request replayed", ("POST", URL, signed.authorization, body)),
        ]
        for label, request in attempts:
            try:
                verifier.verify(*request)
            except RefusedError as exc:
                click.secho(f"refused ({label}): {exc.status} {exc.reason_code}", fg="red")
            else:  # pragma: no cover - would be a bug worth shouting about
                raise click.ClickException(f"a tampered request was accepted: {label}")
    click.echo("\nDone. Next: `xbsec keys new`, `xbsec sign`, `xbsec verify`, `xbsec explain`.")
