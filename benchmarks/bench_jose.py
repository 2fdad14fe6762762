"""JWE: encrypt and decrypt against RSA-OAEP-256 (1 KB) and against every primitive (100 KB)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from benchmarks.harness import Case
from xbsec import jwe_decrypt, jwe_encrypt
from xbsec.jose import JweKeyring

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _document(size: int) -> bytes:
    doc = {"quoterequest": {"transaction_reference": "0999999034810154901", "padding": ""}}
    raw = json.dumps(doc, separators=(",", ":"))
    doc["quoterequest"]["padding"] = "x" * (size - len(raw))
    return json.dumps(doc, separators=(",", ":")).encode()


def _peers(key: rsa.RSAPrivateKey, plaintext: bytes, direction: str,
           ours_token: str) -> dict[str, Callable[[], object]]:
    peers: dict[str, Callable[[], object]] = {}
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        from joserfc import jwe as jf_jwe
        from joserfc.jwk import RSAKey

        jf_key = RSAKey.import_key(pem)
        algs = ["RSA-OAEP-256", "A256GCM"]
        if direction == "encrypt":
            peers["joserfc"] = lambda: jf_jwe.encrypt_compact(
                {"alg": "RSA-OAEP-256", "enc": "A256GCM"}, plaintext, jf_key, algorithms=algs)
        else:
            peers["joserfc"] = lambda: jf_jwe.decrypt_compact(ours_token, jf_key,
                                                              algorithms=algs)
    except ImportError:
        pass
    try:
        from jwcrypto import jwe as jc_jwe
        from jwcrypto import jwk as jc_jwk

        jc_key = jc_jwk.JWK.from_pem(pem)
        protected = json.dumps({"alg": "RSA-OAEP-256", "enc": "A256GCM"})
        allowed = ["RSA-OAEP-256", "A256GCM"]

        def jc_encrypt() -> str:
            token = jc_jwe.JWE(plaintext, protected=protected)
            token.allowed_algs = allowed
            token.add_recipient(jc_key)
            return str(token.serialize(compact=True))

        def jc_decrypt() -> bytes:
            token = jc_jwe.JWE()
            token.allowed_algs = allowed
            token.deserialize(ours_token, key=jc_key)
            return bytes(token.payload)

        peers["jwcrypto"] = jc_encrypt if direction == "encrypt" else jc_decrypt
    except ImportError:
        pass
    try:
        import tempfile

        from client_encryption.jwe_encryption import decrypt_payload, encrypt_payload
        from client_encryption.jwe_encryption_config import JweEncryptionConfig

        folder = tempfile.mkdtemp(prefix="xbsec-bench-")
        key_path = os.path.join(folder, "key.pem")
        cert_path = os.path.join(folder, "cert.pem")
        with open(key_path, "wb") as fh:
            fh.write(pem)
        from xbsec.keys import certificate_pem, self_signed_certificate

        with open(cert_path, "wb") as fh:
            fh.write(certificate_pem(self_signed_certificate(key)))
        config = JweEncryptionConfig({
            "paths": {"$": {"toEncrypt": {"$": "$"}, "toDecrypt": {"$": "$"}}},
            "encryptedValueFieldName": "encryptedValue",
            "encryptionCertificate": cert_path, "decryptionKey": key_path})
        document = json.loads(plaintext)
        if direction == "encrypt":
            peers["mastercard-client-encryption"] = lambda: encrypt_payload(document, config)
        else:
            peers["mastercard-client-encryption"] = lambda: decrypt_payload(
                {"encryptedValue": ours_token}, config)
    except ImportError:
        pass
    return peers


def cases() -> list[Case]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    cek = os.urandom(32)
    wrapped = public.encrypt(cek, OAEP)
    out: list[Case] = []

    small = _document(1024)
    token = jwe_encrypt(small, public)
    out.append(Case("JWE encrypt, 1 KB", lambda: jwe_encrypt(small, public),
                    lambda: public.encrypt(cek, OAEP), "RSA-OAEP-256 encrypt", target=0.55,
                    peers=_peers(key, small, "encrypt", token)))
    out.append(Case("JWE decrypt, 1 KB", lambda: jwe_decrypt(token, key),
                    lambda: key.decrypt(wrapped, OAEP), "RSA-OAEP-256 decrypt", target=0.93,
                    peers=_peers(key, small, "decrypt", token)))
    # A prepared keyring in the middle of a key rotation: the token names its key by kid.
    retiring = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keyring = JweKeyring([retiring, key])
    out.append(Case("JWE decrypt, 1 KB, keyring of 2 keys (by kid)",
                    lambda: jwe_decrypt(token, keyring), lambda: key.decrypt(wrapped, OAEP),
                    "RSA-OAEP-256 decrypt", target=0.93))

    large = _document(100 * 1024)
    large_token = jwe_encrypt(large, public)
    aes = AESGCM(cek)
    iv = os.urandom(12)
    sealed = aes.encrypt(iv, large, b"aad")
    encoded = base64.urlsafe_b64encode(sealed)

    def encrypt_primitives() -> object:
        public.encrypt(cek, OAEP)
        return base64.urlsafe_b64encode(AESGCM(cek).encrypt(iv, large, b"aad"))

    def decrypt_primitives() -> object:
        key.decrypt(wrapped, OAEP)
        return AESGCM(cek).decrypt(iv, base64.urlsafe_b64decode(encoded), b"aad")

    out.append(Case("JWE encrypt, 100 KB", lambda: jwe_encrypt(large, public),
                    encrypt_primitives, "RSA-OAEP-256 + AES-GCM + base64url", target=0.8))
    out.append(Case("JWE decrypt, 100 KB", lambda: jwe_decrypt(large_token, key),
                    decrypt_primitives, "RSA-OAEP-256 + AES-GCM + base64url", target=0.8))
    return out
