"""Where a client keeps its tokens between calls and between runs.

A store holds the ``TokenSet`` of one client (one profile): ``load``, ``save``, ``delete``.
``refresh_lock()`` is held around a refresh, so that processes sharing a store refresh one
at a time: the authorization server rotates refresh tokens, and a second process
presenting the refresh token the first has just used would revoke the whole family. The
holder reads the store again once it has the lock, and finds the other's new tokens.

- ``MemoryTokenStore``: this process only (a test, a short script).
- ``FileTokenStore``: one JSON file, mode 0600 in a 0700 folder, written atomically (a
  temporary file in the same folder, fsynced, then ``os.replace``): a reader sees the old
  tokens or the new ones, never half of each, even if the writer dies. The lock is an
  ``fcntl.flock`` on a ``.lock`` file beside it (POSIX; elsewhere, this process only). A
  file that other users can read or write is refused, as ssh refuses a private key.
- ``RedisTokenStore`` (``redis_token_store.py``): shared by every instance of a service.

``token_store_from_setting`` builds one from a profile's ``token_store`` entry.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

from xbsec.errors import AuthorizationError, ConfigurationError
from xbsec.oauth2.token_set import TokenSet

__all__ = ["LOCK_TIMEOUT", "REDIS_KEY_PREFIX", "FileTokenStore", "MemoryTokenStore",
           "TokenStore", "token_store_from_setting"]

LOCK_TIMEOUT: Final = 30.0
REDIS_KEY_PREFIX: Final = "xbsec:oauth2:tokens:"
"""Followed by the profile's name, as a token file is named after it."""
"""Seconds to wait for another refresh of the same tokens before giving up."""
_POLL: Final = 0.05
_MAX_FILE: Final = 256 * 1024


@runtime_checkable
class TokenStore(Protocol):
    """Keeps one client's tokens. Every method may raise ``AuthorizationError``."""

    @property
    def location(self) -> str:
        """Where the tokens are, for messages (no password)."""
        ...

    def load(self) -> TokenSet | None:
        """The stored tokens, or ``None`` when there are none."""
        ...

    def save(self, tokens: TokenSet) -> None:
        """Replace the stored tokens, all at once."""
        ...

    def delete(self) -> bool:
        """Forget the tokens; True if there were some."""
        ...

    def refresh_lock(self) -> AbstractContextManager[None]:
        """Held around a refresh, by every process sharing the store."""
        ...


@contextlib.contextmanager
def _thread_lock(lock: threading.Lock, location: str, timeout: float) -> Iterator[None]:
    if not lock.acquire(timeout=timeout):
        raise AuthorizationError(f"another refresh of the tokens in {location} did not "
                                 f"finish within {timeout:g} s")
    try:
        yield
    finally:
        lock.release()


class MemoryTokenStore:
    """Tokens in this process's memory: gone when it exits."""

    def __init__(self, tokens: TokenSet | None = None, *,
                 lock_timeout: float = LOCK_TIMEOUT) -> None:
        self._tokens = tokens
        self._lock = threading.Lock()
        self._lock_timeout = lock_timeout

    @property
    def location(self) -> str:
        return "memory"

    def load(self) -> TokenSet | None:
        return self._tokens

    def save(self, tokens: TokenSet) -> None:
        self._tokens = tokens

    def delete(self) -> bool:
        had, self._tokens = self._tokens is not None, None
        return had

    def refresh_lock(self) -> AbstractContextManager[None]:
        return _thread_lock(self._lock, self.location, self._lock_timeout)

    def __repr__(self) -> str:
        return f"MemoryTokenStore(holding={self._tokens is not None})"


class FileTokenStore:
    """Tokens in one JSON file (module docstring): ``~/.xbsec/tokens/<profile>.json``."""

    def __init__(self, path: str | os.PathLike[str], *,
                 lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = Path(os.path.expanduser(os.fspath(path)))
        self._lock_timeout = lock_timeout
        self._local = threading.Lock()

    @property
    def location(self) -> str:
        return str(self.path)

    def _fail(self, action: str, exc: OSError) -> AuthorizationError:
        return AuthorizationError(f"{self.path}: cannot {action} the tokens: "
                                  f"{exc.strerror or exc}")

    def load(self) -> TokenSet | None:
        try:
            with open(self.path, "rb") as fh:
                mode = os.fstat(fh.fileno()).st_mode
                if os.name == "posix" and mode & 0o077:
                    raise AuthorizationError(
                        f"{self.path}: other users may read or change these tokens (mode "
                        f"{stat.S_IMODE(mode):04o}); run `chmod 600 {self.path}`")
                raw = fh.read(_MAX_FILE + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._fail("read", exc) from None
        if len(raw) > _MAX_FILE:
            raise AuthorizationError(f"{self.path}: too large to be a token file")
        return TokenSet.from_json(raw, source=str(self.path))

    def _make_folder(self) -> None:
        missing = []
        folder = self.path.parent
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for created in reversed(missing):
            with contextlib.suppress(FileExistsError):  # made meanwhile by another process
                created.mkdir(mode=0o700)
                created.chmod(0o700)  # mkdir's mode is masked by the umask

    def save(self, tokens: TokenSet) -> None:
        data = tokens.to_json()
        temporary = None
        try:
            self._make_folder()
            # mkstemp creates the file 0600 from the start: the tokens are never readable
            # by others, not even for a moment.
            fd, temporary = tempfile.mkstemp(dir=self.path.parent,
                                             prefix=f".{self.path.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temporary, self.path)
            temporary = None
            _sync_folder(self.path.parent)
        except OSError as exc:
            raise self._fail("write", exc) from None
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    def delete(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise self._fail("delete", exc) from None
        return True

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: this process's lock only
            yield
            return
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self._make_folder()
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise self._fail("lock", exc) from None
        try:
            deadline = time.monotonic() + self._lock_timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise AuthorizationError(
                            f"another process has been refreshing the tokens in {self.path}"
                            f" for more than {self._lock_timeout:g} s") from None
                    time.sleep(_POLL)
            yield  # closing the descriptor releases the lock
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def _both(self) -> Iterator[None]:
        # flock locks belong to the open file, not the thread: threads of this process
        # are kept apart by a thread lock first.
        with _thread_lock(self._local, self.location, self._lock_timeout), self._file_lock():
            yield

    def refresh_lock(self) -> AbstractContextManager[None]:
        return self._both()

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder is on disk (POSIX); elsewhere, best effort.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


REDIS_SCHEMES = ("redis://", "rediss://", "unix://", "redis+cluster://", "rediss+cluster://",
                 "redis+sentinel://", "rediss+sentinel://")
"""The URL schemes of a Redis deployment (``xbsec.stores.redis.connection.SCHEMES``)."""


def token_store_from_setting(setting: str, *, path: str | os.PathLike[str],
                             redis_key: str) -> TokenStore:
    """``memory``, ``file`` (at ``path``) or a Redis URL: ``redis://``, ``rediss://``,
    ``unix://``, or ``redis+cluster://``/``redis+sentinel://`` (``rediss+`` for TLS)."""
    if setting == "memory":
        return MemoryTokenStore()
    if setting == "file":
        return FileTokenStore(path)
    if setting.startswith(REDIS_SCHEMES):
        try:
            from xbsec.stores.redis.tokens import RedisTokenStore
        except ImportError:
            raise ConfigurationError("a Redis token store needs the 'redis' extra "
                                     "(pip install 'xbsec[redis]')") from None
        return RedisTokenStore(setting, key=redis_key)
    raise ConfigurationError("token_store must be 'memory', 'file' or a redis:// URL")
