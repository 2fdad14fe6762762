"""Field paths: ``$``, ``$.a.b`` and ``a.b`` alike, ``[n]`` and ``[*]``; anything else is a
``ConfigurationError`` at configuration time."""

from __future__ import annotations

import pytest

from xbsec.errors import ConfigurationError
from xbsec.payload import FieldPath


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("$", ()),
        ("$.a", ("a",)),
        ("a", ("a",)),
        ("$.a.b", ("a", "b")),
        ("a.b", ("a", "b")),
        ("$.list[0].x", ("list", 0, "x")),
        ("list[12].x", ("list", 12, "x")),
        ("$.list[*].x", ("list", None, "x")),
        ("$[*]", (None,)),
        ("$[0][1]", (0, 1)),
        ("a[*][*].b", ("a", None, None, "b")),
        ("$ref.x", ("$ref", "x")),
        ("with space.é-ü_1", ("with space", "é-ü_1")),
    ],
)
def test_paths_parse(text: str, segments: tuple[object, ...]) -> None:
    assert FieldPath(text).segments == segments


def test_with_and_without_dollar_are_the_same_path() -> None:
    assert FieldPath("$.a.b") == FieldPath("a.b")
    assert hash(FieldPath("$.a.b")) == hash(FieldPath("a.b"))
    assert FieldPath("a.b") != FieldPath("a.c")
    assert FieldPath("a") != "a"
    assert repr(FieldPath("a.b")) == "FieldPath('a.b')"


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".",
        "a.",
        ".a",
        "a..b",
        "$.",
        "$..a",
        "a[",
        "a[]",
        "a[-1]",
        "a[01]",
        "a[x]",
        "a[1",
        "a]",
        "a[*",
        "a[**]",
        "a[ 1]",
        "a[١]",
        "$a.[0]",
        "a.[0]",
    ],
)
def test_malformed_paths_are_configuration_errors(text: str) -> None:
    with pytest.raises(ConfigurationError, match="field path"):
        FieldPath(text)


def test_a_path_must_be_text() -> None:
    with pytest.raises(ConfigurationError, match="must be a string"):
        FieldPath(1)


def test_wildcards_are_counted_and_bound_in_order() -> None:
    path = FieldPath("$.a[*].b[2].c[*]")
    assert path.wildcards == 2
    assert path.bind((5, 7)) == (0, "a", 5, "b", 2, "c", 7)


@pytest.mark.parametrize(
    ("text", "element"),
    [("$", True), ("a", False), ("a[0]", True), ("a[*]", True), ("a[0].b", False)],
)
def test_paths_that_end_in_an_element(text: str, element: bool) -> None:
    assert FieldPath(text).ends_in_element is element
