"""The authorization server's state in SQLite: consents, codes, tokens, assertion ids.

Tables (every code and token is kept as the hex SHA-256 of its text, never in clear)::

    oauth2_authorizations   one per approved consent: the "family" of everything issued from
                            it. consumer_key, partner_id, scope, redirect_uri,
                            code_challenge, refresh_expires_at, revoked_at.
                            Revoking it (one UPDATE) kills its code and every access and
                            refresh token descending from it.
    oauth2_codes            code_hash -> authorization; expires_at, used_at
    oauth2_access_tokens    token_hash -> authorization; scope (narrower after a refresh
                            that asked for less), expires_at
    oauth2_refresh_tokens   token_hash -> authorization; expires_at, rotated_at
    oauth2_consent_answers  the nonce of each consent form answered (its ticket, see
                            ``consent_ticket``), kept until the form has expired anyway
    oauth2_assertion_jtis   (consumer_key, jti) of each accepted client assertion, kept
                            until the assertion could no longer be accepted anyway
    oauth2_server_keys      the key that signs consent tickets, made with the database

Nothing is written before a consent page is answered: the page carries its request in a
signed ticket, so the unauthenticated ``GET /oauth2/authorize`` costs no row. Every
``DELETE`` of expired rows, which runs on the writes that follow, finds them through an
index on the column it compares.

Several uvicorn workers (processes) share the file. WAL lets readers (the gateway's
token checks) proceed during a write; every check-then-write sequence (redeem a code,
rotate a refresh token, answer a consent, claim a ``jti``) runs in one ``BEGIN IMMEDIATE``
transaction, which takes the write lock before reading, so two workers presenting the same
code are serialised: the first redeems it, the second sees it used.

Methods that refuse return the refusal instead of raising it inside the transaction: a
refusal may itself have to be written (a reused code revokes its family) and committed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from xbsec.errors import ConfigurationError
from xbsec.sandbox.authorization_server.oauth_errors import (
    InvalidGrantError,
    InvalidScopeError,
    OAuthError,
    TemporarilyUnavailableError,
)
from xbsec.stores.sqlite import create_private

__all__ = ["AccessTokenRecord", "AuthorizationStore", "IssuedTokens", "NewTokens"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS oauth2_authorizations (
    id INTEGER PRIMARY KEY,
    consumer_key TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    created_at REAL NOT NULL,
    refresh_expires_at REAL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS oauth2_codes (
    code_hash TEXT PRIMARY KEY,
    authorization_id INTEGER NOT NULL REFERENCES oauth2_authorizations(id) ON DELETE CASCADE,
    expires_at REAL NOT NULL,
    used_at REAL
);
CREATE TABLE IF NOT EXISTS oauth2_access_tokens (
    token_hash TEXT PRIMARY KEY,
    authorization_id INTEGER NOT NULL REFERENCES oauth2_authorizations(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth2_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    authorization_id INTEGER NOT NULL REFERENCES oauth2_authorizations(id) ON DELETE CASCADE,
    expires_at REAL NOT NULL,
    rotated_at REAL
);
DROP TABLE IF EXISTS oauth2_consents;
CREATE TABLE IF NOT EXISTS oauth2_consent_answers (
    nonce_hash TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth2_server_keys (
    name TEXT PRIMARY KEY,
    secret BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth2_assertion_jtis (
    consumer_key TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (consumer_key, jti)
);
CREATE INDEX IF NOT EXISTS oauth2_codes_by_authorization ON oauth2_codes(authorization_id);
CREATE INDEX IF NOT EXISTS oauth2_access_by_authorization
    ON oauth2_access_tokens(authorization_id);
CREATE INDEX IF NOT EXISTS oauth2_refresh_by_authorization
    ON oauth2_refresh_tokens(authorization_id);
CREATE INDEX IF NOT EXISTS oauth2_authorizations_by_refresh_expiry
    ON oauth2_authorizations(refresh_expires_at);
CREATE INDEX IF NOT EXISTS oauth2_codes_by_expiry ON oauth2_codes(expires_at);
CREATE INDEX IF NOT EXISTS oauth2_access_by_expiry ON oauth2_access_tokens(expires_at);
CREATE INDEX IF NOT EXISTS oauth2_consent_answers_by_expiry
    ON oauth2_consent_answers(expires_at);
CREATE INDEX IF NOT EXISTS oauth2_assertion_jtis_by_expiry
    ON oauth2_assertion_jtis(expires_at);
"""

