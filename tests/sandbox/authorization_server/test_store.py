"""The SQLite store: nothing secret in clear, housekeeping, durability across reopen."""

from __future__ import annotations

import sqlite3

import pytest

from tests.sandbox.authorization_server.flow import REDIRECT_URI, pkce_pair
from tests.sandbox.authorization_server.token_flow import code_and_verifier, exchange
from xbsec.sandbox.authorization_server import AuthorizationStore
from xbsec.sandbox.authorization_server.pkce import s256
from xbsec.sandbox.authorization_server.store import IssuedTokens, NewTokens
from xbsec.sandbox.authorization_server.tokens import new_secret, secret_hash

DAY = 86_400


def _dump(database) -> str:
    with sqlite3.connect(database) as db:
        return "\n".join(line for line in db.iterdump())


@pytest.mark.anyio
async def test_no_secret_is_stored_in_clear(http, keys, clock, database) -> None:
    consent = await http.get("/oauth2/authorize", params={
        "response_type": "code", "client_id": keys.psd2.consumer_key,
        "redirect_uri": REDIRECT_URI, "state": "s", "code_challenge": pkce_pair()[1],
        "code_challenge_method": "S256"})
    from tests.sandbox.authorization_server.flow import read_consent

    csrf = read_consent(consent.text).hidden["csrf_token"]
    code, verifier = await code_and_verifier(http, keys.psd2)
    tokens = (await exchange(http, keys.psd2, clock.now, code, verifier)).json()
    dumped = _dump(database)
    for secret in (csrf, code, verifier, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in dumped
    assert secret_hash(tokens["access_token"]) in dumped


def _approve(store: AuthorizationStore, now: float) -> tuple[str, str]:
    code, (verifier, challenge) = new_secret(), pkce_pair()
    store.approve(consumer_key="c", partner_id="P", scope="balances", redirect_uri="r",
                  code_challenge=challenge, code_hash=secret_hash(code),
                  code_expires_at=now + 900, now=now)
    return code, verifier


def _redeem(store: AuthorizationStore, code: str, verifier: str, now: float,
            refresh_lifetime: float = 90 * DAY):
    new = NewTokens(secret_hash(new_secret()), secret_hash(new_secret()), 900)
    return new, store.redeem_code(secret_hash(code), consumer_key="c", redirect_uri="r",
                                  verifier_challenge=s256(verifier), new=new,
                                  refresh_lifetime=refresh_lifetime, now=now)


def _count(store: AuthorizationStore, table: str) -> int:
    with store._transaction(write=False) as db:  # the test reads the table directly
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608


def test_dead_families_are_pruned_on_the_next_approval(store) -> None:
    now = 1_000_000.0
    code, verifier = _approve(store, now)
    _, issued = _redeem(store, code, verifier, now, refresh_lifetime=DAY)
    assert isinstance(issued, IssuedTokens)
    _approve(store, now)  # a consent whose code is never redeemed
    assert _count(store, "oauth2_authorizations") == 2
    _approve(store, now + DAY)  # the first family's refresh tokens just died
    assert _count(store, "oauth2_authorizations") == 2
    assert _count(store, "oauth2_access_tokens") == 0
    _approve(store, now + 900 + DAY)  # the unused code expired a day ago
    assert _count(store, "oauth2_authorizations") == 2
    assert _count(store, "oauth2_codes") == 2


def test_a_used_code_stays_known_while_its_family_lives(store) -> None:
    now = 1_000_000.0
    code, verifier = _approve(store, now)
    _redeem(store, code, verifier, now)
    _approve(store, now + 30 * DAY)  # prunes, but this family lives 90 days
    _, again = _redeem(store, code, verifier, now + 30 * DAY)
    assert "already used" in str(again)


def test_expired_assertion_ids_are_forgotten(store) -> None:
    assert store.claim_assertion("c", "j", until=100.0, now=50.0)
    assert not store.claim_assertion("c", "j", until=100.0, now=99.0)
    assert store.claim_assertion("c", "j", until=300.0, now=100.0)


def test_tokens_survive_a_reopen(database, store) -> None:
    now = 1_000_000.0
    code, verifier = _approve(store, now)
    new, issued = _redeem(store, code, verifier, now)
    assert isinstance(issued, IssuedTokens)
    store.close()
    reopened = AuthorizationStore(database)
    try:
        record = reopened.access_token(new.access_hash)
        assert record is not None
        assert (record.consumer_key, record.partner_id, record.scope) == ("c", "P", "balances")
        assert not record.revoked
    finally:
        reopened.close()


def test_a_busy_database_is_temporarily_unavailable(database, store) -> None:
    from xbsec.sandbox.authorization_server.oauth_errors import TemporarilyUnavailableError

    impatient = AuthorizationStore(database, busy_timeout=0.05)
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(TemporarilyUnavailableError):
            impatient.claim_assertion("c", "j", until=2.0, now=1.0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        impatient.close()
    assert store.claim_assertion("c", "j", until=2.0, now=1.0)
