"""``OAuth1Verifier``: the gateway side of OAuth 1.0a (SPEC §2.7).

Checks, in this order, each refusal carrying its status and ReasonCode (SPEC §2.8):

1. header syntax, required parameters, version, signature method, nonce shape -> 400
2. consumer key known, with a signing certificate valid now                  -> 401
3. ``oauth_timestamp`` an integer within ``now ± skew``                       -> 401
4. ``oauth_body_hash`` equal to SHA-256 of the received bytes                 -> 401
5. the signature, over the base-string variants the policy accepts that read
   this query faithfully (``verification_base_strings``)                    -> 403
6. the nonce claimed in the replay store, only now that the signature holds   -> 401

Recording a nonce only after the signature verifies means nobody can burn another
consumer's nonces with forged requests (SPEC §2.7).
"""

from __future__ import annotations

import binascii
import hmac
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import (
    AccessDeniedError,
    BodyHashError,
    InvalidAuthHeaderError,
    SignatureError,
    TimestampError,
)
from xbsec.oauth1.base_string import verification_base_strings
from xbsec.oauth1.encoding import body_hash
from xbsec.oauth1.header import parse_authorization
from xbsec.oauth1.signature import verify_message
from xbsec.policy import BaseStringVariant, SecurityPolicy
from xbsec.stores.replay import MemoryReplayStore, ReplayStore, claim_nonce

if TYPE_CHECKING:
    # cryptography.x509 costs more to import than the whole signing path; a gateway that
    # registers certificates has loaded it already, so it is imported where used.
    from cryptography import x509

__all__ = ["Credential", "CredentialSource", "OAuth1Verifier", "VerifiedRequest"]

Credential: TypeAlias = "x509.Certificate | rsa.RSAPublicKey"
"""What a consumer key verifies against: its signing certificate (validity is checked) or a
bare public key (no dates to check)."""

CredentialSource: TypeAlias = (
    "Mapping[str, Credential | Sequence[Credential]]"
    " | Callable[[str], Credential | Sequence[Credential] | None]"
)
"""Consumer key -> credential(s). Several during a key rotation; ``None`` when unknown."""

_NONCE = re.compile(r"[A-Za-z0-9._~-]+")
_SIGNATURE_FAILED = "signature verification failed"


class VerifiedRequest(NamedTuple):
    """An authenticated request: who signed it, and how."""

    consumer_key: str
    nonce: str
    timestamp: int
    signature_method: str
    variant: BaseStringVariant
    """The base-string construction the signature matched (SPEC §2.5)."""
    replay_key: str = ""
    """The key to claim in a replay store: consumer key and nonce."""
    replay_ttl: int = 0
    """How long (seconds) the nonce must be remembered."""


class _Key(NamedTuple):
    public_key: rsa.RSAPublicKey
    not_before: float
    not_after: float


def _as_key(item: Credential) -> _Key | None:
    from cryptography import x509

    if isinstance(item, x509.Certificate):
        public_key = item.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            return None
        return _Key(public_key, item.not_valid_before_utc.timestamp(),
                    item.not_valid_after_utc.timestamp())
    if isinstance(item, rsa.RSAPublicKey):
        return _Key(item, float("-inf"), float("inf"))
    return None  # type: ignore[unreachable]  # callers may pass anything at run time


