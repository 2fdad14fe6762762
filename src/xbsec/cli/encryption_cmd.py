"""``xbsec encrypt`` and ``xbsec decrypt``: JWE and the encrypted_payload envelope."""

from __future__ import annotations

import sys

import click

from xbsec.cli.options import (
    EXIT_REFUSED,
    body_file_option,
    fail,
    handle_errors,
    password_options,
    read_body,
    renamed_option,
    resolve_password,
)
from xbsec.errors import DecryptionError, PayloadError


@click.command("encrypt")
@renamed_option("--encryption-cert", "cert_path", old_names=("--cert",), required=True,
                type=click.Path(dir_okay=False),
                help="The recipient: Mastercard's client-encryption certificate (or a public "
                "key).")
@click.option("--kid", help="The kid to send (default: the certificate's SPKI SHA-256 hex).")
@click.option("--cty", type=click.Choice(["application/json", "application/xml"]),
              help="Content type of the plaintext (default: the envelope's, else JSON).")
@click.option("--envelope", type=click.Choice(["none", "json", "xml"]), default="none",
              show_default=True, help="Wrap the JWE in the encrypted_payload envelope.")
@body_file_option("The plaintext (- for standard input).", default="-", show_default=True)
@handle_errors
def encrypt(cert_path: str, kid: str | None, cty: str | None, envelope: str,
            body_file: str) -> None:
    """Encrypt a document as a compact JWE (RSA-OAEP-256 + A256GCM), optionally wrapped."""
    from xbsec.cli.oauth1_cmd import load_credential
    from xbsec.jose import jwe_encrypt
    from xbsec.payload import wrap

    recipient = load_credential(cert_path)
    content_type = cty or ("application/xml" if envelope == "xml" else "application/json")
    token = jwe_encrypt(read_body(body_file), recipient, kid=kid, cty=content_type)
    if envelope == "none":
        click.echo(token)
    else:
        sys.stdout.buffer.write(wrap(token, f"application/{envelope}") + b"\n")


@click.command("decrypt")
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False),
              help="The Mastercard Encryption private key: PKCS#12, PEM or DER.")
@password_options
@click.option("--alias", help="PKCS#12 alias.")
@body_file_option("A bare JWE or either envelope (- for standard input).", default="-",
                  show_default=True)
@click.option("--strict", is_flag=True,
              help="Strict profile: 12-byte GCM IVs and RSA-OAEP-256 only.")
@handle_errors
def decrypt(key_path: str, password: str | None, password_env: str | None,
            alias: str | None, body_file: str, strict: bool) -> None:
    """Print the plaintext of a JWE or an encrypted_payload envelope (detected).

    Any failure to decrypt is exit 1 and "decryption failed", and nothing about why.
    """
    from xbsec.jose import jwe_decrypt
    from xbsec.keys import load_private_key
    from xbsec.payload import detect_envelope, unwrap
    from xbsec.policy import SecurityPolicy

    key = load_private_key(key_path, password=resolve_password(password, password_env),
                           alias=alias)
    policy = SecurityPolicy.strict() if strict else SecurityPolicy.mastercard_compatible()
    body = read_body(body_file).strip()
    try:
        token = (unwrap(body, policy=policy) if detect_envelope(body) is not None
                 else body.decode("ascii"))
        plaintext = jwe_decrypt(token, key, policy=policy)
    except (DecryptionError, PayloadError, UnicodeDecodeError):
        fail("decryption failed", EXIT_REFUSED)
        return
    sys.stdout.buffer.write(plaintext)
