"""TokenSet: expiry rules, the stored form, and what a bad stored form gives."""

from __future__ import annotations

import json

import pytest

from xbsec.errors import AuthorizationError
from xbsec.oauth2.token_set import TokenSet

SET = TokenSet(access_token="at-secret", expires_at=1900.0, obtained_at=1000.0,
               refresh_token="rt-secret", refresh_expires_at=5000.0, scope="balances",
               token_url="https://x/oauth2/token", client_id="ck")


def test_the_stored_form_round_trips() -> None:
    assert TokenSet.from_json(SET.to_json(), source="test") == SET
    minimal = TokenSet(access_token="a", expires_at=1.0, obtained_at=0.0)
    assert TokenSet.from_json(minimal.to_json(), source="test") == minimal


def test_the_repr_hides_both_tokens() -> None:
    shown = repr(SET)
    assert "at-secret" not in shown
    assert "rt-secret" not in shown
    assert "expires_at=1900.0" in shown


def test_due_expired_and_usable_follow_the_clock() -> None:
    assert not SET.access_token_due(1839.9, 60)
    assert SET.access_token_due(1840.0, 60)
    assert not SET.access_token_expired(1899.9)
    assert SET.access_token_expired(1900.0)
    assert SET.refresh_token_usable(4999.9)
    assert not SET.refresh_token_usable(5000.0)
    unknown = TokenSet(access_token="a", expires_at=1, obtained_at=0, refresh_token="r")
    assert unknown.refresh_token_usable(10**12)
    assert not TokenSet(access_token="a", expires_at=1, obtained_at=0).refresh_token_usable(0)


def test_issued_by_compares_endpoint_and_client() -> None:
    assert SET.issued_by("https://x/oauth2/token", "ck")
    assert not SET.issued_by("https://y/oauth2/token", "ck")
    assert not SET.issued_by("https://x/oauth2/token", "other")
    assert TokenSet(access_token="a", expires_at=1, obtained_at=0).issued_by("any", "any")


@pytest.mark.parametrize("raw", [
    b"", b"nonsense", b"[]", b'{"version":2}',
    json.dumps({**json.loads(SET.to_json()), "access_token": ""}).encode(),
    json.dumps({**json.loads(SET.to_json()), "expires_at": "soon"}).encode(),
    json.dumps({**json.loads(SET.to_json()), "expires_at": None}).encode(),
    json.dumps({**json.loads(SET.to_json()), "obtained_at": -1}).encode(),
    json.dumps({**json.loads(SET.to_json()), "refresh_expires_at": True}).encode(),
    json.dumps({**json.loads(SET.to_json()), "refresh_token": 3}).encode(),
    json.dumps({**json.loads(SET.to_json()), "token_type": None}).encode(),
])
def test_a_bad_stored_form_names_its_source(raw: bytes) -> None:
    with pytest.raises(AuthorizationError, match=r"^/some/where: ") as caught:
        TokenSet.from_json(raw, source="/some/where")
    assert "rt-secret" not in str(caught.value)
