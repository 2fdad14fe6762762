"""Every "SPEC §N.M" the code cites is a section of docs/protocol.md, with its anchor.

The code's docstrings and comments cite the protocol's rules as "SPEC §3.4" (and lists such
as "SPEC §1, §6"); docs/protocol.md is where a reader finds them, under a heading with the
anchor ``#s3.4``. A new citation of a section the page does not have fails here, as a link
to it fails the site's strict build.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.docs.markdown_blocks import ROOT

PROTOCOL = ROOT / "docs" / "protocol.md"
_CITATION = re.compile(r"SPEC §(\d+(?:\.\d+)*)((?:(?:,| and| or|;) ?§\d+(?:\.\d+)*)*)")
_MORE = re.compile(r"§(\d+(?:\.\d+)*)")
_ANCHOR = re.compile(r"^#{1,6} .*\{ ?#s(\d+(?:\.\d+)*) ?\}\s*$", re.M)


def cited_sections() -> dict[str, list[str]]:
    """Each section cited in ``src/``, with the files that cite it."""
    cited: dict[str, list[str]] = {}
    for path in sorted((ROOT / "src").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for match in _CITATION.finditer(text):
            sections = [match[1], *_MORE.findall(match[2])]
            for section in sections:
                cited.setdefault(section, []).append(path.relative_to(ROOT).as_posix())
    return cited


def anchored_sections() -> set[str]:
    return set(_ANCHOR.findall(PROTOCOL.read_text(encoding="utf-8")))


def test_the_code_cites_the_protocol() -> None:
    cited = cited_sections()
    assert len(cited) > 30  # the reading of citations works: the code cites many sections
    assert {"1", "2.5", "3.4", "5.4", "8.3"} <= set(cited)


def test_every_cited_section_has_an_anchor_on_the_protocol_page() -> None:
    missing = {section: files[:3] for section, files in cited_sections().items()
               if section not in anchored_sections()}
    assert not missing, f"sections cited in src/ but not on docs/protocol.md: {missing}"


def test_anchors_are_in_order_and_unique() -> None:
    anchors = _ANCHOR.findall(PROTOCOL.read_text(encoding="utf-8"))
    assert len(anchors) == len(set(anchors))
    keys = [tuple(int(part) for part in anchor.split(".")) for anchor in anchors]
    assert keys == sorted(keys)


def test_the_page_says_what_spec_means() -> None:
    text = PROTOCOL.read_text(encoding="utf-8")
    assert '"SPEC §N.M" in xbsec\'s code and docstrings means section N.M of this page' in text
    assert Path(ROOT / "ARCHITECTURE.md").read_text().count("docs/protocol.md") >= 1
