"""One observed request, step by step, as a person debugging it wants to read it.

``inspect_request(observed)`` turns an ``ObservedRequest`` (``xbsec.server.observer``) into
a JSON-ready ``dict``: the request as sent (headers shortened where they carry a credential),
the gateway's checks in the order it ran them, each ``ok``, ``refused`` (with its
ReasonCode and the fix, in the words of ``xbsec explain``) or ``skipped`` (not reached),
and what each check saw: the timestamp's offset, the body hash expected and received, the
base string the gateway built, and, when the signature verifies under another one (another
URL, another construction), the parts of it that differ; the JWE's kid, alg, enc and IV
length; the application's answer and its business errors.

Nothing secret leaves: a signature, a token or any credential-like header value is shortened
to its first 8 and last 4 characters, an Authorization value is never whole, no key is
read but the consumer's public one (to say why a signature fails). The request and
response documents are included only when the observer was handed them
(``observe_documents``), and cut at ``DOCUMENT_LIMIT`` bytes.

The work is done here, not in the gateway: an observer calls this from its own thread.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from xbsec.errors import PayloadError

if TYPE_CHECKING:
    from xbsec.oauth1.diagnose import Explanation
    from xbsec.server.observer import ObservedRequest
    from xbsec.server.registry import Consumer

__all__ = ["DOCUMENT_LIMIT", "inspect_request", "shorten_secret"]

DOCUMENT_LIMIT: Final = 64 * 1024
"""Bytes of a request or response document kept; a longer one is cut and says so."""
_DIFF_LIMIT: Final = 8192
_SECRET_NAMES: Final = re.compile(r"authorization|cookie|token|secret|password|passwd|"
                                  r"api[-_]?key|signature|session|credential", re.IGNORECASE)
_OAUTH_PARAM: Final = re.compile(r'([A-Za-z0-9_.-]+)="([^"]*)"')
_PIECES: Final = re.compile(r"(&|%26|%3D|%2F|%3A)")
_JWT: Final = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")

_VARIANTS: Final = {"java": "Mastercard's Java signer", "python": "Mastercard's Python signer",
                    "node": "Mastercard's Node signer", "rfc5849": "RFC 5849"}

# What to do about each refusal, where the gateway's own description does not say it.
_FIXES: Final = {
    "INVALID_REQUEST": "send the path in its one canonical form (no empty or dot segments, "
                       "no ';', no encoded '/', '\\' or '.', nothing encoded twice) and each "
                       "security header once, spelled with '-'",
    "REQUEST_TOO_LARGE": "send a smaller body: the gateway reads at most its limit",
    "INCOMPLETE_REQUEST": "the client closed the connection before the body arrived",
    "INVALID_AUTH_HEADER": "send Authorization: OAuth with every oauth_* parameter quoted "
                           "(`xbsec sign` prints one), or Bearer and a request token",
    "INVALID_CLIENT_CERT": "present the TLS client certificate the registry binds to this "
                           "consumer (client_certificate_sha256 or client_certificate_subject)",
    "TOO_MANY_REQUESTS": "wait the Retry-After seconds; the sandbox's quota is "
                         "`serve --rate-limit` per second per consumer",
    "NONCE_REPLAYED": "sign every request afresh, retries included: a new oauth_nonce (or "
                      "jti) and timestamp each time; never resend a signed request as it was",
    "ENCRYPTION_NOT_ENABLED": "this consumer has no encryption keys: send the request in the "
                              "clear, without x-encrypted",
    "ENCRYPTION_REQUIRED": "encrypt the body to the client encryption certificate and send "
                           "x-encrypted: true",
    "INVALID_INPUT_FORMAT": "with x-encrypted: true the body is "
                            '{"encrypted_payload":{"data":"<compact JWE>"}} (or its XML form)',
    "DECRYPT_PRIVATE_KEY_NOT_FOUND": "the kid names no key of this consumer: use the SHA-256 "
                                     "of the client encryption certificate's public key "
                                     "(or of the certificate), as `xbsec keys inspect` shows",
    "REQUEST_DECRYPT_FAILED": "encrypt to this project's client encryption certificate and "
                              "send the JWE exactly as made: a changed header, key, IV, "
                              "ciphertext or tag fails the AES-GCM tag check",
    "AUTHENTICATION_FAILED": "sign with the private key of the certificate registered for "
                             "this consumer key, over the method, URL and body sent",
    "SERVICE_UNAVAILABLE": "a store the gateway depends on did not answer: see the server's "
                           "log, then retry",
    "INVALID_ACCESS_TOKEN": "log in again (`xbsec oauth2 login`) or refresh the access token",
    "INTERNAL_ERROR": "the server failed: see its log",
}


def shorten_secret(value: str) -> str:
    """The first 8 and last 4 characters of a credential, never the whole of it."""
    if len(value) <= 16:
        return f"… ({len(value)} characters)" if value else ""
    return f"{value[:8]}…{value[-4:]}"


def _redact_authorization(value: str) -> str:
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() == "oauth":
        params = _OAUTH_PARAM.findall(rest)
        if params:
            return scheme + " " + ", ".join(
                f'{name}="{shorten_secret(unquote(raw)) if name == "oauth_signature" else raw}"'
                for name, raw in params)
    if rest:
        return f"{scheme} {shorten_secret(rest.strip())}"
    return shorten_secret(scheme)


def redact_header(name: str, value: str) -> str:
    """A header's value as the page shows it: credentials shortened."""
    if name in ("authorization", "proxy-authorization"):
        return _redact_authorization(value)
    if _SECRET_NAMES.search(name):
        return shorten_secret(value)
    return value


