"""``xbsec doctor``: check a client profile, and say the fix for what is wrong.

Each check is ``ok``, a ``warning`` (works today, will not for long: a certificate expiring
within the warning window) or a ``problem`` (does not work), with the file or entry it is
about and what to do. The profile is found the way ``XBSClient`` finds it.

Checks on the keys:

- the profile reads, and every key file loads (path, password, alias);
- the signing certificate is valid now and for ``warn_days`` more (that the key matches it
  is checked when the profile loads, and reported as a profile problem);
- the client-encryption certificate (Mastercard's, requests are encrypted to it) is valid
  (that it is not the public half of one of the partner's own Mastercard-encryption keys,
  the two pairs swapped, is checked when the profile loads);
- each Mastercard-encryption key (the partner's, answers are decrypted with it) has its
  certificate valid for ``warn_days`` more.

``warn_days`` defaults to 30: Mastercard certificates last a year and renewing one takes a
CSR, a portal renewal and a deployment, which a month leaves room for.

With ``live=True`` (the command's default), on the wire too:

- the endpoint answers (TLS verified, with the profile's ``[mtls]`` certificate and proxy);
- this machine's clock is within 30 s of the server's ``Date`` (a warning beyond, a problem
  beyond the ±300 s that signatures allow);
- one signed call is accepted: a retrieval by a transaction reference that does not exist,
  which changes nothing; XBS answering "not found" proves the signature, the consumer key
  and the client-encryption certificate right, and a gateway refusal is named with its fix;
- with encryption on, an encrypted answer (the carded rates, a read) decrypts: the
  Mastercard-encryption key is checked before any payment is made with it.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from xbsec.errors import CertificateExpiryWarning, ConfigurationError, XBSecError

if TYPE_CHECKING:
    from cryptography import x509

    from xbsec.profile import Profile

__all__ = ["WARN_DAYS", "Check", "Outcome", "check_profile", "expiry_check", "worst"]

Outcome = Literal["ok", "warning", "problem"]
WARN_DAYS: Final = 30
_RANK: Final = {"ok": 0, "warning": 1, "problem": 2}


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: what was checked, how it went, and what to do about it."""

    name: str
    outcome: Outcome
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"check": self.name, "outcome": self.outcome, "detail": self.detail,
                "fix": self.fix}


def worst(checks: list[Check]) -> Outcome:
    """The worst outcome of ``checks`` (``ok`` when there are none)."""
    return max((c.outcome for c in checks), key=_RANK.__getitem__, default="ok")


def expiry_check(name: str, certificate: x509.Certificate, *, warn_days: int = WARN_DAYS,
                 now: datetime | None = None, renew: str = "") -> Check:
    """Whether ``certificate`` is valid now, and for ``warn_days`` more."""
    from xbsec.keys import days_left

    moment = now or datetime.now(UTC)
    left = days_left(certificate, now=moment)
    until = certificate.not_valid_after_utc.date().isoformat()
    fix = renew or "renew it (a CSR, then the portal's Renew), deploy the new key, retire this"
    if certificate.not_valid_before_utc > moment:
        return Check(name, "problem", f"not valid before "
                     f"{certificate.not_valid_before_utc.isoformat()}",
                     "check the clock, or use the certificate in force")
    if left < 0:
        return Check(name, "problem", f"expired on {until} ({-left} days ago)", fix)
    if left < warn_days:
        return Check(name, "warning", f"expires on {until}, in {left} days "
                     f"(warning window {warn_days} days)", fix)
    return Check(name, "ok", f"valid until {until} ({left} days)")


def _guarded(name: str, action: Callable[[], list[Check]]) -> list[Check]:
    try:
        return action()
    except XBSecError as exc:
        return [Check(name, "problem", str(exc), "fix the entry the message names")]


