"""JWS compact serialisation (RFC 7515 §7.1) in the narrow profile of the request token.

Signing: ``jws_sign`` (one token) and ``JwsSigner`` (many tokens with one key and header,
the header encoded once). Verifying: ``jws_verify``, or ``jws_parse`` then
``UnverifiedJws.verify`` to try several keys against one parsed token.

The profile is RS256 and ES256 (``jws_algorithms.py``). A token is refused with
``MalformedTokenError`` when:

- it is not text, is longer than ``max_bytes`` characters, or is not exactly three
  segments (JSON serialisation included); a segment is not strict base64url (no padding, no
  whitespace, canonical trailing bits: ``b64.py``);
- its header is not a JSON object with distinct member names (``strict_json.py``), is
  longer than ``MAX_HEADER_CHARS``, has no string ``alg``, has an ``alg`` the caller did not
  allow or the profile lacks (``none`` and HS* included), has ``crit`` in any form (we
  implement no extension, RFC 7515 §4.1.11) or ``b64`` in any form (RFC 7797 unencoded
  payloads, never used here).

It is refused with ``SignatureError``, which says nothing more, when the signature does not
verify with the caller's key: wrong key, wrong key type for ``alg``, wrong length, anything.

Keys come from the caller only. ``jwk``, ``jku``, ``x5c``, ``x5u`` and ``kid`` in a header
are returned for the caller to look at, never used to pick or build a key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

from xbsec.errors import ConfigurationError, MalformedTokenError, SignatureError
from xbsec.jose import b64
from xbsec.jose.jws_algorithms import (
    JWS_ALGORITHMS,
    algorithm_for_key,
    check_public_key,
    signer_for,
    verify_signature,
)
from xbsec.jose.strict_json import read_object
from xbsec.keys.types import PrivateKey, PublicKey

__all__ = [
    "DEFAULT_MAX_BYTES",
    "JWS_ALGORITHMS",
    "MAX_HEADER_CHARS",
    "JwsSigner",
    "UnverifiedJws",
    "jws_parse",
    "jws_sign",
    "jws_verify",
]

DEFAULT_MAX_BYTES: Final = 64 * 1024
"""Longest token ``jws_parse`` accepts unless told otherwise, in characters."""
MAX_HEADER_CHARS: Final = 16 * 1024
"""Longest encoded protected header accepted (an ``x5c`` with a few certificates fits)."""

_SIGNATURE_FAILED: Final = "signature verification failed"
_REFUSED_MEMBERS: Final = ("crit", "b64")


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({name: _frozen(item) for name, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


@lru_cache(maxsize=256)
def _read_header(segment: str) -> Mapping[str, Any]:
    # Cached by segment text: a verifier sees the same few headers (one per client key)
    # again and again, and the x5c certificate makes decoding one cost as much as a third
    # of an RSA verification. Refusals raise, and exceptions are never cached, so junk
    # does not evict good entries. The result is immutable all the way down.
    raw = b64.decode(segment)
    members = None if raw is None else read_object(raw)
    if members is None:
        raise MalformedTokenError("the JWS header is not a base64url JSON object with "
                                  "distinct member names")
    if not isinstance(members.get("alg"), str):
        raise MalformedTokenError("the JWS header has no alg")
    for name in _REFUSED_MEMBERS:
        if name in members:
            raise MalformedTokenError(f"the JWS header member {name!r} is not supported")
    return _frozen(members)  # type: ignore[no-any-return]


def _allowed(algorithms: Collection[str]) -> Collection[str]:
    if isinstance(algorithms, str) or not algorithms:
        raise ConfigurationError(
            "algorithms must be a non-empty collection of alg names, such as {'RS256'}"
        )
    return algorithms


def _shown(value: str) -> str:
    # alg comes from the token: show enough to recognise it, never unbounded text.
    return repr(value if len(value) <= 16 else value[:16] + "…")


class UnverifiedJws:
    """A compact JWS whose form was checked but whose signature was NOT verified yet.

    Nothing in it may be trusted before ``verify`` returns. ``header`` is read-only all the
    way down (JSON arrays become tuples); treat the other attributes as read-only too.
    """

    __slots__ = ("alg", "header", "payload", "signature", "signing_input")

    def __init__(self, header: Mapping[str, Any], alg: str, payload: bytes,
                 signing_input: bytes, signature: bytes) -> None:
        self.header = header
        self.alg = alg
        self.payload = payload
        self.signing_input = signing_input
        self.signature = signature

    def __repr__(self) -> str:
        return f"UnverifiedJws(alg={self.alg!r}, members={list(self.header)!r})"

    def verify(self, public_key: PublicKey) -> bytes:
        """The payload, if the signature verifies with ``public_key``; else ``SignatureError``."""
        check_public_key(public_key)
        if not verify_signature(self.alg, public_key, self.signature, self.signing_input):
            raise SignatureError(_SIGNATURE_FAILED)
        return self.payload


def jws_parse(token: str, *, algorithms: Collection[str],
              max_bytes: int = DEFAULT_MAX_BYTES) -> UnverifiedJws:
    """Check the form of the compact JWS ``token`` and split it (module docstring).

    ``algorithms`` is the caller's allow-list; names outside ``JWS_ALGORITHMS`` may be in it
    (a key's own ``alg`` can be passed through) and simply never match.
    """
    allowed = _allowed(algorithms)
    if not isinstance(token, str):
        raise MalformedTokenError("the token must be text")
    if len(token) > max_bytes:
        raise MalformedTokenError(f"the token is longer than {max_bytes} characters")
    first = token.find(".")
    second = token.find(".", first + 1)
    if first < 0 or second < 0 or token.find(".", second + 1) >= 0:
        raise MalformedTokenError("the token is not three base64url segments")
    if first > MAX_HEADER_CHARS:
        raise MalformedTokenError("the JWS header is too long")
    header = _read_header(token[:first])
    alg: str = header["alg"]
    if alg not in JWS_ALGORITHMS or alg not in allowed:
        raise MalformedTokenError(f"the JWS alg {_shown(alg)} is not accepted")
    payload = b64.decode(token, first + 1, second)
    if payload is None:
        raise MalformedTokenError("the JWS payload is not base64url")
    signature = b64.decode(token, second + 1)
    if signature is None:
        raise MalformedTokenError("the JWS signature is not base64url")
    # Every character before the second dot decoded as base64url, so it is ASCII.
    return UnverifiedJws(header, alg, payload, token[:second].encode("ascii"), signature)


def jws_verify(token: str, public_key: PublicKey, *, algorithms: Collection[str],
               max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Mapping[str, Any], bytes]:
    """Verify the compact JWS ``token`` with ``public_key``: ``(header, payload)``.

    Raises ``MalformedTokenError`` for a token of the wrong form, ``SignatureError``
    (opaque) when the signature does not verify, ``ConfigurationError`` for an unusable
    ``public_key`` or ``algorithms``.
    """
    check_public_key(public_key)
    parsed = jws_parse(token, algorithms=algorithms, max_bytes=max_bytes)
    return parsed.header, parsed.verify(public_key)


class JwsSigner:
    """Signs many payloads with one key and one protected header, encoded once.

    >>> signer = JwsSigner(private_key, header={"typ": "JWT", "kid": kid})  # doctest: +SKIP
    >>> token = signer.sign(b'{"exp":1700000900}')

    ``alg`` is taken from ``header`` when given there (it must fit the key), otherwise from
    the key: RS256 for RSA (2048 bits or more), ES256 for P-256. ``alg`` comes first in the
    encoded header, the other members keep their order. ``crit`` and ``b64`` are refused:
    we would not accept such a token ourselves.
    """

    __slots__ = ("_prefix", "_sign", "alg", "header")

    def __init__(self, key: PrivateKey, *, header: Mapping[str, Any] | None = None) -> None:
        members = dict(header or {})
        alg = members.pop("alg", None)
        if alg is None:
            alg = algorithm_for_key(key)
        elif not isinstance(alg, str):
            raise ConfigurationError("the header's alg must be a string")
        members = {"alg": alg, **members}
        for name in _REFUSED_MEMBERS:
            if name in members:
                raise ConfigurationError(f"the header member {name!r} is not supported")
        sign: Callable[[bytes], bytes] = signer_for(alg, key)
        try:
            encoded = _dumps(members)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"the JWS header is not JSON-serialisable: {exc}") from None
        self.alg: str = alg
        self.header: Mapping[str, Any] = _frozen(members)
        self._prefix = b64.encode(encoded) + b"."
        self._sign = sign

    def sign(self, payload: bytes | bytearray | memoryview) -> str:
        """The compact JWS of ``payload`` (the exact bytes; nothing is re-serialised)."""
        if not isinstance(payload, bytes | bytearray | memoryview):
            raise ConfigurationError(f"the payload must be bytes, not {type(payload).__name__}")
        signing_input = self._prefix + b64.encode(payload)
        return (signing_input + b"." + b64.encode(self._sign(signing_input))).decode("ascii")


def _dumps(members: Mapping[str, Any]) -> bytes:
    return json.dumps(members, separators=(",", ":"), allow_nan=False).encode("utf-8")


def jws_sign(payload: bytes | bytearray | memoryview, key: PrivateKey, *,
             header: Mapping[str, Any] | None = None) -> str:
    """The compact JWS of ``payload`` signed with ``key`` (see ``JwsSigner``)."""
    return JwsSigner(key, header=header).sign(payload)
