"""``OAuth1Signer``: the client side of OAuth 1.0a as XBS expects it (SPEC §2.3-§2.6)."""

from __future__ import annotations

import binascii
import hashlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, NamedTuple

from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec import _redact
from xbsec.errors import ConfigurationError, SigningError
from xbsec.oauth1.base_string import signing_base_string
from xbsec.oauth1.encoding import pct_base64
from xbsec.oauth1.header import format_authorization
from xbsec.oauth1.nonce import new_nonce
from xbsec.oauth1.signature import SHA256, SIGNATURE_METHODS, padding_for

if TYPE_CHECKING:
    from xbsec.policy import BaseStringVariant

__all__ = ["OAuth1Signer", "SignedRequest"]

_Body = bytes | bytearray | memoryview | None

_b2a: Final = binascii.b2a_base64
_sha256: Final = hashlib.sha256

# Stand-ins for the values that change from request to request. They are letters only, so
# every base-string construction copies them unchanged, and no OAuth parameter name is a
# prefix of another, so they cannot change the order of the parameters.
_HASH_SLOT: Final = "XBSECxBODYxHASHxSLOT"
_NONCE_SLOT: Final = "XBSECxNONCExSLOT"
_TIME_SLOT: Final = "XBSECxTIMExSLOT"
_SIGNATURE_SLOT: Final = "XBSECxSIGNATURExSLOT"
_BASE64_EXTRAS: Final = "+/="
"""The characters of a standard base64 body hash that a construction may encode."""
_TEMPLATES_MAX: Final = 256
_UNKNOWN: Final = object()


class _Template(NamedTuple):
    """A base string with its slots cut out (body hash, nonce, timestamp, in this order,
    the order of their names), for one signer, method and URL."""

    head: str
    after_hash: str
    after_nonce: str
    after_time: str
    double_encoded: bool
    """The construction encodes the OAuth values twice (``rfc5849`` read literally)."""


def _cut(text: str, slots: tuple[str, ...]) -> list[str] | None:
    """``text`` split at each of ``slots``, which must each occur once, in this order."""
    if any(text.count(slot) != 1 for slot in slots):
        return None
    pieces = []
    for slot in slots:
        head, found, text = text.partition(slot)
        if not found:
            return None
        pieces.append(head)
    pieces.append(text)
    return pieces


class SignedRequest(NamedTuple):
    """What signing produced: the header value and how it was reached."""

    authorization: str
    base_string: str
    body_hash: str
    nonce: str
    timestamp: int

    def __repr__(self) -> str:
        # The signature is a credential until its nonce is used: the scheme only.
        return (f"SignedRequest(authorization={_redact.credentials(self.authorization)!r}, "
                f"base_string={self.base_string!r}, body_hash={self.body_hash!r}, "
                f"nonce={self.nonce!r}, timestamp={self.timestamp!r})")


