"""A client nobody here wrote: Mastercard's own Python libraries and plain ``requests``.

Requests are signed by ``mastercard-oauth1-signer`` and encrypted by
``mastercard-client-encryption`` (JWE, 16-byte GCM IVs) from the files ``xbsec sandbox
init`` wrote; the sandbox accepts them, and its encrypted answers decrypt with the same
library. The envelope of SPEC §3.2 is the library's own output: the whole document is
encrypted (``$``) into ``encrypted_payload``, under the field name ``data``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.e2e.documents import new_reference, payment_for, proposal_id, quote_for
from tests.e2e.raw_requests import v1
from tests.e2e.sandbox_process import Project, SandboxServer

pytestmark = pytest.mark.interop

oauth = pytest.importorskip("oauth1.oauth")
authenticationutils = pytest.importorskip("oauth1.authenticationutils")
jwe_encryption = pytest.importorskip("client_encryption.jwe_encryption")
jwe_config = pytest.importorskip("client_encryption.jwe_encryption_config")


class MastercardLibrariesClient:
    """What a partner integrating with Mastercard's libraries writes: sign, encrypt, send."""

    def __init__(self, project: Project, server: SandboxServer, *,
                 signature_method: Any = None) -> None:
        made = project.made
        self.base = server.url
        self.partner = project.partner_id
        self.consumer_key = project.consumer_key
        self.signing_key = authenticationutils.load_signing_key(made["signing_p12"],
                                                                made["signing_password"])
        self.signature_method = signature_method or oauth.SignatureMethod.RSA_SHA256
        self.config = jwe_config.JweEncryptionConfig({
            "paths": {"$": {"toEncrypt": {"$": "encrypted_payload"},
                            "toDecrypt": {"encrypted_payload": "$"}}},
            "encryptionCertificate": made["client_encryption_cert"],
            "decryptionKey": made["mastercard_encryption_key"],
            "decryptionKeyPassword": made["mastercard_encryption_key_password"],
            "encryptedValueFieldName": "data",
        })
        self.http = requests.Session()
        self.sent: list[requests.PreparedRequest] = []

    def call(self, method: str, rest: str, document: dict[str, Any] | None = None) -> Any:
        url = self.base + v1(self.partner, rest)
        body = ""
        if document is not None:
            body = json.dumps(jwe_encryption.encrypt_payload(document, self.config))
        authorization = oauth.OAuth.get_authorization_header(
            url, method, body, self.consumer_key, self.signing_key,
            signature_method=self.signature_method)
        response = self.http.request(method, url, data=body.encode(), headers={
            "Authorization": authorization, "Content-Type": "application/json",
            "Accept": "application/json", "x-encrypted": "true"})
        self.sent.append(response.request)
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"encrypted_payload"}
        return jwe_encryption.decrypt_payload(response.text, self.config)


@pytest.fixture
def partner(oauth1_project: Project,
            oauth1_sandbox: SandboxServer) -> Iterator[MastercardLibrariesClient]:
    client = MastercardLibrariesClient(oauth1_project, oauth1_sandbox)
    yield client
    client.http.close()


def test_the_payment_flow_with_mastercard_libraries(partner: MastercardLibrariesClient) -> None:
    reference = new_reference()
    quote = partner.call("POST", "/quotes", quote_for(reference))["quote"]
    assert quote["transaction_reference"] == reference
    payment = partner.call("POST", "/payment",
                           payment_for(reference, proposal_id(quote)))["payment"]
    assert payment["status"] == "PENDING"
    # A GET: empty body (the hash of ""), the query signed, the answer encrypted (SPEC §3.6).
    assert partner.call("GET", f"?ref={reference}") == {"payment": payment}
    assert partner.call("GET", f"/{payment['id']}") == {"payment": payment}
    cancelled = partner.call("POST", f"/{payment['id']}/cancel", {"cancelpaymentrequest": {}})
    assert cancelled["cancelpayment"]["status"] == "SUCCESS"

    first = partner.sent[0]
    assert first.headers["Authorization"].startswith("OAuth ")
    assert first.body is not None
    assert json.loads(first.body)["encrypted_payload"]["data"]
    assert reference.encode() not in bytes(first.body)


def test_rsa_pss_signatures_from_the_mastercard_signer(oauth1_project: Project,
                                                       oauth1_sandbox: SandboxServer) -> None:
    client = MastercardLibrariesClient(oauth1_project, oauth1_sandbox,
                                       signature_method=oauth.SignatureMethod.RSA_PSS_SHA256)
    try:
        assert client.call("GET", "/rates")
        assert 'oauth_signature_method="RSA-PSS"' in client.sent[0].headers["Authorization"]
    finally:
        client.http.close()
