"""SPEC §3.4: a request's JWE ``kid`` may be either fingerprint of the Client Encryption key.

Mastercard's libraries put the SHA-256 of the certificate's SubjectPublicKeyInfo in ``kid``
by default, and the SHA-256 of the whole certificate (DER) when so configured; the sandbox
of a project made by ``xbsec sandbox init`` finds its key under both, in either case.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.documents import new_reference, quote_for
from tests.e2e.raw_requests import JSON, Caller, refusal, v1
from tests.e2e.sandbox_process import Project, SandboxServer
from xbsec import jwe_encrypt
from xbsec.documents import dumps_json
from xbsec.keys import load_certificate
from xbsec.keys.fingerprints import cert_sha256_hex, spki_sha256_hex
from xbsec.payload import wrap


@pytest.fixture
def caller(oauth1_project: Project, oauth1_sandbox: SandboxServer) -> Iterator[Caller]:
    with Caller(oauth1_sandbox, oauth1_project.consumer_key,
                oauth1_project.signing[0]) as made:
        yield made


@pytest.mark.parametrize("which", ["spki", "certificate", "CERTIFICATE", "unknown"])
def test_either_fingerprint_finds_the_key(caller: Caller, oauth1_project: Project,
                                          which: str) -> None:
    certificate = load_certificate(oauth1_project.made["client_encryption_cert"])
    kid = {"spki": spki_sha256_hex(certificate),
           "certificate": cert_sha256_hex(certificate),
           "CERTIFICATE": cert_sha256_hex(certificate).upper(),
           "unknown": "0" * 64}[which]
    body = wrap(jwe_encrypt(dumps_json(quote_for(new_reference())), certificate, kid=kid))
    response = caller.send("POST", v1(oauth1_project.partner_id, "/quotes"), body,
                           {**JSON, "x-encrypted": "true"})
    if which == "unknown":
        assert refusal(response) == (400, "DECRYPT_PRIVATE_KEY_NOT_FOUND",
                                     "encrypted_payload.data")
    else:
        assert response.status_code == 200, response.text
