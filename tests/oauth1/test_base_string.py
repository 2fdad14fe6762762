"""Base-string rules of SPEC §2.5, one construction at a time."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xbsec import SigningError
from xbsec.oauth1 import base_uri, param_string, pct, signature_base_string
from xbsec.oauth1.encoding import js_encode_uri_component


@pytest.mark.parametrize(("url", "expected"), [
    ("http://EXAMPLE.COM:80/r%20v/X?id=123", "http://example.com/r%20v/X"),
    ("https://www.example.net:8080", "https://www.example.net:8080/"),
    ("https://api.mastercard.com:443/test?query=param", "https://api.mastercard.com/test"),
    ("HTTPS://Api.Mastercard.com/A/B#frag", "https://api.mastercard.com/A/B"),
    ("http://host:443/x", "http://host:443/x"),
    ("https://host:80/x", "https://host:80/x"),
])
def test_base_uri_examples_from_the_libraries(url: str, expected: str) -> None:
    for variant in ("java", "python", "rfc5849"):
        assert base_uri(url, variant) == expected  # type: ignore[arg-type]


def test_node_keeps_an_explicit_default_port_and_drops_userinfo() -> None:
    assert base_uri("https://user@API.example.com:443/x", "node") == "https://api.example.com:443/x"
    assert base_uri("https://api.example.com", "node") == "https://api.example.com/"


def test_python_drops_path_parameters_as_urlparse_does() -> None:
    assert base_uri("https://a.example/x;v=1", "python") == "https://a.example/x"
    assert base_uri("https://a.example/x;v=1", "java") == "https://a.example/x;v=1"


@pytest.mark.parametrize("url", ["/relative/path", "ftp://a.example/x", "https://", "mailto:x",
                                 "http://[::1/x"])
def test_urls_that_cannot_be_signed(url: str) -> None:
    with pytest.raises(SigningError):
        signature_base_string("GET", url, [])


def test_pct_is_rfc3986() -> None:
    assert pct("AZaz09-._~") == "AZaz09-._~"
    assert pct(" !*'()+/:=&%") == "%20%21%2A%27%28%29%2B%2F%3A%3D%26%25"
    assert pct("é€") == "%C3%A9%E2%82%AC"


@given(st.text(alphabet=st.sampled_from("aZ09+/=-._~ !%é"), max_size=24) | st.text(max_size=24))
def test_pct_fast_paths_equal_quote(text: str) -> None:
    # Alphanumeric and base64 text skip quote(); what they give must not change.
    assert pct(text) == quote(text, safe="")
    assert js_encode_uri_component("!*'() ") == "!*'()%20"


def test_java_byte_order_with_ties_broken_by_value() -> None:
    query = "b=b&a=a&B=B&A=a&A=A&0=0&a=A"
    assert param_string(query, [], "java") == "0=0&A=A&A=a&B=B&a=A&a=a&b=b"


def test_java_keeps_empty_values_and_repeated_keys() -> None:
    assert param_string("offset=1&offset=0&empty&odd=", [], "java") == (
        "empty=&odd=&offset=0&offset=1")


def test_java_takes_a_query_without_escapes_as_it_stands() -> None:
    assert param_string("param=token1:token2&p=a+b", [], "java") == "p=a+b&param=token1:token2"


def test_java_reencodes_everything_once_anything_is_escaped() -> None:
    """RFC 5849's own example, as the Java signer handles it (SPEC §2.5)."""
    assert param_string("b5=%3D%253D&a3=a&c%40=&a2=r%20b", [], "java") == (
        "a2=r%20b&a3=a&b5=%3D%253D&c%40=")
    assert param_string("param=token1%3Atoken2&p=a+b", [], "java") == (
        "p=a%2Bb&param=token1%3Atoken2")


def test_java_splits_after_decoding() -> None:
    """An encoded '&' inside a value splits it in the Java signer (SPEC §2.5)."""
    assert param_string("a=x%26y=z", [], "java") == "a=x&y=z"


