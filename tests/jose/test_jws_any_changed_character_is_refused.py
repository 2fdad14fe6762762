"""Any single-character change to a token is refused: strict base64url leaves no second
spelling of a segment, and every decoded byte is covered by the signature."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xbsec.errors import MalformedTokenError, SignatureError
from xbsec.jose.jws import jws_sign, jws_verify

from .jws_keys import p256_key

_REPLACEMENTS = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ "
)


def _changed(token: str, data: st.DataObject) -> str:
    position = data.draw(st.integers(0, len(token) - 1), label="position")
    replacement = data.draw(_REPLACEMENTS.filter(lambda c: c != token[position]),
                            label="replacement")
    return token[:position] + replacement + token[position + 1:]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_changed_character_in_an_rs256_token_is_refused(rsa_key_2048: Any,
                                                          data: st.DataObject) -> None:
    token = jws_sign(b'{"exp":1,"jti":"abc"}', rsa_key_2048, header={"kid": "k"})
    with pytest.raises((MalformedTokenError, SignatureError)):
        jws_verify(_changed(token, data), rsa_key_2048.public_key(), algorithms={"RS256"})


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_changed_character_in_an_es256_token_is_refused(data: st.DataObject) -> None:
    key = p256_key()
    token = jws_sign(b'{"exp":1,"jti":"abc"}', key, header={"kid": "k"})
    with pytest.raises((MalformedTokenError, SignatureError)):
        jws_verify(_changed(token, data), key.public_key(), algorithms={"ES256"})


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_removed_or_added_character_is_refused(rsa_key_2048: Any, data: st.DataObject) -> None:
    token = jws_sign(b"payload", rsa_key_2048)
    position = data.draw(st.integers(0, len(token)), label="position")
    if data.draw(st.booleans(), label="remove") and position < len(token):
        spoiled = token[:position] + token[position + 1:]
    else:
        spoiled = token[:position] + data.draw(_REPLACEMENTS, label="added") + token[position:]
    with pytest.raises((MalformedTokenError, SignatureError)):
        jws_verify(spoiled, rsa_key_2048.public_key(), algorithms={"RS256"})
