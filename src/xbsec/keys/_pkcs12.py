"""PKCS#12 keystores: open one with its password, then pick an entry by alias.

``cryptography``'s loader returns one private key (the first), the certificate that goes
with it, and the other certificates, each with its friendly name (the alias). A keystore
delivered by Mastercard holds a single key entry, so that is usually all there is (SPEC §2.2).
A keystore made with Java's ``keytool`` may hold several key entries: their bags and friendly
names sit outside the encryption (only each key is encrypted, with the keystore password), so
another entry is found here by its alias and its key decrypted on its own.

Aliases match case-insensitively, as Java's ``KeyStore`` does for the PKCS#12 files
Mastercard's own clients load by alias (SPEC §2.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from xbsec.errors import KeyAliasError, KeyFileError, KeyMaterialError, KeyPasswordError
from xbsec.keys import _der
from xbsec.keys._supported import checked_certificate, supported_private_key
from xbsec.keys.types import PrivateKey

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["Keystore", "open_keystore"]

_DATA = bytes.fromhex("2a864886f70d010701")  # 1.2.840.113549.1.7.1 pkcs7-data
_KEY_BAG = bytes.fromhex("2a864886f70d010c0a0101")  # 1.2.840.113549.1.12.10.1.1
_SHROUDED_KEY_BAG = bytes.fromhex("2a864886f70d010c0a0102")  # 1.2.840.113549.1.12.10.1.2
_FRIENDLY_NAME = bytes.fromhex("2a864886f70d010914")  # 1.2.840.113549.1.9.20


@dataclass(frozen=True, slots=True)
class _KeyBag:
    alias: str | None
    der: bytes = field(repr=False)  # a private key, maybe unencrypted
    encrypted: bool


@dataclass(frozen=True, slots=True)
class Keystore:
    """The entries of an opened PKCS#12 keystore."""

    source: str
    key: PrivateKey | None
    """The key ``cryptography`` returned (the first key entry), if any."""
    certificate: x509.Certificate | None
    """The certificate that belongs to ``key``."""
    key_alias: str | None
    certificates: tuple[tuple[str | None, x509.Certificate], ...]
    """Every certificate in the keystore with its alias, ``certificate`` first."""
    other_key_bags: tuple[_KeyBag, ...]
    """Further key entries (after ``key``'s), found without the password."""

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every alias (friendly name) in the keystore, each once, in file order."""
        names = [self.key_alias, *(bag.alias for bag in self.other_key_bags)]
        names += [alias for alias, _ in self.certificates]
        seen: dict[str, str] = {}
        for name in names:
            if name is not None and name.casefold() not in seen:
                seen[name.casefold()] = name
        return tuple(seen.values())

    @property
    def key_aliases(self) -> tuple[str | None, ...]:
        """The alias of each private key entry, ``key``'s first."""
        first = () if self.key is None else (self.key_alias,)
        return (*first, *(bag.alias for bag in self.other_key_bags))

    def key_entry(
        self, alias: str | None, password: bytes | None
    ) -> tuple[PrivateKey, x509.Certificate | None]:
        """The private key under ``alias`` (or the only one) and its certificate."""
        if self.key is None:
            raise KeyFileError("the PKCS#12 keystore contains no private key", source=self.source)
        if alias is None:
            if len(self.key_aliases) > 1:
                named = tuple(name for name in self.key_aliases if name is not None)
                raise KeyAliasError(
                    f"the PKCS#12 keystore holds {len(self.key_aliases)} private keys "
                    f"({_quoted(named)}); choose one with an alias",
                    source=self.source, aliases=self.aliases,
                )
            return self.key, self.certificate
        if _same(self.key_alias, alias):
            return self.key, self.certificate
        for bag in self.other_key_bags:
            if _same(bag.alias, alias):
                key = self._open_bag(bag, password)
                return key, self._certificate_of(key)
        if any(_same(name, alias) for name, _ in self.certificates):
            raise KeyAliasError(
                f"alias {alias!r} is a certificate without a private key", source=self.source,
                aliases=self.aliases,
            )
        raise self._no_such_alias(alias)

    def certificate_entry(self, alias: str | None) -> x509.Certificate:
        """The certificate under ``alias``, or the key's certificate, or the only one."""
        if alias is None:
            if self.certificate is not None:
                return self.certificate
            if len(self.certificates) == 1:
                return self.certificates[0][1]
            if not self.certificates:
                raise KeyFileError(
                    "the PKCS#12 keystore contains no certificate", source=self.source
                )
            raise KeyAliasError(
                f"the PKCS#12 keystore holds {len(self.certificates)} certificates "
                f"({_quoted(self.aliases)}); choose one with an alias",
                source=self.source, aliases=self.aliases,
            )
        for name, cert in self.certificates:
            if _same(name, alias):
                return cert
        if _same(self.key_alias, alias):
            raise KeyFileError(f"the entry {alias!r} has no certificate", source=self.source)
        raise self._no_such_alias(alias)

    def _no_such_alias(self, alias: str) -> KeyAliasError:
        present = self.aliases
        listing = f"aliases present: {_quoted(present)}" if present else "it names no aliases"
        return KeyAliasError(
            f"no entry with alias {alias!r} in the PKCS#12 keystore; {listing}",
            source=self.source, aliases=present,
        )

    def _open_bag(self, bag: _KeyBag, password: bytes | None) -> PrivateKey:
        try:
            key = serialization.load_der_private_key(
                bag.der, password if bag.encrypted else None
            )
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise KeyFileError(
                f"the key entry {bag.alias!r} cannot be decrypted", source=self.source
            ) from None
        return supported_private_key(key, self.source)

    def _certificate_of(self, key: PrivateKey) -> x509.Certificate | None:
        from xbsec.keys.check import key_matches_certificate

        return next((c for _, c in self.certificates if key_matches_certificate(key, c)), None)