def check_profile(name: str | None = None, path: str | None = None, *,
                  warn_days: int = WARN_DAYS, now: datetime | None = None,
                  loader: Callable[..., Profile] | None = None, live: bool = False,
                  clock: Callable[[], float] = time.time,
                  cafile: str | None = None) -> tuple[Profile | None, list[Check]]:
    """The profile (when it reads) and the findings on its keys; with ``live``, on the
    endpoint, the clock and one signed call too (``clock``: this machine's time, which
    signs; ``cafile``: the CA of a private or test endpoint)."""
    from xbsec.profile import load_profile

    load = loader or load_profile
    try:
        with warnings.catch_warnings():
            # An expired certificate is one of the findings below, with its fix.
            warnings.simplefilter("ignore", CertificateExpiryWarning)
            profile = load(name, path)
    except XBSecError as exc:
        problem, fix = ((exc.problem, exc.fix) if isinstance(exc, ConfigurationError)
                        else (str(exc), ""))
        return None, [Check("profile", "problem", problem,
                            fix or "fix the file or entry the message names")]
    checks = [Check("profile", "ok", f"{profile.source}: profile {profile.name!r} "
                    f"({profile.environment}, {profile.edge}, {profile.auth})")]
    checks += _guarded("keys", lambda: _key_checks(profile, warn_days, now))
    if live:
        checks += _guarded("endpoint", lambda: _live_checks(profile, clock, cafile))
    return profile, checks


def _key_checks(profile: Profile, warn_days: int, now: datetime | None) -> list[Check]:
    keys: Any = profile.keys
    checks: list[Check] = []
    certificate = keys.signing_certificate
    if certificate is None:
        checks.append(Check("signing key", "ok", "loaded (no certificate beside it: its "
                            "expiry is not known here)"))
    else:
        checks.append(expiry_check("signing certificate", certificate, warn_days=warn_days,
                                   now=now, renew="renew the signing key: `xbsec keys csr`, "
                                   "the portal's Renew, then sign with the new key and its "
                                   "consumer key"))
    client = keys.client_encryption_certificate
    if profile.encryption and client is not None:
        checks.append(expiry_check("client-encryption certificate", client,
                                   warn_days=warn_days, now=now,
                                   renew="ask the portal for a new client-encryption key, "
                                   "encrypt to its certificate, then retire the old one"))
    for index, mastercard in enumerate(keys.mastercard_encryption_certificates):
        checks.append(expiry_check(f"mastercard-encryption certificate {index + 1}", mastercard,
                                   warn_days=warn_days, now=now,
                                   renew="make a new key and CSR, add the key to "
                                   "mastercard_encryption_keys, renew in the portal, then "
                                   "retire the old one"))
    return checks


_CLOCK_OK: Final = 30
"""Seconds of clock offset that pass without a word (the Date header counts whole seconds)."""

_GATEWAY_FIXES: Final = {
    "DECLINED": "the consumer key and the signing key must be the pair registered for this "
                "project and environment (a renewed key has its own consumer key)",
    "AUTHENTICATION_FAILED": "sign with the key whose certificate is registered for this "
                             "consumer key; `xbsec explain` shows each check",
    "INVALID_TIMESTAMP": "set this machine's clock (NTP)",
    "INVALID_BODY_HASH": "send exactly the bytes that were signed",
    "DECRYPT_PRIVATE_KEY_NOT_FOUND": "encrypt to the client-encryption certificate in force "
                                     "(the portal lists it); a retired one is refused",
    "REQUEST_DECRYPT_FAILED": "client_encryption_certificate must be Mastercard's "
                              "certificate for this project and environment",
}


