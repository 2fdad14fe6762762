"""A client profile read again when its file changes: keys rotate without a restart.

``XBSClient(profile, watch_profile=True)`` (and ``AsyncXBSClient``, ``from_profile``) look
at the profile file at most every ``interval`` seconds; when it changed, the profile is
read again and a new pipeline built from it (signing key, consumer key, client-encryption
certificate, Mastercard-encryption keys, base URL, partner id). Each request keeps the
pipeline it was signed with, so its answer is decrypted with the keys it was sent with.

A file that no longer reads (half written, a wrong password, a missing key file) leaves the
pipeline in force and is logged: a mistake in the file never stops a running client, and
the next good version is taken up. Passwords named by ``password_env`` are read from the
environment again, so a new key's password can be exported before the file is changed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from xbsec._file_version import file_version
from xbsec.errors import ConfigurationError, KeyMaterialError

if TYPE_CHECKING:
    from xbsec.client.pipeline import ClientPipeline
    from xbsec.profile import Profile

__all__ = ["ProfileWatch"]

_log = logging.getLogger("xbsec.client.profile")


class ProfileWatch:
    """The current profile and pipeline of a profile file."""

    def __init__(self, profile: Profile, pipeline: ClientPipeline, *,
                 interval: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        if profile.source is None:
            raise ConfigurationError("watch_profile needs a profile read from a file "
                                     "(load_profile or from_profile)")
        self.path = profile.source
        self.interval = interval
        self.profile = profile
        self.pipeline = pipeline
        self._clock = clock
        self._checked = clock()
        self._version = self._stat()
        self._lock = threading.Lock()

    def _stat(self) -> tuple[int, int, int] | None:
        return file_version(self.path)

    def current(self) -> tuple[Profile, ClientPipeline]:
        """The profile and pipeline in force, the file read again first if it changed."""
        now = self._clock()
        if now - self._checked < self.interval:
            return self.profile, self.pipeline
        with self._lock:
            if now - self._checked >= self.interval:
                self._checked = now
                version = self._stat()
                if version is not None and version != self._version:
                    self._reload(version)
            return self.profile, self.pipeline

    def _reload(self, version: tuple[int, int, int]) -> None:
        from xbsec.client.pipeline import ClientPipeline
        from xbsec.profile import load_profile

        try:
            profile = load_profile(self.profile.name, self.path)
            pipeline = ClientPipeline.from_profile(profile)
        except (ConfigurationError, KeyMaterialError) as exc:
            _log.error("profile %s changed but cannot be used; keeping the one in force: %s",
                       self.path, exc)
            return
        self.profile, self.pipeline, self._version = profile, pipeline, version
        _log.info("profile %s read again (profile %r)", self.path, profile.name)
