"""The fenced code blocks of README.md and docs/, with the markers written above them.

A marker is an HTML comment on the line (or lines) right above a fence; it tells the test
how to take the block that follows. A page may also carry page markers, HTML comments on
lines of their own starting ``<!-- page:``, anywhere outside a block.

Block markers:

``<!-- not run: WHY -->``
    the block is not run (a production-only address, a diagram); the reason is required.
``<!-- output -->``
    the block shows what a command prints (a ``text`` block); nothing to run.
``<!-- run by tests/PATH.py -->``
    another test runs this block; that file must exist and name the page.
``<!-- background -->``
    a shell block that starts a server: it is run in the background, and the page's next
    block waits until the page's sandbox answers ``GET /health``.
``<!-- file: NAME -->``
    the block's text is written to NAME in the page's folder before it is used.
``<!-- profile edit -->``
    a TOML block merged into ``xbsec.toml`` in the page's folder, which must still load.
``<!-- installed here: ... -->``
    a shell block ``python3 -m venv .venv && . .venv/bin/activate && pip install ... && CMD``:
    the suite's own environment is that install (checked), and CMD runs in the repository.
``<!-- xfail: WHY -->``
    the block fails because of a known library defect; the test is ``xfail(strict=True)``.
``<!-- block: NAME -->``
    a name, for tests that pick blocks by name.

Page markers:

``<!-- page: sandbox -->`` / ``<!-- page: sandbox request-token -->``
    before the first block, the page's folder becomes a project made by ``xbsec sandbox
    init`` (that auth mode), served by ``xbsec sandbox serve``;
``<!-- page: every block run by tests/PATH.py -->``
    another test runs the whole page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_COMMENT = re.compile(r"^ *<!--\s*(?P<body>.*?)\s*-->\s*$")
_PAGE = re.compile(r"^<!--\s*page:\s*(?P<body>.*?)\s*-->\s*$", re.M)

BLOCK_MARKERS = ("not run", "output", "run by", "background", "file", "profile edit",
                 "installed here", "xfail", "block")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its text, its markers."""

    page: Path
    line: int
    """The line of the opening fence (1-based)."""
    language: str
    code: str
    markers: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{relative(self.page)}:{self.line}"

    def marker(self, name: str) -> str | None:
        return self.markers.get(name)


def relative(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def pages() -> list[Path]:
    """README.md and every Markdown page of the site, in a stable order."""
    found = [ROOT / "README.md"]
    found += sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.relative_to(DOCS).parts)
    return found


def _marker(body: str) -> tuple[str, str]:
    name, _, value = body.partition(":")
    name = name.strip()
    if name not in BLOCK_MARKERS:
        # Markers without a colon: "output", "background", "profile edit", "run by PATH".
        for known in BLOCK_MARKERS:
            if body == known or body.startswith(known + " "):
                return known, body[len(known):].strip()
    return name, value.strip()


def blocks(page: Path) -> list[Block]:
    """Every fenced block of ``page``, with the markers right above it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        language = opening["info"].strip().split(" ")[0].lower() if opening["info"] else ""
        markers: dict[str, str] = {}
        j = i - 1
        while j >= 0 and (comment := _COMMENT.match(lines[j])):
            if not comment["body"].startswith("page:"):
                name, value = _marker(comment["body"])
                markers.setdefault(name, value)
            j -= 1
        body: list[str] = []
        k = i + 1
        while k < len(lines) and not (lines[k].strip().startswith(fence[0] * len(fence))
                                      and not lines[k].strip().strip(fence[0])):
            body.append(lines[k][indent:] if lines[k][:indent].strip() == "" else lines[k])
            k += 1
        if k == len(lines):
            raise AssertionError(f"{relative(page)}:{i + 1}: a code block is never closed")
        found.append(Block(page, i + 1, language, "\n".join(body) + "\n", markers))
        i = k + 1
    return found


def page_markers(page: Path) -> list[str]:
    """The page markers (``<!-- page: ... -->``) of ``page``, in order."""
    return [m["body"] for m in _PAGE.finditer(page.read_text(encoding="utf-8"))]
