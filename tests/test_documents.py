"""XBS documents: one Python value for JSON and XML, strict parsing of untrusted input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xbsec import PayloadError
from xbsec.documents import document_format, dumps, dumps_json, dumps_xml, loads, loads_xml

QUOTE = {"quoterequest": {"transaction_reference": "0999", "payment_amount": {
    "amount": "100.00", "currency": "USD"}, "names": {"name": ["Zoë", "Ana"]}}}


@pytest.mark.parametrize(("content_type", "expected"), [
    ("application/json", "json"), ("Application/JSON; charset=utf-8", "json"),
    ("application/xml", "xml"), ("text/xml;charset=UTF-8", "xml"),
    ("application/problem+json", "json"), ("application/soap+xml", "xml"),
])
def test_format_from_content_type(content_type, expected) -> None:
    assert document_format(content_type) == expected


def test_unknown_or_missing_content_type() -> None:
    with pytest.raises(PayloadError, match="unsupported Content-Type 'text/html'"):
        document_format("text/html")
    with pytest.raises(PayloadError, match="no Content-Type"):
        document_format(None)
    assert document_format("", default="xml") == "xml"


def test_json_is_compact_utf8() -> None:
    assert dumps_json({"a": "é", "b": [1, 2]}) == '{"a":"é","b":[1,2]}'.encode()


@pytest.mark.parametrize("value", [{"a": float("nan")}, {"a": object()}])
def test_json_that_cannot_be_written(value) -> None:
    with pytest.raises(PayloadError, match="holds a value that is not JSON"):
        dumps_json(value)


def test_xml_round_trip_of_the_same_document() -> None:
    xml = dumps_xml(QUOTE)
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?><quoterequest>')
    assert loads_xml(xml) == QUOTE
    assert loads(dumps(QUOTE, "json"), "json") == QUOTE


def test_three_repeated_elements_make_one_list() -> None:
    assert loads_xml(b"<r><a>1</a><a>2</a><a>3</a></r>") == {"r": {"a": ["1", "2", "3"]}}


def test_xml_scalars_become_text() -> None:
    xml = dumps_xml({"r": {"t": True, "f": False, "n": None, "i": 3, "x": 1.5}})
    assert loads_xml(xml) == {"r": {"t": "true", "f": "false", "n": "", "i": "3", "x": "1.5"}}


def test_pretty_printed_xml_and_attributes_are_read() -> None:
    body = b'<?xml version="1.0"?>\n<payment id="ignored">\n  <id>1</id>\n  <e/>\n</payment>\n'
    assert loads_xml(body) == {"payment": {"id": "1", "e": ""}}


@pytest.mark.parametrize(("document", "message"), [
    ({}, "exactly one root"),
    ({"a": 1, "b": 2}, "exactly one root"),
    ([1], "exactly one root"),
    ({"1bad": {}}, "not a usable XML element name"),
    ({"r": {"a b": 1}}, "not a usable XML element name"),
    ({"r": [1, 2]}, "has no element name"),
    ({"r": {"a": float("inf")}}, "cannot carry"),
    ({"r": {"a": b"bytes"}}, "cannot carry"),
])
def test_documents_xml_cannot_carry(document, message) -> None:
    with pytest.raises(PayloadError, match=message):
        dumps_xml(document)  # type: ignore[arg-type]


@pytest.mark.parametrize(("body", "message"), [
    (b'{"a":1,"a":2}', "repeats a member name"),
    (b'{"a":NaN}', "holds NaN, Infinity"),
    (b'{"a":1e999}', "out-of-range number"),
    (b"\xff\xfe", "not valid UTF-8"),
    (b'{"a":', "is not valid JSON"),
    (b"[" * 100_000, "nested too deeply"),
])
def test_bad_json_is_a_payload_error(body, message) -> None:
    with pytest.raises(PayloadError, match=message):
        loads(body, "json")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""


@pytest.mark.parametrize(("body", "message"), [
    (BOMB, "DTD or entities"),
    (EXTERNAL, "DTD or entities"),
    (b"<a><b></a>", "malformed XML"),
    (b"", "malformed XML"),
    (b"<a>" * 100_000, "malformed XML"),
    (b"<a>" * 5000 + b"</a>" * 5000, "nested too deeply"),
])
def test_bad_xml_is_a_payload_error(body, message) -> None:
    with pytest.raises(PayloadError, match=message):
        loads(body, "xml")


names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
leaves = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
trees = st.recursive(leaves, lambda children: st.dictionaries(names, children, min_size=1,
                                                              max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(root=names, tree=trees)
def test_xml_round_trips_text_trees(root, tree) -> None:
    document = {root: tree}
    unfit = any("\ufffe" in leaf or "\uffff" in leaf for leaf in _leaves(tree))
    if unfit:
        # A character XML 1.0 cannot carry: refused, never a document the other side
        # cannot read.
        with pytest.raises(PayloadError, match=r"a character XML 1\.0 cannot carry"):
            dumps_xml(document)
        return
    assert loads_xml(dumps_xml(document)) == document


def _leaves(tree: object) -> list[str]:
    if isinstance(tree, dict):
        return [leaf for child in tree.values() for leaf in _leaves(child)]
    return [str(tree)]


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1f", "\ufffe", "\uffff"])
def test_a_character_xml_cannot_carry_is_refused_by_name(character) -> None:
    with pytest.raises(PayloadError, match=f"U\\+{ord(character):04X}, a character XML 1.0 "
                       "cannot carry: remove it, or send the document as JSON"):
        dumps_xml({"quoterequest": {"sender": f"Jo{character}"}})


@settings(max_examples=150, deadline=None)
@given(tree=st.recursive(st.none() | st.booleans() | st.integers() | leaves,
                         lambda c: st.lists(c, max_size=3) | st.dictionaries(leaves, c,
                                                                            max_size=3)))
def test_json_round_trips(tree) -> None:
    assert loads(dumps(tree, "json"), "json") == tree
