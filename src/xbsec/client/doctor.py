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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from xbsec.errors import XBSecError

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
                  loader: Callable[..., Profile] | None = None) -> tuple[Profile | None,
                                                                        list[Check]]:
    """The profile (when it reads) and the findings on its keys."""
    from xbsec.profile import load_profile

    load = loader or load_profile
    try:
        profile = load(name, path)
    except XBSecError as exc:
        return None, [Check("profile", "problem", str(exc),
                            "fix the file or entry the message names")]
    checks = [Check("profile", "ok", f"{profile.source}: profile {profile.name!r} "
                    f"({profile.environment}, {profile.edge}, {profile.auth})")]
    checks += _guarded("keys", lambda: _key_checks(profile, warn_days, now))
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
