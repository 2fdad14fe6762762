"""Which private key decrypts a JWE: choosing among several by ``kid`` (key rotation).

A key answers to the lower-case hex SHA-256 of its SubjectPublicKeyInfo (the ``kid``
Mastercard's libraries compute, SPEC §3.4) and, when the keys were given as a mapping, to
its mapping key too (for example the certificate fingerprint, SPEC §3.4). Comparison is
case-insensitive.

Rules [INF, SPEC §3.4/§3.5]:

- exactly one key: the ``kid`` is not consulted. A client MUST accept whatever ``kid``
  Mastercard puts on a response (SPEC §3.5), and with one key there is nothing to choose;
  a wrong key simply fails to decrypt. A gateway that must answer an unknown ``kid`` with
  its own ReasonCode looks it up first with ``JweKeyring.find``.
- several keys: the key whose names include the ``kid``. If none does, or the token has no
  ``kid``, ``SecurityPolicy.jwe_require_known_kid`` decides: refuse (the default), or try
  every key in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeAlias

from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import ConfigurationError, KeyMaterialError
from xbsec.jose.keywrap import MIN_RSA_BITS
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.keys.types import PrivateKey

__all__ = ["DecryptionKeys", "JweKeyring"]


def _checked(key: object) -> rsa.RSAPrivateKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyMaterialError(
            f"a JWE decryption key must be an RSA private key, not {type(key).__name__}"
        )
    if key.key_size < MIN_RSA_BITS:
        raise KeyMaterialError(
            f"a {key.key_size}-bit RSA key is too small for JWE (at least {MIN_RSA_BITS})"
        )
    return key


class JweKeyring:
    """The private keys a JWE may be encrypted to, found by ``kid``.

    Build one once and pass it to ``jwe_decrypt`` when decrypting often with several keys;
    a plain key, sequence or mapping works too and is turned into a keyring per call.
    """

    __slots__ = ("_index", "_keys", "_names")

    def __init__(self, keys: PrivateKey | Sequence[PrivateKey] | Mapping[str, PrivateKey]) -> None:
        names: Iterable[tuple[str | None, object]]
        if isinstance(keys, rsa.RSAPrivateKey):
            names = ((None, keys),)
        elif isinstance(keys, Mapping):
            names = keys.items()
            if not all(isinstance(name, str) for name in keys):
                raise ConfigurationError("the kids naming JWE decryption keys must be strings")
        elif isinstance(keys, Sequence):
            names = ((None, key) for key in keys)
        else:
            names = ((None, keys),)
        self._names = tuple((name, _checked(key)) for name, key in names)
        self._keys = tuple(key for _, key in self._names)
        if not self._keys:
            raise ConfigurationError("no JWE decryption key given")
        self._index: dict[str, rsa.RSAPrivateKey] | None
        # Several keys are always looked up by kid, so a clash is reported at once.
        self._index = self._build_index() if len(self._keys) > 1 else None

    @property
    def keys(self) -> tuple[rsa.RSAPrivateKey, ...]:
        """The keys, in the order given."""
        return self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def _build_index(self) -> dict[str, rsa.RSAPrivateKey]:
        index: dict[str, rsa.RSAPrivateKey] = {}
        for name, key in self._names:
            for alias in (name, spki_sha256_hex(key)):
                if alias is None:
                    continue
                alias = alias.lower()
                if index.setdefault(alias, key) is not key:
                    raise ConfigurationError(
                        f"two different JWE decryption keys answer to kid {alias!r}"
                    )
        return index

    def find(self, kid: str) -> rsa.RSAPrivateKey | None:
        """The key that answers to ``kid`` (case-insensitive), if any."""
        if self._index is None:
            self._index = self._build_index()
        return self._index.get(kid.lower())

    def candidates(
        self, kid: str | None, *, require_known_kid: bool
    ) -> tuple[rsa.RSAPrivateKey, ...]:
        """The keys to try, in order, for a token with this ``kid`` (rules above)."""
        if len(self._keys) == 1:
            return self._keys
        key = None if kid is None else self.find(kid)
        if key is not None:
            return (key,)
        return () if require_known_kid else self._keys


DecryptionKeys: TypeAlias = (
    PrivateKey | Sequence[PrivateKey] | Mapping[str, PrivateKey] | JweKeyring
)
"""What ``jwe_decrypt`` takes: one key, several keys, ``{kid: key}``, or a ``JweKeyring``."""


_RSA_PRIVATE_TYPES: set[type] = set()
"""Classes seen to be RSA private keys: an exact type lookup is far cheaper than asking
the ``RSAPrivateKey`` ABC on every call."""


def resolve(keys: DecryptionKeys) -> JweKeyring | tuple[rsa.RSAPrivateKey]:
    """``keys`` checked: a keyring, or for a lone RSA key (the common case, kept cheap) the
    one-key tuple of candidates, since one key is never chosen by ``kid``."""
    kind = type(keys)
    if kind is JweKeyring:
        return keys  # type: ignore[return-value]
    if kind in _RSA_PRIVATE_TYPES or isinstance(keys, rsa.RSAPrivateKey):
        if keys.key_size < MIN_RSA_BITS:  # type: ignore[union-attr]
            return (_checked(keys),)  # raises
        _RSA_PRIVATE_TYPES.add(kind)
        return (keys,)  # type: ignore[return-value]
    if isinstance(keys, JweKeyring):
        return keys
    return JweKeyring(keys)
