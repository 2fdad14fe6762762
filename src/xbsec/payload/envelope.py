"""The XBS ``encrypted_payload`` envelope around a compact JWE (SPEC §3.2, §3.5, §12).

Written exactly as Mastercard's reference application writes it::

    {"encrypted_payload":{"data":"<JWE>"}}

    <?xml version="1.0" encoding="UTF-8" ?>
    <encrypted_payload><data><JWE></data></encrypted_payload>

Read strictly, because what surrounds the ciphertext is not protected by it: the body must
be UTF-8 and within ``SecurityPolicy.max_body_bytes``; it must hold exactly one envelope and
nothing after it; ``data`` must be a non-empty string of the JWE alphabet
(``A-Z a-z 0-9 - _ .``, and ``+ /`` under ``SecurityPolicy.jwe_accept_standard_base64``).
Whitespace between the parts is accepted, as is an XML declaration, comment, or CDATA
section. Refused, each as a ``PayloadError`` that says why:

- JSON: not an object; a member other than ``encrypted_payload`` (or, inside it, other than
  ``data``); a repeated member name; ``data`` missing, not a string, or empty;
- XML: any DOCTYPE (so no entity expansion and no external entities: parsed with
  ``defusedxml``, DTDs forbidden); a root other than ``<encrypted_payload>`` (a namespace
  makes it another element); attributes; text beside the elements; an element other than
  one ``<data>``, or elements inside ``<data>``.

Extra members, elements and attributes are refused by default [INF]: nothing is known to
send them, and a second, unauthenticated field next to the ciphertext is where two readers
start to disagree. ``allow_extra_members=True`` ignores them (never a second ``data``).
"""

from __future__ import annotations

import re
from typing import Final
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from xbsec.errors import ConfigurationError, PayloadError
from xbsec.payload.json_document import parse_json
from xbsec.payload.media_type import EnvelopeFormat, envelope_format
from xbsec.policy import SecurityPolicy

__all__ = ["detect_envelope", "is_encrypted_envelope", "unwrap", "wrap"]

_STRICT: Final = SecurityPolicy()
_JWE_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
_JWE_ALPHABET_WITH_STANDARD: Final = _JWE_ALPHABET + b"+/"
"""Under ``SecurityPolicy.jwe_accept_standard_base64`` (Mastercard's Node library writes '/')."""
_XML_SPACE: Final = " \t\r\n"

_JSON_HEAD: Final = b'{"encrypted_payload":{"data":"'
_JSON_TAIL: Final = b'"}}'
_XML_HEAD: Final = b'<?xml version="1.0" encoding="UTF-8" ?>\n<encrypted_payload><data>'
_XML_TAIL: Final = b"</data></encrypted_payload>"
_FORMS: Final = {"json": (_JSON_HEAD, _JSON_TAIL), "xml": (_XML_HEAD, _XML_TAIL)}

_ENVELOPE: Final = "encrypted_payload"
_DATA: Final = "data"
_SNIFF: Final = re.compile(rb"[ \t\r\n]*([{<])")


def _is_compact(raw: bytes, alphabet: bytes = _JWE_ALPHABET) -> bool:
    """Non-empty and only JWE-alphabet bytes (one C pass, no copy of a large token)."""
    return bool(raw) and not raw.translate(None, alphabet)


def _body_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        try:
            return body.encode("utf-8")
        except UnicodeEncodeError:
            raise PayloadError("the body is not valid UTF-8") from None
    raise ConfigurationError(f"a body must be bytes or str, not {type(body).__name__}")


# --- writing ---------------------------------------------------------------------------


def wrap(jwe: str, content_type: str = "application/json") -> bytes:
    """The envelope holding ``jwe``, in the form ``content_type`` calls for (exact bytes).

    Raises ``ConfigurationError`` for a Content-Type that is neither JSON nor XML, or a
    ``jwe`` that is not a compact JWE's characters (so it can never need escaping).
    """
    if not isinstance(content_type, str):
        raise ConfigurationError("content_type must be a string")
    form = envelope_format(content_type)
    if form is None:
        raise ConfigurationError(
            f"no encrypted_payload envelope for Content-Type {content_type!r}; "
            "use application/json or application/xml"
        )
    if not isinstance(jwe, str) or not jwe.isascii() or not _is_compact(jwe.encode("ascii")):
        raise ConfigurationError("jwe must be a compact JWE (characters A-Z a-z 0-9 - _ .)")
    head, tail = _FORMS[form]
    return b"".join((head, jwe.encode("ascii"), tail))


# --- reading ---------------------------------------------------------------------------


def detect_envelope(body: bytes | bytearray | memoryview | str) -> EnvelopeFormat | None:
    """Which envelope ``body`` would be read as: ``"json"`` when it starts (after
    whitespace) with ``{``, ``"xml"`` with ``<``, else ``None`` (a bare JWE, for instance).

    A sniff, not a check: ``unwrap`` decides whether the body really is an envelope.
    """
    match = _SNIFF.match(_body_bytes(body))
    if match is None:
        return None
    return "json" if match.group(1) == b"{" else "xml"


