"""The authorization request URL, and the check of the answer that comes back to it."""

from __future__ import annotations

from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest

from xbsec.errors import AuthorizationError, ConfigurationError
from xbsec.oauth2.authorization import AuthorizationRequest, parse_callback_query
from xbsec.oauth2.pkce import s256_challenge

AUTHORIZE = "https://xbs.example/oauth2/authorize"
REDIRECT = "http://127.0.0.1:8765/callback"


def make(**options: object) -> AuthorizationRequest:
    values = {"client_id": "ck!abc", "redirect_uri": REDIRECT, "scope": "balances",
              "partner_id": "SANDBOX_PSD2_1", **options}
    return AuthorizationRequest.create(str(values.pop("authorize_url", AUTHORIZE)),
                                       **values)  # type: ignore[arg-type]


def test_the_url_carries_every_parameter_of_the_contract() -> None:
    request = make()
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AUTHORIZE
    params = parse_qs(parts.query, strict_parsing=True)
    assert {name: values[0] for name, values in params.items()} == {
        "response_type": "code", "client_id": "ck!abc", "redirect_uri": REDIRECT,
        "state": request.state, "code_challenge": request.pkce.challenge,
        "code_challenge_method": "S256", "scope": "balances", "partner_id": "SANDBOX_PSD2_1"}
    assert all(len(values) == 1 for values in params.values())
    assert request.pkce.challenge == s256_challenge(request.pkce.verifier)


def test_reserved_characters_are_percent_encoded() -> None:
    query = urlsplit(make().url).query
    assert "client_id=ck%21abc" in query
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback" in query


def test_the_verifier_never_appears_in_the_url() -> None:
    request = make()
    assert request.pkce.verifier not in request.url


def test_scope_and_partner_id_are_optional() -> None:
    params = parse_qs(urlsplit(make(scope=None, partner_id=None).url).query)
    assert "scope" not in params
    assert "partner_id" not in params


def test_an_authorize_url_with_a_query_keeps_it() -> None:
    request = make(authorize_url=AUTHORIZE + "?tenant=eu")
    assert request.url.startswith(AUTHORIZE + "?tenant=eu&response_type=code&")


def test_each_request_has_its_own_state_and_verifier() -> None:
    first, second = make(), make()
    assert first.state != second.state
    assert first.pkce.verifier != second.pkce.verifier
    assert len(first.state) == 43


def test_state_and_verifier_come_from_the_injected_random_source() -> None:
    counter = count()
    request = make(random_bytes=lambda n: bytes(next(counter) % 256 for _ in range(n)))
    assert request.state == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"


@pytest.mark.parametrize(("name", "value"), [
    ("authorize_url", "ftp://xbs.example/authorize"),
    ("authorize_url", "/oauth2/authorize"),
    ("authorize_url", AUTHORIZE + "#frag"),
    ("redirect_uri", "127.0.0.1:8765/callback"),
    ("redirect_uri", REDIRECT + "#x"),
    ("client_id", " "),
])
def test_unusable_arguments_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError):
        make(**{name: value})


def test_a_matching_answer_gives_the_code() -> None:
    request = make()
    assert request.code_from(f"code=the-code&state={request.state}") == "the-code"
    assert request.code_from({"code": "c2", "state": request.state}) == "c2"


@pytest.mark.parametrize("query", ["code=c", "code=c&state=", "code=c&state=other",
                                   "error=access_denied&state=forged"])
def test_an_answer_without_this_state_is_refused_whatever_it_says(query: str) -> None:
    with pytest.raises(AuthorizationError, match="state does not match") as caught:
        make().code_from(query)
    assert caught.value.error is None


def test_the_state_of_another_login_is_refused() -> None:
    first, second = make(), make()
    with pytest.raises(AuthorizationError, match="state"):
        first.code_from(f"code=c&state={second.state}")


def test_access_denied_says_the_user_declined() -> None:
    request = make()
    with pytest.raises(AuthorizationError, match="denied in the browser") as caught:
        request.code_from(f"error=access_denied&state={request.state}")
    assert caught.value.error == "access_denied"


def test_other_errors_carry_a_cleaned_description() -> None:
    request = make()
    query = (f"error=invalid_scope&error_description=no%0D%0Ascope%20%22x%22&"
             f"state={request.state}")
    with pytest.raises(AuthorizationError) as caught:
        request.code_from(query)
    assert caught.value.error == "invalid_scope"
    assert caught.value.error_description == "no??scope ?x?"
    assert "\n" not in str(caught.value)


def test_an_answer_without_a_code_is_refused() -> None:
    request = make()
    with pytest.raises(AuthorizationError, match="neither a code nor an error"):
        request.code_from(f"state={request.state}")


def test_a_repeated_parameter_is_refused() -> None:
    request = make()
    with pytest.raises(AuthorizationError, match="repeats"):
        request.code_from(f"code=a&code=b&state={request.state}")


def test_an_oversized_or_undecodable_query_is_refused() -> None:
    with pytest.raises(AuthorizationError, match="too long"):
        parse_callback_query("code=" + "a" * 9000)
    with pytest.raises(AuthorizationError, match="not a valid query"):
        parse_callback_query("code=%ff%fe")


def test_the_verifier_is_not_in_the_repr() -> None:
    # The state travels in the URL anyway; the verifier must stay in this process.
    request = make()
    assert request.pkce.verifier not in repr(request)


def test_a_short_random_source_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="16 bytes, not 32"):
        make(random_bytes=lambda n: b"\0" * 16)
