"""``SecurityPolicy``: every limit and switch of the scheme, in one value, passed in.

Two named profiles:

- ``SecurityPolicy.strict()`` (the default everywhere): what xbsec itself emits, plus
  strict RFC 5849 on the verifying side (the query read only as RFC 5849 reads it).
- ``SecurityPolicy.mastercard_compatible()``: additionally accepts everything Mastercard's
  own client libraries are known to produce (SPEC §2.5: Python and Node base-string
  variants, 8-character nonces, a missing body hash on empty bodies, RSA-PSS; SPEC §3.3:
  16-byte GCM IVs and JWE segments with the standard base64 ``/`` of the Node library;
  SPEC §3.5: RSA-OAEP with SHA-1 on responses).

A policy is an immutable value: derive a variant with ``dataclasses.replace`` or
``policy.replace(...)``. Nothing in xbsec reads a global switch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["BaseStringVariant", "SecurityPolicy", "StoreDurability", "X5tCheck"]

BaseStringVariant = Literal["java", "python", "node", "rfc5849"]
"""How a signer built the OAuth 1.0a signature base string (SPEC §2.5).

- ``java``: Mastercard's Java signer (query sorted by name, then value; the signing default);
- ``python``: Mastercard's Python signer (whole ``name=value`` strings sorted);
- ``node``: Mastercard's Node signer (raw pairs, explicit default port kept, partial encoding);
- ``rfc5849``: RFC 5849 §3.4.1 read literally (form-decoding of the query).
"""

_ALL_VARIANTS: tuple[BaseStringVariant, ...] = ("java", "python", "node", "rfc5849")

StoreDurability = Literal["refuse", "warn"]
"""What a gateway does at start-up when its shared replay store can lose live claims (Redis
with an eviction policy or without persistence, ``xbsec.stores.redis.connection``):
``refuse`` to start, or ``warn`` loudly in the log and in ``/health``."""

X5tCheck = Literal["either", "jwk", "cert", "off"]
"""What a request token's ``x5t#S256`` must equal, when present (SPEC §5.4 step 4).

