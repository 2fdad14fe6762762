"""The SQLite store: WAL on a file, schema versioning, busy writers, a reusable pool."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import V0, V1, errors, new_proposal, payment_request, send
from xbsec.errors import ConfigurationError
from xbsec.sandbox import SandboxApp, create_sandbox_app
from xbsec.sandbox.schema import SCHEMA_VERSION
from xbsec.sandbox.store import Store


def _pragma(database: Path, name: str) -> object:
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(f"PRAGMA {name}").fetchone()[0]


def test_the_database_is_a_wal_file_with_the_schema(database: Path) -> None:
    Store(database).close()
    assert _pragma(database, "journal_mode") == "wal"
    assert _pragma(database, "user_version") == SCHEMA_VERSION
    with closing(sqlite3.connect(database)) as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"proposals", "payments", "rfi_requests", "rfi_documents", "heartbeat"}


def test_each_connection_is_set_for_durability(database: Path) -> None:
    store = Store(database)
    with store.transaction(write=False) as connection:
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.close()


def test_opening_twice_keeps_the_data(database: Path) -> None:
    first = Store(database)
    with first.transaction(write=True) as connection:
        connection.execute("INSERT INTO proposals VALUES ('p', 'x', 'r', 0, 1, 1, '{}', '{}',"
                           " NULL, NULL)")
    first.close()
    second = Store(database)
    with second.transaction(write=False) as connection:
        assert connection.execute("SELECT COUNT(*) FROM proposals").fetchone()[0] == 1
    second.close()


def test_the_schema_itself_refuses_a_second_payment(database: Path) -> None:
    # The application checks under the write lock; the constraints hold even without it.
    Store(database).close()
    row = ("'x', 'r', 'pen_1', 'PENDING', 'SUCCESS', 60, 0, 'USD', '1.00', 0, 0, NULL, NULL,"
           " NULL, '{}'")
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(f"INSERT INTO payments VALUES ('rem_1', {row})")  # noqa: S608
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            connection.execute(f"INSERT INTO payments VALUES ('rem_2', {row})")  # noqa: S608
        other_reference = row.replace("'r'", "'r2'")
        with pytest.raises(sqlite3.IntegrityError, match="proposal_id"):
            connection.execute(  # the same proposal, another reference
                f"INSERT INTO payments VALUES ('rem_3', {other_reference})")  # noqa: S608


@pytest.mark.parametrize("path", [":memory:", "", "file::memory:?cache=shared"])
def test_an_in_memory_database_is_refused(path: str) -> None:
    with pytest.raises(ConfigurationError, match="database file"):
        create_sandbox_app(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are not the tables you are looking for" * 100)
    with pytest.raises(ConfigurationError, match=r"notes\.txt"):
        create_sandbox_app(path)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot open"):
        create_sandbox_app(tmp_path / "missing" / "sandbox.db")


def test_a_newer_schema_is_refused(database: Path) -> None:
    with closing(sqlite3.connect(database)) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ConfigurationError, match="schema version"):
        create_sandbox_app(database)


def test_a_database_of_the_invented_shapes_is_refused_with_what_to_do(database: Path) -> None:
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA user_version = 1")
    with pytest.raises(ConfigurationError, match="remove it"):
        Store(database)


def test_a_body_limit_must_be_positive(database: Path) -> None:
    with pytest.raises(ConfigurationError):
        create_sandbox_app(database, max_body_bytes=0)


def test_a_failed_transaction_is_rolled_back_and_the_connection_reused(database: Path) -> None:
    store = Store(database, max_idle=1)
    def insert_then_fail() -> sqlite3.Connection:
        with store.transaction(write=True) as connection:
            connection.execute("INSERT INTO proposals VALUES ('p', 'x', 'r', 0, 1, 1, '{}',"
                               " '{}', NULL, NULL)")
            raise RuntimeError(connection)

    with pytest.raises(RuntimeError) as failure:
        insert_then_fail()
    connection = failure.value.args[0]
    with store.transaction(write=False) as again:
        assert again is connection
        assert again.execute("SELECT COUNT(*) FROM proposals").fetchone()[0] == 0
    store.close()
    with store.transaction(write=False) as reopened:  # usable after close
        assert reopened is not connection
    store.close()


@pytest.mark.anyio
async def test_a_writer_that_waits_too_long_is_told_to_retry(database: Path,
                                                             clock: FakeClock) -> None:
    app = SandboxApp(Store(database, busy_timeout=0.05), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as client:
        proposal_id = await new_proposal(client)
        with closing(sqlite3.connect(database, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            busy = await send(client, "POST", f"{V1}/payment", payment_request(proposal_id))
            reading = await client.get(f"{V0}/accounts")  # WAL: readers are not blocked
            other.execute("ROLLBACK")
        assert busy.status_code == 503
        (error,) = errors(busy)
        assert (error.source, error.reason_code, error.recoverable) == (
            "Service", "SERVICE_UNAVAILABLE", True)
        assert reading.status_code == 200
        retried = await send(client, "POST", f"{V1}/payment", payment_request(proposal_id))
        assert retried.status_code == 200
    app.close()
