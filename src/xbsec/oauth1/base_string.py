"""The OAuth 1.0a signature base string, in each construction a Mastercard client uses.

``SBS = UPPER(method) & pct(base_uri) & pct(param_string)`` (SPEC §2.5, RFC 5849 §3.4.1).
The four variants differ only in how they normalise the base URI and the query string:

============  ==================================================================================
``java``      Mastercard's Java signer, our signing default: if the query holds any %-escape,
              decode it and re-encode every name and value, else take them as they stand;
              sort by name, then by value.
``python``    Mastercard's Python signer: the same two branches, but ``+`` form-decodes to a
              space, and whole ``name=value`` strings are sorted.
``node``      Mastercard's Node signer: pairs taken raw, an explicit default port kept,
              ``encodeURIComponent`` with only the first ``*`` and first ``!`` fixed up.
``rfc5849``   RFC 5849 §3.4.1.3 read literally: split on ``&``, form-decode each name and
              value to bytes, encode every name and value (the OAuth ones included), sort by
              name, then value.
============  ==================================================================================

The variants coincide whenever the query is already fully percent-encoded with ``pct`` and
holds no ``+`` (which is how xbsec builds URLs), apart from ``rfc5849``, which also encodes
the OAuth values (``oauth_body_hash``'s ``+/=``, the consumer key's ``!``) a second time.

Only the ``rfc5849`` reading of a query is lossless. The others can read two queries that an
application reads differently as one (``?a=1%26b%3D2`` and ``?a=1&b=2`` for ``java``, which
decodes before it splits; ``?ref=R&ref=R`` and ``?ref=R`` for ``node``, which merges repeated
pairs), and then a signature for one would hold for the other. ``reads_faithfully`` tells
whether a construction reads a given query as the application does; the verifier tries a
construction only for such queries (``verification_base_strings``), and the signer falls
back to the ``rfc5849`` reading for the others (``signing_base_string``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, quote, unquote, unquote_to_bytes, urlparse, urlsplit

from xbsec.errors import SigningError
from xbsec.oauth1.encoding import js_encode_uri_component, pct

if TYPE_CHECKING:
    from xbsec.policy import BaseStringVariant

__all__ = [
    "base_uri",
    "canonical_query_url",
    "param_string",
    "query_reading",
    "reads_faithfully",
    "signature_base_string",
    "signing_base_string",
    "verification_base_strings",
]

_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def _split(url: str) -> tuple[str, str, str, str]:
    """(scheme, netloc, raw path, raw query) of an absolute http(s) URL, or SigningError."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unbalanced IPv6 bracket
        raise SigningError(f"not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SigningError("URL must be absolute, with an http or https scheme and a host")
    return parts.scheme, parts.netloc, parts.path, parts.query


def base_uri(url: str, variant: BaseStringVariant = "java") -> str:
    """The base string URI: lower-case scheme and authority, default port dropped, raw path."""
    scheme, netloc, path, _ = _split(url)
    netloc = netloc.lower()
    if variant == "node":
        # SPEC §2.5: the Node signer compares the port string to a number, so an explicit
        # default port survives; it also drops any userinfo (it uses the hostname).
        host = netloc.rpartition("@")[2]
        return f"{scheme}://{host}{path or '/'}"
    default = _DEFAULT_PORTS[scheme]
    if netloc.endswith(default):
        netloc = netloc[: -len(default)]
    if variant == "python":
        # urlparse (not urlsplit) strips ";params" from the last segment, as that signer does.
        path = urlparse(url).path
    return f"{scheme}://{netloc}{path or '/'}"


def _java_pairs(query: str) -> list[tuple[str, list[str]]]:
    decoded = unquote(query) if "%" in query else query  # as java.net.URI.getQuery()
    must_encode = decoded != query
    groups: dict[str, list[str]] = {}
    parts = decoded.split("&")
    while parts and not parts[-1]:  # String.split drops trailing empty strings
        parts.pop()
    for pair in parts:
        idx = pair.find("=")
        key = pair[:idx] if idx > 0 else pair
        value = pair[idx + 1 :] if idx > 0 else ""
        if key not in groups:
            # The Java signer looks up the decoded key but stores the encoded one, so a
            # repeated key that needs encoding restarts its list (SPEC §2.5, R-OA1J quirk).
            key = pct(key) if must_encode else key
            groups[key] = []
        groups[key].append(pct(value) if must_encode else value)
    return list(groups.items())


def _grouped(pairs: Iterable[tuple[str, list[str]]], oauth: Iterable[tuple[str, str]],
             ) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for key, values in pairs:
        groups.setdefault(key, []).extend(values)
    for key, value in oauth:
        groups.setdefault(key, []).append(value)
    return groups


def _by_name_then_value(groups: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(k, v) for k in sorted(groups) for v in sorted(groups[k])]


def _form_decoded(text: str) -> bytes:
    """``application/x-www-form-urlencoded`` decoding, to bytes: lossless, never replaces."""
    return unquote_to_bytes(text.replace("+", " "))


def _pct_bytes(raw: bytes) -> str:
    return quote(raw, safe="")  # RFC 3986 unreserved kept, as pct() does for text


def query_reading(query: str) -> Counter[tuple[bytes, bytes]]:
    """The parameters an application reads from ``query``, as a multiset of bytes.

    RFC 5849 §3.4.1.3.1 and form decoding alike: split on ``&`` (empty pieces dropped),
    split each piece at its first ``=``, turn ``+`` into a space and undo ``%XX``.
    """
    pairs: Counter[tuple[bytes, bytes]] = Counter()
    for segment in query.split("&") if query else ():
        if segment:
            name, _, value = segment.partition("=")
            pairs[(_form_decoded(name), _form_decoded(value))] += 1
    return pairs


def _ordered_pairs(query: str, oauth: list[tuple[str, str]],
                   variant: BaseStringVariant, *,
                   encode_oauth: bool = True) -> list[tuple[str, str]]:
    """The (name, value) pairs of the parameter string, in order, for ``variant``."""
    if variant == "java":
        if not query:  # names are unique then, so sorting pairs is by name, then value
            return sorted(oauth)
        return _by_name_then_value(_grouped(_java_pairs(query), oauth))
    if variant == "python":
        must_encode = query != unquote(query)
        pairs = [
            (pct(k), pct(v)) if must_encode else (k.replace(" ", "+"), v.replace(" ", "+"))
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        pairs.extend(oauth)
        return sorted(pairs, key=lambda kv: f"{kv[0]}={kv[1]}")
    if variant == "node":
        node_groups: dict[str, dict[str, None]] = {}  # ordered sets, as JavaScript's Set
        for pair in query.split("&") if query else ():
            idx = pair.find("=")
            key = pair[:idx] if idx > 0 else pair
            node_groups.setdefault(key, {})[pair[idx + 1 :] if idx > 0 else ""] = None
        for key, value in oauth:
            node_groups.setdefault(key, {})[value] = None
        # Array.prototype.sort() compares "[key, Set]" as the string "key,[object Set]".
        return [
            (k, v)
            for k in sorted(node_groups, key=lambda name: name + ",")
            for v in (sorted(node_groups[k]) if len(node_groups[k]) > 1 else node_groups[k])
        ]
    if not query and not encode_oauth:  # names are unique then: as java's fast path
        return sorted(oauth)
    # rfc5849: form-decode every pair (to bytes, so that nothing is replaced), then encode
    # every name and value, the OAuth ones included unless ``encode_oauth`` is false.
    rfc_pairs: list[tuple[str, list[str]]] = []
    for segment in query.split("&") if query else ():
        if segment:
            name, _, value = segment.partition("=")
            rfc_pairs.append((_pct_bytes(_form_decoded(name)), [_pct_bytes(_form_decoded(value))]))
    spelled_oauth = [(pct(k), pct(v)) for k, v in oauth] if encode_oauth else oauth
    return _by_name_then_value(_grouped(rfc_pairs, spelled_oauth))


def canonical_query_url(url: str) -> str:
    """``url`` with its query rewritten as SPEC §2.5 wants a client to send it.

    Every name and value form-decoded and encoded again with ``pct`` (so ``+`` and a raw
    space become ``%20``, a raw ``:`` becomes ``%3A``, an escaped ``&`` stays escaped);
    empty pieces dropped; order, a name without ``=``, and everything outside the query
    kept. The application reads the result exactly as it read ``url``, and on it the
    ``java``, ``python``, ``node`` and ``rfc5849`` readings agree.
    """
    base, hash_mark, fragment = url.partition("#")
    head, question_mark, query = base.partition("?")
    if not query:
        return url
    pieces = []
    for segment in query.split("&"):
        if segment:
            name, equals, value = segment.partition("=")
            pieces.append(_pct_bytes(_form_decoded(name)) + equals
                          + _pct_bytes(_form_decoded(value)))
    return f"{head}{question_mark}{'&'.join(pieces)}{hash_mark}{fragment}"


def reads_faithfully(url: str, variant: BaseStringVariant) -> bool:
    """Whether ``variant`` reads the query of ``url`` as an application does.

    True when the parameters the construction puts into the base string, read back, are
    exactly ``query_reading``: none split or joined by a decoded ``%26``/``%3D``, no ``+``
    taken for a plus where it means a space, no repeated pair merged, no byte replaced.
    Also false when the query holds an ``oauth_*`` parameter (Mastercard's signers never put
    one there, and the ``node`` construction merges them with the header's), and for
    ``python`` when the path holds ``;`` (its base URI drops path parameters).
    ``rfc5849`` reads every query faithfully.
    """
    if variant == "rfc5849" or ("?" not in url and ";" not in url):
        return True  # no query: nothing to read (the signer asks on every request)
    _, _, path, query = _split(url)
    if variant == "python" and ";" in path:
        return False
    if not query:
        return True
    reading = query_reading(query)
    if any(name.startswith(b"oauth_") for name, _ in reading):
        return False
    inner = param_string(query, (), variant)
    read_back: Counter[tuple[bytes, bytes]] = Counter()
    for segment in inner.split("&") if inner else ():
        name, _, value = segment.partition("=")
        read_back[(_form_decoded(name), _form_decoded(value))] += 1
    return read_back == reading


def param_string(query: str, oauth_params: Iterable[tuple[str, str]],
                 variant: BaseStringVariant = "java") -> str:
    """The normalised parameter string: the query's parameters plus the OAuth parameters.

    ``oauth_params`` are the decoded values of every OAuth parameter except
    ``oauth_signature`` (and never ``realm``).
    """
    pairs = _ordered_pairs(query, list(oauth_params), variant)
    return "&".join(f"{k}={v}" for k, v in pairs)


@lru_cache(maxsize=1024)
def _encoded_base_uri(url: str, variant: BaseStringVariant) -> str:
    # The base URI depends only on what precedes the query, which repeats per endpoint.
    return pct(base_uri(url, variant))


_PLAIN_NAMES: Final = frozenset({
    "oauth_body_hash", "oauth_consumer_key", "oauth_nonce", "oauth_signature_method",
    "oauth_timestamp", "oauth_version"})
"""Parameter names that percent-encoding leaves as they are."""


@lru_cache(maxsize=4096)
def _pct_cached(value: str) -> str:
    # Base URIs, consumer keys and query parameters repeat from request to request.
    return pct(value)


def signature_base_string(method: str, url: str, oauth_params: Iterable[tuple[str, str]],
                          variant: BaseStringVariant = "java", *,
                          encode_oauth: bool = True) -> str:
    """``METHOD & pct(base URI) & pct(param string)`` for ``variant`` (SPEC §2.5).

    ``encode_oauth=False`` enters the OAuth values raw into the ``rfc5849`` construction, as
    every Mastercard signer (and xbsec's) enters them; the other variants always do.
    """
    query = _split(url)[3] if "?" in url else ""
    if variant == "node":
        uri = base_uri(url, variant)
        # encodeURIComponent leaves "!'()*"; the Node signer fixes up only the first "*" of
        # the parameter string and the first "!" of the whole base string (SPEC §2.5).
        params = param_string(query, oauth_params, variant)
        encoded = js_encode_uri_component(params).replace("*", "%2A", 1)
        sbs = f"{method.upper()}&{js_encode_uri_component(uri)}&{encoded}"
        return sbs.replace("!", "%21", 1)
    # pct() maps character by character, so pct("k=v&...") is the pct of each piece joined
    # by the encoded separators; the pieces repeat and are cached.
    pairs = _ordered_pairs(query, list(oauth_params), variant, encode_oauth=encode_oauth)
    # The OAuth names need no encoding; nonces and timestamps are alphanumeric and new each
    # time: not worth a cache entry.
    encoded = "%26".join([
        f"{k if k in _PLAIN_NAMES else _pct_cached(k)}%3D"
        f"{v if v.isalnum() and v.isascii() else _pct_cached(v)}"
        for k, v in pairs])
    return f"{method.upper()}&{_encoded_base_uri(url.partition('?')[0], variant)}&{encoded}"


def signing_base_string(method: str, url: str, oauth_params: Sequence[tuple[str, str]],
                        variant: BaseStringVariant = "java") -> str:
    """The base string a signer signs: ``variant``'s, where it reads the query faithfully.

    Where it does not (``reads_faithfully``), the ``rfc5849`` reading of the query with the
    OAuth values raw: the base string then names the request that is really sent, and for
    a query whose names and values are percent-encoded it is what ``java`` would give had it
    not decoded an escaped ``&`` or ``=`` before splitting.
    """
    if variant == "rfc5849" or reads_faithfully(url, variant):
        return signature_base_string(method, url, oauth_params, variant)
    return signature_base_string(method, url, oauth_params, "rfc5849", encode_oauth=False)


def verification_base_strings(method: str, url: str,
                              oauth_params: Collection[tuple[str, str]],
                              variants: Iterable[BaseStringVariant],
                              ) -> Iterator[tuple[BaseStringVariant, str]]:
    """The distinct base strings a verifier tries, in order, each with its construction
    (built as they are asked for: a signature that verifies with the first costs one).

    A variant is tried only where it reads the query faithfully (``reads_faithfully``), so
    that no signature holds for a query the application reads differently. ``rfc5849``
    is tried with the OAuth values raw (as Mastercard's signers and xbsec's enter them) and
    then encoded once more (RFC 5849 read literally); for a percent-encoded query the first
    is exactly what ``java``, ``python`` and ``node`` give.
    """
    seen: list[str] = []  # a handful at most: comparing beats hashing 300 characters
    for variant in variants:
        if variant != "rfc5849" and not reads_faithfully(url, variant):
            continue
        for encode_oauth in (False, True) if variant == "rfc5849" else (True,):
            sbs = signature_base_string(method, url, oauth_params, variant,
                                        encode_oauth=encode_oauth)
            if sbs not in seen:
                seen.append(sbs)
                yield variant, sbs