- ``either``: the RFC 7638 JWK thumbprint (Mastercard's generator) or the RFC 7515
  certificate thumbprint of the registered certificate;
- ``jwk`` / ``cert``: only that one;
- ``off``: not compared (a mismatch is only reported in ``VerifiedToken.warnings``).
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityPolicy:
    """Limits and switches for signing, verification and encryption.

    All durations are in seconds.
    """

    # --- OAuth 1.0a (SPEC §2) -----------------------------------------------------------
    oauth1_timestamp_skew: int = 300
    """Accepted distance between ``oauth_timestamp`` and the verifier's clock [INF]."""
    oauth1_nonce_ttl: int = 600
    """How long a (consumer key, nonce) pair is remembered; at least 2 x skew (SPEC §2.7)."""
    oauth1_min_nonce_length: int = 16
    """Shortest accepted nonce. Mastercard's Node signer sends 8 characters."""
    oauth1_max_nonce_length: int = 64
    oauth1_signature_methods: frozenset[str] = frozenset({"RSA-SHA256"})
    """``oauth_signature_method`` values a verifier accepts."""
    oauth1_base_string_variants: tuple[BaseStringVariant, ...] = ("rfc5849",)
    """Base-string constructions a verifier tries, in order (SPEC §2.5).

    Each is tried only for a query it reads as the application does (``reads_faithfully``
    in ``xbsec.oauth1.base_string``). ``rfc5849`` alone reads every query losslessly; for a
    query whose names and values are percent-encoded, as xbsec's clients send them, it gives
    the base string of Mastercard's signers and of xbsec's."""
    oauth1_require_body_hash: bool = True
    """Refuse a request without ``oauth_body_hash``. Old Node signers omit it on empty bodies."""
    oauth1_require_version: bool = False
    """Refuse a header without ``oauth_version`` (when present it must be ``1.0``)."""
    oauth1_check_certificate_validity: bool = True
    """Refuse a consumer whose signing certificate is outside notBefore/notAfter (SPEC §7.1)."""

    # --- JWE (SPEC §3) -------------------------------------------------------------------
    jwe_algorithms: frozenset[str] = frozenset({"RSA-OAEP-256"})
    """Key-management ``alg`` values a decryptor accepts. Never ``RSA1_5``."""
    jwe_encryptions: frozenset[str] = frozenset(
        {"A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"}
    )
    """Content-encryption ``enc`` values a decryptor accepts."""
    jwe_gcm_iv_lengths: frozenset[int] = frozenset({12})
    """Accepted AES-GCM IV lengths in bytes. Mastercard's libraries emit 16 (SPEC §3.3)."""
    jwe_accept_standard_base64: bool = False
    """Also read JWE segments spelled with the standard base64 alphabet's ``+`` and ``/``.

    Mastercard's Node client-encryption library writes ``-`` for 62 but ``/`` for 63, and
    Mastercard's gateway reads both alphabets. One spelling per token still holds: 62 is
    ``-`` or ``+`` and 63 is ``_`` or ``/`` throughout a token, never both; no padding, no
    white space, and the unused low bits of a segment's last character must be zero."""
    jwe_require_known_kid: bool = True
    """With several keys: refuse a token whose ``kid`` matches none (else try every key)."""
    jwe_max_token_bytes: int = 16 * 1024 * 1024
    """Largest compact JWE accepted, all five segments together."""
    jwe_max_header_bytes: int = 4096
    """Largest protected header (decoded JSON) accepted."""

    # --- OAuth 2.0 request token (SPEC §5.4) ---------------------------------------------
    request_token_algorithms: frozenset[str] = frozenset({"RS256", "ES256"})
    """JWS ``alg`` values a request-token verifier accepts (never ``none`` or HS*)."""
    request_token_max_lifetime: int = 900
    """Longest accepted ``exp - iat``: Mastercard's generator default (SPEC §5.2)."""
    request_token_skew: int = 60
    """Accepted clock difference for ``exp``, ``nbf`` and ``iat`` [INF]."""
    request_token_accept_bare: bool = True
    """Accept a bare ``<jwt>`` without ``Bearer `` (SPEC §5.4 step 1: lenient by default)."""
    request_token_x5t_check: X5tCheck = "either"  # noqa: S105 -- a mode name, not a secret
    """How ``x5t#S256`` is compared with the registered certificate (``X5tCheck``)."""
    request_token_replay_check: bool = False
    """Refuse a ``jti`` seen before. Off: Mastercard is reported to accept replays (§5.4)."""
    request_token_max_bytes: int = 16 * 1024
    """Longest accepted token, in characters (one leaf certificate in ``x5c`` is ~2 KB)."""

    # --- Bodies --------------------------------------------------------------------------
    max_body_bytes: int = 10 * 1024 * 1024
    """Largest request or response body the pipeline and the gateway accept."""

    # --- Gateway operations ----------------------------------------------------------------
    rate_limit_per_second: float | None = None
    """Requests per second a consumer may make through a gateway (a token bucket per
    consumer key); ``None``: no limit. Over it: 429 ``TOO_MANY_REQUESTS`` with
    ``Retry-After`` (SPEC §2.8 [INF])."""
    rate_limit_burst: int | None = None
    """Requests a consumer may make at once, above the rate; ``None``: twice the rate."""
    replay_store_durability: StoreDurability = "refuse"
    """A shared replay store that can lose live claims: refuse to start, or warn."""

    def __post_init__(self) -> None:
        # A policy that cannot work is a configuration mistake: say so when it is made.
        from xbsec.errors import ConfigurationError

        if self.oauth1_timestamp_skew < 0:
            raise ConfigurationError("oauth1_timestamp_skew must be >= 0")
        if self.oauth1_nonce_ttl < 2 * self.oauth1_timestamp_skew:
            raise ConfigurationError(
                "oauth1_nonce_ttl must be at least 2 x oauth1_timestamp_skew, or a nonce "
                "could be replayed while its timestamp is still accepted (SPEC §2.7 step 4)"
            )
        if not 1 <= self.oauth1_min_nonce_length <= self.oauth1_max_nonce_length:
            raise ConfigurationError("oauth1 nonce length bounds are inconsistent")
        if not self.oauth1_base_string_variants:
            raise ConfigurationError("oauth1_base_string_variants must not be empty")
        bad_variants = set(self.oauth1_base_string_variants) - set(_ALL_VARIANTS)
        if bad_variants:
            raise ConfigurationError(f"unknown base-string variants: {sorted(bad_variants)}")
        bad_methods = set(self.oauth1_signature_methods) - {"RSA-SHA256", "RSA-PSS"}
        if bad_methods:
            raise ConfigurationError(f"unknown oauth1 signature methods: {sorted(bad_methods)}")
        if "RSA1_5" in self.jwe_algorithms:
            raise ConfigurationError("RSA1_5 is never accepted (padding-oracle attacks)")
        if set(self.jwe_gcm_iv_lengths) - {12, 16}:
            raise ConfigurationError("jwe_gcm_iv_lengths may only contain 12 and 16")
        if not self.request_token_algorithms or (
            set(self.request_token_algorithms) - {"RS256", "ES256"}
        ):
            raise ConfigurationError("request_token_algorithms must be RS256 and/or ES256")
        if self.request_token_max_lifetime < 1:
            raise ConfigurationError("request_token_max_lifetime must be >= 1")
        if self.request_token_skew < 0:
            raise ConfigurationError("request_token_skew must be >= 0")
        if self.request_token_x5t_check not in ("either", "jwk", "cert", "off"):
            raise ConfigurationError(
                f"unknown request_token_x5t_check {self.request_token_x5t_check!r}"
            )
        if self.request_token_max_bytes < 256:
            raise ConfigurationError("request_token_max_bytes must be >= 256")
        if self.rate_limit_per_second is not None and not (
                isinstance(self.rate_limit_per_second, int | float)
                and 0 < self.rate_limit_per_second < float("inf")):
            raise ConfigurationError("rate_limit_per_second must be a positive number or None")
        burst = self.rate_limit_burst
        if burst is not None and (isinstance(burst, bool) or not isinstance(burst, int)
                                  or burst < 1):
            raise ConfigurationError("rate_limit_burst must be a positive integer or None")
        if self.replay_store_durability not in ("refuse", "warn"):
            raise ConfigurationError("replay_store_durability must be 'refuse' or 'warn'")

    @classmethod
    def strict(cls) -> SecurityPolicy:
        """The default: what xbsec emits, and strict RFC 5849 when verifying."""
        return cls()

    @classmethod
    def mastercard_compatible(cls) -> SecurityPolicy:
        """Accept everything Mastercard's own client libraries are known to produce."""
        return cls(
            oauth1_min_nonce_length=8,  # Node signer: 8-character nonces (SPEC §2.5)
            oauth1_signature_methods=frozenset({"RSA-SHA256", "RSA-PSS"}),
            oauth1_base_string_variants=_ALL_VARIANTS,
            oauth1_require_body_hash=False,
            jwe_algorithms=frozenset({"RSA-OAEP-256", "RSA-OAEP"}),
            jwe_gcm_iv_lengths=frozenset({12, 16}),  # client-encryption libraries (SPEC §3.3)
            jwe_accept_standard_base64=True,  # the Node client-encryption library's '/'
        )

    @property
    def rate_limit(self) -> tuple[float, int] | None:
        """``(rate, burst)`` of the per-consumer token bucket, or ``None`` for no limit."""
        if self.rate_limit_per_second is None:
            return None
        burst = self.rate_limit_burst
        if burst is None:
            burst = max(1, int(2 * self.rate_limit_per_second))
        return float(self.rate_limit_per_second), burst

    def replace(self, **changes: Any) -> SecurityPolicy:
        """Return a copy with ``changes`` applied (validated like a new policy)."""
        return dataclasses.replace(self, **changes)
