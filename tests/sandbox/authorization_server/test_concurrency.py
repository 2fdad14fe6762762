"""Several workers on one database: a code, a refresh token, a jti each win exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from tests.sandbox.authorization_server.flow import REDIRECT_URI, pkce_pair
from tests.sandbox.authorization_server.token_flow import code_and_verifier, exchange
from xbsec.sandbox.authorization_server import AuthorizationServer, AuthorizationStore
from xbsec.sandbox.authorization_server.oauth_errors import InvalidGrantError
from xbsec.sandbox.authorization_server.pkce import s256
from xbsec.sandbox.authorization_server.store import IssuedTokens, NewTokens
from xbsec.sandbox.authorization_server.tokens import new_secret, secret_hash

WORKERS = 8
CONSUMER = "consumer!1"


def _race(database: Path, attempt: Callable[[AuthorizationStore], Any]) -> list[Any]:
    """Run ``attempt`` at once in WORKERS threads, each with its own store (a worker)."""
    stores = [AuthorizationStore(database) for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS)

    def one(store: AuthorizationStore) -> Any:
        start.wait()
        return attempt(store)

    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            return list(pool.map(one, stores))
    finally:
        for store in stores:
            store.close()


def _new() -> NewTokens:
    return NewTokens(secret_hash(new_secret()), secret_hash(new_secret()), 900)


def _approved(store: AuthorizationStore, now: float) -> tuple[str, str]:
    code, (verifier, challenge) = new_secret(), pkce_pair()
    store.approve(consumer_key=CONSUMER, partner_id="P1", scope="balances",
                  redirect_uri=REDIRECT_URI, code_challenge=challenge,
                  code_hash=secret_hash(code), code_expires_at=now + 900, now=now)
    return code, verifier


@pytest.mark.parametrize("round_", range(3))
def test_one_code_redeemed_by_many_workers_at_once(database, store, round_) -> None:
    now = 1_000_000.0
    code, verifier = _approved(store, now)
    outcomes = _race(database, lambda worker: worker.redeem_code(
        secret_hash(code), consumer_key=CONSUMER, redirect_uri=REDIRECT_URI,
        verifier_challenge=s256(verifier), new=_new(), refresh_lifetime=86_400, now=now))
    winners = [o for o in outcomes if isinstance(o, IssuedTokens)]
    assert len(winners) == 1
    assert all(isinstance(o, InvalidGrantError) for o in outcomes if o not in winners)
    # The losers were reuses: the winner's family is revoked (RFC 6749 §4.1.2).
    with store._transaction(write=False) as db:  # the test reads the table directly
        revoked = db.execute("SELECT revoked_at FROM oauth2_authorizations").fetchall()
    assert [row["revoked_at"] is not None for row in revoked] == [True]


def test_one_refresh_token_rotated_by_many_workers_at_once(database, store) -> None:
    now = 1_000_000.0
    code, verifier = _approved(store, now)
    first = NewTokens(secret_hash(new_secret()), secret_hash(refresh := new_secret()), 900)
    issued = store.redeem_code(secret_hash(code), consumer_key=CONSUMER,
                               redirect_uri=REDIRECT_URI, verifier_challenge=s256(verifier),
                               new=first, refresh_lifetime=86_400, now=now)
    assert isinstance(issued, IssuedTokens)
    outcomes = _race(database, lambda worker: worker.refresh(
        secret_hash(refresh), consumer_key=CONSUMER, scope=None, new=_new(), now=now + 1))
    assert sum(isinstance(o, IssuedTokens) for o in outcomes) == 1


def test_within_the_reuse_window_every_worker_gets_a_pair(database, store) -> None:
    now = 1_000_000.0
    code, verifier = _approved(store, now)
    first = NewTokens(secret_hash(new_secret()), secret_hash(refresh := new_secret()), 900)
    store.redeem_code(secret_hash(code), consumer_key=CONSUMER, redirect_uri=REDIRECT_URI,
                      verifier_challenge=s256(verifier), new=first, refresh_lifetime=86_400,
                      now=now)
    outcomes = _race(database, lambda worker: worker.refresh(
        secret_hash(refresh), consumer_key=CONSUMER, scope=None, new=_new(), now=now + 1,
        reuse_window=60))
    assert all(isinstance(o, IssuedTokens) for o in outcomes)


def test_one_jti_claimed_by_many_workers_at_once(database, store) -> None:
    outcomes = _race(database, lambda worker: worker.claim_assertion(
        CONSUMER, "jti-1", until=2_000_000.0, now=1_000_000.0))
    assert outcomes.count(True) == 1
    assert outcomes.count(False) == WORKERS - 1


def test_one_consent_answered_by_many_workers_at_once(database, store) -> None:
    nonce = new_secret()
    outcomes = _race(database, lambda worker: worker.answer_consent(
        nonce, until=2_000_000.0, now=1_000_001.0))
    assert outcomes.count(True) == 1


def test_every_worker_signs_and_opens_the_same_tickets(database, store) -> None:
    from xbsec.sandbox.authorization_server.consent_ticket import issue_ticket, open_ticket

    ticket = issue_ticket(store.ticket_key, {"client_id": CONSUMER}, expires_at=2_000_000)
    opened = _race(database, lambda worker: open_ticket(worker.ticket_key, ticket))
    assert all(o is not None and o.request == {"client_id": CONSUMER} for o in opened)


@pytest.mark.anyio
async def test_two_servers_on_one_database_exchange_one_code_once(keys, database, clock,
                                                                  server) -> None:
    second_store = AuthorizationStore(database)
    second = AuthorizationServer(keys.registry, second_store, settings=server.settings,
                                 clock=clock)
    transports = [httpx.ASGITransport(app=server), httpx.ASGITransport(app=second)]
    try:
        async with httpx.AsyncClient(transport=transports[0],
                                     base_url="http://testserver") as one, \
                httpx.AsyncClient(transport=transports[1],
                                  base_url="http://testserver") as two:
            code, verifier = await code_and_verifier(one, keys.psd2)
            statuses: list[int] = []

            async def attempt(http: httpx.AsyncClient) -> None:
                answer = await exchange(http, keys.psd2, clock.now, code, verifier)
                statuses.append(answer.status_code)

            async with anyio.create_task_group() as group:
                group.start_soon(attempt, one)
                group.start_soon(attempt, two)
    finally:
        second_store.close()
    assert sorted(statuses) == [200, 400]
