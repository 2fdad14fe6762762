"""A client nobody here wrote, in Node: Mastercard's Node signer and client-encryption library.

Each request body is encrypted by npm ``mastercard-client-encryption`` (JWE mode, the whole
document into ``encrypted_payload.data``, SPEC §3.2) and the request signed by npm
``mastercard-oauth1-signer``, from the files ``xbsec sandbox init`` wrote; the sandbox
answers 200, and its encrypted answers decrypt in the same Node library, with the
Mastercard Encryption key read from the project's PKCS#12 file. The library's tokens spell
63 as '/' (see tests/jose/test_interop_mastercard_node_encryption.py).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from tests.e2e.documents import new_reference, payment_for, proposal_id, quote_for
from tests.e2e.raw_requests import v1
from tests.e2e.sandbox_process import Project, SandboxServer
from tests.interop.node_oracle import node_authorization, node_jwe
from xbsec.jose import jwe_header
from xbsec.keys import load_certificate
from xbsec.keys.fingerprints import cert_sha256_hex
from xbsec.policy import SecurityPolicy

pytestmark = pytest.mark.interop


class NodeLibrariesClient:
    """What a partner integrating with Mastercard's Node libraries does: encrypt, sign, send."""

    def __init__(self, project: Project, server: SandboxServer, **config: str) -> None:
        made = project.made
        self.base = server.url
        self.partner = project.partner_id
        self.consumer_key = project.consumer_key
        key, _ = project.signing
        self.key_pem = key.private_bytes(serialization.Encoding.PEM,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode()
        self.config = {
            "encryptionCertificate": made["client_encryption_cert"],
            "keyStore": made["mastercard_encryption_key"],
            "keyStoreAlias": "keyalias",
            "keyStorePassword": made["mastercard_encryption_key_password"],
            **config,
        }
        self.http = httpx.Client(timeout=20)
        self.tokens: list[str] = []
        self.answers: list[Any] = []

    def call(self, method: str, rest: str, document: dict[str, Any] | None = None) -> Any:
        url = self.base + v1(self.partner, rest)
        body = ""
        if document is not None:
            encrypted = node_jwe(self.config, encrypt=[document])[0][0]
            self.tokens.append(encrypted["encrypted_payload"]["data"])
            body = json.dumps(encrypted, separators=(",", ":"))
        authorization = node_authorization(self.key_pem, self.consumer_key, [
            {"method": method, "url": url, "body": body, "nonce": None,
             "timestamp": int(time.time())}])[0]
        response = self.http.request(method, url, content=body.encode(), headers={
            "Authorization": authorization, "Content-Type": "application/json",
            "Accept": "application/json", "x-encrypted": "true"})
        assert response.status_code == 200, response.text
        answer = response.json()
        assert set(answer) == {"encrypted_payload"}
        self.answers.append(answer)
        decrypted = node_jwe(self.config, decrypt=[answer])[1][0]
        assert "error" not in decrypted, decrypted
        return decrypted


@pytest.fixture
def partner(oauth1_project: Project, oauth1_sandbox: SandboxServer) -> Any:
    client = NodeLibrariesClient(oauth1_project, oauth1_sandbox)
    yield client
    client.http.close()


def test_the_payment_flow_with_mastercard_node_libraries(partner: NodeLibrariesClient) -> None:
    reference = new_reference()
    quote = partner.call("POST", "/quotes", quote_for(reference))["quote"]
    assert quote["transaction_reference"] == reference
    payment = partner.call("POST", "/payment",
                           payment_for(reference, proposal_id(quote)))["payment"]
    assert payment["status"] == "PENDING"
    # A GET: no body, the query signed by the Node signer, the answer encrypted (SPEC §3.6).
    assert partner.call("GET", f"?ref={reference}") == {"payment": payment}
    assert partner.call("GET", f"/{payment['id']}") == {"payment": payment}
    cancelled = partner.call("POST", f"/{payment['id']}/cancel", {"cancelpaymentrequest": {}})
    assert cancelled["cancelpayment"]["status"] == "SUCCESS"
    after = partner.call("GET", f"/{payment['id']}")["payment"]
    assert (after["status"], after["rejected_status"]["Code"]) == ("REJECTED", "CANCELLED")
    # The library's own spelling went over the wire, and xbsec's came back.
    assert len(partner.tokens) == 3
    assert all("/" in token and "_" not in token for token in partner.tokens)
    assert len(partner.answers) == 6


def test_a_kid_that_is_the_certificate_fingerprint(oauth1_project: Project,
                                                   oauth1_sandbox: SandboxServer) -> None:
    """The library's other kid (SPEC §3.4): SHA-256 of the certificate (DER), in hex."""
    client = NodeLibrariesClient(oauth1_project, oauth1_sandbox,
                                 publicKeyFingerprintType="certificate", dataEncoding="hex")
    reference = new_reference()
    try:
        quote = client.call("POST", "/quotes", quote_for(reference))["quote"]
    finally:
        client.http.close()
    assert quote["transaction_reference"] == reference
    certificate = load_certificate(oauth1_project.made["client_encryption_cert"])
    compatible = SecurityPolicy.mastercard_compatible()
    assert jwe_header(client.tokens[0], policy=compatible).kid == cert_sha256_hex(certificate)
