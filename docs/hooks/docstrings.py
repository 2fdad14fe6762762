"""Griffe extension: the package's docstrings, written for ``help()``, rendered as Markdown.

The docstrings use three reStructuredText habits that Markdown reads otherwise:

- a paragraph ending ``::`` followed by an indented block (a literal block) becomes a fenced
  block, its ``::`` a colon;
- ``>>>`` lines (doctest examples) become a fenced ``pycon`` block, instead of nested block
  quotes with a heading in them;
- ``.. warning::`` / ``.. note::`` become admonitions.

And "SPEC §3.4" (or "SPEC §1, §6") becomes a link to that section of the protocol page,
through its anchor (``#s3.4``): a citation of a section the page lacks fails the strict
build. Inline ````code```` is already Markdown, and nothing else is changed.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_DIRECTIVE = re.compile(r"^(\s*)\.\. (warning|note)::\s*(.*)$")
_CITATION = re.compile(r"SPEC (§\d+(?:\.\d+)*(?:(?:,| and| or|;) ?§\d+(?:\.\d+)*)*)")
_SECTION = re.compile(r"§(\d+(?:\.\d+)*)")


def _link_citations(line: str) -> str:
    """``SPEC §1, §6`` -> ``SPEC [§1][s1], [§6][s6]`` (autorefs resolves the anchors)."""
    if "``" in line and "SPEC §" in line.split("``")[1::2].__str__():
        return line  # a citation inside inline code stays as written
    return _CITATION.sub(
        lambda m: "SPEC " + _SECTION.sub(lambda s: f"[§{s[1]}][s{s[1]}]", m[1]), line)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def markdown(text: str) -> str:
    """``text`` with literal blocks, doctest examples and admonitions in Markdown."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = _DIRECTIVE.match(line)
        if directive:
            pad, kind, first = directive.groups()
            out.append(f"{pad}!!! {kind}")
            out.append(f"{pad}    {first}")
            i += 1
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > len(pad)):
                out.append(f"{pad}    {lines[i].strip()}" if lines[i].strip() else "")
                i += 1
            continue
        if line.lstrip().startswith(">>>"):
            pad = line[: _indent(line)]
            out.append(f"{pad}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(f"{pad}```")
            continue
        if line.rstrip().endswith("::") and i + 1 < len(lines) and not lines[i + 1].strip():
            base = _indent(line)
            j = i + 2
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and _indent(lines[j]) > base:
                stripped = line.rstrip()[:-2].rstrip()
                if stripped.strip():
                    out.append(stripped + ":")
                out.append("")
                block: list[str] = []
                k = j
                while k < len(lines) and (not lines[k].strip() or _indent(lines[k]) > base):
                    block.append(lines[k])
                    k += 1
                while block and not block[-1].strip():
                    block.pop()
                depth = min(_indent(b) for b in block if b.strip())
                pad = " " * base
                out.append(f"{pad}```text")
                out.extend(pad + b[depth:] if b.strip() else "" for b in block)
                out.append(f"{pad}```")
                out.append("")
                i = k
                continue
        out.append(_link_citations(line))
        i += 1
    return "\n".join(out)


class DocstringMarkdown(griffe.Extension):
    """Rewrite each docstring once, as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