def _live_checks(profile: Profile, clock: Callable[[], float],
                 cafile: str | None) -> list[Check]:
    """Reach the endpoint (TLS included), compare clocks, and make one signed call."""
    import httpx

    from xbsec.client.pipeline import ClientPipeline
    from xbsec.client.xbs import XBSClient, http_client_options
    from xbsec.errors import ApiError, DecryptionError, GatewayError, TransportError

    dates: list[str] = []

    def remember(response: httpx.Response) -> None:
        if "date" in response.headers:
            dates.append(response.headers["date"])

    pipeline = ClientPipeline.from_profile(profile, clock=clock)
    http = httpx.Client(event_hooks={"response": [remember]},
                        **http_client_options(profile, None, cafile, None))
    reference = f"XBSECDOCTOR{int(clock())}"
    checks: list[Check] = []
    call = Check("signed call", "ok", "")
    with XBSClient(profile, pipeline=pipeline, http=http, retries=0) as xbs:
        try:
            xbs.retrieve_payment_by_reference(reference)
            call = Check("signed call", "ok", "a signed call was answered")
        except TransportError as exc:
            return [_unreachable(profile, exc)]
        except GatewayError as exc:
            call = Check("signed call", "problem", f"the gateway refused a signed call: "
                         f"{exc.reason_code} ({exc.status}): {exc.description}",
                         _GATEWAY_FIXES.get(exc.reason_code,
                                            "see the troubleshooting page for this ReasonCode"))
        except ApiError as exc:
            if exc.reason_code == "UNEXPECTED_RESPONSE":
                call = Check("signed call", "problem", f"{profile.base_url} answered {exc.status} "
                             "without an XBS Errors envelope", "check base_url: it is not XBS")
            else:
                call = Check("signed call", "ok", f"the signature was accepted (XBS answered "
                             f"{exc.status} {exc.reason_code} for a reference that does not "
                             "exist, as it should)")
        except DecryptionError:
            call = Check("signed call", "problem", _UNDECRYPTABLE, _UNDECRYPTABLE_FIX)
        answers = (_decryption_check(xbs) if profile.encryption and call.outcome == "ok"
                   else None)
    scheme = "HTTPS (the server's certificate verified)" if profile.base_url.startswith(
        "https:") else "plain HTTP (a local sandbox)"
    checks.append(Check("endpoint", "ok", f"{profile.base_url} answered over {scheme}"))
    checks.append(_clock_check(dates, clock))
    checks.append(call)
    if answers is not None:
        checks.append(answers)
    return checks


_UNDECRYPTABLE: Final = "the answer is encrypted to a key this profile does not hold"
_UNDECRYPTABLE_FIX: Final = ("add the private key of the Mastercard-encryption certificate "
                             "registered in the portal to mastercard_encryption_keys")


def _decryption_check(xbs: Any) -> Check:
    """An encrypted answer decrypted: errors come back in plaintext, so the carded rates
    (a read that changes nothing) are asked for, and their answer must decrypt."""
    from xbsec.errors import ApiError, DecryptionError

    try:
        xbs.carded_rates()
    except DecryptionError:
        return Check("answers", "problem", _UNDECRYPTABLE, _UNDECRYPTABLE_FIX)
    except ApiError as exc:
        return Check("answers", "warning", f"not checked: the carded rates answered "
                     f"{exc.status} {exc.reason_code}, in plaintext as errors are",
                     "make one encrypted call that succeeds to check the decryption keys")
    return Check("answers", "ok", "an encrypted answer decrypted with "
                 "mastercard_encryption_keys")


def _unreachable(profile: Profile, exc: Exception) -> Check:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        return Check("TLS", "problem", f"{profile.base_url}: the server's certificate is not "
                     f"trusted: {text}", "give the CA that issued it (--cafile, cafile=), or "
                     "check base_url")
    return Check("endpoint", "problem", f"cannot reach {profile.base_url}: {text}",
                 "check base_url, that the service runs and that the network lets you "
                 "through (a proxy: proxy in the profile, or $HTTPS_PROXY)")


def _clock_check(dates: list[str], clock: Callable[[], float]) -> Check:
    from email.utils import parsedate_to_datetime

    from xbsec.policy import SecurityPolicy

    if not dates:
        return Check("clock", "warning", "the server sent no Date header: the clock could "
                     "not be compared", "make sure this machine's clock is synchronised (NTP)")
    try:
        offset = clock() - parsedate_to_datetime(dates[-1]).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return Check("clock", "warning", f"the server's Date header {dates[-1]!r} does not "
                     "read as a date", "make sure this machine's clock is synchronised (NTP)")
    window = SecurityPolicy().oauth1_timestamp_skew
    way = "ahead of" if offset > 0 else "behind"
    said = f"this machine's clock is {abs(round(offset))} s {way} the server's"
    if abs(offset) <= _CLOCK_OK:
        return Check("clock", "ok", f"{said} (Date header)")
    fix = "synchronise the clock (NTP, e.g. `timedatectl set-ntp true`)"
    if abs(offset) <= window:
        return Check("clock", "warning", f"{said}: within the ±{window} s that signatures "
                     "allow, but not by much", fix)
    return Check("clock", "problem", f"{said}: signed requests are refused beyond ±{window} s "
                 "(INVALID_TIMESTAMP)", fix)
