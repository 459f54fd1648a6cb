"""Key generation and loading: files, modes, idempotence, kid, JWKS, the settings override."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from lgsp.auth import keys as keys_module
from lgsp.auth.keys import (
    SECRET_HASH_KEY_FILE,
    SIGNING_KEY_FILE,
    KeyFileError,
    ensure_keys,
    load_keys,
)
from lgsp.settings import Settings
from registry.secrets import SecretHasher


def _settings(tmp_path: Path, **kwargs: object) -> Settings:
    return Settings(data_dir=tmp_path, **kwargs)  # type: ignore[arg-type]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ensure_keys_creates_both_files_private(tmp_path: Path) -> None:
    keys_dir = tmp_path / "a" / "keys"
    ensure_keys(keys_dir)
    assert _mode(keys_dir / SIGNING_KEY_FILE) == 0o600
    assert _mode(keys_dir / SECRET_HASH_KEY_FILE) == 0o600
    assert _mode(keys_dir) == 0o700
    assert (keys_dir / SIGNING_KEY_FILE).read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    # No temporary files are left behind.
    assert sorted(p.name for p in keys_dir.iterdir()) == sorted(
        [SIGNING_KEY_FILE, SECRET_HASH_KEY_FILE]
    )


def test_ensure_keys_is_idempotent(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    ensure_keys(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first


def test_ensure_keys_generates_only_what_is_missing(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    pem = (tmp_path / SIGNING_KEY_FILE).read_bytes()
    old_hash_key = (tmp_path / SECRET_HASH_KEY_FILE).read_bytes()
    (tmp_path / SECRET_HASH_KEY_FILE).unlink()
    ensure_keys(tmp_path)
    assert (tmp_path / SIGNING_KEY_FILE).read_bytes() == pem
    assert (tmp_path / SECRET_HASH_KEY_FILE).read_bytes() != old_hash_key


def test_a_racing_writer_keeps_the_first_key(tmp_path: Path) -> None:
    target = tmp_path / SIGNING_KEY_FILE
    target.write_bytes(b"first")
    keys_module.create_private_file(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == [SIGNING_KEY_FILE]


def test_secret_hash_key_file_holds_32_random_bytes_as_text(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    text = (tmp_path / SECRET_HASH_KEY_FILE).read_text().strip()
    assert len(base64.urlsafe_b64decode(text + "=")) == 32
    ensure_keys(tmp_path / "other")
    assert (tmp_path / "other" / SECRET_HASH_KEY_FILE).read_text().strip() != text


def test_load_keys_kid_is_the_rfc7638_thumbprint(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    material = load_keys(tmp_path, settings=_settings(tmp_path))
    jwk = material.public_jwk()
    required = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}
    digest = hashlib.sha256(json.dumps(required, separators=(",", ":")).encode()).digest()
    assert material.kid == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": jwk["x"],
        "kid": material.kid,
        "use": "sig",
        "alg": "Ed25519",
    }


def test_jwks_never_holds_the_private_key(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    material = load_keys(tmp_path, settings=_settings(tmp_path))
    jwks = material.public_jwks()
    assert len(jwks["keys"]) == 1
    assert "d" not in jwks["keys"][0]
    assert material.signing_key.is_private
    assert not material.verification_key.is_private
    # Neither private key finds its way into a log line through repr().
    assert "secret_hash_key=" not in repr(material)
    assert "signing_key=" not in repr(material)


def test_load_keys_is_stable_across_loads(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    settings = _settings(tmp_path)
    one, two = load_keys(tmp_path, settings=settings), load_keys(tmp_path, settings=settings)
    assert one.kid == two.kid
    assert one.secret_hash_key == two.secret_hash_key


def test_settings_override_the_secret_hash_key(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    value = "x" * 40
    material = load_keys(tmp_path, settings=_settings(tmp_path, secret_hash_key=SecretStr(value)))
    assert material.secret_hash_key == value.encode("utf-8")


def test_file_key_moved_to_the_environment_hashes_alike(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    from_file = load_keys(tmp_path, settings=_settings(tmp_path))
    text = (tmp_path / SECRET_HASH_KEY_FILE).read_text().strip()
    from_env = load_keys(tmp_path, settings=_settings(tmp_path, secret_hash_key=SecretStr(text)))
    stored = SecretHasher(from_file.secret_hash_key).hash("s3cret")
    assert SecretHasher(from_env.secret_hash_key).verify("s3cret", stored)


def test_short_override_is_refused(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    with pytest.raises(KeyFileError, match="32 bytes"):
        load_keys(tmp_path, settings=_settings(tmp_path, secret_hash_key=SecretStr("short")))


def test_missing_keys_are_reported(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="missing"):
        load_keys(tmp_path, settings=_settings(tmp_path))


def test_a_non_ed25519_signing_key_is_refused(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    (tmp_path / SIGNING_KEY_FILE).write_bytes(b"not a pem")
    with pytest.raises(KeyFileError, match="Ed25519"):
        load_keys(tmp_path, settings=_settings(tmp_path))


def test_a_short_key_file_is_refused(tmp_path: Path) -> None:
    ensure_keys(tmp_path)
    (tmp_path / SECRET_HASH_KEY_FILE).write_text("tiny\n")
    with pytest.raises(KeyFileError, match="32 bytes"):
        load_keys(tmp_path, settings=_settings(tmp_path))


def test_loose_file_modes_are_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ensure_keys(tmp_path)
    os.chmod(tmp_path / SIGNING_KEY_FILE, 0o644)
    with caplog.at_level("WARNING", logger="lgsp.auth"):
        load_keys(tmp_path, settings=_settings(tmp_path))
    assert "0600" in caplog.text
