"""``inspect_key_file`` describes each kind of file, with the four fingerprints."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.conftest import peer_path
from tests.keys.conftest import NOW, certificate_for
from xbsec.errors import KeyFileError, KeyMismatchError
from xbsec.keys import (
    KeyInfo,
    cert_sha256_hex,
    csr_pem,
    inspect_key_file,
    jwk_thumbprint,
    make_csr,
    pkcs12_bytes,
    spki_sha256_hex,
    x5t_s256,
)
from xbsec.keys._pkcs12 import Keystore


def test_mastercard_keystore_is_described_with_spec_fingerprints() -> None:
    info = inspect_key_file(peer_path("mc_test_key.p12"), password="Password1",
                            now=dt.datetime(2019, 12, 1, tzinfo=dt.UTC))
    assert info.kind == "pkcs12"
    assert info.source == str(peer_path("mc_test_key.p12"))
    assert (info.key_type, info.key_size, info.curve) == ("RSA", 2048, None)
    assert info.has_private_key
    assert info.aliases == ("mykeyalias",)
    assert info.subject == "O=MasterCard,OU=MasterCard API,CN=MasterCardKey"
    assert info.issuer == info.subject
    assert info.days_left == 4
    # SPEC §3.4 and §5.2
    assert info.spki_sha256_hex == (
        "b5145543a3caa95916304b289c562c195b149047b9e1b430e91178b1021c484d"
    )
    assert info.cert_sha256_hex == (
        "e92a32a4b11b2bb3903b90547f7dfe78dd47ab500755ffa3dbdd1cecd0c80c7f"
    )
    assert info.jwk_thumbprint == "VuPL79DDH9uJ9lEX4cUkk586jE08M8L8gwjCb0ixWcc"
    assert info.x5t_s256 == "6SoypLEbK7OQO5BUf33-eN1Hq1AHVf-j290c7NDIDH8"


def test_pem_certificate_is_described_without_a_private_key() -> None:
    info = inspect_key_file(peer_path("mc_test_certificate-2048.pem"), now=NOW)
    assert info.kind == "pem-certificate"
    assert not info.has_private_key
    assert info.spki_sha256_hex == (
        "761b003c1eade3a5490e5000d37887baa5e6ec0e226c07706e599451fc032a79"
    )
    assert info.cert_sha256_hex == (
        "80810fc13a8319fcf0e2ec322c82a4c304b782cc3ce671176343cfe8160c2279"
    )


def test_pem_private_key_alone_has_no_certificate_fields() -> None:
    info = inspect_key_file(peer_path("mc_test_key_pkcs8-2048.pem"))
    assert info.kind == "pem-private-key"
    assert info.has_private_key
    assert (info.subject, info.not_after, info.days_left, info.cert_sha256_hex,
            info.x5t_s256) == (None, None, None, None, None)
    assert info.spki_sha256_hex == (
        "761b003c1eade3a5490e5000d37887baa5e6ec0e226c07706e599451fc032a79"
    )


def test_pem_key_with_its_certificate_describes_both(rsa_key_2048: Any, cert_2048: Any) -> None:
    pem = rsa_key_2048.private_bytes(
        s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()
    ) + cert_2048.public_bytes(s.Encoding.PEM)
    info = inspect_key_file(pem, now=NOW)
    assert info.kind == "pem-private-key"
    assert info.subject == "CN=first"
    assert info.cert_sha256_hex == cert_sha256_hex(cert_2048)
    assert info.days_left == 30


@pytest.mark.parametrize(("encoding", "fmt", "kind"), [
    (s.Encoding.DER, "private", "der-private-key"),
    (s.Encoding.DER, "certificate", "der-certificate"),
    (s.Encoding.DER, "public", "der-public-key"),
    (s.Encoding.PEM, "public", "pem-public-key"),
])
def test_each_kind_of_file_is_named(
    ec_key: Any, ec_cert: Any, encoding: s.Encoding, fmt: str, kind: str
) -> None:
    if fmt == "private":
        data = ec_key.private_bytes(encoding, s.PrivateFormat.PKCS8, s.NoEncryption())
    elif fmt == "certificate":
        data = ec_cert.public_bytes(encoding)
    else:
        data = ec_key.public_key().public_bytes(encoding, s.PublicFormat.SubjectPublicKeyInfo)
    info = inspect_key_file(data, now=NOW)
    assert info.kind == kind
    assert (info.key_type, info.key_size, info.curve) == ("EC", 256, "secp256r1")
    assert info.spki_sha256_hex == spki_sha256_hex(ec_key)
    assert info.jwk_thumbprint == jwk_thumbprint(ec_key)


def test_keystore_holding_only_a_certificate_is_described(ec_cert: Any) -> None:
    data = pkcs12.serialize_key_and_certificates(
        None, None, None, [pkcs12.PKCS12Certificate(ec_cert, b"partner")],
        s.BestAvailableEncryption(b"pw"),
    )
    info = inspect_key_file(data, password="pw", now=NOW)
    assert info.kind == "pkcs12"
    assert not info.has_private_key
    assert info.aliases == ("partner",)
    assert info.x5t_s256 == x5t_s256(ec_cert)


def test_curve_without_a_jose_name_has_no_thumbprint() -> None:
    key = ec.generate_private_key(ec.SECP256K1())
    info = inspect_key_file(key.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8,
                                              s.NoEncryption()))
    assert info.curve == "secp256k1"
    assert info.jwk_thumbprint is None


def test_keystore_with_a_foreign_certificate_is_a_mismatch(
    rsa_key_2048: Any, cert_2048: Any, other_cert_2048: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No serializer writes such a keystore; the entry is swapped after reading instead.
    original = Keystore.key_entry

    def swapped(self: Keystore, alias: str | None, password: bytes | None) -> Any:
        key, _ = original(self, alias, password)
        return key, other_cert_2048

    monkeypatch.setattr(Keystore, "key_entry", swapped)
    with pytest.raises(KeyMismatchError):
        inspect_key_file(pkcs12_bytes(rsa_key_2048, cert_2048), password="keystorepassword")


def test_csr_cannot_be_inspected(rsa_key_2048: Any) -> None:
    with pytest.raises(KeyFileError, match="certificate signing request"):
        inspect_key_file(csr_pem(make_csr(rsa_key_2048, common_name="x")))


def test_to_dict_is_json_with_iso_utc_dates(tmp_path: Path, ec_key: Any) -> None:
    cert = certificate_for(ec_key, not_before=NOW, not_after=NOW + dt.timedelta(days=2))
    path = tmp_path / "c.pem"
    path.write_bytes(cert.public_bytes(s.Encoding.PEM))
    result = inspect_key_file(path, now=NOW).to_dict()
    assert json.loads(json.dumps(result)) == result
    assert result["not_before"] == "2030-06-01T12:00:00Z"
    assert result["not_after"] == "2030-06-03T12:00:00Z"
    assert result["aliases"] == []
    assert result["source"] == str(path)
    assert set(result) == set(KeyInfo.__dataclass_fields__)
