"""Mastercard's Python library and arrays, observed: a member path through an array encrypts
the first element only and leaves the others in clear; ``[*]`` and ``$.``-paths are not read
at all and the document goes out in clear, without an error. The same configurations with
xbsec encrypt every element or fail."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.payload.conftest import mastercard_config
from xbsec.errors import PayloadError
from xbsec.payload import FieldLevelConfig, encrypt_fields

client_encryption = pytest.importorskip("client_encryption")

pytestmark = pytest.mark.interop

DOCUMENT: dict[str, Any] = {
    "cards": [{"pan": "5111111111111111"}, {"pan": "5222222222222222"}, {"pan": "5333333333333333"}]
}


def _theirs(to_encrypt: dict[str, str]) -> Any:
    from client_encryption.field_level_encryption import encrypt_payload
    from client_encryption.field_level_encryption_config import FieldLevelEncryptionConfig

    config = FieldLevelEncryptionConfig(mastercard_config(to_encrypt, {}))
    return encrypt_payload(copy.deepcopy(DOCUMENT), config)


def _in_clear(document: Any) -> list[str]:
    return [card["pan"] for card in document["cards"] if "pan" in card]


def test_theirs_encrypts_only_the_first_element_of_an_array() -> None:
    result = _theirs({"cards.pan": "cards.encryptedPan"})
    assert "encryptedPan" in result["cards"][0]
    assert _in_clear(result) == ["5222222222222222", "5333333333333333"]


def test_ours_refuses_that_path() -> None:
    config = FieldLevelConfig.from_mastercard_json(
        mastercard_config({"cards.pan": "cards.encryptedPan"}, {})
    )
    with pytest.raises(PayloadError, match=r"\[\*\]"):
        encrypt_fields(DOCUMENT, config)


@pytest.mark.parametrize(
    "to_encrypt",
    [
        {"cards[*].pan": "cards[*].encryptedPan"},
        {"$.cards[*].pan": "$.cards[*].encryptedPan"},
        {"cards[0].pan": "cards[0].encryptedPan"},
    ],
)
def test_theirs_silently_encrypts_nothing_with_array_paths(to_encrypt: dict[str, str]) -> None:
    assert _theirs(to_encrypt) == DOCUMENT


def test_theirs_silently_encrypts_nothing_with_dollar_paths() -> None:
    from client_encryption.field_level_encryption import encrypt_payload
    from client_encryption.field_level_encryption_config import FieldLevelEncryptionConfig

    config = FieldLevelEncryptionConfig(mastercard_config({"$.secret": "$.encryptedSecret"}, {}))
    assert encrypt_payload({"secret": "s"}, config) == {"secret": "s"}


def test_ours_encrypts_every_element() -> None:
    config = FieldLevelConfig.from_mastercard_json(
        mastercard_config({"$.cards[*].pan": "$.cards[*].encryptedPan"}, {})
    )
    encrypted = encrypt_fields(DOCUMENT, config)
    assert _in_clear(encrypted.document) == []
    assert all("encryptedPan" in card for card in encrypted.document["cards"])


def test_theirs_reads_our_elements_one_by_one_with_index_free_paths() -> None:
    # Their decryption, too, only looks at the first element of an array.
    from client_encryption.field_level_encryption import decrypt_payload
    from client_encryption.field_level_encryption_config import FieldLevelEncryptionConfig

    settings = mastercard_config(
        {"cards[*].pan": "cards[*].encryptedPan"}, {"cards.encryptedPan": "cards.pan"}
    )
    body = encrypt_fields(
        DOCUMENT,
        FieldLevelConfig.from_mastercard_json(
            {
                **settings,
                "paths": {
                    "$": {"toEncrypt": {"cards[*].pan": "cards[*].encryptedPan"}, "toDecrypt": {}}
                },
            }
        ),
    ).body.decode()
    result = decrypt_payload(body, FieldLevelEncryptionConfig(settings))
    assert result["cards"][0] == {"pan": "5111111111111111"}
    assert all("encryptedPan" in card for card in result["cards"][1:])
