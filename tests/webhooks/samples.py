"""Push notification bodies in the contract's shapes, and the keys and certificates of a
receiver: a client CA with a client certificate, and the partner's Mastercard-encryption key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from xbsec.keys import (
    certificate_authority,
    generate_rsa_key,
    issue_certificate,
    self_signed_certificate,
)
from xbsec.payload import encrypt_payload


def status_change(event_ref: str = "rem_A1-SUCCESS", status: str = "SUCCESS") -> dict[str, Any]:
    payment: dict[str, Any] = {
        "transaction_reference": "REF123", "id": "rem_A1", "resource_type": "payment",
        "created": "2024-01-02T03:04:05-05:00", "status": status,
        "status_timestamp": "2024-01-02T03:05:05-05:00"}
    if status == "REJECTED":
        payment["rejected_status"] = {"Code": "REJECTED_BY_PROVIDER", "Message": "no"}
    return {"eventRef": event_ref, "eventType": "PAYMENT",
            "eventTimestamp": "2024-01-02T03:05:05-05:00", "partnerId": "SANDBOX_1",
            "transactionReference": "REF123", "payment": payment}


def quote_status_change(event_ref: str = "pen_1-CANCELLED") -> dict[str, Any]:
    return {"eventRef": event_ref, "eventType": "QUOTE",
            "eventTimestamp": "2024-01-02T03:05:05-05:00", "transactionReference": "Q1",
            "quote": {"transactionReference": "Q1", "resourceType": "quote",
                      "quote": {"proposalId": "pen_1",
                                "confirmStatus": {"status": "CONFIRMED"},
                                "cancelStatus": {"status": "CANCELLED"}}}}


def carded_rate(event_ref: str = "rates-SANDBOX_1-20240102") -> dict[str, Any]:
    tier = {"from_amount": "0", "rate_id": "CR20240102USDEUR1", "ask_rate": "0.93",
            "mid_rate": "0.92", "bid_rate": "0.91"}
    return {"eventRef": event_ref, "rates": {"rate": [
        {"partner_id": "SANDBOX_1", "from_currency_code": "USD", "to_currency_code": "EUR",
         "valid_from": "2024-01-02T00:00:00Z", "valid_to": "2024-01-02T23:59:59Z",
         "tiers": {"tier": [tier]}}]}}


def rfi(event_ref: str = "4b7e-1") -> dict[str, Any]:
    return {"eventRef": event_ref, "eventType": "REQUEST_CREATED",
            "eventTimestamp": "2024-01-02T03:05:05-05:00", "partnerId": "SANDBOX_1",
            "requestId": "4b7e", "requestStatus": "OPEN",
            "transactions": [{"transactionReference": "REF123"}]}


def account_validation(event_ref: str = "bav-1") -> dict[str, Any]:
    return {"eventRef": event_ref, "eventTimestamp": "2024-01-02T03:05:05-05:00",
            "partnerId": "SANDBOX_1",
            "accountValidation": {"refId": "r-1", "status": "SUCCESS", "message": "ok"}}


def body(document: dict[str, Any]) -> bytes:
    return json.dumps(document).encode()


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(Encoding.PEM).decode("ascii")


def _subject(name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])


@dataclass(frozen=True)
class Pki:
    ca: x509.Certificate
    client: x509.Certificate
    other_client: x509.Certificate
    """Issued by another CA."""
    server_only: x509.Certificate
    """Issued by the CA, but for server authentication only."""
    expired: x509.Certificate
    encryption_key: Any
    encryption_certificate: x509.Certificate

    def encrypted(self, document: dict[str, Any]) -> bytes:
        return encrypt_payload(body(document), self.encryption_certificate)


@cache
def pki() -> Pki:
    ca_key, ca = certificate_authority("Test Mastercard client CA")
    other_key, other = certificate_authority("Another CA")
    key = generate_rsa_key()
    client = issue_certificate(key.public_key(), _subject("mastercard push"), issuer_key=ca_key,
                               issuer_certificate=ca, client_auth=True)
    other_client = issue_certificate(key.public_key(), _subject("mastercard push"),
                                     issuer_key=other_key, issuer_certificate=other,
                                     client_auth=True)
    server_only = issue_certificate(key.public_key(), _subject("a server"), issuer_key=ca_key,
                                    issuer_certificate=ca, server_names=("localhost",))
    expired = issue_certificate(key.public_key(), _subject("mastercard push"),
                                issuer_key=ca_key, issuer_certificate=ca, client_auth=True,
                                days=1, now=datetime.now(UTC) - timedelta(days=3))
    encryption_key = generate_rsa_key()
    return Pki(ca, client, other_client, server_only, expired, encryption_key,
               self_signed_certificate(encryption_key, common_name="mastercard encryption"))
