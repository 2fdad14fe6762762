"""JWE compact serialisation (RFC 7516 §7.1) in the profile of SPEC §3.3.

``BASE64URL(header) . BASE64URL(encrypted key) . BASE64URL(IV) . BASE64URL(ciphertext) .
BASE64URL(tag)``, with the content key wrapped by RSA-OAEP(-256) and the content encrypted
by AES-GCM or AES-CBC-HMAC-SHA2. The AAD is the header segment exactly as received, never
a re-serialisation (SPEC §3.3).

Decryption checks everything cheap before the RSA operation: the size cap, exactly five
segments, strict base64url in each, the header (``header.py``), the IV length the ``enc``
and the policy allow, the tag length. Every failure, from a missing dot to a wrong tag, is
the same ``DecryptionError``; a wrapped key that does not unwrap is replaced by a random
content key so that it fails at the tag like any other forgery (RFC 7516 §11.5).

Large payloads: the ciphertext is decoded in chunks straight into the buffer the cipher
reads, and encoded from a view of the sealed output, so a round trip holds a few copies of
the payload at most, not one per step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from typing import Final, TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import ConfigurationError, DecryptionError, KeyMaterialError
from xbsec.jose import b64
from xbsec.jose.content import CONTENT_ENCRYPTIONS
from xbsec.jose.header import JweHeader, header_segment, parse_header
from xbsec.jose.keyring import DecryptionKeys, resolve
from xbsec.jose.keywrap import KEY_ALGORITHMS, MIN_RSA_BITS, rsa_oaep_unwrap, rsa_oaep_wrap
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.policy import SecurityPolicy

__all__ = ["Recipient", "jwe_decrypt", "jwe_decrypt_with_header", "jwe_encrypt", "jwe_header"]

Recipient: TypeAlias = x509.Certificate | rsa.RSAPublicKey
"""Whom a JWE is encrypted to: a certificate (as Mastercard issues them) or an RSA public key."""

_STRICT: Final = SecurityPolicy()
_GCM_IV_LENGTHS: Final = frozenset({12, 16})
_STANDARD_TO_URL: Final = str.maketrans("+/", "-_")


# --- encryption ------------------------------------------------------------------------


def _public_key(key: object) -> rsa.RSAPublicKey:
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyMaterialError(
            "a JWE recipient must be an RSA certificate or RSA public key, "
            f"not {type(key).__name__}"
        )
    if key.key_size < MIN_RSA_BITS:
        raise KeyMaterialError(
            f"a {key.key_size}-bit RSA key is too small for JWE (at least {MIN_RSA_BITS})"
        )
    return key


@lru_cache(maxsize=64)
def _certificate_recipient(certificate: x509.Certificate) -> tuple[rsa.RSAPublicKey, str]:
    # Cached: a client encrypts to the same one or two certificates all day long.
    key = _public_key(certificate.public_key())
    return key, spki_sha256_hex(key)


_KEY_RECIPIENTS: dict[int, tuple[rsa.RSAPublicKey, str]] = {}
_KEY_RECIPIENTS_MAX: Final = 64


def _key_recipient(key: object) -> tuple[rsa.RSAPublicKey, str]:
    # Public keys are unhashable, so they are remembered by identity; the entry holds the
    # key itself, which keeps its id from being reused while the entry exists.
    entry = _KEY_RECIPIENTS.get(id(key))
    if entry is not None and entry[0] is key:
        return entry
    checked = _public_key(key)
    entry = (checked, spki_sha256_hex(checked))
    if len(_KEY_RECIPIENTS) >= _KEY_RECIPIENTS_MAX:
        _KEY_RECIPIENTS.clear()  # atomic, unlike evicting one entry while threads race
    _KEY_RECIPIENTS[id(key)] = entry
    return entry


def jwe_encrypt(
    plaintext: bytes | bytearray | memoryview,
    recipient: Recipient,
    *,
    kid: str | None = None,
    cty: str | None = "application/json",
    enc: str = "A256GCM",
    alg: str = "RSA-OAEP-256",
    iv_length: int = 12,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> str:
    """Encrypt ``plaintext`` to ``recipient`` as a compact JWE.

    - ``kid``: defaults to the SPKI SHA-256 hex of the recipient key (SPEC §3.4).
    - ``cty``: the plaintext's media type (``application/json`` or ``application/xml`` in
      XBS, SPEC §3.3); ``None`` leaves it out.
    - ``enc``: ``A256GCM`` (default), ``A128GCM``, ``A192GCM``, or an ``AxxxCBC-HSxxx``.
    - ``alg``: ``RSA-OAEP-256`` (default); ``RSA-OAEP`` exists for interoperability tests.
    - ``iv_length``: AES-GCM IV bytes, 12 (RFC 7518) or 16 (what Mastercard's own libraries
      send, SPEC §3.3); the CBC encryptions always use 16.
    - ``random_bytes``: the source of the content key and IV. (The OAEP seed comes from
      OpenSSL, so tokens are never reproducible.)

    Raises ``ConfigurationError`` for an argument that cannot be used and
    ``KeyMaterialError`` for a recipient that is not an RSA key of at least 2048 bits.
    """
    if not isinstance(plaintext, bytes | bytearray | memoryview):
        raise ConfigurationError("JWE plaintext must be bytes; encode text as UTF-8 first")
    cipher = CONTENT_ENCRYPTIONS.get(enc)
    if cipher is None:
        raise ConfigurationError(f"unsupported JWE enc {enc!r}")
    if alg not in KEY_ALGORITHMS:
        raise ConfigurationError(f"unsupported JWE alg {alg!r}")
    if iv_length not in _GCM_IV_LENGTHS:
        raise ConfigurationError("the AES-GCM IV length must be 12 or 16 bytes")
    if not isinstance(kid, str | None) or not isinstance(cty, str | None):
        raise ConfigurationError("JWE kid and cty must be strings")
    if isinstance(recipient, x509.Certificate):
        key, default_kid = _certificate_recipient(recipient)
    else:
        key, default_kid = _key_recipient(recipient)
    kid = default_kid if kid is None else kid
    header = header_segment(alg, enc, kid, cty)
    iv_size = cipher.iv_size(iv_length)
    material = random_bytes(cipher.key_size + iv_size)
    if len(material) != cipher.key_size + iv_size:
        raise ConfigurationError("random_bytes returned the wrong number of bytes")
    cek, iv = material[: cipher.key_size], material[cipher.key_size :]
    encrypted_key = rsa_oaep_wrap(key, cek, alg)
    return _compact(
        header, encrypted_key, iv, cipher.seal(cek, iv, plaintext, header), cipher.tag_size
    )


_ENCODE_CHUNK: Final = 3 << 12
"""Ciphertext bytes encoded per step: whole 3-byte groups, so only the last step pads."""


def _compact(header: bytes, encrypted_key: bytes, iv: bytes, sealed: bytes, tag_size: int) -> str:
    # Memory: the ciphertext is encoded from a view of ``sealed`` in steps (binascii
    # allocates twice its input, so one big call would briefly hold three payload copies),
    # and ``sealed`` is dropped before the pieces are joined into the token.
    view = memoryview(sealed)
    size = len(view) - tag_size
    pieces = [header.decode("ascii"), ".", b64.encode_str(encrypted_key), ".",
              b64.encode_str(iv), "."]  # fmt: skip
    pieces.extend(
        b64.encode_str(view[start : min(start + _ENCODE_CHUNK, size)])
        for start in range(0, size, _ENCODE_CHUNK)
    )
    pieces += (".", b64.encode_str(view[size:]))
    view.release()
    del sealed, view
    return "".join(pieces)


# --- decryption ------------------------------------------------------------------------


def _split(
    token: object, policy: SecurityPolicy
) -> tuple[str, str, tuple[int, int, int, int], JweHeader]:
    """The token as received, the same in base64url, the positions of its four dots, and
    its checked header.

    Under ``policy.jwe_accept_standard_base64`` a token may spell 62 as ``+`` and 63 as
    ``/`` (the Node library writes ``-`` and ``/``), each one way throughout the token; it
    is then decoded as base64url, with every other strict rule kept (``b64``). The AAD
    stays the header segment as received.
    """
    if not isinstance(token, str | bytes) or len(token) > policy.jwe_max_token_bytes:
        raise DecryptionError()
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            raise DecryptionError() from None
    d1 = token.find(".")
    d2 = token.find(".", d1 + 1)
    d3 = token.find(".", d2 + 1)
    d4 = token.find(".", d3 + 1)
    if min(d1, d2, d3, d4) < 0 or token.find(".", d4 + 1) >= 0:
        raise DecryptionError()
    url_safe = token
    if policy.jwe_accept_standard_base64:
        plus, slash = "+" in token, "/" in token
        if plus or slash:
            if (plus and "-" in token) or (slash and "_" in token):
                raise DecryptionError()  # two spellings of one character in one token
            url_safe = token.translate(_STANDARD_TO_URL)
    return token, url_safe, (d1, d2, d3, d4), parse_header(url_safe[:d1], policy)


def _unwrap_or_random(
    key: rsa.RSAPrivateKey,
    encrypted_key: bytes,
    alg: str,
    size: int,
    random_bytes: Callable[[int], bytes],
) -> bytes:
    try:
        cek = rsa_oaep_unwrap(key, encrypted_key, alg)
    except DecryptionError:
        cek = b""
    if len(cek) != size:
        # RFC 7516 §11.5: a bad wrapped key must not fail any sooner than a bad tag.
        cek = random_bytes(size)
    return cek


def _decrypt(
    token: object,
    keys: DecryptionKeys,
    policy: SecurityPolicy | None,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> tuple[bytes, JweHeader]:
    policy = _STRICT if policy is None else policy
    checked = resolve(keys)  # configuration errors first, whatever the token
    received, text, (d1, d2, d3, d4), header = _split(token, policy)
    cipher = CONTENT_ENCRYPTIONS[header.enc]
    sealed: bytes | bytearray | None
    encrypted_key: bytes | None
    iv: bytes | None
    tag: bytes | None
    if d4 - d3 - 1 <= b64.CHUNK_CHARS:
        # Small: every segment decoded in one pass over the token.
        parts = b64.decode_spans(text, ((d1 + 1, d2), (d2 + 1, d3), (d4 + 1, len(text)),
                                        (d3 + 1, d4)))
        if parts is None:
            raise DecryptionError()
        encrypted_key, iv, tag, ciphertext = parts
        sealed = ciphertext + tag
    else:
        encrypted_key = b64.decode(text, d1 + 1, d2)
        iv = b64.decode(text, d2 + 1, d3)
        tag = b64.decode(text, d4 + 1)
        size = b64.decoded_size(d4 - d3 - 1)
        if (encrypted_key is None or iv is None or tag is None or size is None
                or len(tag) != cipher.tag_size):
            raise DecryptionError()
        # Large: decode in steps straight into the buffer the cipher reads (no extra copy).
        sealed = bytearray(size + cipher.tag_size)
        sealed[size:] = tag
        if not b64.decode_into(text, d3 + 1, d4, sealed):
            sealed = None
    if (
        sealed is None
        or encrypted_key is None
        or iv is None
        or tag is None
        or len(tag) != cipher.tag_size
        or not cipher.accepts_iv(len(iv), policy.jwe_gcm_iv_lengths)
    ):
        raise DecryptionError()
    aad = received[:d1].encode("ascii")
    candidates = (
        checked
        if isinstance(checked, tuple)
        else checked.candidates(header.kid, require_known_kid=policy.jwe_require_known_kid)
    )
    for key in candidates:
        cek = _unwrap_or_random(key, encrypted_key, header.alg, cipher.key_size, random_bytes)
        try:
            return cipher.open(cek, iv, sealed, aad), header
        except DecryptionError:
            continue
    raise DecryptionError()


def jwe_decrypt(
    token: str | bytes, keys: DecryptionKeys, *, policy: SecurityPolicy | None = None
) -> bytes:
    """Decrypt a compact JWE (text, or its ASCII bytes) with one of ``keys``; the plaintext.

    ``keys``: one RSA private key, a sequence of them, a mapping ``{kid: key}`` or a
    ``JweKeyring`` (see ``keyring.py`` for how a key is chosen). ``policy`` defaults to
    ``SecurityPolicy()``; use ``SecurityPolicy.mastercard_compatible()`` for tokens from
    Mastercard's own libraries (16-byte IVs, RSA-OAEP).

    Raises ``DecryptionError`` ("decryption failed") for every fault of the token, and
    ``ConfigurationError``/``KeyMaterialError`` for keys that cannot be used.
    """
    return _decrypt(token, keys, policy)[0]


def jwe_decrypt_with_header(
    token: str | bytes, keys: DecryptionKeys, *, policy: SecurityPolicy | None = None
) -> tuple[bytes, JweHeader]:
    """As ``jwe_decrypt``, with the authenticated protected header (for ``cty`` and ``kid``)."""
    return _decrypt(token, keys, policy)


def jwe_header(token: str | bytes, *, policy: SecurityPolicy | None = None) -> JweHeader:
    """The protected header of a compact JWE, checked but *not authenticated*.

    For routing before decryption (which key, which ReasonCode); trust it only after
    ``jwe_decrypt_with_header`` returned the same header. Raises ``DecryptionError`` when
    the token's size, segment count or header would be refused by ``jwe_decrypt``.
    """
    return _split(token, _STRICT if policy is None else policy)[3]
