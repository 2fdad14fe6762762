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
``rfc5849``   RFC 5849 §3.4.1.3 read literally: form-decode, encode every name and value
              (the OAuth ones included), sort by name, then value.
============  ==================================================================================

The variants coincide whenever the query is already fully percent-encoded with ``pct`` and
holds no ``+`` (which is how xbsec builds URLs), apart from ``rfc5849``, which also encodes
the OAuth values (``oauth_body_hash``'s ``+/=``, the consumer key's ``!``) a second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, unquote_plus, urlparse, urlsplit

from xbsec.errors import SigningError
from xbsec.oauth1.encoding import js_encode_uri_component, pct

if TYPE_CHECKING:
    from xbsec.policy import BaseStringVariant

__all__ = ["base_uri", "param_string", "signature_base_string"]

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


def _ordered_pairs(query: str, oauth: list[tuple[str, str]],
                   variant: BaseStringVariant) -> list[tuple[str, str]]:
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
    # rfc5849: form-decode every pair, then encode every name and value, OAuth ones included.
    rfc_pairs: list[tuple[str, list[str]]] = []
    for segment in query.split("&") if query else ():
        if segment:
            name, _, value = segment.partition("=")
            rfc_pairs.append((pct(unquote_plus(name)), [pct(unquote_plus(value))]))
    encoded_oauth = [(pct(k), pct(v)) for k, v in oauth]
    return _by_name_then_value(_grouped(rfc_pairs, encoded_oauth))


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


@lru_cache(maxsize=4096)
def _pct_cached(value: str) -> str:
    # Base URIs, consumer keys and query parameters repeat from request to request.
    return pct(value)


def signature_base_string(method: str, url: str, oauth_params: Iterable[tuple[str, str]],
                          variant: BaseStringVariant = "java") -> str:
    """``METHOD & pct(base URI) & pct(param string)`` for ``variant`` (SPEC §2.5)."""
    query = _split(url)[3]
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
    pairs = _ordered_pairs(query, list(oauth_params), variant)
    encoded = "%26".join(f"{_pct_cached(k)}%3D{_pct_cached(v)}" for k, v in pairs)
    return f"{method.upper()}&{_encoded_base_uri(url.partition('?')[0], variant)}&{encoded}"
