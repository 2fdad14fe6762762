"""One observed request, step by step, as a person debugging it wants to read it.

Two halves, so that an observer does the least it can while requests come in:

- ``inspect_request(observed)`` turns an ``ObservedRequest`` (``xbsec.server.observer``)
  into a JSON-ready record: the request as sent (headers shortened where they carry a
  credential), the outcome of each of the gateway's checks in the order it ran them
  (``outline``: ``ok``, ``refused`` or ``skipped``, not reached), and the facts the checks
  saw. What needs the credentials whole is worked out here and only here: why a signature
  does not verify (``xbsec explain``'s checks, against the consumer's certificate).
- ``explain_steps(record)`` works out, when someone looks, each step's details and, for the
  refused one, its ReasonCode and the fix, in the words of ``xbsec explain``: the
  timestamp's offset, the body hash expected and received, the base string the gateway
  built and, when the signature verifies under another one (another URL, another
  construction), the parts of both that differ; the JWE's kid, alg, enc and IV length; the
  application's answer and its business errors.

Nothing secret is kept: a signature, a token or any credential-like header value is
shortened to its first 8 and last 4 characters, an Authorization value is never whole, no
key is read but the consumer's public one. The request and response documents are kept
only when the observer was handed them (``observe_documents``), cut at ``DOCUMENT_LIMIT``
bytes.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import functools
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from xbsec.errors import PayloadError

if TYPE_CHECKING:
    from xbsec.oauth1.diagnose import Explanation
    from xbsec.policy import SecurityPolicy
    from xbsec.server.observer import ObservedRequest
    from xbsec.server.registry import Consumer

__all__ = ["DOCUMENT_LIMIT", "business_errors", "context_of", "explain_steps", "header_pairs",
           "inspect_request", "oauth_params_of", "record_url", "redact_header",
           "shorten_secret"]

DOCUMENT_LIMIT: Final = 64 * 1024
"""Bytes of a request or response document kept; a longer one is cut and says so."""
_DIFF_LIMIT: Final = 8192
_SECRET_NAMES: Final = re.compile(r"authorization|cookie|token|secret|password|passwd|"
                                  r"api[-_]?key|signature|session|credential", re.IGNORECASE)
_OAUTH_PARAM: Final = re.compile(r'([A-Za-z0-9_.-]+)="([^"]*)"')
_SIGNATURE: Final = re.compile(r'(oauth_signature=")([^"]*)"', re.IGNORECASE)
_SIGNATURE_NAME: Final = re.compile(r"oauth_signature\s*=", re.IGNORECASE)
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
_ORDERS: Final = {"oauth1": _OAUTH1_ORDER, "request-token": _TOKEN_ORDER,
                  "access-token": _ACCESS_ORDER}


def shorten_secret(value: str) -> str:
    """The first 8 and last 4 characters of a credential, never the whole of it."""
    if len(value) <= 16:
        return f"… ({len(value)} characters)" if value else ""
    return f"{value[:8]}…{value[-4:]}"


def _shortened_signature(match: re.Match[str]) -> str:
    return f'{match[1]}{shorten_secret(unquote(match[2]))}"'


def _shorten_encoded(raw: str) -> str:
    """``shorten_secret`` of a percent-encoded value, decoding only its two ends (an
    escape is three characters: 24 and 12 of them hold 8 and 4 characters)."""
    if "%" not in raw:
        return shorten_secret(raw)
    if len(raw) <= 48:
        return shorten_secret(unquote(raw))
    return f"{_decoded(raw[:24])[:8]}…{_decoded(raw[-12:])[-4:]}"


def _decoded(piece: str) -> str:
    # A signature is base64: its escapes are those of '+', '/' and '='.
    piece = piece.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=")
    return unquote(piece) if "%" in piece else piece


def _shorten_if_signature(name: str, raw: str) -> str:
    return shorten_secret(unquote(raw)) if name.lower() == "oauth_signature" else raw


def _redact_authorization(value: str) -> str:
    scheme, _, rest = value.strip().partition(" ")
    lowered = value.lower()
    if (scheme.lower() == "oauth" and lowered.count("oauth_signature")
            - lowered.count("oauth_signature_method") == 1):
        # The usual case, with string operations: one signature, shortened.
        start = lowered.find('oauth_signature="') + len('oauth_signature="')
        end = value.find('"', start)
        if start > len('oauth_signature="') - 1 and end > 0:
            return value[:start] + _shorten_encoded(value[start:end]) + value[end:]
    if scheme.lower() == "oauth":
        # As sent, the signature shortened; a value where a signature might hide elsewhere
        # keeps only its name="value" pairs, the signature shortened.
        redacted, shortened = _SIGNATURE.subn(_shortened_signature, value.strip())
        if shortened == len(_SIGNATURE_NAME.findall(value)):
            return redacted
        params = _OAUTH_PARAM.findall(rest)
        if params:
            return scheme + " " + ", ".join(
                f'{name}="{_shorten_if_signature(name, raw)}"' for name, raw in params)
    if rest:
        return f"{scheme} {shorten_secret(rest.strip())}"
    return shorten_secret(scheme)


def redact_header(name: str, value: str) -> str:
    """A header's value as it may be kept: credentials shortened."""
    if name in ("authorization", "proxy-authorization"):
        return _redact_authorization(value)
    if _SECRET_NAMES.search(name):
        return shorten_secret(value)
    return value


