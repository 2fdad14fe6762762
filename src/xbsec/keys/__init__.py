"""Key material: load, check, fingerprint, generate, and hold a project's keys (SPEC §7).

Names are imported on first use, so that ``import xbsec.keys`` stays cheap: X.509 and
PKCS#12 support is only loaded by the code that needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face

if TYPE_CHECKING:
    from xbsec.keys.check import (
        check_key_matches_certificate,
        days_left,
        is_valid_at,
        key_matches_certificate,
        validity,
    )
    from xbsec.keys.fingerprints import (
        cert_sha256_hex,
        jwk_thumbprint,
        public_key_of,
        spki_sha256_hex,
        x5t_s256,
    )
    from xbsec.keys.generate import (
        DEFAULT_ALIAS,
        DEFAULT_PASSWORD,
        RSA_KEY_SIZES,
        certificate_authority,
        certificate_pem,
        csr_pem,
        generate_rsa_key,
        issue_certificate,
        load_csr,
        make_csr,
        pkcs12_bytes,
        private_key_pem,
        self_signed_certificate,
        write_certificate_pem,
        write_csr_pem,
        write_pkcs12,
        write_private_key_pem,
    )
    from xbsec.keys.info import KeyInfo, inspect_key_file
    from xbsec.keys.loading import (
        load_certificate,
        load_key_and_certificate,
        load_keystore_aliases,
        load_private_key,
        load_public_key,
    )
    from xbsec.keys.project import ENVIRONMENTS, Environment, KeyFile, ProjectKeys
    from xbsec.keys.types import PrivateKey, PublicKey

__all__ = [
    "DEFAULT_ALIAS",
    "DEFAULT_PASSWORD",
    "ENVIRONMENTS",
    "RSA_KEY_SIZES",
    "Environment",
    "KeyFile",
    "KeyInfo",
    "PrivateKey",
    "ProjectKeys",
    "PublicKey",
    "cert_sha256_hex",
    "certificate_authority",
    "certificate_pem",
    "check_key_matches_certificate",
    "csr_pem",
    "days_left",
    "generate_rsa_key",
    "inspect_key_file",
    "is_valid_at",
    "issue_certificate",
    "jwk_thumbprint",
    "key_matches_certificate",
    "load_certificate",
    "load_csr",
    "load_key_and_certificate",
    "load_keystore_aliases",
    "load_private_key",
    "load_public_key",
    "make_csr",
    "pkcs12_bytes",
    "private_key_pem",
    "public_key_of",
    "self_signed_certificate",
    "spki_sha256_hex",
    "validity",
    "write_certificate_pem",
    "write_csr_pem",
    "write_pkcs12",
    "write_private_key_pem",
    "x5t_s256",
]

# Where each public name lives; kept equal to __all__ by tests/keys/test_public_api.py.
_HOMES = {
    "check": (
        "check_key_matches_certificate", "days_left", "is_valid_at", "key_matches_certificate",
        "validity",
    ),
    "fingerprints": (
        "cert_sha256_hex", "jwk_thumbprint", "public_key_of", "spki_sha256_hex", "x5t_s256",
    ),
    "generate": (
        "DEFAULT_ALIAS", "DEFAULT_PASSWORD", "RSA_KEY_SIZES", "certificate_authority",
        "certificate_pem", "csr_pem", "generate_rsa_key", "issue_certificate", "load_csr",
        "make_csr", "pkcs12_bytes", "private_key_pem",
        "self_signed_certificate", "write_certificate_pem", "write_csr_pem", "write_pkcs12",
        "write_private_key_pem",
    ),
    "info": ("KeyInfo", "inspect_key_file"),
    "loading": (
        "load_certificate", "load_key_and_certificate", "load_keystore_aliases",
        "load_private_key", "load_public_key",
    ),
    "project": ("ENVIRONMENTS", "Environment", "KeyFile", "ProjectKeys"),
    "types": ("PrivateKey", "PublicKey"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}



__getattr__, __dir__ = lazy_face(__name__, _MODULE_OF, __all__, globals())