def unwrap(
    body: bytes | bytearray | memoryview | str,
    content_type: str | None = None,
    *,
    policy: SecurityPolicy | None = None,
    allow_extra_members: bool = False,
) -> str:
    """The compact JWE inside an envelope, or ``PayloadError`` saying what is wrong.

    ``content_type`` chooses the form; ``None`` detects it (``detect_envelope``). A
    Content-Type that is neither JSON nor XML is a ``PayloadError`` too: it is what was
    received.
    """
    raw = _body_bytes(body)
    policy = _STRICT if policy is None else policy
    limit = policy.max_body_bytes
    alphabet = (_JWE_ALPHABET_WITH_STANDARD if policy.jwe_accept_standard_base64
                else _JWE_ALPHABET)
    if len(raw) > limit:
        raise PayloadError(f"the body is larger than the {limit}-byte limit")
    if content_type is None:
        form = detect_envelope(raw)
        if form is None:
            raise PayloadError("the body is not an encrypted_payload envelope (JSON or XML)")
    else:
        if not isinstance(content_type, str):
            raise ConfigurationError("content_type must be a string or None")
        form = envelope_format(content_type)
        if form is None:
            raise PayloadError(f"Content-Type {content_type!r} has no encrypted_payload envelope")
    head, tail = _FORMS[form]
    # The exact form we and Mastercard write: nothing to parse.
    if raw.startswith(head) and raw.endswith(tail) and len(raw) > len(head) + len(tail):
        token = raw[len(head) : len(raw) - len(tail)]
        if _is_compact(token, alphabet):
            return token.decode("ascii")
    if form == "json":
        return _unwrap_json(raw, allow_extra_members, alphabet)
    return _unwrap_xml(raw, allow_extra_members, alphabet)


def is_encrypted_envelope(
    body: bytes | bytearray | memoryview | str,
    content_type: str | None = None,
    *,
    policy: SecurityPolicy | None = None,
    allow_extra_members: bool = False,
) -> bool:
    """Whether ``unwrap`` would accept ``body`` (with the same arguments)."""
    try:
        unwrap(body, content_type, policy=policy, allow_extra_members=allow_extra_members)
    except PayloadError:
        return False
    return True


def _checked_token(value: str, where: str, alphabet: bytes) -> str:
    if not value:
        raise PayloadError(f"{where} is empty")
    if not value.isascii() or not _is_compact(value.encode("ascii"), alphabet):
        characters = "A-Z a-z 0-9 - _ + / ." if b"/" in alphabet else "A-Z a-z 0-9 - _ ."
        raise PayloadError(f"{where} is not a compact JWE (characters {characters})")
    return value


def _unwrap_json(raw: bytes, allow_extra_members: bool, alphabet: bytes) -> str:
    document = parse_json(raw, what="the JSON envelope")
    if not isinstance(document, dict) or _ENVELOPE not in document:
        raise PayloadError('the JSON envelope has no "encrypted_payload" member')
    if len(document) != 1 and not allow_extra_members:
        raise PayloadError('the JSON envelope has members beside "encrypted_payload"')
    inner = document[_ENVELOPE]
    if not isinstance(inner, dict):
        raise PayloadError('"encrypted_payload" is not an object')
    if _DATA not in inner:
        raise PayloadError('"encrypted_payload" has no "data" member')
    if len(inner) != 1 and not allow_extra_members:
        raise PayloadError('"encrypted_payload" has members beside "data"')
    data = inner[_DATA]
    if not isinstance(data, str):
        raise PayloadError('"encrypted_payload.data" is not a string')
    return _checked_token(data, '"encrypted_payload.data"', alphabet)


def _unwrap_xml(raw: bytes, allow_extra_members: bool, alphabet: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("the XML envelope is not valid UTF-8") from None
    try:
        root = SafeElementTree.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException:
        raise PayloadError(
            "the XML envelope has a DOCTYPE, entity or external reference (refused)"
        ) from None
    except ParseError as error:
        raise PayloadError(f"the XML envelope is not well-formed XML ({error})") from None
    if root.tag != _ENVELOPE:
        raise PayloadError("the XML envelope's root element is not <encrypted_payload>")
    _check_element(root, "<encrypted_payload>", allow_extra_members)
    data: Element | None = None
    for child in root:
        if (child.tail or "").strip(_XML_SPACE):
            raise PayloadError("<encrypted_payload> holds text beside its elements")
        if child.tag != _DATA:
            if not allow_extra_members:
                raise PayloadError("<encrypted_payload> holds an element other than <data>")
            continue
        if data is not None:
            raise PayloadError("<encrypted_payload> holds more than one <data>")
        data = child
    if data is None:
        raise PayloadError("<encrypted_payload> has no <data> element")
    _check_element(data, "<data>", allow_extra_members)
    if len(data):
        raise PayloadError("<data> holds elements; it must hold only the JWE")
    return _checked_token((data.text or "").strip(_XML_SPACE), "<data>", alphabet)


def _check_element(element: Element, name: str, allow_extra_members: bool) -> None:
    if element.attrib and not allow_extra_members:
        raise PayloadError(f"{name} has attributes")
    if name != "<data>" and (element.text or "").strip(_XML_SPACE):
        raise PayloadError(f"{name} holds text beside its elements")
