"""The ``xbsec`` command line (needs the ``cli`` extra: ``pip install 'xbsec[cli]'``)."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``xbsec`` command."""
    try:
        from xbsec.cli.app import cli
    except ImportError as exc:  # pragma: no cover - depends on what is installed
        sys.stderr.write(f"xbsec: the command line needs the 'cli' extra "
                         f"(pip install 'xbsec[cli]'): {exc}\n")
        raise SystemExit(2) from None
    from xbsec.cli.options import show_warnings

    show_warnings()
    cli(prog_name="xbsec")
