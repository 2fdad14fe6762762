"""What tells that a file changed, for the readers that pick up edits without a restart
(the client's profile, the gateway's registry)."""

from __future__ import annotations

import os

__all__ = ["file_version"]


def file_version(path: str | os.PathLike[str]) -> tuple[int, int, int] | None:
    """Modification time, size and inode of ``path`` (``None`` when it cannot be read):
    an edit in place changes the first two, an atomic replace the third."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size, found.st_ino
