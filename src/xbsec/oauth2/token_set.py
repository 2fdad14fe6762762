"""``TokenSet``: the tokens one authorization gave, with their absolute expiry times.

Times are seconds since the epoch (wall clock), not a monotonic clock: a token set is
stored and read back by other processes and after restarts. The tokens themselves never
appear in ``repr``; ``to_json`` is for token stores only.

Stored form (one JSON object, version 1)::

    {"version":1,"token_type":"Bearer","access_token":"…","expires_at":1700000900.0,
     "refresh_token":"…","refresh_expires_at":1707776000.0,"scope":"balances",
     "obtained_at":1700000000.0,"token_url":"https://…/oauth2/token","client_id":"…"}

``refresh_expires_at`` is ``null`` when the server did not say (the server then decides).
``token_url`` and ``client_id`` say where the tokens came from, so that tokens of one
server or consumer key are never sent to another.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Final

from xbsec.errors import AuthorizationError
from xbsec.jose.strict_json import read_object

__all__ = ["TokenSet"]

_VERSION: Final = 1


def _time(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenSet:
    """An access token, its refresh token, and when each stops working."""

    access_token: str = field(repr=False)
    expires_at: float
    """When the access token expires (seconds since the epoch)."""
    obtained_at: float
    refresh_token: str | None = field(default=None, repr=False)
    refresh_expires_at: float | None = None
    """When the refresh token expires; ``None`` when the server did not say."""
    scope: str | None = None
    token_type: str = "Bearer"  # noqa: S105 - the scheme's name, not a secret
    token_url: str | None = None
    client_id: str | None = None

    def access_token_due(self, now: float, margin: float) -> bool:
        """Whether the access token expires within ``margin`` seconds of ``now``."""
        return now >= self.expires_at - margin

    def access_token_expired(self, now: float) -> bool:
        return now >= self.expires_at

    def refresh_token_usable(self, now: float) -> bool:
        """Whether there is a refresh token that has not expired (as far as we know)."""
        return bool(self.refresh_token) and (
            self.refresh_expires_at is None or now < self.refresh_expires_at)

    def issued_by(self, token_url: str, client_id: str) -> bool:
        """Whether these tokens came from ``token_url`` for ``client_id`` (unknown: yes)."""
        return ((self.token_url is None or self.token_url == token_url)
                and (self.client_id is None or self.client_id == client_id))

    def to_json(self) -> bytes:
        """The stored form (module docstring). Holds the tokens: for token stores only."""
        members = {"version": _VERSION, "token_type": self.token_type,
                   "access_token": self.access_token, "expires_at": self.expires_at,
                   "refresh_token": self.refresh_token,
                   "refresh_expires_at": self.refresh_expires_at, "scope": self.scope,
                   "obtained_at": self.obtained_at, "token_url": self.token_url,
                   "client_id": self.client_id}
        return json.dumps(members, separators=(",", ":"), allow_nan=False).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, *, source: str) -> TokenSet:
        """A token set read back from a store; ``AuthorizationError`` naming ``source``."""
        members = read_object(raw)
        if members is None or members.get("version") != _VERSION:
            raise AuthorizationError(f"{source}: not a token set stored by this version of "
                                     "xbsec (delete it and log in again)")

        def bad(name: str) -> AuthorizationError:
            return AuthorizationError(f"{source}: the stored {name} is missing or invalid "
                                      "(delete it and log in again)")

        def text(name: str, *, required: bool) -> Any:
            value = members.get(name)
            if value is None and not required:
                return None
            if not isinstance(value, str) or not value:
                raise bad(name)
            return value

        expires_at = _time(members.get("expires_at"))
        obtained_at = _time(members.get("obtained_at"))
        if expires_at is None:
            raise bad("expires_at")
        if obtained_at is None:
            raise bad("obtained_at")
        refresh_expires_at = None
        if members.get("refresh_expires_at") is not None:
            refresh_expires_at = _time(members["refresh_expires_at"])
            if refresh_expires_at is None:
                raise bad("refresh_expires_at")
        return cls(access_token=text("access_token", required=True), expires_at=expires_at,
                   obtained_at=obtained_at,
                   refresh_token=text("refresh_token", required=False),
                   refresh_expires_at=refresh_expires_at,
                   scope=text("scope", required=False),
                   token_type=text("token_type", required=True),
                   token_url=text("token_url", required=False),
                   client_id=text("client_id", required=False))
