"""Local development keys, generated once into a git-ignored file."""

import json
import os
import secrets
from pathlib import Path


def load_or_create_local_keys(path: Path) -> dict:
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "field_key": secrets.token_hex(32),
    }
    # Write to a temporary file then rename, so two processes starting at once agree.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(keys))
    os.chmod(tmp, 0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return json.loads(path.read_text())
