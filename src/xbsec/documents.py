"""XBS documents in JSON and XML: serialise once, parse untrusted input safely.

An XBS document has one root member that names it (SPEC §3.2): ``{"quoterequest": {...}}``
in JSON is ``<quoterequest>...</quoterequest>`` in XML. Both forms map to the same Python
value, a dict with that one root key:

- objects are dicts; an element whose children repeat a tag becomes a list;
- leaves are strings in XML (XML has no types) and whatever JSON says in JSON;
- an empty XML element is ``""``; serialising ``None`` gives an empty element;
- XML attributes are not part of XBS documents and are ignored; so is white space between
  child elements (pretty-printing).

JSON is written compactly in UTF-8 (``ensure_ascii=False``) so that what is hashed and
signed is small and exactly what is sent (SPEC §8.2). XML from the network is parsed with
``defusedxml`` (no DTDs, no entities, no external references).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal
from xml.etree.ElementTree import Element, SubElement, tostring

from xbsec.errors import PayloadError

__all__ = [
    "Format",
    "document_format",
    "dumps",
    "dumps_json",
    "dumps_xml",
    "loads",
    "loads_json",
    "loads_xml",
]

Format = Literal["json", "xml"]

_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character outside XML 1.0's ``Char``: other controls, surrogates, U+FFFE and U+FFFF."""


def document_format(content_type: str | None, default: Format | None = None) -> Format:
    """``json`` or ``xml`` for a Content-Type (parameters and case ignored; ``+json`` too)."""
    from xbsec.payload.media_type import envelope_format, media_type

    if not content_type:
        if default is None:
            raise PayloadError("no Content-Type: cannot tell JSON from XML")
        return default
    found = envelope_format(content_type)
    if found is None:
        raise PayloadError(f"unsupported Content-Type {media_type(content_type)!r}: "
                           "XBS speaks JSON and XML")
    return found


def dumps_json(document: Any) -> bytes:
    """Compact UTF-8 JSON."""
    from xbsec.payload.json_document import dump_json

    return dump_json(document)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        raise PayloadError("the document holds a number that XML cannot carry")
    if isinstance(value, str):
        unfit = _NOT_XML_CHAR.search(value)
        if unfit is not None:
            raise PayloadError(f"the document holds U+{ord(unfit.group()):04X}, a character "
                               "XML 1.0 cannot carry: remove it, or send the document as JSON")
        return value
    if isinstance(value, int | float):
        return str(value)
    raise PayloadError(f"the document holds a {type(value).__name__}, which XML cannot carry")


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for tag, child in value.items():
            for item in child if isinstance(child, list) else [child]:
                _fill(SubElement(element, _tag(tag)), item)
    elif isinstance(value, list):
        raise PayloadError(f"a list directly inside <{element.tag}> has no element name")
    else:
        element.text = _text(value)


def _tag(name: Any) -> str:
    if not isinstance(name, str) or not name or not (name[0].isalpha() or name[0] == "_") \
            or any(not (c.isalnum() or c in "_-.") for c in name):
        raise PayloadError(f"{name!r} is not a usable XML element name")
    return name


def dumps_xml(document: Mapping[str, Any]) -> bytes:
    """UTF-8 XML with a declaration; ``document`` has exactly one root key."""
    if not isinstance(document, Mapping) or len(document) != 1:
        raise PayloadError("an XML document needs exactly one root element, e.g. "
                           '{"quoterequest": {...}}')
    (root_tag, content), = document.items()
    root = Element(_tag(root_tag))
    _fill(root, content)
    return _XML_DECLARATION + tostring(root, encoding="unicode").encode("utf-8")


def dumps(document: Any, fmt: Format) -> bytes:
    """Serialise ``document`` in ``fmt``."""
    return dumps_json(document) if fmt == "json" else dumps_xml(document)


def loads_json(body: bytes) -> Any:
    """Parse JSON strictly: UTF-8, no repeated member, no NaN, Infinity or overflowing number."""
    from xbsec.payload.json_document import parse_json

    return parse_json(body, what="the JSON document")


def _value(element: Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    result: dict[str, Any] = {}
    for child in children:
        value = _value(child)
        if child.tag in result:
            existing = result[child.tag]
            if isinstance(existing, list):
                existing.append(value)
            else:
                result[child.tag] = [existing, value]
        else:
            result[child.tag] = value
    return result


def loads_xml(body: bytes) -> dict[str, Any]:
    """Parse untrusted XML (no DTD, no entities) into ``{root_tag: value}``."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(body, forbid_dtd=True)
        return {root.tag: _value(root)}
    except DefusedXmlException:
        raise PayloadError("the XML document declares a DTD or entities, which are refused") \
            from None
    except ParseError as exc:
        raise PayloadError(f"malformed XML: {exc}") from None
    except RecursionError:
        raise PayloadError("the XML document is nested too deeply") from None


def loads(body: bytes, fmt: Format) -> Any:
    """Parse ``body`` as ``fmt``."""
    return loads_json(body) if fmt == "json" else loads_xml(body)
