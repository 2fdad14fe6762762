"""Explain why an OAuth 1.0a signature fails, for the person debugging it.

``OAuth1Verifier`` is deliberately terse: a gateway must not tell an attacker which check
came close. The owner of the keys, holding the request, the header and the certificate,
wants the opposite: every check, what was expected, what was received, and which
well-known mistake fits (SPEC §2.4-§2.6; R-TK's troubleshooting table).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import InvalidAuthHeaderError, SigningError
from xbsec.oauth1.base_string import (
    reads_faithfully,
    signature_base_string,
    verification_base_strings,
)
from xbsec.oauth1.encoding import EMPTY_BODY_HASH, body_hash
from xbsec.oauth1.header import parse_authorization
from xbsec.oauth1.signature import SIGNATURE_METHODS, verify_message
from xbsec.policy import BaseStringVariant, SecurityPolicy

__all__ = ["Explanation", "Finding", "body_hash_finding", "explain", "explain_signature",
           "timestamp_finding"]

Level = Literal["ok", "warning", "error"]

_VARIANT_NAMES: dict[BaseStringVariant, str] = {
    "java": "Mastercard's Java signer (xbsec's default)",
    "python": "Mastercard's Python signer",
    "node": "Mastercard's Node signer",
    "rfc5849": "RFC 5849 read literally",
}


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    check: str
    message: str


@dataclass(slots=True)
class Explanation:
    """The outcome of every check, and the base strings that were tried."""

    findings: list[Finding] = field(default_factory=list)
    base_strings: dict[str, str] = field(default_factory=dict)
    matched: str | None = None
    """The construction (or corrected URL) the signature verifies under, if any."""
    signed: str | None = None
    """The base string the signature verifies under, if any: what the client signed."""

    @property
    def valid(self) -> bool:
        return not any(f.level == "error" for f in self.findings)

    def add(self, level: Level, check: str, message: str) -> None:
        self.findings.append(Finding(level, check, message))


def _url_variants(url: str) -> list[tuple[str, str, BaseStringVariant]]:
    """Plausible URLs a client may have signed instead of the one it sent, each with the
    construction that tells it apart (only Node's keeps an explicit default port)."""
    parts = urlsplit(url)
    other_scheme = "http" if parts.scheme == "https" else "https"
    path = parts.path or "/"
    candidates = [
        ("the other scheme", urlunsplit((other_scheme, parts.netloc, path, parts.query, ""))),
        ("a trailing slash", urlunsplit((parts.scheme, parts.netloc, path.rstrip("/") + "/",
                                          parts.query, ""))),
        ("no trailing slash", urlunsplit((parts.scheme, parts.netloc, path.rstrip("/") or "/",
                                           parts.query, ""))),
        ("no query string", urlunsplit((parts.scheme, parts.netloc, path, "", ""))),
    ]
    found: list[tuple[str, str, BaseStringVariant]] = [
        (why, u, "java") for why, u in candidates if u != url]
    if parts.port is None and parts.hostname:
        port = "443" if parts.scheme == "https" else "80"
        found.append(("an explicit default port, kept by Node's signer", urlunsplit(
            (parts.scheme, f"{parts.netloc}:{port}", path, parts.query, "")), "node"))
    return found


def explain(method: str, url: str, authorization: str | None, body: bytes,
            public_key: rsa.RSAPublicKey, *, now: float | None = None,
            skew: int = 300) -> Explanation:
    """Run every check of SPEC §2.7 and report each, with hints for the usual mistakes."""
    report = Explanation()
    try:
        params = parse_authorization(authorization)
    except InvalidAuthHeaderError as exc:
        report.add("error", "header", exc.description)
        return report
    report.add("ok", "header", "the Authorization header parses; consumer key "
               f"{params['oauth_consumer_key']!r}")

    method_name = params["oauth_signature_method"]
    if method_name not in SIGNATURE_METHODS:
        report.add("error", "signature method", f"{method_name!r} is not RSA-SHA256 or RSA-PSS")
        return report

    now = time.time() if now is None else now
    report.findings.append(timestamp_finding(params["oauth_timestamp"], now, skew))
    report.findings.append(body_hash_finding(params.get("oauth_body_hash"), body_hash(body),
                                             len(body)))
    explain_signature(report, method, url, params, public_key)
    return report


def timestamp_finding(raw: str, now: float, skew: int = 300) -> Finding:
    """How far ``oauth_timestamp`` (as sent) is from ``now``, against the window."""
    try:
        drift = int(raw) - now
    except ValueError:
        return Finding("error", "timestamp", "oauth_timestamp is not an integer")
    level: Level = "ok" if abs(drift) <= skew else "error"
    return Finding(level, "timestamp",
                   f"signed {abs(drift):.0f} s {'after' if drift > 0 else 'before'} now "
                   f"(window ±{skew} s){'; check the clock' if level == 'error' else ''}")


def body_hash_finding(received: str | None, computed: str, size: int) -> Finding:
    """``oauth_body_hash`` (as sent, ``None`` when absent) against ``computed``, the hash of
    the ``size`` bytes received."""
    if received is None:
        return Finding("warning" if not size else "error", "body hash",
                       "no oauth_body_hash (every Mastercard signer sends one, SPEC §2.4)")
    if received == computed:
        return Finding("ok", "body hash", f"matches the {size} received bytes")
    hint = ("the body that was signed differs from the body received: serialise once, "
            "sign those bytes, send those bytes (re-serialised JSON, a str body re-encoded "
            "by the HTTP library, or a missing trailing newline are the usual causes)")
    if received == EMPTY_BODY_HASH:
        hint = "the signer hashed an empty body but a body was sent"
    return Finding("error", "body hash", f"received {received}, computed {computed}: {hint}")


def explain_signature(report: Explanation, method: str, url: str, params: Mapping[str, str],
                      public_key: rsa.RSAPublicKey, *,
                      other_urls: Sequence[tuple[str, str]] = (),
                      failed: Collection[str] = ()) -> None:
    """The signature checks of ``explain``, added to ``report``: the construction the
    signature verifies under, or the URL it was signed for, or why it verifies under none.

    ``other_urls``: more (reason, URL) pairs a client may have signed instead of ``url``,
    tried after the usual mistakes (a gateway knows what the client sent as ``Host``).
    ``failed``: base strings the signature is known not to verify under (those a gateway
    tried already), which are not verified again.
    """
    method_name = params["oauth_signature_method"]
    try:
        import base64

        signature = base64.b64decode(params["oauth_signature"], validate=True)
    except ValueError:
        report.add("error", "signature", "oauth_signature is not base64")
        return
    if len(signature) * 8 != public_key.key_size:
        report.add("error", "signature",
                   f"the signature is {len(signature) * 8} bits but the key is "
                   f"{public_key.key_size}: wrong key or consumer key")

    oauth = [(k, v) for k, v in params.items() if k != "oauth_signature"]
    strict: set[str] = set()
    for variant, name in _VARIANT_NAMES.items():
        try:
            sbs = signature_base_string(method, url, oauth, variant)
            if not strict:
                strict = {candidate for _, candidate in verification_base_strings(
                    method, url, oauth, SecurityPolicy().oauth1_base_string_variants)}
        except SigningError as exc:
            report.add("error", "url", str(exc))
            return
        report.base_strings[variant] = sbs
        if report.matched is None and sbs not in failed and verify_message(
                public_key, signature, sbs.encode(), method_name):
            report.matched = variant
            report.signed = sbs
            if sbs in strict:
                report.add("ok", "signature", f"verifies with the base string of {name}")
            elif reads_faithfully(url, variant):
                report.add("warning", "signature", f"verifies with the base string of {name}"
                           "; a strict gateway refuses it (SPEC §2.5): percent-encode every "
                           "query name and value with RFC 3986 when building the URL")
            else:
                report.add("error", "signature", f"verifies with the base string of {name}, "
                           "whose reading of this query another query shares (an escaped "
                           "'&' or '=', a repeated pair, '+' beside an escape, an oauth_* "
                           "parameter): no gateway of xbsec accepts it; percent-encode every "
                           "query name and value with RFC 3986 when building the URL")
    if report.matched is not None:
        return

    candidates = [*_url_variants(url), *((why, other, "java") for why, other in other_urls)]
    for why, candidate, variant in candidates:
        try:
            sbs = signature_base_string(method, candidate, oauth, variant)
        except SigningError:
            continue
        if sbs not in failed and verify_message(public_key, signature, sbs.encode(),
                                                method_name):
            report.matched = candidate
            report.signed = sbs
            report.add("error", "signature", f"verifies for {candidate} ({why}): the client "
                       "signed a different URL from the one it sent")
            return
    report.add("error", "signature",
               "verifies under no base-string construction: the key does not match the "
               "certificate registered for this consumer key, or the method, URL or an OAuth "
               "parameter differs from what was signed (compare the base strings below with "
               "the signer's)")
