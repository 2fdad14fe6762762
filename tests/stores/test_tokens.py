"""Token stores: memory, a file (0600, atomic, refused when others can read it), factories."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from xbsec.errors import AuthorizationError, ConfigurationError
from xbsec.oauth2.token_set import TokenSet
from xbsec.stores.tokens import (
    FileTokenStore,
    MemoryTokenStore,
    TokenStore,
    token_store_from_setting,
)

SET = TokenSet(access_token="at-secret", expires_at=1900.0, obtained_at=1000.0,
               refresh_token="rt-secret", refresh_expires_at=5000.0, scope="balances")
OTHER = TokenSet(access_token="at-2", expires_at=2800.0, obtained_at=1900.0,
                 refresh_token="rt-2")

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def test_the_memory_store_keeps_one_set() -> None:
    store = MemoryTokenStore()
    assert isinstance(store, TokenStore)
    assert store.load() is None
    store.save(SET)
    assert store.load() == SET
    store.save(OTHER)
    assert store.load() == OTHER
    assert store.delete() is True
    assert store.delete() is False
    assert store.load() is None
    assert "at-secret" not in repr(MemoryTokenStore(SET))


def test_the_memory_lock_is_exclusive_and_times_out() -> None:
    store = MemoryTokenStore(lock_timeout=0.1)
    with store.refresh_lock():
        outcome: list[BaseException] = []

        def contend() -> None:
            try:
                with store.refresh_lock():
                    pass
            except AuthorizationError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=contend)
        thread.start()
        thread.join()
    assert len(outcome) == 1
    assert "did not finish within 0.1 s" in str(outcome[0])
    with store.refresh_lock():  # released after the with block
        pass


def test_the_file_store_round_trips(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens" / "eu.json")
    assert isinstance(store, TokenStore)
    assert store.load() is None
    store.save(SET)
    assert store.load() == SET
    store.save(OTHER)
    assert FileTokenStore(tmp_path / "tokens" / "eu.json").load() == OTHER
    assert store.delete() is True
    assert store.delete() is False
    assert store.location == str(tmp_path / "tokens" / "eu.json")


@posix
def test_the_file_is_0600_in_a_0700_folder_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o000)
    try:
        store = FileTokenStore(tmp_path / "a" / "b" / "eu.json")
        store.save(SET)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "b" / "eu.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700


@posix
def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    FileTokenStore(tmp_path / "eu.json").save(SET)
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755


def test_the_home_folder_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    store = FileTokenStore("~/.xbsec/tokens/eu.json")
    store.save(SET)
    assert (tmp_path / ".xbsec" / "tokens" / "eu.json").is_file()


def test_a_failed_write_leaves_the_old_tokens_and_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileTokenStore(tmp_path / "eu.json")
    store.save(SET)

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(AuthorizationError, match="cannot write the tokens: No space left"):
        store.save(OTHER)
    monkeypatch.undo()
    assert store.load() == SET
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eu.json"]


def test_readers_never_see_a_half_written_file(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "eu.json")
    store.save(SET)
    big = TokenSet(access_token="a" * 100_000, expires_at=1.0, obtained_at=0.0)
    stop = threading.Event()
    seen: list[object] = []

    def read() -> None:
        while not stop.is_set():
            seen.append(store.load())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(100):
            store.save(big)
            store.save(SET)
    finally:
        stop.set()
        reader.join()
    assert seen
    assert all(item in (SET, big) for item in seen)


@posix
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o622])
def test_a_file_others_can_read_or_write_is_refused(tmp_path: Path, mode: int) -> None:
    store = FileTokenStore(tmp_path / "eu.json")
    store.save(SET)
    (tmp_path / "eu.json").chmod(mode)
    with pytest.raises(AuthorizationError, match=f"mode 0{mode:o}.*chmod 600") as caught:
        store.load()
    assert "at-secret" not in str(caught.value)


def test_a_corrupt_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "eu.json"
    FileTokenStore(path).save(SET)
    with open(path, "wb") as fh:
        fh.write(b'{"version":1,"access_token":')
    with pytest.raises(AuthorizationError, match=f"^{path}: not a token set"):
        FileTokenStore(path).load()


def test_an_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "eu.json"
    FileTokenStore(path).save(SET)
    with open(path, "wb") as fh:
        fh.write(b" " * (256 * 1024 + 1))
    with pytest.raises(AuthorizationError, match="too large"):
        FileTokenStore(path).load()


def test_an_unreadable_path_is_an_authorization_error(tmp_path: Path) -> None:
    (tmp_path / "eu.json").mkdir()
    with pytest.raises(AuthorizationError, match="cannot read the tokens"):
        FileTokenStore(tmp_path / "eu.json").load()
    with pytest.raises(AuthorizationError, match="cannot delete the tokens"):
        FileTokenStore(tmp_path / "eu.json").delete()


LOCKER = """
import sys, time
from xbsec.stores.tokens import FileTokenStore
with FileTokenStore(sys.argv[1]).refresh_lock():
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@posix
def test_the_file_lock_keeps_another_process_out(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "eu.json"
    holder = subprocess.Popen([sys.executable, "-c", LOCKER, str(path), "1.0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(AuthorizationError, match="another process"), \
                FileTokenStore(path, lock_timeout=0.2).refresh_lock():
            pass
        started = time.monotonic()
        with FileTokenStore(path, lock_timeout=10).refresh_lock():
            waited = time.monotonic() - started
    finally:
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    assert waited > 0.3  # it waited for the holder to finish
    assert stat.S_IMODE((tmp_path / "eu.json.lock").stat().st_mode) == 0o600


def test_the_file_lock_keeps_other_threads_out(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "eu.json")
    inside = 0
    most = 0
    guard = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        with store.refresh_lock():
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.01)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1


def test_settings_pick_the_store(tmp_path: Path) -> None:
    assert isinstance(token_store_from_setting("memory", path=tmp_path, redis_key="k"),
                      MemoryTokenStore)
    store = token_store_from_setting("file", path=tmp_path / "x.json", redis_key="k")
    assert isinstance(store, FileTokenStore)
    assert store.path == tmp_path / "x.json"
    with pytest.raises(ConfigurationError, match="'memory', 'file' or a redis"):
        token_store_from_setting("s3://bucket", path=tmp_path, redis_key="k")


def test_a_lock_that_cannot_be_made_is_an_authorization_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    store = FileTokenStore(tmp_path / "file" / "eu.json")
    with pytest.raises(AuthorizationError, match="cannot lock the tokens"), \
            store.refresh_lock():
        pass


def test_a_redis_setting_without_redis_installed_says_which_extra(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "xbsec.stores.redis.tokens", None)
    with pytest.raises(ConfigurationError, match=r"xbsec\[redis\]"):
        token_store_from_setting("redis://127.0.0.1/0", path=tmp_path, redis_key="k")
