"""Local development keys, generated once into a git-ignored file.

`audit_keys` holds the audit chain's HMAC keys by id and `audit_key_id` the one new events
use: rotating adds a key and makes it current, and older events keep verifying with theirs.
"""

import json
import os
import secrets
from pathlib import Path


def new_audit_key_id(existing) -> str:
    n = len(existing) + 1
    while f"a{n}" in existing:
        n += 1
    return f"a{n}"


def _write(path: Path, keys: dict, *, replace: bool) -> None:
    # Write to a temporary file then link or rename it, so two processes starting at once agree.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(keys))
    os.chmod(tmp, 0o600)
    try:
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def load_or_create_local_keys(path: Path) -> dict:
    if path.exists():
        keys = json.loads(path.read_text())
        if "audit_keys" not in keys:  # a file from before the audit chain was keyed
            rotate_local_audit_key(path)
            keys = json.loads(path.read_text())
        if "certificate_keys" not in keys:  # a file from before certificates were signed
            rotate_local_certificate_key(path)
            keys = json.loads(path.read_text())
        return keys
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "field_key": secrets.token_hex(32),
        "audit_keys": {"a1": secrets.token_hex(32)},
        "audit_key_id": "a1",
        "certificate_keys": {"c1": new_certificate_key()},
        "certificate_key_id": "c1",
    }
    _write(path, keys, replace=False)
    return json.loads(path.read_text())


def rotate_local_audit_key(path: Path) -> str:
    """Add a new audit key to the local file and make it current; returns its id."""
    keys = json.loads(path.read_text())
    audit_keys = keys.setdefault("audit_keys", {})
    key_id = new_audit_key_id(audit_keys)
    audit_keys[key_id] = secrets.token_hex(32)
    keys["audit_key_id"] = key_id
    _write(path, keys, replace=True)
    return key_id


def new_certificate_key() -> str:
    """A new Ed25519 private key (the raw 32 bytes, hex) for signing certificates."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    return Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


def rotate_local_certificate_key(path: Path) -> str:
    """Add a new certificate signing key to the local file and make it current; certificates
    signed before keep verifying with theirs. Returns its id."""
    keys = json.loads(path.read_text())
    signing = keys.setdefault("certificate_keys", {})
    n = len(signing) + 1
    while f"c{n}" in signing:
        n += 1
    signing[f"c{n}"] = new_certificate_key()
    keys["certificate_key_id"] = f"c{n}"
    _write(path, keys, replace=True)
    return f"c{n}"
