"""Keystores whose inner structure is broken are reported as damaged, not as a bad password."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.keys.conftest import same_public_key
from tests.keys.pkcs12_builder import data_content_info, explicit0, oid, seq, tlv
from xbsec.errors import KeyFileError, KeyPasswordError
from xbsec.keys import inspect_key_file, load_private_key

DATA = "2a864886f70d010701"
SIGNED_DATA = "2a864886f70d010702"
SHROUDED = "2a864886f70d010c0a0102"
FRIENDLY = "2a864886f70d010914"
LOCAL_KEY_ID = "2a864886f70d010915"
VERSION_3 = tlv(0x02, b"\x03")


def _pfx(*safes: bytes) -> bytes:
    return seq(VERSION_3, data_content_info(seq(*safes)))


def _bag(*parts: bytes) -> bytes:
    return data_content_info(seq(seq(*parts)))


def _name(*values: bytes) -> bytes:
    return tlv(0x31, seq(oid(FRIENDLY), tlv(0x31, b"".join(values))))


BROKEN = {
    "four-parts": seq(VERSION_3, data_content_info(seq()), seq(), seq()),
    "content-type-missing": _pfx(seq(tlv(0x02, b"\x01"))),
    "data-without-content": seq(VERSION_3, seq(oid(DATA))),
    "data-with-two-octet-strings": seq(
        VERSION_3, seq(oid(DATA), explicit0(tlv(0x04, b"") + tlv(0x04, b"")))
    ),
    "data-not-octets": seq(VERSION_3, seq(oid(DATA), explicit0(tlv(0x02, b"\x01")))),
    "bag-without-type": _pfx(_bag(tlv(0x02, b"\x01"))),
    "key-bag-without-value": _pfx(_bag(oid(SHROUDED), explicit0(b""))),
    "name-with-two-values": _pfx(_bag(
        oid(SHROUDED), explicit0(seq()), _name(tlv(0x1E, b"\x00a"), tlv(0x1E, b"\x00b"))
    )),
    "name-not-bmp": _pfx(_bag(oid(SHROUDED), explicit0(seq()), _name(tlv(0x0C, b"a")))),
    "name-odd-length": _pfx(_bag(oid(SHROUDED), explicit0(seq()), _name(tlv(0x1E, b"\x00")))),
}


@pytest.mark.parametrize("data", list(BROKEN.values()), ids=list(BROKEN))
def test_broken_inner_structure_is_damaged(data: bytes) -> None:
    with pytest.raises(KeyFileError, match="not a readable PKCS#12 keystore"):
        load_private_key(data, password="pw")


def test_bag_attributes_other_than_the_name_are_skipped() -> None:
    # Well-formed, so the failure is put down to the password.
    key_id = tlv(0x31, seq(oid(LOCAL_KEY_ID), tlv(0x31, tlv(0x04, b"\x01"))))
    data = _pfx(_bag(oid(SHROUDED), explicit0(seq()), key_id))
    with pytest.raises(KeyPasswordError, match="wrong password"):
        load_private_key(data, password="pw")


def test_public_key_integrity_mode_is_not_taken_for_damage() -> None:
    data = seq(VERSION_3, seq(oid(SIGNED_DATA), explicit0(seq())))
    with pytest.raises(KeyPasswordError):
        load_private_key(data, password="pw")


def test_keystore_with_ber_lengths_still_loads_its_key(rsa_key_2048: Any, cert_2048: Any) -> None:
    der = pkcs12.serialize_key_and_certificates(
        b"k", rsa_key_2048, cert_2048, None, s.BestAvailableEncryption(b"pw")
    )
    # Windows and old Java write indefinite lengths; the MAC covers only the inner content.
    assert der[:2] == b"\x30\x82"
    ber = b"\x30\x80" + der[4:] + b"\x00\x00"
    with pytest.warns(UserWarning, match="BER"):
        key = load_private_key(ber, password="pw", alias="k")
    assert same_public_key(key, rsa_key_2048)


def test_keystore_with_an_unsupported_algorithm_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.exceptions import UnsupportedAlgorithm

    def refuse(*_args: object) -> None:
        raise UnsupportedAlgorithm("RC2-128")

    monkeypatch.setattr(pkcs12, "load_pkcs12", refuse)
    with pytest.raises(KeyFileError, match="encryption algorithm this installation cannot read"):
        load_private_key(_pfx(), password="pw")


def test_keystore_key_without_certificate_is_inspected(rsa_key_2048: Any) -> None:
    from tests.keys.pkcs12_builder import Entry, build

    info = inspect_key_file(build([Entry("solo", rsa_key_2048)], b"pw"), password="pw")
    assert info.has_private_key
    assert info.aliases == ("solo",)
    assert info.subject is None
