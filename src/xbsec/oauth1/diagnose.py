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
from typing import TYPE_CHECKING, Any, Literal
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

if TYPE_CHECKING:
    from xbsec.oauth1.verifier import Credential

__all__ = ["Difference", "Explanation", "Finding", "Verdict", "base_string_components",
           "base_string_differences", "body_hash_finding", "explain", "explain_request",
           "explain_signature", "timestamp_finding"]

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
    differences: list[Difference] = field(default_factory=list)
    """With a signed base string to compare: the components that differ from the built one."""

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


# -- a request explained the way the verifier judges it -----------------------------------

_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``OAuth1Verifier`` says of the request, with the same policy and clock."""

    valid: bool
    status: int = 200
    reason_code: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Difference:
    """One component of two base strings: what was signed, and what the verifier built."""

    component: str
    signed: str | None
    built: str | None


def base_string_components(base_string: str) -> list[tuple[str, str]]:
    """A base string taken apart: method, scheme, host, port, path, then each parameter
    (``name=value``, decoded), in the order they were signed.

    ``SigningError`` when ``base_string`` is not three ``&``-separated parts."""
    from urllib.parse import unquote

    parts = base_string.split("&")
    if len(parts) != 3:
        raise SigningError("a base string is three '&'-separated parts: METHOD, the encoded "
                           "base URI and the encoded parameters")
    method, uri, parameters = parts
    split = urlsplit(unquote(uri))
    port = split.port
    components = [("method", method), ("scheme", split.scheme), ("host", split.hostname or ""),
                  ("port", "" if port is None else str(port)), ("path", split.path)]
    for pair in unquote(parameters).split("&") if parameters else ():
        name, _, value = pair.partition("=")
        components.append((f"parameter {unquote(name)}", unquote(value)))
    return components


def base_string_differences(signed: str, built: str) -> list[Difference]:
    """Every component in which ``signed`` (the client's base string) and ``built`` (the
    verifier's) differ, the request line first, then the parameters by name."""
    mine, theirs = base_string_components(signed), base_string_components(built)
    found = [Difference(name, a, b) for (name, a), (_, b) in zip(mine[:5], theirs[:5],
                                                                 strict=True) if a != b]
    signed_params: dict[str, list[str]] = {}
    built_params: dict[str, list[str]] = {}
    for name, value in mine[5:]:
        signed_params.setdefault(name, []).append(value)
    for name, value in theirs[5:]:
        built_params.setdefault(name, []).append(value)
    for name in sorted(set(signed_params) | set(built_params)):
        a, b = signed_params.get(name), built_params.get(name)
        if a != b:
            found.append(Difference(name, None if a is None else ", ".join(a),
                                    None if b is None else ", ".join(b)))
    return found


def explain_request(method: str, url: str, authorization: str | None, body: bytes,
                    credential: Credential, *, policy: SecurityPolicy | None = None,
                    now: float | None = None,
                    signed_base_string: str | None = None) -> tuple[Verdict, Explanation]:
    """``verify``'s verdict on the request, and every check explained.

    The verdict is ``OAuth1Verifier``'s own, with ``policy`` and ``now``: explaining never
    disagrees with verifying. ``credential`` is the consumer's certificate (its validity is
    checked, as the gateway does) or its public key. ``signed_base_string``, the base string
    the client says it signed (``xbsec sign --json``, a signer's debug output), is compared
    with the verifier's component by component.
    """
    from cryptography import x509

    from xbsec.errors import RefusedError
    from xbsec.keys.fingerprints import public_key_of
    from xbsec.oauth1.verifier import OAuth1Verifier

    policy = policy or SecurityPolicy.mastercard_compatible()
    moment = time.time() if now is None else now
    verifier = OAuth1Verifier(lambda _consumer_key: credential, policy=policy,
                              clock=lambda: moment)
    try:
        verifier.verify(method, url, authorization, body)
        verdict = Verdict(True)
    except RefusedError as exc:
        verdict = Verdict(False, exc.status, exc.reason_code, exc.description)
    public_key = public_key_of(credential)
    if not isinstance(public_key, rsa.RSAPublicKey):
        report = Explanation()
        report.add("error", "key", "OAuth 1.0a needs an RSA key")
        return verdict, report
    report = explain(method, url, authorization, body, public_key, now=moment,
                     skew=policy.oauth1_timestamp_skew)
    if isinstance(credential, x509.Certificate):
        report.findings.insert(1, _certificate_finding(credential, moment, policy))
    if report.matched is None and any(f.check == "signature" for f in report.findings):
        _other_methods(report, method, url, authorization, public_key)
    if signed_base_string is not None:
        _compare(report, signed_base_string)
    if not verdict.valid and report.valid:
        # A check this explanation does not model (a replay, a policy switch): say what
        # the verifier said, so that the two never disagree.
        report.add("error", "verifier", f"{verdict.reason_code}: {verdict.description}")
    return verdict, report


def _certificate_finding(certificate: object, now: float,
                         policy: SecurityPolicy) -> Finding:
    from datetime import UTC, datetime

    cert: Any = certificate
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    moment = datetime.fromtimestamp(now, UTC)
    if not policy.oauth1_check_certificate_validity:
        return Finding("ok", "certificate", "validity not checked by this policy")
    if moment < start:
        return Finding("error", "certificate", f"not valid before {start.isoformat()}: use "
                       "the certificate in force, or check the clock")
    if moment > end:
        return Finding("error", "certificate", f"expired on {end.date().isoformat()}: the "
                       "gateway refuses every request signed for it (DECLINED); renew the "
                       "signing key (a CSR, the portal's Renew) and sign with the new one")
    return Finding("ok", "certificate", f"valid until {end.date().isoformat()}")


def _other_methods(report: Explanation, method: str, url: str, authorization: str | None,
                   public_key: rsa.RSAPublicKey) -> None:
    """A signature made for another HTTP method than the one sent."""
    import base64

    params = parse_authorization(authorization)
    oauth = [(k, v) for k, v in params.items() if k != "oauth_signature"]
    try:
        signature = base64.b64decode(params["oauth_signature"], validate=True)
    except ValueError:
        return
    for other in _METHODS:
        if other == method.upper():
            continue
        sbs = signature_base_string(other, url, oauth, "java")
        if verify_message(public_key, signature, sbs.encode(),
                          params["oauth_signature_method"]):
            report.matched, report.signed = f"{other} {url}", sbs
            report.add("error", "method", f"the signature is for {other}, the request was "
                       f"sent as {method.upper()}: sign with the method you send")
            return


def _compare(report: Explanation, signed: str) -> None:
    built = report.base_strings.get("java")
    if built is None:
        return
    try:
        closest = min((base_string_differences(signed, sbs) for sbs in
                       report.base_strings.values()), key=len)
    except SigningError as exc:
        report.add("error", "base string", f"the base string given: {exc}")
        return
    if not closest:
        report.add("ok", "base string", "the base string given is the one built here: the "
                   "key or the signature differ, not what was signed")
        return
    first = closest[0]
    more = f" (and {len(closest) - 1} more)" if len(closest) > 1 else ""
    report.differences = closest
    report.add("error", "base string", f"first difference, {first.component}: signed "
               f"{_shown(first.signed)}, built here {_shown(first.built)}{more}")


def _shown(value: str | None) -> str:
    return "nothing" if value is None else repr(value)
