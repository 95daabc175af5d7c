"""Settings come only from THEKE_* variables; production variables pass `check --deploy`."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION = {
    "THEKE_SECRET_KEY": "x7Qm2-very-long-production-secret-key-9f8e7d6c5b4a3210-ZYXWVUTSRQ",
    "THEKE_DEBUG": "false",
    "THEKE_ALLOWED_HOSTS": "theke.example.com",
    "THEKE_BASE_URL": "https://theke.example.com",
    "THEKE_SECURE_SSL_REDIRECT": "true",
    "THEKE_SECURE_COOKIES": "true",
    "THEKE_HSTS_SECONDS": "31536000",
    "THEKE_HSTS_PRELOAD": "true",
    "THEKE_BEHIND_PROXY": "true",
    "THEKE_EMAIL_BACKEND": "smtp",
    "THEKE_EMAIL_HOST": "mail.example.com",
    "THEKE_ENCRYPTION_KEYS": "bmV3LWtleS1uZXctbmV3LWtleS1uZXctbmV3LWtleS0=,"
    "b2xkLWtleS1vbGQtb2xkLWtleS1vbGQtb2xkLWtleS0=",
}


def run_manage(args: list[str], extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("THEKE_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(extra_env)
    env["DJANGO_SETTINGS_MODULE"] = "theke.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args, *(["--no-imports"] if args[0] == "shell" else [])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_variables(tmp_path):
    env = {**PRODUCTION, "THEKE_VAR_DIR": str(tmp_path)}
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_fails_with_development_defaults(tmp_path):
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"], {"THEKE_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0


def test_secret_key_is_generated_once_with_mode_0600(tmp_path):
    env = {"THEKE_VAR_DIR": str(tmp_path)}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_manage(["shell", "-c", code], env)
    second = run_manage(["shell", "-c", code], env)
    key_file = tmp_path / "secret_key"
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "key.txt"
    secret.write_text("from-a-file-" + "k" * 50 + "\n")
    env = {
        "THEKE_VAR_DIR": str(tmp_path),
        "THEKE_SECRET_KEY_FILE": str(secret),
        # A configured secret key without debug mode is production: it needs its keys too.
        "THEKE_ENCRYPTION_KEYS": PRODUCTION["THEKE_ENCRYPTION_KEYS"],
    }
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = run_manage(["shell", "-c", code], env)
    assert result.stdout.strip() == "from-a-file-" + "k" * 50
    assert not (tmp_path / "secret_key").exists()


def test_sqlite_default_uses_wal_immediate_transactions_and_busy_timeout(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0], "
        "connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    result = run_manage(["shell", "-c", code], {"THEKE_VAR_DIR": str(tmp_path)})
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"], result.stderr
    assert (tmp_path / "theke.sqlite3").exists()


def test_passwords_are_hashed_with_argon2(tmp_path):
    code = "from django.contrib.auth.hashers import make_password; print(make_password('x'))"
    result = run_manage(["shell", "-c", code], {"THEKE_VAR_DIR": str(tmp_path)})
    assert result.stdout.startswith("argon2$argon2id$"), result.stderr


def test_production_refuses_to_start_without_encryption_keys(tmp_path):
    env = {**PRODUCTION, "THEKE_VAR_DIR": str(tmp_path)}
    del env["THEKE_ENCRYPTION_KEYS"]
    result = run_manage(["check"], env)
    assert result.returncode != 0
    assert "THEKE_ENCRYPTION_KEYS is not set" in result.stderr


def test_encryption_keys_must_be_fernet_keys(tmp_path):
    env = {**PRODUCTION, "THEKE_VAR_DIR": str(tmp_path), "THEKE_ENCRYPTION_KEYS": "too-short"}
    result = run_manage(["check"], env)
    assert result.returncode != 0 and "32 bytes" in result.stderr


def test_encryption_keys_come_from_the_variable_or_a_file(tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text(PRODUCTION["THEKE_ENCRYPTION_KEYS"] + "\n")
    env = {**PRODUCTION, "THEKE_VAR_DIR": str(tmp_path), "THEKE_ENCRYPTION_KEYS_FILE": str(keys)}
    del env["THEKE_ENCRYPTION_KEYS"]
    code = "from theke.core import crypto; print(len(crypto.configured_keys()))"
    result = run_manage(["shell", "-c", code], env)
    assert result.stdout.strip() == "2", result.stderr


def test_a_local_setup_derives_its_key_from_the_secret_key(tmp_path):
    code = (
        "from django.conf import settings; from theke.core import crypto; "
        "print(crypto.configured_keys() == (crypto.derived_key(settings.SECRET_KEY),))"
    )
    result = run_manage(["shell", "-c", code], {"THEKE_VAR_DIR": str(tmp_path)})
    assert result.stdout.strip() == "True", result.stderr
