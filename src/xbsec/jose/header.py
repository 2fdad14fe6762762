"""The JWE protected header: building it once per recipient, and reading it strictly.

Reading (``parse_header``) refuses, each as the one opaque ``DecryptionError``:

- anything that is not a JSON object in UTF-8, a repeated member name (RFC 7515 §4: a
  parser must reject or take the last; two parsers taking different ones is how header
  confusion attacks start), ``NaN``/``Infinity``;
- ``alg`` or ``enc`` missing, not a string, not implemented or not allowed by the policy;
- ``kid`` or ``cty`` present but not a string (``null`` included);
- ``zip`` (compressed plaintext: decompression bombs, and never used by XBS);
- ``crit`` in any form: we implement no extension, so RFC 7516 §4.1.13 says refuse.

Other members are allowed and ignored, as RFC 7516 §4 requires. None of them changes what
happens: keys are chosen from the caller's keys only, never from ``jwk``, ``jku``, ``x5c``
or ``x5u`` in a header.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

from xbsec.errors import DecryptionError
from xbsec.jose import b64
from xbsec.jose.content import CONTENT_ENCRYPTIONS
from xbsec.jose.keywrap import KEY_ALGORITHMS
from xbsec.policy import SecurityPolicy

__all__ = ["JweHeader", "header_segment", "parse_header"]


@dataclass(frozen=True, slots=True)
class JweHeader:
    """A JWE protected header that passed the checks above.

    ``members`` is the whole header, read-only all the way down (unknown members included).
    """

    alg: str
    enc: str
    kid: str | None
    cty: str | None
    members: Mapping[str, Any] = field(repr=False, hash=False)


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("repeated member")
    return obj


def _no_constants(name: str) -> Any:
    raise ValueError("not JSON")


_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_object_without_duplicates, parse_constant=_no_constants
)


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({name: _frozen(item) for name, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


@lru_cache(maxsize=256)
def _read(segment: str) -> JweHeader | None:
    # Cached by segment text: a receiver sees the same few headers again and again, and the
    # result is immutable all the way down (nested objects frozen), so it can be shared.
    raw = b64.decode(segment)
    if raw is None:
        return None
    try:
        members = _DECODER.decode(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        return None
    if not isinstance(members, dict) or "zip" in members or "crit" in members:
        return None
    alg = members.get("alg")
    enc = members.get("enc")
    # kid and cty may be absent, but when present they are strings (null is not one).
    kid = members.get("kid", "")
    cty = members.get("cty", "")
    if not (
        isinstance(alg, str)
        and isinstance(enc, str)
        and isinstance(kid, str)
        and isinstance(cty, str)
    ):
        return None
    return JweHeader(alg, enc, members.get("kid"), members.get("cty"), _frozen(members))


def parse_header(segment: str, policy: SecurityPolicy) -> JweHeader:
    """Read the encoded protected header ``segment`` under the rules above and ``policy``."""
    size = b64.decoded_size(len(segment))
    # The size is checked on the text, before decoding (and before it enters the cache).
    if size is None or size > policy.jwe_max_header_bytes:
        raise DecryptionError()
    header = _read(segment)
    if (
        header is None
        or header.alg not in KEY_ALGORITHMS
        or header.alg not in policy.jwe_algorithms
        or header.enc not in CONTENT_ENCRYPTIONS
        or header.enc not in policy.jwe_encryptions
    ):
        raise DecryptionError()
    return header


@lru_cache(maxsize=256)
def header_segment(alg: str, enc: str, kid: str, cty: str | None) -> bytes:
    """The encoded protected header (also the AAD), members in the order of SPEC §12.

    Cached: a sender emits the same few headers again and again.
    """
    members = {"alg": alg, "enc": enc, "kid": kid}
    if cty is not None:
        members["cty"] = cty
    return b64.encode(json.dumps(members, separators=(",", ":")).encode("utf-8"))
