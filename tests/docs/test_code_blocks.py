"""Every code block of README.md and docs/ runs as written, against a live sandbox.

One test per block this suite runs (``page_runner`` says how each language is run); the
blocks of a page run in order, in one folder and one Python namespace, so a page reads as a
story. A block that is not run here says why, in a marker above it (``markdown_blocks``):
run by another test (which must exist and read the page), a command's output, or not run
for a stated reason. ``test_every_block_is_run_or_says_why`` fails on any other block, so a
new example cannot go untested by omission.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.markdown_blocks import (
    BLOCK_MARKERS,
    ROOT,
    Block,
    blocks,
    page_markers,
    pages,
    relative,
)
from tests.docs.page_runner import LANGUAGES, PageRun, delegated, runnable

pytestmark = pytest.mark.slow

ALL_BLOCKS = [block for page in pages() for block in blocks(page)]
RUN_HERE = [block for block in ALL_BLOCKS if runnable(block)]
PAGE_SETTINGS = ("sandbox", "every block run by")


def _param(block: Block) -> object:
    reason = block.marker("xfail")
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason is not None else []
    return pytest.param(block, id=f"{block.name}-{block.language}", marks=marks)


@pytest.fixture(scope="session")
def page_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, PageRun]]:
    runs: dict[Path, PageRun] = {}
    yield runs
    problems = [problem for run in runs.values() for problem in run.close()]
    assert not problems, "a page's sandbox logged problems:\n" + "\n".join(problems)


@pytest.fixture
def page_run(request: pytest.FixtureRequest, page_runs: dict[Path, PageRun],
             tmp_path_factory: pytest.TempPathFactory) -> PageRun:
    block: Block = request.node.callspec.params["block"]
    run = page_runs.get(block.page)
    if run is None:
        folder = tmp_path_factory.mktemp("pages") / relative(block.page).replace("/", "-")
        run = page_runs[block.page] = PageRun(block.page, folder)
    return run


@pytest.mark.parametrize("block", [_param(b) for b in RUN_HERE])
def test_block_runs(block: Block, page_run: PageRun) -> None:
    try:
        page_run.run_through(block)
    finally:
        if page_run.last_block == block:  # the page is done: its servers stop now
            problems = page_run.close()
            assert not problems, "the page's sandbox logged problems:\n" + "\n".join(problems)


def test_every_block_is_run_or_says_why() -> None:
    problems = []
    for block in ALL_BLOCKS:
        unknown = sorted(set(block.markers) - set(BLOCK_MARKERS))
        if unknown:
            problems.append(f"{block.name}: unknown marker {unknown[0]!r}")
        if runnable(block) or delegated(block.page):
            continue
        if block.marker("not run") is not None:
            if not block.marker("not run"):
                problems.append(f"{block.name}: 'not run' needs a reason")
        elif block.marker("output") is not None:
            if block.language not in ("text", ""):
                problems.append(f"{block.name}: an output block is a text block")
        elif block.marker("run by") is None:
            problems.append(f"{block.name}: a {block.language or 'plain'} block that is not "
                            f"run, with no marker saying why (kinds run here: "
                            f"{', '.join(sorted(set(LANGUAGES)))})")
    assert not problems, "\n".join(problems)


def test_blocks_run_elsewhere_are_run_there() -> None:
    """A page or block handed to another test names a test that reads that page."""
    handed: list[tuple[str, Path]] = []
    for page in pages():
        owner = delegated(page)
        if owner:
            handed.append((owner, page))
    handed += [(block.marker("run by") or "", block.page) for block in ALL_BLOCKS
               if block.marker("run by") is not None]
    assert handed, "no page says another test runs it"
    for owner, page in handed:
        test = ROOT / owner
        assert test.is_file(), f"{relative(page)}: {owner} does not exist"
        assert page.name in test.read_text(), f"{owner} does not read {relative(page)}"


def test_page_markers_are_known() -> None:
    for page in pages():
        for marker in page_markers(page):
            assert marker.startswith(PAGE_SETTINGS), f"{relative(page)}: page: {marker}"


def test_the_documented_test_command_is_the_one_ci_runs() -> None:
    """The test command of the README and the docs is not run here (it is the whole suite):
    .ci/run runs it, verbatim."""
    commands = [block.code.strip() for block in ALL_BLOCKS
                if block.language == "sh" and "pytest" in block.code]
    assert any(block.page.name == "README.md" and "pytest" in block.code
               for block in ALL_BLOCKS), "the README shows no test command"
    ci = (ROOT / ".ci" / "run").read_text()
    for command in commands:
        assert command in ci, f".ci/run does not run the README's {command!r}"