# -- when the request is observed ---------------------------------------------------------


def inspect_request(observed: ObservedRequest) -> dict[str, Any]:
    """What is kept of one request: JSON-ready, with no credential whole.

    Cheap to make and to store: the headers are one text (a line each), what every request
    of a consumer shares (``context``: the policy's limits, the consumer's registration,
    the URL signatures are verified for) is one JSON text made once, and the outline is
    shared by every request that ended alike.
    """
    headers = observed.headers
    authorization = ""
    lines = []
    for name, value in headers:
        if name == "authorization":
            authorization = value
        lines.append(f"{name}: {_redact(name, value)}")
    flow = _flow(observed, authorization)
    failed = _failing_step(observed, flow)
    consumer = observed.consumer
    facts: dict[str, Any] = {"stage": observed.stage}
    also: tuple[str, ...] = ()
    if flow == "oauth1":
        facts["body_hash"] = _body_hash(observed.body)
        if observed.variant:
            facts.update(signed_url=observed.signed_url, variant=observed.variant)
        if consumer is not None and (observed.variant == "rfc5849" or failed == "signature"):
            url = (observed.signed_url or observed.external_urls[0]) + observed.target
            params = _oauth_params(authorization)
            if failed == "signature" and params:
                diagnosis = _diagnose(observed, params, url)
                facts["diagnosis"] = diagnosis
                if diagnosis["signed"] is not None:
                    failed, also = "base string", ("signature",)
            elif params:
                facts["encode_oauth"] = _rfc5849_form(
                    observed, url, params, params.get("oauth_signature", ""))
    elif flow == "request-token":
        facts["token"] = _token_facts(authorization)
    if observed.client_certificate:
        facts["client_certificate"] = _thumbprint(observed.client_certificate)
    if observed.stage in ("decryption", "application") and any(
            k == "x-encrypted" and v.strip().lower() == "true" for k, v in headers):
        facts["jwe"] = _jwe_facts(observed.body, consumer, observed.policy)
    return {
        "request_id": observed.request_id, "received_at": observed.received_at,
        "method": observed.method, "path": observed.path, "target": observed.target,
        "status": observed.status, "reason_code": observed.reason_code,
        "description": observed.description, "auth": flow,
        "consumer": consumer.consumer_key if consumer else _claimed(authorization),
        "partner": observed.partner, "encrypted": observed.encrypted,
        "latency_ms": observed.latency_ms, "body_size": len(observed.body),
        "failed": failed,
        "outline": _outline_of(flow, observed.stage, failed, also),
        "headers": "\n".join(lines),
        "context": _context(observed.policy, consumer, observed.external_urls[0]),
        "facts": facts,
        "documents": observed.documents,
        "request_document": _document(observed.document),
        "response_headers": "\n".join(f"{name}: {_redact(name, value)}"
                                      for name, value in observed.response_headers),
        "response_document": _document(observed.response_body),
    }


_SAFE_NAMES: dict[str, bool] = {}


def _redact(name: str, value: str) -> str:
    secret = _SAFE_NAMES.get(name)
    if secret is None:
        secret = bool(_SECRET_NAMES.search(name))
        if len(_SAFE_NAMES) < 4096:
            _SAFE_NAMES[name] = secret
    if "\n" in value or "\r" in value:  # one line per header
        value = value.replace("\n", " ").replace("\r", " ")
    return redact_header(name, value) if secret else value