def _document(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {"text": raw[:DOCUMENT_LIMIT].decode("utf-8", "replace"), "size": len(raw),
            "cut": len(raw) > DOCUMENT_LIMIT}


def _business_errors(headers: Sequence[tuple[str, str]],
                     body: bytes | None) -> list[dict[str, Any]]:
    if not body:
        return []
    from xbsec.error_envelope import parse_errors

    content_type = dict(headers).get("content-type", "").lower()
    try:
        items = parse_errors(body[:DOCUMENT_LIMIT], "xml" if "xml" in content_type else "json")
    except (PayloadError, ValueError):
        return []
    return [{"source": i.source, "reason_code": i.reason_code, "description": i.description,
             "recoverable": i.recoverable} for i in items]


def _flow(observed: ObservedRequest, authorization: str) -> str:
    if observed.auth != "-":
        return observed.auth
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() == "oauth" or not authorization.strip():
        return "oauth1"
    token = credentials.strip() if scheme.lower() == "bearer" else scheme
    return "request-token" if _JWT.match(token) else "access-token"


class _Steps:
    """The steps of one request, filled in as they are worked out."""

    def __init__(self, observed: ObservedRequest, order: Sequence[tuple[str, str]],
                 failing: str | None) -> None:
        self.observed = observed
        self.order = order
        self.failing = failing
        self.found: dict[str, dict[str, Any]] = {}
        self.also_refused: set[str] = set()
        """Steps refused with the failing one (a base string and its signature)."""

    def step(self, name: str, summary: str, details: Iterable[tuple[str, Any]] = (),
             fix: str | None = None, **extra: Any) -> None:
        self.found[name] = {"summary": summary,
                            "details": [[label, str(value)] for label, value in details
                                        if value is not None],
                            "fix": fix, **extra}

    def result(self) -> list[dict[str, Any]]:
        # The stages in this flow's order (OAuth 1.0a checks entitlement after the body,
        # tokens before it); the application's answer comes last in every flow.
        rank: dict[str, int] = {}
        for _, stage in self.order:
            rank.setdefault(stage, len(rank))
        reached = rank.get(self.observed.stage, len(rank))
        names = [name for name, _ in self.order]
        failed_at = names.index(self.failing) if self.failing in names else None
        steps = []
        for index, (name, stage) in enumerate(self.order):
            step = self.found.get(name, {"summary": "", "details": [], "fix": None})
            if name == self.failing or name in self.also_refused:
                outcome = "refused"
            elif rank[stage] < reached or (rank[stage] == reached
                                           and (failed_at is None or index < failed_at)):
                outcome = "ok"
            else:
                outcome = "skipped"
            if outcome == "refused":
                step = {**step, "reason_code": self.observed.reason_code,
                        "fix": step.get("fix") or _fix(self.observed)}
            else:
                step = {**step, "fix": None}
            if outcome == "skipped":
                step = {**step, "summary": "not reached", "details": []}
            steps.append({"name": name, "outcome": outcome, **step})
        return steps


def _fix(observed: ObservedRequest) -> str:
    reason = observed.reason_code or ""
    return _FIXES.get(reason) or observed.description or "see the answer below"


_OAUTH1_ORDER: Final = (("request line", "request"), ("credentials", "credentials"),
                        ("consumer", "credentials"), ("mTLS", "mtls"), ("body", "body"),
                        ("timestamp", "oauth1"), ("body hash", "oauth1"),
                        ("base string", "oauth1"), ("signature", "oauth1"),
                        ("partner entitlement", "entitlement"), ("quota", "quota"),
                        ("nonce", "nonce"), ("decryption", "decryption"),
                        ("application", "application"))
_TOKEN_ORDER: Final = (("request line", "request"), ("credentials", "credentials"),
                       ("consumer", "credentials"), ("signature", "credentials"),
                       ("timestamp", "credentials"), ("mTLS", "mtls"),
                       ("partner entitlement", "entitlement"), ("body", "body"),
                       ("quota", "quota"), ("nonce", "nonce"), ("decryption", "decryption"),
                       ("application", "application"))
_ACCESS_ORDER: Final = (("request line", "request"), ("credentials", "credentials"),
                        ("access token", "credentials"), ("consumer", "credentials"),
                        ("mTLS", "mtls"), ("partner entitlement", "entitlement"),
                        ("body", "body"), ("quota", "quota"), ("decryption", "decryption"),
                        ("application", "application"))


def _failing_step(observed: ObservedRequest, flow: str) -> str | None:
    """The step that refused the request, from the stage and the ReasonCode."""
    stage, reason = observed.stage, observed.reason_code or ""
    if stage == "application":
        return "application" if observed.status >= 400 else None
    simple = {"request": "request line", "mtls": "mTLS", "entitlement": "partner entitlement",
              "body": "body", "quota": "quota", "nonce": "nonce", "decryption": "decryption"}
    if stage in simple:
        return simple[stage]
    by_reason = {"INVALID_AUTH_HEADER": "credentials", "DECLINED": "consumer",
                 "INVALID_TIMESTAMP": "timestamp", "INVALID_BODY_HASH": "body hash",
                 "AUTHENTICATION_FAILED": "signature", "NONCE_REPLAYED": "nonce"}
    if flow == "access-token" and stage == "credentials" and reason not in (
            "INVALID_AUTH_HEADER", "DECLINED"):
        return "access token"
    return by_reason.get(reason, "credentials")


def inspect_request(observed: ObservedRequest) -> dict[str, Any]:
    """The request, its checks in order, and its answer, as JSON-ready values."""
    headers = observed.headers
    authorization = next((v for k, v in headers if k == "authorization"), "")
    flow = _flow(observed, authorization)
    failing = _failing_step(observed, flow)
    order = {"oauth1": _OAUTH1_ORDER, "request-token": _TOKEN_ORDER}.get(flow, _ACCESS_ORDER)
    steps = _Steps(observed, order, failing)
    base_url = observed.signed_url or observed.external_urls[0]
    url = base_url + observed.target

    _request_line_step(steps)
    if flow == "oauth1":
        _oauth1_steps(steps, authorization, url)
    elif flow == "request-token":
        _token_steps(steps, authorization)
    else:
        steps.step("credentials", "Bearer access token", [
            ("token", redact_header("authorization", authorization))])
        steps.step("access token", "issued by the authorization server, for this path")
    _consumer_step(steps, observed.consumer)
    _mtls_step(steps)
    _entitlement_step(steps)
    policy = observed.policy
    steps.step("body", f"{len(observed.body)} bytes read",
               [("limit", f"{policy.max_body_bytes} bytes")])
    limit = policy.rate_limit
    steps.step("quota", "no quota" if limit is None
               else f"{limit[0]:g} per second, burst {limit[1]}")
    _decryption_step(steps)
    _application_step(steps)

    step_list = steps.result()
    response_headers = observed.response_headers
    return {
        "request_id": observed.request_id, "received_at": observed.received_at,
        "method": observed.method, "path": observed.path, "url": url,
        "status": observed.status, "reason_code": observed.reason_code,
        "description": observed.description, "auth": flow,
        "consumer": observed.consumer.consumer_key if observed.consumer else _claimed(
            authorization),
        "partner": observed.partner, "encrypted": observed.encrypted,
        "latency_ms": observed.latency_ms,
        "headers": [[name, redact_header(name, value)] for name, value in headers],
        "body_size": len(observed.body),
        "steps": step_list,
        "failed": steps.failing,
        "documents": observed.documents,
        "request_document": _document(observed.document),
        "response": {
            "status": observed.status,
            "headers": [[name, redact_header(name, value)] for name, value in response_headers],
            "document": _document(observed.response_body),
            "errors": _business_errors(response_headers, observed.response_body),
        },
        "oauth": _oauth_for_replay(authorization) if flow == "oauth1" else None,
    }


def _claimed(authorization: str) -> str | None:
    """The consumer key a refused OAuth 1.0a request named (for the filters)."""
    found = dict(_OAUTH_PARAM.findall(authorization)).get("oauth_consumer_key")
    return found[:200] if found else None


def _oauth_for_replay(authorization: str) -> dict[str, str]:
    """What a command reproducing the call needs: no signature, no nonce."""
    params = dict(_OAUTH_PARAM.findall(authorization))
    return {k: params[k] for k in ("oauth_consumer_key", "oauth_signature_method")
            if k in params}


def _request_line_step(steps: _Steps) -> None:
    observed = steps.observed
    declared = next((v for k, v in observed.headers if k == "content-length"), None)
    steps.step("request line", f"{observed.method} {observed.path}", [
        ("query", observed.target.partition("?")[2] or None),
        ("declared length", declared)])


def _oauth1_steps(steps: _Steps, authorization: str, url: str) -> None:
    from xbsec.oauth1.diagnose import body_hash_finding, timestamp_finding
    from xbsec.oauth1.encoding import body_hash

    observed = steps.observed
    from xbsec.errors import InvalidAuthHeaderError
    from xbsec.oauth1.header import parse_authorization

    try:
        params = parse_authorization(authorization)
    except InvalidAuthHeaderError:  # shown as far as it reads; the gateway said why
        params = dict(_OAUTH_PARAM.findall(authorization))
    signature = params.get("oauth_signature", "")
    refusal = observed.description
    steps.step("credentials", "OAuth 1.0a" if params else "no OAuth 1.0a credentials", [
        ("signature method", params.get("oauth_signature_method")),
        ("version", params.get("oauth_version")),
        ("nonce", params.get("oauth_nonce")),
        ("consumer key", params.get("oauth_consumer_key")),
    ], fix=f"{refusal}: {_FIXES['INVALID_AUTH_HEADER']}" if refusal else None)
    raw_timestamp = params.get("oauth_timestamp")
    policy = observed.policy
    if raw_timestamp is not None:
        finding = timestamp_finding(raw_timestamp, observed.received_at,
                                    policy.oauth1_timestamp_skew)
        offset = (f"{int(raw_timestamp) - observed.received_at:+.0f} s"
                  if raw_timestamp.isdigit() and len(raw_timestamp) <= 12 else None)
        steps.step("timestamp", finding.message, [
            ("oauth_timestamp", raw_timestamp), ("offset", offset),
            ("window", f"±{policy.oauth1_timestamp_skew} s")], fix=finding.message)
    received = params.get("oauth_body_hash")
    finding = body_hash_finding(received, observed.body)
    steps.step("body hash", finding.message, [
        ("expected", body_hash(observed.body)), ("received", received or "(none)"),
        ("body", f"{len(observed.body)} bytes")], fix=finding.message)
    steps.step("nonce", "claimed: not seen before from this consumer" if params else "", [
        ("oauth_nonce", params.get("oauth_nonce")),
        ("remembered", f"{policy.oauth1_nonce_ttl} s")])
    if not params or observed.consumer is None:
        steps.step("base string", "")
        steps.step("signature", "")
        return
    _signature_steps(steps, params, url, signature)


def _signature_steps(steps: _Steps, params: dict[str, str], url: str,
                     signature: str) -> None:
    from xbsec.oauth1.base_string import verification_base_strings

    observed = steps.observed
    consumer = observed.consumer
    assert consumer is not None
    oauth = [(k, v) for k, v in params.items() if k != "oauth_signature"]
    method = observed.method
    details: list[tuple[str, Any]] = [
        ("signature method", params.get("oauth_signature_method")),
        ("oauth_signature", shorten_secret(signature))]
    if steps.failing != "signature":
        variant = observed.variant or ""
        try:
            candidates = [sbs for v, sbs in verification_base_strings(
                method, url, oauth, observed.policy.oauth1_base_string_variants)
                if v == variant]
        except Exception:
            candidates = []
        if len(candidates) > 1:
            candidates = [_verifying(candidates, consumer, params, signature)]
        built = candidates[0] if candidates else ""
        steps.step("base string", f"built for {observed.signed_url or url}",
                   [("construction", _VARIANTS.get(variant, variant) or None)],
                   base_string={"built": [[built, False]]})
        steps.step("signature", f"verifies with the certificate registered for "
                   f"{_short_key(consumer.consumer_key)}",
                   [*details, ("construction", _VARIANTS.get(variant, variant) or None)])
        return
    try:
        built = next(iter(verification_base_strings(
            method, url, oauth, observed.policy.oauth1_base_string_variants)))[1]
    except Exception:
        built = ""
    report = _explain(steps.observed, params, url)
    tried = report.base_strings if report is not None else {}
    signed = report.signed if report is not None else None
    findings = [f.message for f in report.findings] if report is not None else []
    fix = findings[-1] if findings else _FIXES["AUTHENTICATION_FAILED"]
    extra = [m for m in findings[:-1] if "wrong key" in m]
    if signed is not None and signed != built:
        ours, theirs = _diff(built, signed)
        steps.step("base string", "differs from the one the signature verifies under",
                   [("built for", url)], fix=fix,
                   base_string={"built": ours, "signed": theirs})
        steps.failing = "base string"
        steps.also_refused.add("signature")
    else:
        steps.step("base string", f"built for {url}", [("built for", url)],
                   base_string={"built": [[built, False]],
                                "tried": sorted(set(tried.values()) - {built})})
    steps.step("signature", "verifies under no base string the gateway built",
               [*details, *(("note", m) for m in extra)], fix=" ".join([*extra, fix]))


def _verifying(candidates: list[str], consumer: Consumer, params: dict[str, str],
               signature: str) -> str:
    """Of several base strings of one construction, the one the signature verifies."""
    from xbsec.oauth1.signature import verify_message

    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return candidates[0]
    from cryptography.hazmat.primitives.asymmetric import rsa

    method = params.get("oauth_signature_method", "RSA-SHA256")
    for certificate in consumer.signing_certificates:
        key = certificate.public_key()
        for sbs in candidates:
            if isinstance(key, rsa.RSAPublicKey) and verify_message(key, raw, sbs.encode(),
                                                                    method):
                return sbs
    return candidates[0]


def _explain(observed: ObservedRequest, params: dict[str, str],
             url: str) -> Explanation | None:
    """``xbsec explain``'s signature checks against each registered certificate; the first
    that finds what the client signed, else the last."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from xbsec.oauth1.diagnose import Explanation, explain_signature

    consumer = observed.consumer
    if consumer is None:
        return None
    host = next((v for k, v in observed.headers if k == "host"), None)
    others = [("another URL this gateway answers on", base + observed.target)
              for base in observed.external_urls if base + observed.target != url]
    if host:
        ours = urlsplit(url).scheme
        for scheme in (ours, "https" if ours == "http" else "http"):
            sent = f"{scheme}://{host.strip()}{observed.target}"
            if sent != url:
                others.append(("the Host header it sent, which the gateway does not trust "
                               "(it verifies for its configured URL)", sent))
    report = None
    for certificate in consumer.signing_certificates:
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            continue
        report = Explanation()
        explain_signature(report, observed.method, url, params, key, other_urls=others)
        if report.signed is not None:
            return report
    return report


def _diff(ours: str, theirs: str) -> tuple[list[list[Any]], list[list[Any]]]:
    """Both base strings as segments, each marked where it differs from the other.

    Compared piece by piece, the pieces cut at the separators a base string is made of
    (``&``, and the encoded ``&``, ``=``, ``/`` and ``:``), so that a host, a port or a
    parameter is marked whole.
    """
    if len(ours) > _DIFF_LIMIT or len(theirs) > _DIFF_LIMIT:
        return [[ours, False]], [[theirs, False]]
    a_pieces = [p for p in _PIECES.split(ours) if p]
    b_pieces = [p for p in _PIECES.split(theirs) if p]
    a: list[list[Any]] = []
    b: list[list[Any]] = []
    matcher = difflib.SequenceMatcher(None, a_pieces, b_pieces, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        differs = tag != "equal"
        if i2 > i1:
            _append(a, "".join(a_pieces[i1:i2]), differs)
        if j2 > j1:
            _append(b, "".join(b_pieces[j1:j2]), differs)
    return a, b


def _append(segments: list[list[Any]], text: str, differs: bool) -> None:
    if segments and segments[-1][1] == differs:
        segments[-1][0] += text
    else:
        segments.append([text, differs])


def _short_key(consumer_key: str) -> str:
    return consumer_key if len(consumer_key) <= 24 else f"{consumer_key[:12]}…{consumer_key[-6:]}"


def _b64_json(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return value if isinstance(value, dict) else {}


def _token_steps(steps: _Steps, authorization: str) -> None:
    observed = steps.observed
    scheme, _, rest = authorization.strip().partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else scheme
    header_segment, _, remainder = token.partition(".")
    header = _b64_json(header_segment)
    claims = _b64_json(remainder.partition(".")[0])
    steps.step("credentials", "an OAuth 2.0 request token (JWS)", [
        ("token", shorten_secret(token)), ("alg", header.get("alg")),
        ("typ", header.get("typ")), ("kid", header.get("kid"))])

    def offset(name: str) -> str | None:
        value = claims.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{value} ({value - observed.received_at:+.0f} s)"
        return None

    steps.step("signature", "verifies with the certificate registered for the kid",
               [("alg", header.get("alg"))])
    steps.step("timestamp", "within the accepted window", [
        ("iat", offset("iat")), ("nbf", offset("nbf")), ("exp", offset("exp"))])
    jti = claims.get("jti")
    steps.step("nonce", "jti claimed: not seen before" if jti else "no jti: not checked",
               [("jti", jti if isinstance(jti, str) else None)])


def _consumer_step(steps: _Steps, consumer: Consumer | None) -> None:
    if consumer is None:
        steps.step("consumer", "not registered for this gateway's environment",
                   fix="check the profile's consumer_key against the registry "
                       "(server/registry.toml in a sandbox project)")
        return
    certificates = consumer.signing_certificates
    steps.step("consumer", f"{_short_key(consumer.consumer_key)} ({consumer.environment})", [
        ("consumer key", consumer.consumer_key),
        ("partner ids", ", ".join(sorted(consumer.partner_ids))),
        ("auth", "request tokens (MTS EU/UK)" if consumer.psd2 else "OAuth 1.0a"),
        ("signing certificate valid", "; ".join(
            f"{c.not_valid_before_utc:%Y-%m-%d} to {c.not_valid_after_utc:%Y-%m-%d}"
            for c in certificates))])


def _mtls_step(steps: _Steps) -> None:
    observed = steps.observed
    consumer = observed.consumer
    presented = observed.client_certificate
    thumbprint = None
    if presented:
        from xbsec.keys.fingerprints import cert_sha256_hex

        try:
            from cryptography import x509

            thumbprint = cert_sha256_hex(x509.load_pem_x509_certificate(presented.encode()))
        except (ValueError, UnicodeEncodeError):
            thumbprint = "(unreadable)"
    required = consumer is not None and consumer.mtls
    steps.step("mTLS", "required for this consumer" if required
               else "not required for this consumer", [
                   ("client certificate",
                    f"SHA-256 {thumbprint}" if thumbprint else "none presented"),
                   ("bound", ", ".join(sorted(consumer.client_certificate_sha256))
                    if required and consumer is not None else None)])


def _entitlement_step(steps: _Steps) -> None:
    observed = steps.observed
    consumer = observed.consumer
    named = sorted(_named_partners(observed))
    steps.step("partner entitlement", ", ".join(named) or "no partner id named", [
        ("named", ", ".join(named) or "-"),
        ("entitled", ", ".join(sorted(consumer.partner_ids)) if consumer else None)],
        fix=(f"{observed.description}: call with a partner id of this consumer"
             if observed.description else None))


def _named_partners(observed: ObservedRequest) -> set[str]:
    found = set()
    segments = observed.path.split("/")
    for index, segment in enumerate(segments[:-1]):
        if segment.lower() == "partners":
            found.add(segments[index + 1])
    header = next((v for k, v in observed.headers if k == "partner-ref-id"), None)
    if header is not None:
        found.add(header.strip())
    return found


def _decryption_step(steps: _Steps) -> None:
    observed = steps.observed
    policy = observed.policy
    rules = (f"alg {', '.join(sorted(policy.jwe_algorithms))}; enc "
             f"{', '.join(sorted(policy.jwe_encryptions))}; IV "
             f"{' or '.join(str(n) for n in sorted(policy.jwe_gcm_iv_lengths))} bytes; "
             f"kid {'required to name a key' if policy.jwe_require_known_kid else 'optional'}")
    encrypted = any(k == "x-encrypted" and v.strip().lower() == "true"
                    for k, v in observed.headers)
    mode = observed.consumer.encryption if observed.consumer else None
    if not encrypted:
        steps.step("decryption", "not encrypted (no x-encrypted: true)",
                   [("consumer's encryption", mode)])
        return
    facts = _jwe_facts(observed.body, observed.consumer, policy)
    kid = facts.pop("kid", None)
    steps.step("decryption", "decrypted, GCM tag verified" if steps.failing != "decryption"
               else "not decrypted", [
                   ("kid", kid), *facts.items(), ("policy", rules),
                   ("consumer's encryption", mode)])


def _jwe_facts(body: bytes, consumer: Consumer | None, policy: Any) -> dict[str, Any]:
    """kid, alg, enc and IV length of the JWE in ``body`` (read, not trusted)."""
    from xbsec.payload.envelope import detect_envelope, unwrap

    if not body:
        return {"body": "none: an encrypted answer is asked for"}
    try:
        token = unwrap(body, policy=policy) if detect_envelope(body) else body.decode("ascii")
    except (PayloadError, UnicodeDecodeError, ValueError):
        return {"envelope": "not an encrypted_payload envelope"}
    pieces = token.split(".")
    if len(pieces) != 5:
        return {"JWE": f"{len(pieces)} segments, not 5"}
    header = _b64_json(pieces[0])
    kid = header.get("kid")
    iv = _b64_length(pieces[2])
    known = None
    if consumer is not None and isinstance(kid, str):
        known = "yes" if kid.lower() in consumer.client_encryption_keys else "no"
    return {"kid": kid if isinstance(kid, str) else None, "alg": header.get("alg"),
            "enc": header.get("enc"), "cty": header.get("cty"),
            "IV length": f"{iv} bytes" if iv is not None else "unreadable",
            "tag length": f"{_b64_length(pieces[4])} bytes",
            "kid names a key of this consumer": known}


def _b64_length(segment: str) -> int | None:
    try:
        return len(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        return None


def _application_step(steps: _Steps) -> None:
    observed = steps.observed
    errors = _business_errors(observed.response_headers, observed.response_body)
    reason = observed.reason_code
    summary = f"answered {observed.status}" + (f" {reason}" if reason else "")
    fix = "; ".join(f"{e['source']}: {e['description']}" for e in errors) or None
    steps.step("application", summary, [("latency", f"{observed.latency_ms:.1f} ms")],
               fix=fix)


def summary_of(inspected: dict[str, Any]) -> list[list[str]]:
    """[[step, outcome], ...]: what the request list shows per request."""
    return [[s["name"], s["outcome"]] for s in inspected["steps"]]