_BUSY_CODES: Final = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_DAY: Final = 86_400
_TICKET_KEY: Final = "consent_ticket"
_KEY_BYTES: Final = 32


def _reuse_refused(ago: float, window: float) -> str:
    rule = (f"a refresh token works once, and again only within {window:g} s of its first "
            "use" if window > 0 else "a refresh token works once")
    return (f"the refresh token was already used {max(0, int(ago))} s ago and replaced "
            f"({rule}): every token of this authorization is now revoked. Keep only the "
            "newest refresh token and let one worker refresh at a time, then authorize "
            "again in the browser")


@dataclass(frozen=True, slots=True)
class NewTokens:
    """Hashes of the tokens to issue, and the access token's lifetime (seconds)."""

    access_hash: str
    refresh_hash: str
    access_lifetime: float


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    """What a successful exchange or refresh granted."""

    consumer_key: str
    partner_id: str
    scope: str
    access_expires_at: float
    refresh_expires_at: float


@dataclass(frozen=True, slots=True)
class AccessTokenRecord:
    """What the store knows about one access token (the validator decides)."""

    consumer_key: str
    partner_id: str
    scope: str
    expires_at: float
    revoked: bool


class AuthorizationStore:
    """The authorization server's SQLite database (one file, shared by processes)."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 10.0,
                 max_idle: int = 8) -> None:
        self.path = os.fspath(path)
        if not self.path or self.path == ":memory:" or self.path.startswith("file:"):
            raise ConfigurationError("the authorization server needs a database file path "
                                     "(an in-memory database is not shared)")
        self.busy_timeout = busy_timeout
        self.max_idle = max_idle
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            create_private(self.path)  # 0600: it holds token hashes and consents
        except OSError as exc:
            raise ConfigurationError(f"cannot open the authorization database {self.path}: "
                                     f"{exc.strerror or exc}") from None
        with self._transaction() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT OR IGNORE INTO oauth2_server_keys (name, secret) VALUES (?, ?)",
                       (_TICKET_KEY, secrets.token_bytes(_KEY_BYTES)))
            row = db.execute("SELECT secret FROM oauth2_server_keys WHERE name = ?",
                             (_TICKET_KEY,)).fetchone()
        self.ticket_key: bytes = bytes(row["secret"])
        """Signs consent tickets; the same for every process on this database file."""

    # -- connections ------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                 check_same_thread=False)
        except sqlite3.Error as exc:
            raise ConfigurationError(f"cannot open the authorization database {self.path}: "
                                     f"{exc}") from None
        try:
            db.execute("PRAGMA journal_mode = WAL")
            # A redeemed code must stay redeemed after a crash: FULL, as the sandbox does.
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise ConfigurationError(f"{self.path} is not a usable authorization database: "
                                     f"{exc}") from None
        db.row_factory = sqlite3.Row
        return db

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = self._connect()
        try:
            try:
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in _BUSY_CODES:
                raise
            raise TemporarilyUnavailableError("the token database is busy; try again") \
                from None
        finally:
            if db.in_transaction:  # a failed rollback leaves it in an unknown state
                db.close()
            else:
                with self._lock:
                    keep = len(self._idle) < self.max_idle
                    if keep:
                        self._idle.append(db)
                if not keep:
                    db.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()

    # -- client assertions ------------------------------------------------------------------

    def claim_assertion(self, consumer_key: str, jti: str, *, until: float,
                        now: float) -> bool:
        """Record a client assertion's ``jti`` until ``until``; False if it was seen."""
        with self._transaction() as db:
            db.execute("DELETE FROM oauth2_assertion_jtis WHERE expires_at <= ?", (now,))
            inserted = db.execute(
                "INSERT OR IGNORE INTO oauth2_assertion_jtis (consumer_key, jti, expires_at)"
                " VALUES (?, ?, ?)", (consumer_key, jti, until))
            return inserted.rowcount == 1

    # -- consent ----------------------------------------------------------------------------

    def answer_consent(self, nonce: str, *, until: float, now: float) -> bool:
        """Record that the consent form with this ticket nonce was answered; False if it
        already was. ``until``: when the form expires (the nonce is kept that long)."""
        with self._transaction() as db:
            db.execute("DELETE FROM oauth2_consent_answers WHERE expires_at <= ?", (now,))
            inserted = db.execute(
                "INSERT OR IGNORE INTO oauth2_consent_answers (nonce_hash, expires_at)"
                " VALUES (?, ?)", (hashlib.sha256(nonce.encode("utf-8")).hexdigest(), until))
            return inserted.rowcount == 1

    def approve(self, *, consumer_key: str, partner_id: str, scope: str, redirect_uri: str,
                code_challenge: str, code_hash: str, code_expires_at: float,
                now: float) -> None:
        """Record an approved consent and the authorization code that stands for it."""
        with self._transaction() as db:
            self._prune(db, now)
            cursor = db.execute(
                "INSERT INTO oauth2_authorizations (consumer_key, partner_id, scope,"
                " redirect_uri, code_challenge, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (consumer_key, partner_id, scope, redirect_uri, code_challenge, now))
            db.execute("INSERT INTO oauth2_codes (code_hash, authorization_id, expires_at)"
                       " VALUES (?, ?, ?)", (code_hash, cursor.lastrowid, code_expires_at))

    # -- the token endpoint -----------------------------------------------------------------

    def redeem_code(self, code_hash: str, *, consumer_key: str, redirect_uri: str,
                    verifier_challenge: str | None, new: NewTokens, refresh_lifetime: float,
                    now: float) -> IssuedTokens | OAuthError:
        """Exchange a code for tokens, or the refusal (RFC 6749 §4.1.3, RFC 7636 §4.6).

        The first presentation of a code by its own client uses it up, whatever the outcome;
        a second one revokes everything issued from it (RFC 6749 §4.1.2).
        ``verifier_challenge`` is ``S256(code_verifier)``, None for a malformed verifier.
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT c.authorization_id AS family, c.expires_at, c.used_at, a.consumer_key,"
                " a.partner_id, a.scope, a.redirect_uri, a.code_challenge, a.revoked_at"
                " FROM oauth2_codes c JOIN oauth2_authorizations a"
                " ON a.id = c.authorization_id WHERE c.code_hash = ?", (code_hash,)).fetchone()
            if row is None or row["consumer_key"] != consumer_key:
                # Another client's code is not consumed: it did not come from its owner.
                return InvalidGrantError("the authorization code is unknown or was issued "
                                         "to another client")
            if row["used_at"] is not None:
                self._revoke(db, row["family"], now)
                return InvalidGrantError("the authorization code was already used; every "
                                         "token issued from it is revoked")
            db.execute("UPDATE oauth2_codes SET used_at = ? WHERE code_hash = ?",
                       (now, code_hash))
            if row["revoked_at"] is not None:
                return InvalidGrantError("the authorization was revoked")
            if now >= row["expires_at"]:
                return InvalidGrantError("the authorization code has expired")
            if redirect_uri != row["redirect_uri"]:
                return InvalidGrantError("redirect_uri differs from the authorization "
                                         "request's")
            if verifier_challenge is None or not hmac.compare_digest(
                    verifier_challenge.encode("ascii"), row["code_challenge"].encode("ascii")):
                return InvalidGrantError("the code_verifier does not match the "
                                         "code_challenge (PKCE)")
            refresh_expires_at = now + refresh_lifetime
            db.execute("UPDATE oauth2_authorizations SET refresh_expires_at = ? WHERE id = ?",
                       (refresh_expires_at, row["family"]))
            return self._issue(db, row, new, refresh_expires_at, now, row["scope"])

    def refresh(self, refresh_hash: str, *, consumer_key: str, scope: frozenset[str] | None,
                new: NewTokens, now: float,
                reuse_window: float = 0) -> IssuedTokens | OAuthError:
        """Rotate a refresh token: a new pair for it, or the refusal (RFC 6749 §6).

        A refresh token already rotated less than ``reuse_window`` seconds ago is accepted
        again, from its own client, and gets a pair of its own: two workers that shared it,
        or a client retrying after a lost answer (FAPI 2.0 Security Profile §5.3.2.1), keep
        the authorization. Later, it revokes its whole family: either the client or an
        attacker holds a stolen copy, and the server cannot tell which (RFC 9700 §4.14.2).
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT r.authorization_id AS family, r.expires_at, r.rotated_at,"
                " a.consumer_key, a.partner_id, a.scope, a.revoked_at"
                " FROM oauth2_refresh_tokens r JOIN oauth2_authorizations a"
                " ON a.id = r.authorization_id WHERE r.token_hash = ?",
                (refresh_hash,)).fetchone()
            if row is None or row["consumer_key"] != consumer_key:
                return InvalidGrantError("the refresh token is unknown or was issued to "
                                         "another client")
            if row["revoked_at"] is not None:
                return InvalidGrantError("the refresh token was revoked")
            rotated_at = row["rotated_at"]
            if rotated_at is not None and now - rotated_at >= reuse_window:
                self._revoke(db, row["family"], now)
                return InvalidGrantError(_reuse_refused(now - rotated_at, reuse_window))
            if now >= row["expires_at"]:
                return InvalidGrantError("the refresh token has expired; authorize again in "
                                         "the browser")
            granted = frozenset(row["scope"].split())
            if scope is not None and not scope <= granted:
                return InvalidScopeError("the scope asked for exceeds the scope granted")
            if rotated_at is None:  # a reuse keeps the first rotation's time: no extension
                db.execute("UPDATE oauth2_refresh_tokens SET rotated_at = ?"
                           " WHERE token_hash = ?", (now, refresh_hash))
            # RFC 6749 §6: a narrower scope applies to the new access token; the refresh
            # token keeps the whole grant.
            access_scope = " ".join(sorted(scope)) if scope is not None else row["scope"]
            return self._issue(db, row, new, row["expires_at"], now, access_scope)

    @staticmethod
    def _issue(db: sqlite3.Connection, row: sqlite3.Row, new: NewTokens,
               refresh_expires_at: float, now: float, scope: str) -> IssuedTokens:
        # An access token never outlives the consent it stands for.
        access_expires_at = min(now + new.access_lifetime, refresh_expires_at)
        db.execute("INSERT INTO oauth2_access_tokens (token_hash, authorization_id, scope,"
                   " expires_at) VALUES (?, ?, ?, ?)",
                   (new.access_hash, row["family"], scope, access_expires_at))
        db.execute("INSERT INTO oauth2_refresh_tokens (token_hash, authorization_id,"
                   " expires_at) VALUES (?, ?, ?)",
                   (new.refresh_hash, row["family"], refresh_expires_at))
        return IssuedTokens(row["consumer_key"], row["partner_id"], scope,
                            access_expires_at, refresh_expires_at)

    @staticmethod
    def _revoke(db: sqlite3.Connection, family: int, now: float) -> None:
        db.execute("UPDATE oauth2_authorizations SET revoked_at = ? WHERE id = ?"
                   " AND revoked_at IS NULL", (now, family))

    @staticmethod
    def _prune(db: sqlite3.Connection, now: float) -> None:
        # Families whose refresh tokens are dead can go, with their codes and tokens. One
        # never redeemed is kept a day past its code's expiry.
        db.execute("DELETE FROM oauth2_authorizations WHERE refresh_expires_at <= ?", (now,))
        db.execute("DELETE FROM oauth2_authorizations WHERE refresh_expires_at IS NULL AND id"
                   " IN (SELECT authorization_id FROM oauth2_codes WHERE expires_at <= ?)",
                   (now - _DAY,))
        db.execute("DELETE FROM oauth2_access_tokens WHERE expires_at <= ?", (now,))

    # -- the resource side (the gateway) ----------------------------------------------------

    def access_token(self, token_hash: str) -> AccessTokenRecord | None:
        with self._transaction(write=False) as db:
            row = db.execute(
                "SELECT a.consumer_key, a.partner_id, t.scope, t.expires_at, a.revoked_at"
                " FROM oauth2_access_tokens t JOIN oauth2_authorizations a"
                " ON a.id = t.authorization_id WHERE t.token_hash = ?",
                (token_hash,)).fetchone()
        if row is None:
            return None
        return AccessTokenRecord(row["consumer_key"], row["partner_id"], row["scope"],
                                 row["expires_at"], row["revoked_at"] is not None)

    def revoke_authorization_of(self, access_hash: str, *, now: float) -> bool:
        """Revoke the family of an access token (an operator's action; tests use it)."""
        with self._transaction() as db:
            row = db.execute("SELECT authorization_id FROM oauth2_access_tokens"
                             " WHERE token_hash = ?", (access_hash,)).fetchone()
            if row is None:
                return False
            self._revoke(db, row["authorization_id"], now)
            return True
