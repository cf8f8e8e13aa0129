"""`jineng check --deploy` is clean with the production settings, which come only from the
environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

JINENG = Path(sys.executable).with_name("jineng")


def production_env(tmp_path, **overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JINENG_", "DJANGO_"))}
    env.update({
        "JINENG_DEBUG": "0",
        "JINENG_SECRET_KEY": secrets.token_urlsafe(50),
        "JINENG_FIELD_KEY": secrets.token_hex(32),
        "JINENG_AUDIT_KEYS": f'{{"a1": "{secrets.token_hex(32)}"}}',
        "JINENG_CERTIFICATE_KEYS": f'{{"c1": "{secrets.token_hex(32)}"}}',
        "JINENG_ALLOWED_HOSTS": "jineng.example.gov.cn",
        "JINENG_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    })
    env.update(overrides)
    return env


def run_check(env):
    return subprocess.run([str(JINENG), "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_check(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # Keys came from the environment: no local key file was written.
    assert not (tmp_path / "keys.json").exists()


def test_check_deploy_complains_about_a_short_secret_key(tmp_path):
    result = run_check(production_env(tmp_path, JINENG_SECRET_KEY="short"))
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