class OAuth1Verifier:
    """Verifies OAuth 1.0a requests against registered consumer credentials.

    >>> verifier = OAuth1Verifier({consumer_key: certificate})      # doctest: +SKIP
    >>> verified = verifier.verify("POST", url, headers.get("Authorization"), body)

    ``url`` is the request as the client addressed it: the externally visible scheme and
    host (configure them when behind a proxy) followed by the raw request target, query
    included, exactly as received. ``body`` is the raw received bytes.
    """

    def __init__(self, credentials: CredentialSource, *, policy: SecurityPolicy | None = None,
                 replay_store: ReplayStore | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._policy = policy or SecurityPolicy()
        # Decided once: an isinstance check against the Mapping ABC costs a microsecond.
        self._lookup: Callable[[str], Any] = (
            credentials.get if isinstance(credentials, Mapping) else credentials)
        self._store: ReplayStore = MemoryReplayStore() if replay_store is None else replay_store
        self._clock = clock
        self._cache: dict[int, tuple[Credential, _Key | None]] = {}

    @property
    def policy(self) -> SecurityPolicy:
        return self._policy

    def _credentials(self, consumer_key: str) -> list[_Key]:
        found = self._lookup(consumer_key)
        if found is None:
            return []
        items: Iterable[Credential] = (
            found if isinstance(found, list | tuple) else (found,)
        )
        keys = []
        for item in items:
            cached = self._cache.get(id(item))
            if cached is None or cached[0] is not item:
                if len(self._cache) > 4096:
                    self._cache.clear()
                cached = (item, _as_key(item))
                self._cache[id(item)] = cached
            if cached[1] is not None:
                keys.append(cached[1])
        return keys

    def verify(self, method: str, url: str, authorization: str | None,
               body: bytes = b"") -> VerifiedRequest:
        """Authenticate one request, nonce claimed, or raise a ``RefusedError`` subclass."""
        verified = self.authenticate(method, url, authorization, body)
        claim_nonce(self._store, verified.replay_key, verified.replay_ttl)
        return verified

    def authenticate(self, method: str, url: str, authorization: str | None,
                     body: bytes = b"") -> VerifiedRequest:
        """Every check but the replay one (steps 1-5); the caller claims ``replay_key``.

        For callers with their own (asynchronous) replay store: claim
        ``verified.replay_key`` for ``verified.replay_ttl`` seconds, and refuse the request
        with ``NonceReplayError`` if the key was already there.
        """
        return self._authenticate_params(method, url, parse_authorization(authorization), body)

    def _authenticate_params(self, method: str, url: str, params: Mapping[str, str],
                             body: bytes) -> VerifiedRequest:
        """``authenticate`` on a header already parsed by ``parse_authorization`` (the
        gateway parses it once to learn the consumer, then tries each configured URL)."""
        policy = self._policy
        signature_method = params["oauth_signature_method"]
        if signature_method not in policy.oauth1_signature_methods:
            raise InvalidAuthHeaderError(f"unsupported oauth_signature_method {signature_method!r}")
        version = params.get("oauth_version")
        if version is None and policy.oauth1_require_version:
            raise InvalidAuthHeaderError("required parameter missing or empty: oauth_version")
        if version is not None and version != "1.0":
            raise InvalidAuthHeaderError("oauth_version must be 1.0")
        nonce = params["oauth_nonce"]
        if (not policy.oauth1_min_nonce_length <= len(nonce) <= policy.oauth1_max_nonce_length
                or not ((nonce.isalnum() and nonce.isascii()) or _NONCE.fullmatch(nonce))):
            raise InvalidAuthHeaderError(
                f"oauth_nonce must be {policy.oauth1_min_nonce_length} to "
                f"{policy.oauth1_max_nonce_length} unreserved characters"
            )
        received_hash = params.get("oauth_body_hash")
        if received_hash is None and (policy.oauth1_require_body_hash or body):
            raise InvalidAuthHeaderError("required parameter missing or empty: oauth_body_hash")

        consumer_key = params["oauth_consumer_key"]
        keys = self._credentials(consumer_key)
        if not keys:
            raise AccessDeniedError("Unauthorized - Access Not Granted")
        now = self._clock()
        if policy.oauth1_check_certificate_validity:
            keys = [k for k in keys if k.not_before <= now <= k.not_after]
            if not keys:
                raise AccessDeniedError(
                    "the signing certificate of this consumer key is not valid now"
                )

        raw_timestamp = params["oauth_timestamp"]
        if not (raw_timestamp.isascii() and raw_timestamp.isdigit() and len(raw_timestamp) <= 12):
            raise TimestampError("oauth_timestamp must be whole seconds since the epoch")
        timestamp = int(raw_timestamp)
        if abs(timestamp - now) > policy.oauth1_timestamp_skew:
            raise TimestampError.clock_off("oauth_timestamp", timestamp - now,
                                           policy.oauth1_timestamp_skew)

        if received_hash is not None and not (received_hash.isascii() and hmac.compare_digest(
                received_hash, body_hash(body))):
            raise BodyHashError(
                "The oauth_body_hash parameter does not match body contents and is invalid."
            )

        try:
            signature = binascii.a2b_base64(params["oauth_signature"].encode("ascii"),
                                            strict_mode=True)
        except (binascii.Error, ValueError):
            raise SignatureError(_SIGNATURE_FAILED) from None
        variant = self._verify_signature(method, url, params, signature, signature_method, keys)

        return VerifiedRequest(consumer_key, nonce, timestamp, signature_method, variant,
                               f"oauth1:{consumer_key}:{nonce}", policy.oauth1_nonce_ttl)

    def _verify_signature(self, method: str, url: str, params: Mapping[str, str],
                          signature: bytes, signature_method: str,
                          keys: list[_Key]) -> BaseStringVariant:
        unsigned = dict(params)
        del unsigned["oauth_signature"]
        oauth = unsigned.items()
        try:
            candidates = verification_base_strings(
                method, url, oauth, self._policy.oauth1_base_string_variants)
            for variant, sbs in candidates:
                message = sbs.encode("utf-8")
                for key in keys:
                    if verify_message(key.public_key, signature, message, signature_method):
                        return variant
        except Exception:  # a URL we cannot even parse cannot carry a valid signature
            raise SignatureError(_SIGNATURE_FAILED) from None
        raise SignatureError(_SIGNATURE_FAILED)
