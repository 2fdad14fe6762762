"""A partner's project keys and the gateway's registry naming them, for in-process tests of
the sandbox behind the gateway."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xbsec.keys import generate_rsa_key, self_signed_certificate, spki_sha256_hex
from xbsec.server.registry import Consumer, Registry


@dataclass
class Keys:
    signing: Any
    client_encryption: Any
    client_encryption_certificate: Any
    mastercard_encryption: Any
    registry: Registry


def partner_keys(consumer_key: str, partner_id: str) -> Keys:
    """Fresh signing, client-encryption and Mastercard-encryption keys for one consumer."""
    signing, client_key, mastercard_key = (generate_rsa_key(), generate_rsa_key(),
                                           generate_rsa_key())
    consumer = Consumer(
        consumer_key=consumer_key, environment="sandbox", partner_ids=frozenset({partner_id}),
        signing_certificates=(self_signed_certificate(signing, common_name="partner"),),
        client_encryption_keys={spki_sha256_hex(client_key): client_key},
        mastercard_encryption_certificate=self_signed_certificate(
            mastercard_key, common_name="mastercard encryption"))
    return Keys(signing, client_key,
                self_signed_certificate(client_key, common_name="client encryption"),
                mastercard_key, Registry([consumer]))
