"""Client authentication at the token endpoint with ``private_key_jwt`` (RFC 7523, SPEC §6.4).

The client proves who it is with a short JWT signed by the project signing key (the key of
OAuth 1.0a and of the request token)::

    header  {"alg":"RS256","typ":"JWT"}                     (ES256 for a P-256 key)
    claims  {"iss":"<consumer key>","sub":"<consumer key>","aud":"<token endpoint URL>",
             "iat":<now>,"exp":<now + lifetime>,"jti":"<32 lowercase hex>"}

sent as ``client_assertion`` with ``client_assertion_type`` =
``urn:ietf:params:oauth:client-assertion-type:jwt-bearer`` (RFC 7523 §2.2). ``aud`` is the
token endpoint URL exactly as requests are sent to it, so an assertion made for one
endpoint is refused by any other; a fresh ``jti`` for every assertion lets the server
refuse a replay. The lifetime is at most 300 s, well inside what authorization servers
accept (the sandbox's takes up to an hour); 60 s by default, since an assertion is used
the moment it is made.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from xbsec.errors import ConfigurationError
from xbsec.jose.jws import JwsSigner
from xbsec.keys.types import PrivateKey

if TYPE_CHECKING:
    from xbsec.keys.project import ProjectKeys

__all__ = ["CLIENT_ASSERTION_TYPE", "MAX_ASSERTION_LIFETIME", "ClientAssertionMinter"]

CLIENT_ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME: Final = 300
_JTI_BYTES: Final = 16


class ClientAssertionMinter:
    """Mints RFC 7523 client assertions for one client id and one signing key.

    >>> minter = ClientAssertionMinter(consumer_key, signing_key)      # doctest: +SKIP
    >>> assertion = minter.mint("https://xbs.example/oauth2/token")

    ``clock`` (seconds since the epoch) and ``random_bytes`` (for ``jti``) are injectable.
    """

    __slots__ = ("_clock", "_lifetime", "_random", "_signer", "client_id")

    def __init__(self, client_id: str, private_key: PrivateKey, *, lifetime: int = 60,
                 clock: Callable[[], float] = time.time,
                 random_bytes: Callable[[int], bytes] = os.urandom) -> None:
        if not isinstance(client_id, str) or not client_id.strip():
            raise ConfigurationError("the client id (consumer key) must be a non-empty string")
        if (not isinstance(lifetime, int) or isinstance(lifetime, bool)
                or not 1 <= lifetime <= MAX_ASSERTION_LIFETIME):
            raise ConfigurationError(f"an assertion lifetime is 1 to {MAX_ASSERTION_LIFETIME}"
                                     f" seconds, not {lifetime!r}")
        self.client_id = client_id
        self._signer = JwsSigner(private_key, header={"typ": "JWT"})
        self._lifetime = lifetime
        self._clock = clock
        self._random = random_bytes

    @classmethod
    def from_project_keys(cls, keys: ProjectKeys, **options: Any) -> ClientAssertionMinter:
        """A minter for ``keys.consumer_key`` with ``keys.signing_key``."""
        return cls(keys.consumer_key, keys.signing_key, **options)

    @property
    def algorithm(self) -> str:
        """The JWS ``alg``: RS256 or ES256."""
        return self._signer.alg

    def claims(self, audience: str) -> dict[str, Any]:
        """The claims of a new assertion for ``audience`` (the token endpoint URL)."""
        if not isinstance(audience, str) or not audience:
            raise ConfigurationError("the assertion audience (token endpoint URL) is empty")
        random = self._random(_JTI_BYTES)
        if len(random) != _JTI_BYTES:
            raise ConfigurationError(f"random_bytes returned {len(random)} bytes, not "
                                     f"{_JTI_BYTES}")
        issued = int(self._clock())
        return {"iss": self.client_id, "sub": self.client_id, "aud": audience,
                "iat": issued, "exp": issued + self._lifetime, "jti": random.hex()}

    def mint(self, audience: str) -> str:
        """A new signed assertion for ``audience``: fresh ``iat``, ``exp`` and ``jti``."""
        payload = json.dumps(self.claims(audience), separators=(",", ":"),
                             ensure_ascii=False).encode("utf-8")
        return self._signer.sign(payload)
