"""The request-token fields of SecurityPolicy: defaults per SPEC §5.4, validated when made."""

from __future__ import annotations

import pytest

from xbsec import ConfigurationError, SecurityPolicy


def test_the_defaults_follow_spec_5_4() -> None:
    policy = SecurityPolicy()
    assert policy.request_token_algorithms == frozenset({"RS256", "ES256"})
    assert policy.request_token_max_lifetime == 900
    assert policy.request_token_skew == 60
    assert policy.request_token_accept_bare is True
    assert policy.request_token_x5t_check == "either"
    assert policy.request_token_replay_check is False
    assert policy.request_token_max_bytes == 16 * 1024


def test_the_compatible_profile_is_as_lenient_as_the_default() -> None:
    policy = SecurityPolicy.mastercard_compatible()
    assert policy.request_token_accept_bare is True
    assert policy.request_token_x5t_check == "either"
    assert policy.request_token_replay_check is False


@pytest.mark.parametrize(("changes", "message"), [
    ({"request_token_algorithms": frozenset()}, "RS256 and/or ES256"),
    ({"request_token_algorithms": frozenset({"RS256", "HS256"})}, "RS256 and/or ES256"),
    ({"request_token_algorithms": frozenset({"none"})}, "RS256 and/or ES256"),
    ({"request_token_max_lifetime": 0}, "request_token_max_lifetime"),
    ({"request_token_skew": -1}, "request_token_skew"),
    ({"request_token_x5t_check": "sometimes"}, "request_token_x5t_check"),
    ({"request_token_max_bytes": 100}, "request_token_max_bytes"),
])
def test_a_policy_that_cannot_work_is_refused(changes, message) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SecurityPolicy(**changes)


def test_a_strict_variant_can_be_derived() -> None:
    policy = SecurityPolicy().replace(request_token_accept_bare=False,
                                      request_token_x5t_check="jwk",
                                      request_token_replay_check=True,
                                      request_token_algorithms=frozenset({"RS256"}))
    assert policy.request_token_x5t_check == "jwk"
