"""Field encryption (AES-GCM) and blind indexes (HMAC-SHA256) for sensitive values.

Two keys are derived from settings.FIELD_ENCRYPTION_KEY with HKDF, one to encrypt and one to
hash, so a leaked look-up hash says nothing about the encryption key. A ciphertext is a version
byte, a 12-byte nonce and the AES-GCM output.
"""

import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = b"\x01"


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


@cache
def _keys(master_hex: str) -> tuple[AESGCM, bytes]:
    master = bytes.fromhex(master_hex)
    if len(master) != 32:
        raise ValueError("JINENG_FIELD_KEY 应为 64 个十六进制字符（32 字节）")
    encryption_key = _derive(master, b"jineng field encryption")
    return AESGCM(encryption_key), _derive(master, b"jineng blind index")


def _cipher() -> AESGCM:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0]


def encrypt(plaintext: str) -> bytes:
    nonce = os.urandom(12)
    return VERSION + nonce + _cipher().encrypt(nonce, plaintext.encode(), None)


def decrypt(blob: bytes) -> str:
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise ValueError("未知的密文版本")
    return _cipher().decrypt(blob[1:13], blob[13:], None).decode()


def blind_index(value: str, *, purpose: str) -> bytes:
    """A keyed 32-byte hash for exact look-up and de-duplication of an encrypted value."""
    key = _keys(settings.FIELD_ENCRYPTION_KEY)[1]
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
