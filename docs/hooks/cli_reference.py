"""MkDocs hook: the CLI reference page, generated from the ``xbsec`` command tree.

``docs/cli.md`` holds the marker ``<!-- xbsec --help tree -->``; at build time it is replaced
by one section per command (group first, then its commands, depth first), each with the help
text click prints for ``xbsec ... --help``. The page can therefore never disagree with the
installed command line.
"""

from __future__ import annotations

from typing import Any

import click

MARKER = "<!-- xbsec --help tree -->"
WIDTH = 100


def _walk(command: click.Command, path: list[str],
          parent: click.Context | None) -> list[tuple[list[str], str]]:
    context = command.make_context(path[-1], [], parent=parent, resilient_parsing=True,
                                   terminal_width=WIDTH, max_content_width=WIDTH)
    found = [(path, command.get_help(context))]
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(context)):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                found += _walk(sub, [*path, name], context)
    return found


def reference() -> str:
    """The Markdown of every command's help, ``xbsec`` first."""
    from xbsec.cli.app import cli

    sections = []
    for path, text in _walk(cli, ["xbsec"], None):
        level = "#" * min(len(path) + 1, 6)
        command = " ".join(path)
        anchor = "-".join(path)
        sections.append(f"{level} `{command}` {{ #{anchor} }}\n\n"
                        f"```text\n{text.rstrip()}\n```\n")
    return "\n".join(sections)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, reference())