def open_keystore(data: bytes, password: bytes | None, source: str) -> Keystore:
    """Open the keystore in ``data``: checks its MAC and decrypts it with ``password``."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        loaded = pkcs12.load_pkcs12(data, password)
    except UnsupportedAlgorithm:
        raise KeyFileError(
            "the PKCS#12 keystore uses an encryption algorithm this installation cannot read",
            source=source,
        ) from None
    except (ValueError, TypeError):
        raise _why_unreadable(data, password, source) from None
    try:
        bags = tuple(_visible_key_bags(data))
    except _der.DerError:
        bags = ()  # read by cryptography, but not plain DER (BER from some tools): first key only
    key = None if loaded.key is None else supported_private_key(loaded.key, source)
    certificates = [(_name(c.friendly_name), checked_certificate(c.certificate, source))
                    for c in loaded.additional_certs]
    certificate = None
    key_alias = None
    if loaded.cert is not None:
        certificate = checked_certificate(loaded.cert.certificate, source)
        key_alias = _name(loaded.cert.friendly_name)
        certificates.insert(0, (key_alias, certificate))
    others = bags[1:]
    if key is not None and key_alias is None and bags:
        key_alias = bags[0].alias  # the first key bag holds the key cryptography returned
    elif key_alias is not None and any(_same(b.alias, key_alias) for b in bags):
        others = tuple(b for b in bags if not _same(b.alias, key_alias))
    return Keystore(source, key, certificate, key_alias, tuple(certificates), others)


def _name(friendly_name: bytes | None) -> str | None:
    return None if friendly_name is None else friendly_name.decode("utf-8", "replace")


def _same(name: str | None, other: str) -> bool:
    return name is not None and name.casefold() == other.casefold()


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(repr(name) for name in names)


def _why_unreadable(data: bytes, password: bytes | None, source: str) -> KeyMaterialError:
    """Tell a damaged keystore from a wrong password, as far as the bytes allow."""
    try:
        bags = _visible_key_bags(data)
    except _der.DerError:
        return KeyFileError("is not a readable PKCS#12 keystore (damaged or truncated)",
                           source=source)
    if password is None:
        return KeyPasswordError(
            "the PKCS#12 keystore is password-protected; a password is required", source=source
        )
    # A key bag that decrypts under this password proves the password right: then the
    # failed integrity check means the file was altered.
    for bag in bags:
        if bag.encrypted and _decrypts(bag, password):
            return KeyFileError(
                "the PKCS#12 keystore is damaged: the password opens its key, but its "
                "integrity check fails", source=source,
            )
    return KeyPasswordError("wrong password for the PKCS#12 keystore", source=source)


def _decrypts(bag: _KeyBag, password: bytes) -> bool:
    try:
        serialization.load_der_private_key(bag.der, password)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def _content_info_data(info: _der.Tlv) -> bytes | None:
    """The octets of a ContentInfo of type data; ``None`` for encrypted types."""
    parts = _der.children(_expect(info, _der.SEQUENCE).content)
    if not parts or parts[0].tag != _der.OID:
        raise _der.DerError("ContentInfo without a content type")
    if parts[0].content != _DATA:
        return None
    if len(parts) != 2:
        raise _der.DerError("data ContentInfo without content")
    inner = _der.children(_expect(parts[1], _der.CONTEXT_0).content)
    if len(inner) != 1:
        raise _der.DerError("data ContentInfo must hold one OCTET STRING")
    return _expect(inner[0], _der.OCTET_STRING).content


def _visible_key_bags(data: bytes) -> list[_KeyBag]:
    pfx = _der.children(_expect(_der.parse_single(data), _der.SEQUENCE).content)
    if len(pfx) not in (2, 3) or pfx[0].raw != b"\x02\x01\x03":
        raise _der.DerError("not a version-3 PFX")
    auth_safe = _content_info_data(pfx[1])
    if auth_safe is None:
        return []  # public-key integrity mode: nothing readable without the keys
    bags = []
    for info in _der.children(_expect(_der.parse_single(auth_safe), _der.SEQUENCE).content):
        contents = _content_info_data(info)
        if contents is None:
            continue  # encrypted contents: cryptography opens those with the password
        for bag in _der.children(_expect(_der.parse_single(contents), _der.SEQUENCE).content):
            parts = _der.children(_expect(bag, _der.SEQUENCE).content)
            if len(parts) < 2 or parts[0].tag != _der.OID:
                raise _der.DerError("SafeBag without a bag type")
            if parts[0].content not in (_KEY_BAG, _SHROUDED_KEY_BAG):
                continue
            value = _der.children(_expect(parts[1], _der.CONTEXT_0).content)
            if len(value) != 1:
                raise _der.DerError("key bag without a value")
            alias = _friendly_name(parts[2]) if len(parts) > 2 else None
            bags.append(_KeyBag(alias, value[0].raw, parts[0].content == _SHROUDED_KEY_BAG))
    return bags


def _friendly_name(attributes: _der.Tlv) -> str | None:
    for attribute in _der.children(_expect(attributes, _der.SET).content):
        parts = _der.children(_expect(attribute, _der.SEQUENCE).content)
        if len(parts) == 2 and parts[0].tag == _der.OID and parts[0].content == _FRIENDLY_NAME:
            values = _der.children(_expect(parts[1], _der.SET).content)
            if len(values) != 1:
                raise _der.DerError("friendlyName must have one value")
            try:
                return _expect(values[0], _der.BMP_STRING).content.decode("utf-16-be")
            except UnicodeDecodeError:
                raise _der.DerError("friendlyName is not a valid BMPString") from None
    return None


def _expect(tlv: _der.Tlv, tag: int) -> _der.Tlv:
    if tlv.tag != tag:
        raise _der.DerError(f"expected tag {tag:#x}, found {tlv.tag:#x}")
    return tlv