def header_pairs(text: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of a record's ``headers`` or ``response_headers``."""
    pairs = []
    for line in text.split("\n") if text else ():
        name, _, value = line.partition(": ")
        pairs.append((name, value))
    return pairs


def record_url(record: dict[str, Any]) -> str:
    """The URL the request was signed for (or would be): a configured one and the target."""
    facts = record.get("facts") or {}
    base = facts.get("signed_url") or context_of(record).get("base_url", "")
    return f"{base}{record.get('target', '')}"


def context_of(record: dict[str, Any]) -> dict[str, Any]:
    context = record.get("context")
    if isinstance(context, str):
        try:
            loaded = json.loads(context)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return context if isinstance(context, dict) else {}


def oauth_params_of(record: dict[str, Any]) -> dict[str, str]:
    """The OAuth 1.0a parameters a record's Authorization header shows (the signature
    shortened), decoded."""
    authorization = next((v for k, v in header_pairs(record.get("headers", ""))
                          if k == "authorization"), "")
    scheme, _, rest = authorization.partition(" ")
    if scheme.lower() != "oauth":
        return {}
    return {name: unquote(value) for name, value in _OAUTH_PARAM.findall(rest)}


_CONTEXTS: dict[tuple[int, int, str], tuple[Any, Any, str]] = {}


def _context(policy: SecurityPolicy, consumer: Consumer | None, base_url: str) -> str:
    """The JSON of what the steps say of the policy and the consumer (made once for each
    policy, registry entry and URL)."""
    key = (id(policy), id(consumer), base_url)
    cached = _CONTEXTS.get(key)
    if cached is not None and cached[0] is policy and cached[1] is consumer:
        return cached[2]
    text = json.dumps({"policy": _policy_facts(policy),
                       "consumer": _consumer_facts(consumer) if consumer else None,
                       "base_url": base_url})
    if len(_CONTEXTS) > 1024:
        _CONTEXTS.clear()
    _CONTEXTS[key] = (policy, consumer, text)
    return text


def _flow(observed: ObservedRequest, authorization: str) -> str:
    if observed.auth != "-":
        return observed.auth
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() == "oauth" or not authorization.strip():
        return "oauth1"
    token = credentials.strip() if scheme.lower() == "bearer" else scheme
    return "request-token" if _JWT.match(token) else "access-token"


def _failing_step(observed: ObservedRequest, flow: str) -> str | None:
    """The step that refused the request, from the stage and the ReasonCode."""
    stage, reason = observed.stage, observed.reason_code or ""
    if stage == "application":
        return "application" if observed.status >= 400 else None
    simple = {"request": "request line", "mtls": "mTLS", "entitlement": "partner entitlement",
              "body": "body", "quota": "quota", "nonce": "nonce", "decryption": "decryption"}
    if stage in simple:
        return simple[stage]
    if flow == "access-token" and reason not in ("INVALID_AUTH_HEADER", "DECLINED"):
        return "access token"
    by_reason = {"INVALID_AUTH_HEADER": "credentials", "DECLINED": "consumer",
                 "INVALID_TIMESTAMP": "timestamp", "INVALID_BODY_HASH": "body hash",
                 "AUTHENTICATION_FAILED": "signature", "NONCE_REPLAYED": "nonce"}
    return by_reason.get(reason, "credentials")


@functools.lru_cache(maxsize=256)
def _outline_of(flow: str, stage: str, failed: str | None,
                also: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """((step, outcome), ...) in the gateway's order for ``flow``.

    Steps of a stage before the one reached held; of a later one were not reached; of the
    stage reached, those before the refused step held. The stages are ranked in this
    flow's order (OAuth 1.0a checks entitlement after the body, tokens before it).
    """
    order = _ORDERS[flow]
    rank: dict[str, int] = {}
    for _, step_stage in order:
        rank.setdefault(step_stage, len(rank))
    reached = rank.get(stage, len(rank))
    names = [name for name, _ in order]
    failed_at = names.index(failed) if failed in names else None
    outline = []
    for index, (name, step_stage) in enumerate(order):
        if name == failed or name in also:
            outcome = "refused"
        elif rank[step_stage] < reached or (rank[step_stage] == reached and (
                failed_at is None or index < failed_at)):
            outcome = "ok"
        else:
            outcome = "skipped"
        outline.append((name, outcome))
    return tuple(outline)


def _body_hash(body: bytes) -> str:
    from xbsec.oauth1.encoding import body_hash

    return body_hash(body)


def _policy_facts(policy: SecurityPolicy) -> dict[str, Any]:
    return {
        "skew": policy.oauth1_timestamp_skew, "nonce_ttl": policy.oauth1_nonce_ttl,
        "max_body": policy.max_body_bytes, "rate": policy.rate_limit,
        "jwe": (f"alg {', '.join(sorted(policy.jwe_algorithms))}; enc "
                f"{', '.join(sorted(policy.jwe_encryptions))}; IV "
                f"{' or '.join(str(n) for n in sorted(policy.jwe_gcm_iv_lengths))} bytes; "
                f"kid {'required to name a key' if policy.jwe_require_known_kid else 'optional'}"),
    }


def _consumer_facts(consumer: Consumer) -> dict[str, Any]:
    return {
        "key": consumer.consumer_key, "environment": consumer.environment,
        "partner_ids": sorted(consumer.partner_ids), "psd2": consumer.psd2,
        "mtls": consumer.mtls, "bound": sorted(consumer.client_certificate_sha256),
        "encryption": consumer.encryption,
        "certificates": "; ".join(
            f"{c.not_valid_before_utc:%Y-%m-%d} to {c.not_valid_after_utc:%Y-%m-%d}"
            for c in consumer.signing_certificates),
    }


def _thumbprint(pem: str | None) -> str | None:
    if not pem:
        return None
    from cryptography import x509

    from xbsec.keys.fingerprints import cert_sha256_hex

    try:
        return cert_sha256_hex(x509.load_pem_x509_certificate(pem.encode()))
    except (ValueError, UnicodeEncodeError):
        return "(unreadable)"


def _oauth_params(authorization: str) -> dict[str, str]:
    from xbsec.errors import InvalidAuthHeaderError
    from xbsec.oauth1.header import parse_authorization

    try:
        return parse_authorization(authorization)
    except InvalidAuthHeaderError:  # kept as far as it reads; the gateway said why
        return {k: unquote(v) for k, v in _OAUTH_PARAM.findall(authorization)
                if k.startswith("oauth_")}


def _claimed(authorization: str) -> str | None:
    """The consumer key a refused OAuth 1.0a request named (for the filters)."""
    found = dict(_OAUTH_PARAM.findall(authorization)).get("oauth_consumer_key")
    return unquote(found)[:200] if found else None


def _rfc5849_form(observed: ObservedRequest, url: str, params: dict[str, str],
                  signature: str) -> bool:
    """Which of RFC 5849's two readings the signature verified under (OAuth values raw,
    or encoded once more)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from xbsec.oauth1.base_string import signature_base_string
    from xbsec.oauth1.signature import verify_message

    assert observed.consumer is not None
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    oauth = [(k, v) for k, v in params.items() if k != "oauth_signature"]
    method = params.get("oauth_signature_method", "RSA-SHA256")
    for encode in (False, True):
        sbs = signature_base_string(observed.method, url, oauth, "rfc5849",
                                    encode_oauth=encode).encode()
        for certificate in observed.consumer.signing_certificates:
            key = certificate.public_key()
            if isinstance(key, rsa.RSAPublicKey) and verify_message(key, raw, sbs, method):
                return encode
    return False


def _diagnose(observed: ObservedRequest, params: dict[str, str],
              url: str) -> dict[str, Any]:
    """Why the signature does not verify: the base string the gateway built first, what
    the signature verifies under if anything does, and explain's findings."""
    from xbsec.oauth1.base_string import verification_base_strings

    oauth = [(k, v) for k, v in params.items() if k != "oauth_signature"]
    try:  # what the gateway verified already for its first URL, in its order
        tried = [sbs for _, sbs in verification_base_strings(
            observed.method, url, oauth, observed.policy.oauth1_base_string_variants)]
    except Exception:  # a URL no base string can be built for
        tried = []
    built = tried[0] if tried else ""
    report = _explain(observed, params, url, set(tried))
    findings = [f.message for f in report.findings] if report is not None else []
    signed = report.signed if report is not None else None
    if signed == built:
        signed = None
    others = sorted(set(report.base_strings.values()) - {built}) if report is not None else []
    return {"built": built, "signed": signed, "tried": [] if signed else others,
            "findings": findings}


def _explain(observed: ObservedRequest, params: dict[str, str], url: str,
             failed: set[str]) -> Explanation | None:
    """``xbsec explain``'s signature checks against each registered certificate; the first
    that finds what the client signed, else the last."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from xbsec.oauth1.diagnose import Explanation, explain_signature

    consumer = observed.consumer
    if consumer is None:
        return None
    others = [("another URL this gateway answers on", base + observed.target)
              for base in observed.external_urls if base + observed.target != url]
    host = next((v for k, v in observed.headers if k == "host"), None)
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
        explain_signature(report, observed.method, url, params, key, other_urls=others,
                          failed=failed)
        if report.signed is not None:
            return report
    return report


def _b64_json(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return value if isinstance(value, dict) else {}


def _token_facts(authorization: str) -> dict[str, Any]:
    """The request token's header and claims, read (the gateway verified or refused it)."""
    scheme, _, rest = authorization.strip().partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else scheme
    header_segment, _, remainder = token.partition(".")
    header = _b64_json(header_segment)
    claims = _b64_json(remainder.partition(".")[0])
    return {"token": shorten_secret(token),
            "header": {k: str(header[k])[:200] for k in ("alg", "typ", "kid") if k in header},
            "claims": {k: claims[k] for k in ("iat", "nbf", "exp", "jti")
                       if isinstance(claims.get(k), int | float | str)
                       and not isinstance(claims.get(k), bool)}}


def _jwe_facts(body: bytes, consumer: Consumer | None,
               policy: SecurityPolicy) -> dict[str, Any]:
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
    return {"kid": kid if isinstance(kid, str) else None,
            "alg": str(header.get("alg"))[:64], "enc": str(header.get("enc"))[:64],
            "cty": header.get("cty") if isinstance(header.get("cty"), str) else None,
            "IV length": f"{iv} bytes" if iv is not None else "unreadable",
            "tag length": f"{_b64_length(pieces[4])} bytes",
            "kid names a key of this consumer": known}


def _b64_length(segment: str) -> int | None:
    try:
        return len(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        return None


def _document(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {"text": raw[:DOCUMENT_LIMIT].decode("utf-8", "replace"), "size": len(raw),
            "cut": len(raw) > DOCUMENT_LIMIT}


# -- when someone looks --------------------------------------------------------------------


def explain_steps(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Each step of a record of ``inspect_request``: name, outcome, a summary, what it saw
    (label and value pairs), and for the refused one its ReasonCode and the fix."""
    facts = record.get("facts") or {}
    context = context_of(record)
    policy = context.get("policy") or {}
    consumer = context.get("consumer")
    headers = dict(header_pairs(record.get("headers", "")))
    found: dict[str, dict[str, Any]] = {}

    def step(name: str, summary: str, details: Iterable[tuple[str, Any]] = (),
             fix: str | None = None, **extra: Any) -> None:
        found[name] = {"summary": summary, "fix": fix, **extra,
                       "details": [[label, str(value)] for label, value in details
                                   if value is not None]}

    step("request line", f"{record.get('method', '')} {record.get('path', '')}", [
        ("query", str(record.get("target", "")).partition("?")[2] or None),
        ("declared length", headers.get("content-length"))])
    if record.get("auth") == "oauth1":
        _oauth1_details(record, facts, policy, step)
    elif record.get("auth") == "request-token":
        _token_details(record, facts, step)
    else:
        step("credentials", "Bearer access token", [("token", headers.get("authorization"))])
        step("access token", "issued by the authorization server, for this path")
    _consumer_details(consumer, step)
    thumbprint = facts.get("client_certificate")
    required = bool(consumer and consumer.get("mtls"))
    step("mTLS", "required for this consumer" if required else "not required for this "
         "consumer", [("client certificate",
                       f"SHA-256 {thumbprint}" if thumbprint else "none presented"),
                      ("bound", ", ".join(consumer["bound"]) if required and consumer
                       else None)])
    named = ", ".join(sorted(_named_partners(str(record.get("path", "")),
                                             headers.get("partner-ref-id")))) or "-"
    description = record.get("description")
    step("partner entitlement", named if named != "-" else "no partner id named", [
        ("named", named),
        ("entitled", ", ".join(consumer["partner_ids"]) if consumer else None)],
        fix=f"{description}: call with a partner id of this consumer" if description
        else None)
    step("body", f"{record.get('body_size', 0)} bytes read",
         [("limit", f"{policy.get('max_body')} bytes")])
    rate = policy.get("rate")
    step("quota", "no quota" if not rate else f"{rate[0]:g} per second, burst {rate[1]}")
    _decryption_details(record, facts, policy, consumer,
                        headers.get("x-encrypted", "").strip().lower() == "true", step)
    errors = business_errors(record)
    reason = record.get("reason_code")
    step("application", f"answered {record.get('status')}" + (f" {reason}" if reason else ""),
         [("latency", f"{float(record.get('latency_ms', 0)):.1f} ms")],
         fix="; ".join(f"{e['source']}: {e['description']}" for e in errors) or None)

    steps = []
    for name, outcome in record.get("outline") or []:
        shown = dict(found.get(name) or {"summary": "", "details": [], "fix": None})
        if outcome == "refused":
            shown["reason_code"] = reason
            shown["fix"] = shown.get("fix") or _fix(record)
        else:
            shown["fix"] = None
        if outcome == "skipped":
            shown.update(summary="not reached", details=[], base_string=None)
        steps.append({"name": name, "outcome": outcome, **shown})
    return steps


def _named_partners(path: str, header: str | None) -> set[str]:
    found = set()
    segments = path.split("/")
    for index, segment in enumerate(segments[:-1]):
        if segment.lower() == "partners":
            found.add(segments[index + 1])
    if header is not None:
        found.add(header.strip())
    return found


def _fix(record: dict[str, Any]) -> str:
    return (_FIXES.get(record.get("reason_code") or "") or record.get("description")
            or "see the answer below")


def _oauth1_details(record: dict[str, Any], facts: dict[str, Any], policy: dict[str, Any],
                    step: Any) -> None:
    from xbsec.oauth1.diagnose import body_hash_finding, timestamp_finding

    params = oauth_params_of(record)
    description = record.get("description")
    step("credentials", "OAuth 1.0a" if params else "no OAuth 1.0a credentials", [
        ("signature method", params.get("oauth_signature_method")),
        ("version", params.get("oauth_version")),
        ("nonce", params.get("oauth_nonce")),
        ("consumer key", params.get("oauth_consumer_key")),
    ], fix=f"{description}: {_FIXES['INVALID_AUTH_HEADER']}" if description else None)
    raw_timestamp = params.get("oauth_timestamp")
    skew = int(policy.get("skew", 300))
    if raw_timestamp is not None:
        finding = timestamp_finding(raw_timestamp, float(record["received_at"]), skew)
        offset = (f"{int(raw_timestamp) - float(record['received_at']):+.0f} s"
                  if raw_timestamp.isdigit() and len(raw_timestamp) <= 12 else None)
        step("timestamp", finding.message, [("oauth_timestamp", raw_timestamp),
                                            ("offset", offset), ("window", f"±{skew} s")],
             fix=finding.message)
    received = params.get("oauth_body_hash")
    computed = str(facts.get("body_hash") or "")
    size = int(record.get("body_size", 0))
    finding = body_hash_finding(received, computed, size)
    step("body hash", finding.message, [("expected", computed),
                                        ("received", received or "(none)"),
                                        ("body", f"{size} bytes")], fix=finding.message)
    step("nonce", "claimed: not seen before from this consumer", [
        ("oauth_nonce", params.get("oauth_nonce")),
        ("remembered", f"{policy.get('nonce_ttl')} s")])
    details = [("signature method", params.get("oauth_signature_method")),
               ("oauth_signature", params.get("oauth_signature"))]
    url = record_url(record)
    diagnosis = facts.get("diagnosis")
    if diagnosis is not None:
        findings = diagnosis.get("findings") or []
        fix = findings[-1] if findings else _FIXES["AUTHENTICATION_FAILED"]
        extra = [m for m in findings[:-1] if "wrong key" in m]
        built, signed = diagnosis.get("built", ""), diagnosis.get("signed")
        if signed:
            ours, theirs = _diff(built, signed)
            step("base string", "differs from the one the signature verifies under",
                 [("built for", url)], fix=fix,
                 base_string={"built": ours, "signed": theirs})
        else:
            step("base string", f"built for {url}", [("built for", url)],
                 base_string={"built": [[built, False]],
                              "tried": diagnosis.get("tried") or []})
        step("signature", "verifies under no base string the gateway built",
             [*details, *(("note", m) for m in extra)], fix=" ".join([*extra, fix]))
        return
    variant = str(facts.get("variant") or "")
    built = ""
    if variant in _VARIANTS and params:
        from xbsec.oauth1.base_string import signature_base_string

        oauth = [(k, v) for k, v in params.items() if k != "oauth_signature"]
        try:
            built = signature_base_string(str(record.get("method", "")), url, oauth,
                                          variant,  # type: ignore[arg-type]
                                          encode_oauth=bool(facts.get("encode_oauth")))
        except Exception:  # shown empty rather than not at all
            built = ""
    construction = _VARIANTS.get(variant, variant) or None
    step("base string", f"built for {url}", [("construction", construction)],
         base_string={"built": [[built, False]]})
    consumer_key = params.get("oauth_consumer_key", "")
    step("signature", "verifies with the certificate registered for "
         f"{_short_key(consumer_key)}", [*details, ("construction", construction)])


def _token_details(record: dict[str, Any], facts: dict[str, Any], step: Any) -> None:
    token = facts.get("token") or {}
    header = token.get("header") or {}
    claims = token.get("claims") or {}
    received = float(record.get("received_at", 0))

    def offset(name: str) -> str | None:
        value = claims.get(name)
        if isinstance(value, int | float):
            return f"{value} ({value - received:+.0f} s)"
        return None

    step("credentials", "an OAuth 2.0 request token (JWS)", [
        ("token", token.get("token")), ("alg", header.get("alg")),
        ("typ", header.get("typ")), ("kid", header.get("kid"))])
    step("signature", "verifies with the certificate registered for the kid",
         [("alg", header.get("alg"))])
    step("timestamp", "within the accepted window",
         [("iat", offset("iat")), ("nbf", offset("nbf")), ("exp", offset("exp"))])
    jti = claims.get("jti")
    step("nonce", "jti claimed: not seen before" if jti else "no jti: not checked",
         [("jti", jti)])


def _consumer_details(consumer: dict[str, Any] | None, step: Any) -> None:
    if consumer is None:
        step("consumer", "not registered for this gateway's environment",
             fix="check the profile's consumer_key against the registry "
                 "(server/registry.toml in a sandbox project)")
        return
    step("consumer", f"{_short_key(consumer['key'])} ({consumer['environment']})", [
        ("consumer key", consumer["key"]),
        ("partner ids", ", ".join(consumer["partner_ids"])),
        ("auth", "request tokens (MTS EU/UK)" if consumer["psd2"] else "OAuth 1.0a"),
        ("signing certificate valid", consumer["certificates"])])


def _decryption_details(record: dict[str, Any], facts: dict[str, Any],
                        policy: dict[str, Any], consumer: dict[str, Any] | None,
                        encrypted: bool, step: Any) -> None:
    mode = (consumer or {}).get("encryption")
    if not encrypted:
        step("decryption", "not encrypted (no x-encrypted: true)",
             [("consumer's encryption", mode)])
        return
    jwe = dict(facts.get("jwe") or {})
    kid = jwe.pop("kid", None)
    refused = record.get("failed") == "decryption"
    step("decryption", "not decrypted" if refused else "decrypted, GCM tag verified", [
        ("kid", kid), *jwe.items(), ("policy", policy.get("jwe")),
        ("consumer's encryption", mode)])


def business_errors(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``Errors`` of the answer, when it is an error and its document was kept."""
    document = record.get("response_document")
    if int(record.get("status", 0)) < 400 or not document:
        return []
    from xbsec.error_envelope import parse_errors

    content_type = dict(header_pairs(record.get("response_headers", ""))).get(
        "content-type", "").lower()
    try:
        items = parse_errors(str(document["text"]).encode("utf-8"),
                             "xml" if "xml" in content_type else "json")
    except (PayloadError, ValueError):
        return []
    return [{"source": i.source, "reason_code": i.reason_code, "description": i.description,
             "recoverable": i.recoverable} for i in items]


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
