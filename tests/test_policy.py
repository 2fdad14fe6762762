"""SecurityPolicy: two named profiles, immutable, validated when made."""

from __future__ import annotations

import dataclasses

import pytest

from xbsec import ConfigurationError, SecurityPolicy


def test_strict_is_the_default() -> None:
    assert SecurityPolicy.strict() == SecurityPolicy()
    policy = SecurityPolicy()
    assert policy.oauth1_base_string_variants == ("rfc5849",)
    assert policy.oauth1_min_nonce_length == 16
    assert policy.jwe_gcm_iv_lengths == frozenset({12})
    assert policy.jwe_algorithms == frozenset({"RSA-OAEP-256"})
    assert not policy.jwe_accept_standard_base64


def test_the_compatible_profile_accepts_what_mastercard_libraries_send() -> None:
    policy = SecurityPolicy.mastercard_compatible()
    assert set(policy.oauth1_base_string_variants) == {"java", "python", "node", "rfc5849"}
    assert policy.oauth1_min_nonce_length == 8
    assert policy.jwe_accept_standard_base64  # Mastercard's Node client-encryption library
    assert "RSA-PSS" in policy.oauth1_signature_methods
    assert 16 in policy.jwe_gcm_iv_lengths
    assert "RSA1_5" not in policy.jwe_algorithms


def test_a_policy_is_immutable_and_replace_derives_one() -> None:
    policy = SecurityPolicy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.oauth1_timestamp_skew = 1  # type: ignore[misc]
    derived = policy.replace(oauth1_timestamp_skew=60, oauth1_nonce_ttl=120)
    assert derived.oauth1_timestamp_skew == 60
    assert policy.oauth1_timestamp_skew == 300


@pytest.mark.parametrize(("changes", "message"), [
    ({"oauth1_timestamp_skew": -1}, "skew"),
    ({"oauth1_timestamp_skew": 400}, "at least 2 x"),
    ({"oauth1_min_nonce_length": 0}, "nonce length"),
    ({"oauth1_min_nonce_length": 100}, "nonce length"),
    ({"oauth1_base_string_variants": ()}, "must not be empty"),
    ({"oauth1_base_string_variants": ("php",)}, "unknown base-string"),
    ({"oauth1_signature_methods": frozenset({"HMAC-SHA1"})}, "signature methods"),
    ({"jwe_algorithms": frozenset({"RSA1_5"})}, "RSA1_5"),
    ({"jwe_gcm_iv_lengths": frozenset({8})}, "12 and 16"),
])
def test_inconsistent_policies_are_refused_when_made(changes, message) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SecurityPolicy().replace(**changes)


@pytest.mark.parametrize("changes", [
    {"rate_limit_per_second": 0}, {"rate_limit_per_second": -1},
    {"rate_limit_per_second": float("inf")}, {"rate_limit_per_second": "10"},
    {"rate_limit_burst": 0}, {"rate_limit_burst": 1.5}, {"rate_limit_burst": True},
    {"replay_store_durability": "ignore"},
])
def test_gateway_operation_settings_that_cannot_work_are_refused(changes) -> None:
    with pytest.raises(ConfigurationError):
        SecurityPolicy(**changes)


def test_the_rate_limit_defaults_its_burst_to_twice_the_rate() -> None:
    assert SecurityPolicy().rate_limit is None
    assert SecurityPolicy(rate_limit_per_second=50).rate_limit == (50.0, 100)
    assert SecurityPolicy(rate_limit_per_second=0.1).rate_limit == (0.1, 1)
    assert SecurityPolicy(rate_limit_per_second=5, rate_limit_burst=7).rate_limit == (5.0, 7)
    assert SecurityPolicy().replay_store_durability == "refuse"
