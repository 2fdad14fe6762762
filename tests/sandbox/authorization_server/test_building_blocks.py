"""The pure parts: PKCE, redirect URI matching, form reading, secrets, settings, the face."""

from __future__ import annotations

import pytest

from xbsec.errors import ConfigurationError
from xbsec.sandbox import authorization_server
from xbsec.sandbox.authorization_server import AuthorizationServerSettings
from xbsec.sandbox.authorization_server.forms import read_form
from xbsec.sandbox.authorization_server.oauth_errors import InvalidRequestError
from xbsec.sandbox.authorization_server.pkce import (
    is_challenge,
    is_verifier,
    s256,
    verifier_matches,
)
from xbsec.sandbox.authorization_server.redirect_uris import redirect_uri_allowed, with_parameters
from xbsec.sandbox.authorization_server.tokens import (
    looks_like_secret,
    new_secret,
    secret_hash,
    shorten,
)

# RFC 7636 Appendix B.
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_pkce_matches_rfc_7636_appendix_b() -> None:
    assert s256(RFC_VERIFIER) == RFC_CHALLENGE
    assert verifier_matches(RFC_VERIFIER, RFC_CHALLENGE)
    assert not verifier_matches(RFC_VERIFIER[:-1] + "l", RFC_CHALLENGE)
    assert not verifier_matches(RFC_VERIFIER, RFC_CHALLENGE[:-1] + "N")


@pytest.mark.parametrize(("value", "verifier", "challenge"), [
    ("a" * 43, True, True),
    ("a" * 128, True, True),
    ("a" * 42, False, False),
    ("a" * 129, False, False),
    ("a" * 42 + "~", True, False),    # unreserved, but not base64url
    ("a" * 42 + ".", True, False),
    ("a" * 42 + "=", False, False),
    ("a" * 42 + "é", False, False),
    ("a" * 42 + "\n", False, False),
])
def test_verifier_and_challenge_alphabets(value, verifier, challenge) -> None:
    assert is_verifier(value) is verifier
    assert is_challenge(value) is challenge


REGISTERED = ("http://127.0.0.1:8765/callback", "http://[::1]/cb", "https://app.example/cb")


@pytest.mark.parametrize(("requested", "allowed"), [
    ("http://127.0.0.1:8765/callback", True),
    ("http://127.0.0.1:1/callback", True),
    ("http://127.0.0.1/callback", True),
    ("http://[::1]:50000/cb", True),
    ("http://[::1]/cb", True),
    ("https://app.example/cb", True),
    ("http://127.0.0.1:0/callback", False),
    ("http://127.0.0.1:65536/callback", False),
    ("http://127.0.0.1:8765/callback2", False),
    ("http://127.0.0.1:8765/Callback", False),
    ("http://127.0.0.1:8765/callback#x", False),
    ("http://[::1]:50000/callback", False),   # the ::1 URI has another path
    ("http://127.0.0.2:8765/callback", False),
    ("http://localhost:8765/callback", False),
    ("https://app.example:443/cb", False),    # exact, even where a URI would normalise
    ("https://app.example/cb/", False),
    ("HTTP://127.0.0.1:8765/callback", False),
])
def test_redirect_uri_matching(requested, allowed) -> None:
    assert redirect_uri_allowed(requested, REGISTERED) is allowed


def test_loopback_ports_may_be_held_fixed() -> None:
    assert not redirect_uri_allowed("http://127.0.0.1:1/callback", REGISTERED,
                                    loopback_any_port=False)
    assert redirect_uri_allowed("http://127.0.0.1:8765/callback", REGISTERED,
                                loopback_any_port=False)


def test_with_parameters_encodes_and_keeps_the_query() -> None:
    assert with_parameters("http://a/cb", {"code": "x y", "state": "&="}) == \
        "http://a/cb?code=x+y&state=%26%3D"
    assert with_parameters("http://a/cb?t=1", {"code": "c"}) == "http://a/cb?t=1&code=c"


def test_forms_treat_empty_as_absent_and_refuse_repeats() -> None:
    form = read_form(b"a=1&b=&c=%C3%A9")
    assert form.get("a") == "1"
    assert form.get("b") is None
    assert "b" not in form
    assert form.get("c") == "é"
    with pytest.raises(InvalidRequestError, match="missing"):
        form.require("b")
    with pytest.raises(InvalidRequestError, match="repeated"):
        read_form(b"a=1&a=1")


def test_secrets_are_256_bits_of_base64url_kept_as_hashes() -> None:
    one, two = new_secret(), new_secret()
    assert one != two
    assert looks_like_secret(one)
    assert len(secret_hash(one)) == 64
    assert secret_hash(one) != secret_hash(two)
    assert shorten(one) == one[:8] + "…"
    assert not looks_like_secret(one + "A")


@pytest.mark.parametrize("bad", [
    {"code_lifetime": 0}, {"access_token_lifetime": -1}, {"refresh_token_lifetime": True},
    {"assertion_skew": -1}, {"token_path": "oauth2/token"}, {"authorize_path": "/a?b"},
    {"token_path": "/oauth2/authorize"}, {"issuer": "ftp://x"},
    {"token_path": "/.well-known/oauth-authorization-server"},
    {"refresh_token_reuse_window": -1}, {"assertion_max_lifetime": 0},
    {"scopes": frozenset()}, {"scopes": frozenset({"a b"})},
])
def test_settings_refuse_nonsense(bad) -> None:
    with pytest.raises(ConfigurationError):
        AuthorizationServerSettings(**{"issuer": "http://h:1", **bad})


def test_settings_defaults_are_spec_6_1() -> None:
    settings = AuthorizationServerSettings(issuer="http://h:1")
    assert settings.code_lifetime == 15 * 60
    assert settings.access_token_lifetime == 15 * 60
    assert settings.refresh_token_lifetime == 90 * 86400
    assert settings.token_endpoint == "http://h:1/oauth2/token"
    assert settings.authorization_endpoint == "http://h:1/oauth2/authorize"


def test_settings_need_an_issuer() -> None:
    with pytest.raises(TypeError, match="issuer"):
        AuthorizationServerSettings()  # type: ignore[call-arg]


def test_the_public_face() -> None:
    assert sorted(authorization_server.__all__) == [
        "AccountLister", "AuthorizationServer", "AuthorizationServerSettings",
        "AuthorizationStore", "BALANCES_SCOPE", "CLIENT_ASSERTION_TYPE",
        "StoredAccessTokenValidator"]
    for name in authorization_server.__all__:
        assert getattr(authorization_server, name) is not None
    with pytest.raises(AttributeError):
        _ = authorization_server.Nothing  # type: ignore[attr-defined]
    assert authorization_server.CLIENT_ASSERTION_TYPE == \
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def test_an_in_memory_database_is_refused(tmp_path) -> None:
    from xbsec.sandbox.authorization_server import AuthorizationStore

    for path in (":memory:", "", "file::memory:"):
        with pytest.raises(ConfigurationError):
            AuthorizationStore(path)
    with pytest.raises(ConfigurationError):
        AuthorizationStore(tmp_path / "missing-folder" / "oauth2.db")
