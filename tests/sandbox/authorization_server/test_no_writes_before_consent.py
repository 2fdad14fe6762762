"""Nobody writes to the database without answering a consent page, and housekeeping is indexed.

An authorization request needs no credential: anyone can send millions. The page it gets
carries the pending request in its form (a signed ticket), so showing it writes nothing;
the first write is the answer to the form, once per form. The housekeeping that deletes
expired rows runs on every write, so each of its statements must find the rows it deletes
through an index, not by reading the whole table.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.sandbox.authorization_server.flow import (
    authorize_params,
    consent,
    decide,
    pkce_pair,
    query_of,
)
from tests.sandbox.authorization_server.token_flow import code_and_verifier, exchange
from xbsec.sandbox.authorization_server import AuthorizationStore

pytestmark = pytest.mark.anyio

REQUESTS = 60


def _tables(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        names = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                for name in names}


def _sizes(database: Path) -> dict[str, int]:
    files = (database, database.with_name(database.name + "-wal"))
    return {file.name: file.stat().st_size if file.exists() else 0 for file in files}


async def test_authorization_requests_write_nothing(http, keys, database) -> None:
    before_rows, before_sizes = _tables(database), _sizes(database)
    forms = []
    for _ in range(REQUESTS):
        _, challenge = pkce_pair()
        forms.append(await consent(http, authorize_params(keys.psd2.consumer_key, challenge)))
    assert _tables(database) == before_rows
    assert _sizes(database) == before_sizes
    # Every one of those pages still works, and only an answer writes.
    approved = await decide(http, forms[0], "approve")
    assert approved.status_code == 302
    assert "code" in query_of(approved.headers["location"])
    denied = await decide(http, forms[-1], "deny")
    assert query_of(denied.headers["location"])["error"] == "access_denied"
    assert _tables(database) != before_rows


async def test_refused_authorization_requests_write_nothing(http, keys, database) -> None:
    before_rows, before_sizes = _tables(database), _sizes(database)
    _, challenge = pkce_pair()
    for params in (authorize_params(keys.psd2.consumer_key, challenge, scope="nope"),
                   authorize_params("unknown-client", challenge),
                   authorize_params(keys.psd2.consumer_key, challenge,
                                    code_challenge_method="plain")):
        answer = await http.get("/oauth2/authorize", params=params)
        assert answer.status_code in (302, 400)
    assert _tables(database) == before_rows
    assert _sizes(database) == before_sizes


async def test_a_forged_or_replayed_form_writes_nothing(http, keys, database) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    assert (await decide(http, form, "deny")).status_code == 302
    after_answer = _tables(database)
    assert (await decide(http, form, "approve")).status_code == 400  # replayed
    form.hidden["csrf_token"] = form.hidden["csrf_token"][:-4] + "AAAA"  # forged
    assert (await decide(http, form, "approve")).status_code == 400
    assert _tables(database) == after_answer


@pytest.fixture
def traced(store: AuthorizationStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the store runs, with its values, from now on."""
    statements: list[str] = []
    connect = store._connect

    def tracing() -> sqlite3.Connection:
        db = connect()
        db.set_trace_callback(statements.append)
        return db

    store.close()  # idle connections were made untraced
    monkeypatch.setattr(store, "_connect", tracing)
    return statements


async def test_housekeeping_finds_expired_rows_through_indexes(http, keys, clock, database,
                                                               traced) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)  # an answer and an approval
    assert (await exchange(http, keys.psd2, clock.now, code, verifier)).status_code == 200
    deletes = [s for s in traced if s.lstrip().upper().startswith("DELETE")]
    assert len(deletes) >= 4, traced
    with sqlite3.connect(database) as db:
        for statement in deletes:
            plan = " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}"))
            assert "SCAN" not in plan, f"{statement}: {plan}"


@pytest.mark.parametrize("mangle", [
    lambda t: t + "A",
    lambda t: t.replace(".", ".."),
    lambda t: "e30." + t.split(".")[1],  # another payload ({}) under the same MAC
    lambda t: t.split(".")[0] + "." + "A" * 43,
    lambda t: "é" + t,
    lambda t: "",
])
def test_only_this_servers_tickets_open(store, mangle) -> None:
    from xbsec.sandbox.authorization_server.consent_ticket import issue_ticket, open_ticket

    ticket = issue_ticket(store.ticket_key, {"client_id": "c"}, expires_at=2_000_000_000)
    opened = open_ticket(store.ticket_key, ticket)
    assert opened is not None
    assert (opened.request, opened.expires_at) == ({"client_id": "c"}, 2_000_000_000)
    assert open_ticket(store.ticket_key, mangle(ticket)) is None
    assert open_ticket(b"another key" * 3, ticket) is None