def test_java_repeated_key_that_needs_encoding_restarts_its_list() -> None:
    assert param_string("c%40=1&c%40=2", [], "java") == "c%40=2"


def test_java_drops_trailing_empty_segments_only() -> None:
    # String.split("&") keeps the empty pair in the middle (an empty name) and drops the tail
    assert param_string("a=1&&b=2&&", [], "java") == "=&a=1&b=2"
    assert param_string("a=1&&", [], "java") == "a=1"


def test_python_sorts_whole_strings_and_form_decodes_plus() -> None:
    assert param_string("a=1&a1=z&a=0", [], "python") == "a1=z&a=0&a=1"
    assert param_string("q=a+b&r=%3A", [], "python") == "q=a%20b&r=%3A"
    assert param_string("q=a+b", [], "python") == "q=a+b"


def test_node_takes_pairs_raw_and_deduplicates_values() -> None:
    assert param_string("b=%3A&a=x+y&a=x+y&a=1", [], "node") == "a=1&a=x+y&b=%3A"


def test_node_sorts_keys_as_javascript_sorts_entry_arrays() -> None:
    # "a!," < "a," because '!' (0x21) sorts before ',' (0x2C)
    assert param_string("a=1&a!=2", [], "node") == "a!=2&a=1"
    assert param_string("a=1&a!=2", [], "java") == "a=1&a!=2"


def test_node_fixes_only_the_first_star_and_bang() -> None:
    sbs = signature_base_string("GET", "https://h/p?a=*!&b=*!", [], "node")
    assert sbs.endswith("&a%3D%2A%21%26b%3D*!")


def test_rfc5849_form_decodes_and_encodes_everything() -> None:
    assert param_string("q=a+b&c%40=&r=token:1", [("oauth_body_hash", "x+/=")], "rfc5849") == (
        "c%40=&oauth_body_hash=x%2B%2F%3D&q=a%20b&r=token%3A1")


def test_oauth_values_enter_the_library_constructions_raw() -> None:
    oauth = [("oauth_consumer_key", "a!b"), ("oauth_body_hash", "x+/=")]
    for variant in ("java", "python", "node"):
        assert param_string("", oauth, variant) == (  # type: ignore[arg-type]
            "oauth_body_hash=x+/=&oauth_consumer_key=a!b")


def test_method_is_upper_cased() -> None:
    assert signature_base_string("post", "https://h/", []).startswith("POST&")


@pytest.mark.parametrize(("url", "expected"), [
    ("https://h/p?q=a+b&r=a:b/c", "https://h/p?q=a%20b&r=a%3Ab%2Fc"),
    ("https://h/p?q=a%2bb%3a&e=%C3%A9&x=%zz", "https://h/p?q=a%2Bb%3A&e=%C3%A9&x=%25zz"),
    ("https://h/p?a=1%26b%3D2&&flag&=v&", "https://h/p?a=1%26b%3D2&flag&=v"),
    ("https://h/p?b=%FF&a=~*!#frag?x=1", "https://h/p?b=%FF&a=~%2A%21#frag?x=1"),
    ("https://h/p#f?q=a+b", "https://h/p#f?q=a+b"),
    ("https://h/p", "https://h/p"),
    ("https://h/p?", "https://h/p?"),
])
def test_canonical_query_url_percent_encodes_every_name_and_value(url: str,
                                                                  expected: str) -> None:
    from xbsec.oauth1 import canonical_query_url
    from xbsec.oauth1.base_string import query_reading, reads_faithfully

    assert canonical_query_url(url) == expected
    query = url.partition("#")[0].partition("?")[2]
    assert query_reading(expected.partition("#")[0].partition("?")[2]) == query_reading(query)
    oauth = [("oauth_body_hash", "x+/=")]
    rfc = signature_base_string("GET", expected, oauth, "rfc5849", encode_oauth=False)
    for variant in ("java", "python", "node"):
        if reads_faithfully(expected, variant):  # not java's %26 and %FF, nor python's %FF
            assert signature_base_string("GET", expected, oauth, variant) == rfc
