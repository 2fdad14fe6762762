"""Properties: any changed character is refused; the fast claims reader agrees with JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from xbsec.errors import MalformedTokenError, RefusedError
from xbsec.oauth2 import RequestTokenMinter, RequestTokenVerifier
from xbsec.oauth2.claims import TokenClaims, read_claims

from .conftest import CONSUMER_KEY, NOW

_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ "
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_changed_character_of_a_request_token_is_refused(rsa_key_2048, certificate,
                                                             data: st.DataObject) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, clock=lambda: NOW)
    verifier = RequestTokenVerifier({CONSUMER_KEY: certificate}, clock=lambda: NOW)
    value = minter.authorization_header()
    verifier.verify(value)
    start = len("Bearer ")
    position = data.draw(st.integers(start, len(value) - 1), label="position")
    replacement = data.draw(_CHARACTERS.filter(lambda c: c != value[position]), label="new")
    with pytest.raises(RefusedError):
        verifier.verify(value[:position] + replacement + value[position + 1:])


def _number() -> st.SearchStrategy[str]:
    plain = st.integers(0, 10**16).map(str)
    odd = st.sampled_from(["01", "00", "-1", "1.0", "1e3", " 1", "1 ", "+1", "0x10", ""])
    return plain | odd


def _jti() -> st.SearchStrategy[str]:
    minted = st.text("0123456789abcdef", min_size=32, max_size=32)
    return minted | st.text("0123456789abcdefABCDEF\"\\ ", min_size=30, max_size=34)


def _oracle(payload: bytes) -> TokenClaims | None:
    def distinct(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({name for name, _ in pairs}) != len(pairs):
            raise ValueError
        return dict(pairs)

    try:
        claims = json.loads(payload, object_pairs_hook=distinct)
    except ValueError:
        return None
    dates = [claims["exp"], claims["iat"], claims["nbf"]]
    if not all(type(d) in (int, float) for d in dates) or type(claims["jti"]) is not str:
        return None
    if not 1 <= len(claims["jti"]) <= 256:
        return None
    return TokenClaims(claims["exp"], claims["iat"], claims["nbf"], claims["jti"])


@settings(max_examples=500)
@given(exp=_number(), nbf=_number(), iat=_number(), jti=_jti())
def test_the_fast_claims_reader_agrees_with_json(exp, nbf, iat, jti) -> None:
    payload = f'{{"exp":{exp},"nbf":{nbf},"iat":{iat},"jti":"{jti}"}}'.encode()
    expected = _oracle(payload)
    event("json accepts" if expected is not None else "json refuses")
    if expected is None:
        with pytest.raises(MalformedTokenError):
            read_claims(payload, require_jti=True)
    else:
        assert read_claims(payload, require_jti=True) == expected


def test_the_minted_form_is_read_as_integers() -> None:
    payload = b'{"exp":%d,"nbf":%d,"iat":%d,"jti":"%s"}' % (NOW + 900, NOW, NOW, b"a" * 32)
    claims = read_claims(payload, require_jti=True)
    assert claims == (NOW + 900, NOW, NOW, "a" * 32)
    assert all(type(value) is int for value in claims[:3])
