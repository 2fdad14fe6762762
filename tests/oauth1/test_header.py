"""Authorization header: exact format out, strict parsing in (SPEC §2.3, §2.7 step 1)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xbsec import InvalidAuthHeaderError
from xbsec.oauth1 import format_authorization, parse_authorization
from xbsec.oauth1.header import _params, _parse_simple, _split_strict

GOOD = ('OAuth oauth_consumer_key="ck!x",oauth_nonce="n",oauth_timestamp="1",'
        'oauth_signature_method="RSA-SHA256",oauth_version="1.0",oauth_body_hash="a+/=",'
        'oauth_signature="c2ln%2B%2F%3D"')


def test_only_the_signature_is_percent_encoded() -> None:
    header = format_authorization([("oauth_consumer_key", "a!b"), ("oauth_body_hash", "x+/=")],
                                  "s+/=")
    assert header == ('OAuth oauth_consumer_key="a!b",oauth_body_hash="x+/=",'
                      'oauth_signature="s%2B%2F%3D"')


def test_values_are_percent_decoded_never_form_decoded() -> None:
    params = parse_authorization(GOOD)
    assert params["oauth_body_hash"] == "a+/="  # a raw '+' stays a '+'
    assert params["oauth_signature"] == "c2ln+/="
    assert params["oauth_consumer_key"] == "ck!x"


@pytest.mark.parametrize("variant", [
    GOOD.replace("OAuth ", "oauth "),
    GOOD.replace("OAuth ", "OAUTH   "),
    GOOD.replace(",", ", "),
    GOOD.replace(",", " ,\t"),
    "  " + GOOD + "  ",
    GOOD.replace("OAuth ", 'OAuth realm="XBS",'),
    GOOD.replace("OAuth ", 'OAuth realm="Example, Inc",'),
    GOOD.replace("ck!x", "ck%21x"),
])
def test_tolerated_spellings(variant: str) -> None:
    assert parse_authorization(variant) == parse_authorization(GOOD)


def test_parameter_order_carries_no_meaning() -> None:
    pairs = GOOD[len("OAuth "):].split(",")
    assert parse_authorization("OAuth " + ",".join(reversed(pairs))) == parse_authorization(GOOD)


@pytest.mark.parametrize(("header", "message"), [
    (GOOD + ',oauth_nonce="m"', "more than once"),
    (GOOD.replace("OAuth ", 'OAuth realm="a",realm="b",'), "more than once"),
    (GOOD + ",", "ends with a comma"),
    (GOOD + ',foo="bar"', "unexpected parameter foo"),
    (GOOD.replace('oauth_nonce="n"', "oauth_nonce=n"), "malformed"),
    (GOOD.replace('oauth_nonce="n"', 'oauth_nonce="n\\"x"'), "malformed"),
    (GOOD.replace('oauth_nonce="n"', 'oauth_nonce="%zz"'), "malformed %-escape"),
    (GOOD.replace('oauth_nonce="n"', 'oauth_nonce="%ff"'), "not UTF-8"),
    (GOOD.replace('oauth_nonce="n",', ""), "oauth_nonce"),
    (GOOD.replace('oauth_nonce="n"', 'oauth_nonce=""'), "oauth_nonce"),
    (GOOD.replace('oauth_signature="c2ln%2B%2F%3D"', 'oauth_signature=""'), "oauth_signature"),
    ("Basic dXNlcjpwYXNz", "not OAuth"),
    ("OAuthoauth_nonce=\"n\"", "not OAuth"),
    ("OAuth ", "no parameters"),
    ("OAuth \t", "no parameters"),
    ("OAuth x", "malformed"),
    ("OAuth " + "a" * 9000, "too long"),
])
def test_malformed_headers_are_refused_with_a_reason(header: str, message: str) -> None:
    with pytest.raises(InvalidAuthHeaderError, match=message) as info:
        parse_authorization(header)
    assert info.value.status == 400


def test_scheme_alone_has_no_parameters() -> None:
    with pytest.raises(InvalidAuthHeaderError, match="no parameters"):
        parse_authorization("OAuth")


def test_the_strict_path_also_refuses_duplicates_and_strangers() -> None:
    # White space before a comma sends the header down the strict path.
    base = GOOD.replace(",", " ,")
    assert _parse_simple(base, len("OAuth ")) is None
    with pytest.raises(InvalidAuthHeaderError, match="oauth_nonce appears more than once"):
        parse_authorization(base + ' ,oauth_nonce="again"')
    with pytest.raises(InvalidAuthHeaderError, match="unexpected parameter foo"):
        parse_authorization(base + ' ,foo="bar"')
    assert parse_authorization(base) == parse_authorization(GOOD)


def test_a_comma_inside_a_quoted_realm_is_part_of_it() -> None:
    header = GOOD.replace("OAuth ", 'OAuth realm="a,b",')
    assert parse_authorization(header) == parse_authorization(GOOD)


_NAMES = st.sampled_from(["oauth_nonce", "oauth_timestamp", "oauth_consumer_key",
                          "oauth_signature", "realm", " oauth_version", "\toauth_body_hash",
                          "foo", "a=b", "", "oauth_x"])
_VALUES = (st.text(alphabet=st.sampled_from("aZ9+/=-%2F,"), max_size=8)
           | st.text(alphabet=st.sampled_from('aZ9+/=%2F", \\'), max_size=8))
_SEPARATORS = st.sampled_from([",", ", ", ",\t", " ,", ",,", ""])
# Mostly pieces a signer could send, so that most headers are accepted by both paths.
_PIECES = (st.tuples(st.sampled_from(["oauth_nonce", "oauth_timestamp", "oauth_body_hash",
                                      "oauth_consumer_key", "oauth_signature", "realm"]),
                     st.text(alphabet=st.sampled_from("aZ9+/=-%2F,!"), max_size=8),
                     st.sampled_from([",", ", "]))
           | st.tuples(_NAMES, _VALUES, _SEPARATORS))


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=6),
       st.sampled_from(['"', '"', "", "x"]))
def test_the_fast_path_agrees_with_the_strict_one(pieces: list[tuple[str, str, str]],
                                                  end: str) -> None:
    # What the string-operation path accepts, the regular-expression path accepts the same;
    # what it refuses, that path refuses too (it may name another fault first).
    body = "".join(f'{name}="{value}"{separator}' for name, value, separator in pieces)
    value = "OAuth " + body.lstrip(" \t").rstrip(", \t") + end  # as after the scheme
    try:
        fast = _parse_simple(value, 6)
    except InvalidAuthHeaderError:
        with pytest.raises(InvalidAuthHeaderError):
            _params(_split_strict(value, 6))
        return
    if fast is not None:
        assert fast == _params(_split_strict(value, 6))