class OAuth1Signer:
    """Signs requests with a consumer key and an RSA private key.

    >>> signer = OAuth1Signer(consumer_key, private_key)            # doctest: +SKIP
    >>> headers["Authorization"] = signer.authorization_header("POST", url, body)

    ``body`` must be the exact bytes that are sent: serialise once, sign those bytes, send
    those bytes (SPEC §2.4). A ``str`` body is refused rather than guessed at, because HTTP
    libraries disagree on how they encode one.

    ``variant`` chooses the base-string construction (SPEC §2.5); the default ``java`` is
    what Mastercard's gateway is known to accept, and for URLs whose query is percent-encoded
    with ``pct`` every variant but ``rfc5849`` gives the same signature. For a query that a
    construction cannot read as the server will (an escaped ``&`` or ``=`` that ``java``
    splits on, say), the RFC 5849 reading is signed instead (``signing_base_string``), so
    that the signature holds for this query and no other.
    ``clock`` (seconds since the epoch) and ``nonce`` are injectable for tests.
    """

    __slots__ = ("_clock", "_header", "_key", "_method", "_nonce", "_padding", "_templates",
                 "_variant", "consumer_key")

    def __init__(self, consumer_key: str, private_key: rsa.RSAPrivateKey, *,
                 signature_method: str = "RSA-SHA256", variant: BaseStringVariant = "java",
                 clock: Callable[[], float] = time.time,
                 nonce: Callable[[], str] = new_nonce) -> None:
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ConfigurationError(
                f"OAuth 1.0a signs with an RSA private key, not {type(private_key).__name__}"
            )
        if signature_method not in SIGNATURE_METHODS:
            raise ConfigurationError(
                f"unknown signature method {signature_method!r}; "
                f"expected one of {sorted(SIGNATURE_METHODS)}"
            )
        if variant not in ("java", "python", "node", "rfc5849"):
            raise ConfigurationError(f"unknown base-string variant {variant!r}")
        if not consumer_key or any(c in consumer_key for c in '" \t\r\n,'):
            raise ConfigurationError(
                "consumer key must be non-empty, without spaces, commas or quotes"
            )
        self.consumer_key = consumer_key
        self._key = private_key
        self._method = signature_method
        self._variant: BaseStringVariant = variant
        self._clock = clock
        self._nonce = nonce
        self._padding = padding_for(signature_method)
        # The Authorization header around its changing values, as format_authorization
        # writes them (values verbatim); None if the consumer key holds a slot's text.
        header = _cut(format_authorization(self._params(_HASH_SLOT, _NONCE_SLOT, _TIME_SLOT),
                                           _SIGNATURE_SLOT),
                      (_NONCE_SLOT, _TIME_SLOT, _HASH_SLOT, _SIGNATURE_SLOT))
        self._header = None if header is None else tuple(header)
        self._templates: dict[tuple[str, str], _Template | None] = {}  # by (method, URL)

    def sign(self, method: str, url: str, body: _Body = None, *,
             nonce: str | None = None, timestamp: int | None = None) -> SignedRequest:
        """Sign one request; ``nonce`` and ``timestamp`` override the injected sources."""
        return SignedRequest(*self._sign(method, url, body, nonce, timestamp))

    def _sign(self, method: str, url: str, body: _Body, nonce: str | None,
              timestamp: int | None) -> tuple[str, str, str, str, int]:
        if body is None:
            body = b""
        elif not isinstance(body, bytes | bytearray | memoryview):
            raise SigningError(
                "body must be bytes: encode it once (UTF-8) and send exactly those bytes"
            )
        if not method or not method.isalpha():
            raise SigningError(f"not an HTTP method: {method!r}")
        digest = _b2a(_sha256(body if type(body) is bytes else bytes(body)).digest(),
                      newline=False).decode("ascii")
        nonce = self._nonce() if nonce is None else nonce
        timestamp = int(self._clock()) if timestamp is None else timestamp
        stamp = str(timestamp)
        # A URL signed before reuses its base string with the slots cut out (the common
        # case: a client calls a few endpoints); nonces and timestamps that a construction
        # might spell otherwise (not letters and digits) take the long way.
        template = self._templates.get((method, url), _UNKNOWN)
        if template is _UNKNOWN:
            template = self._template(method, url)
        if (isinstance(template, _Template) and nonce.isalnum() and nonce.isascii()
                and stamp.isdecimal() and stamp.isascii()):
            sbs = self._fill(template, digest, nonce, stamp)
        else:
            sbs = signing_base_string(method, url, self._params(digest, nonce, stamp),
                                      self._variant)
        signature = _b2a(self._key.sign(sbs.encode("utf-8"), self._padding, SHA256),
                         newline=False).decode("ascii")
        if self._header is None:
            header = format_authorization(self._params(digest, nonce, stamp), signature)
        else:
            h0, h1, h2, h3, h4 = self._header
            header = f"{h0}{nonce}{h1}{stamp}{h2}{digest}{h3}{pct_base64(signature)}{h4}"
        return header, sbs, digest, nonce, timestamp

    def _params(self, digest: str, nonce: str, stamp: str) -> tuple[tuple[str, str], ...]:
        # Header order of Mastercard's Python signer; the order carries no meaning (SPEC §2.3).
        return (
            ("oauth_consumer_key", self.consumer_key),
            ("oauth_nonce", nonce),
            ("oauth_timestamp", stamp),
            ("oauth_signature_method", self._method),
            ("oauth_version", "1.0"),
            ("oauth_body_hash", digest),
        )

    def _template(self, method: str, url: str) -> _Template | None:
        """The base string of ``method`` and ``url`` with its slots cut out, remembered; or
        ``None`` (remembered too) when the URL has a query, whose parameters sort among the
        OAuth ones, or when the slots do not come out cleanly."""
        template = None
        if "?" not in url:
            slots = (_HASH_SLOT, _NONCE_SLOT, _TIME_SLOT)
            pieces = _cut(signing_base_string(method, url, self._params(*slots),
                                              self._variant), slots)
            # How the construction spells a body hash: the characters of base64 that are
            # not letters or digits, encoded once or twice.
            probe = _cut(signing_base_string(
                method, url, self._params(_HASH_SLOT + _BASE64_EXTRAS, *slots[1:]),
                self._variant), slots)
            if pieces is not None and probe is not None and probe[0] == pieces[0]:
                spelled = probe[1].removesuffix(pieces[1])
                once = pct_base64(_BASE64_EXTRAS)
                if spelled in (once, once.replace("%", "%25")) and probe[2:] == pieces[2:]:
                    head, after_hash, after_nonce, after_time = pieces
                    template = _Template(head, after_hash, after_nonce, after_time,
                                         spelled != once)
        if len(self._templates) >= _TEMPLATES_MAX:
            self._templates.clear()  # atomic, unlike evicting one entry while threads race
        self._templates[(method, url)] = template
        return template

    @staticmethod
    def _fill(template: _Template, digest: str, nonce: str, stamp: str) -> str:
        encoded = pct_base64(digest)
        if template.double_encoded:
            encoded = encoded.replace("%", "%25")
        return (f"{template.head}{encoded}{template.after_hash}{nonce}{template.after_nonce}"
                f"{stamp}{template.after_time}")

    def authorization_header(self, method: str, url: str, body: _Body = None) -> str:
        """The ``Authorization`` header value for one request."""
        return self._sign(method, url, body, None, None)[0]
