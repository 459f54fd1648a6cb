"""`lgsp-audit` run as an auditor runs it: a separate process, a database URL, no server."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from audit.signing import Ed25519Signer
from audit.store import append_many, register_key
from audit.tables import audit_entries
from tests.unit.audit.drafts import START, make_draft, new_signer

pytestmark = pytest.mark.storage

LGSP_AUDIT = Path(sys.executable).parent / "lgsp-audit"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `lgsp-audit` with no exchange settings in its environment."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("LGSP_")}
    return subprocess.run(
        [str(LGSP_AUDIT), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


@pytest.fixture
def signer(engine: Engine) -> Ed25519Signer:
    """A registered signer that has written four entries."""
    made = new_signer()
    with engine.begin() as connection:
        register_key(connection, key_id=made.key_id, public_key=made.public_key, created_at=START)
        append_many(connection, [make_draft(n) for n in range(4)], signer=made)
    return made


def pinned(tmp_path: Path, *signers: Ed25519Signer) -> Path:
    """A trusted-keys file pinning the signers' public keys."""
    path = tmp_path / "pinned-keys.json"
    keys = {s.key_id: base64.b64encode(s.public_key).decode("ascii") for s in signers}
    path.write_text(json.dumps(keys), encoding="utf-8")
    return path


def test_a_sound_store_exits_0(database_url: str, signer: Ed25519Signer) -> None:
    result = run("verify", "--db", database_url)
    assert result.returncode == 0, result.stderr
    assert "OK: 4 entries checked, 0 bad" in result.stdout
    assert "store being verified" in result.stdout


def test_a_tampered_entry_exits_1_naming_it(
    database_url: str, engine: Engine, signer: Ed25519Signer
) -> None:
    with engine.begin() as connection:
        ids = connection.execute(select(audit_entries.c.id).order_by(audit_entries.c.id))
        target = ids.scalars().all()[2]
        connection.execute(
            update(audit_entries).where(audit_entries.c.id == target).values(status=418)
        )
    result = run("verify", "--db", database_url)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED: 4 entries checked, 1 bad" in result.stdout
    assert f"entry {target}: column status" in result.stdout


def test_pinned_keys_exit_0_for_their_entries_and_1_for_a_stranger(
    database_url: str, engine: Engine, signer: Ed25519Signer, tmp_path: Path
) -> None:
    keys = pinned(tmp_path, signer)
    result = run("verify", "--db", database_url, "--trusted-keys", str(keys))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pinned by the auditor" in result.stdout

    rogue = new_signer()
    with engine.begin() as connection:
        register_key(connection, key_id=rogue.key_id, public_key=rogue.public_key, created_at=START)
        [planted] = append_many(connection, [make_draft(9)], signer=rogue)
    assert run("verify", "--db", database_url).returncode == 0
    result = run("verify", "--db", database_url, "--trusted-keys", str(keys))
    assert result.returncode == 1
    assert f"entry {planted.id}: unknown-key" in result.stdout


def test_keys_lists_the_registered_keys_and_pins_them(
    database_url: str, signer: Ed25519Signer, tmp_path: Path
) -> None:
    listed = run("keys", "--db", database_url)
    assert listed.returncode == 0, listed.stderr
    assert signer.key_id in listed.stdout
    assert base64.b64encode(signer.public_key).decode("ascii") in listed.stdout
    as_json = run("keys", "--db", database_url, "--json")
    assert as_json.returncode == 0, as_json.stderr
    path = tmp_path / "from-keys.json"
    path.write_text(as_json.stdout, encoding="utf-8")
    assert run("verify", "--db", database_url, "--trusted-keys", str(path)).returncode == 0


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("verify",),
        ("verify", "--db"),
        ("frobnicate", "--db", "sqlite:///x"),
        ("verify", "--db", "not a url"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr


def test_a_missing_sqlite_file_exits_2_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    result = run("verify", "--db", f"sqlite:///{missing.as_posix()}")
    assert result.returncode == 2
    assert "no SQLite database" in result.stderr
    assert not missing.exists()


def test_a_database_without_the_audit_tables_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    result = run("verify", "--db", f"sqlite:///{empty.as_posix()}")
    assert result.returncode == 2
    assert "cannot read the audit store" in result.stderr


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", "{}", '{"ed25519:0000000000000000": 5}', '{"ed25519:00": "!!"}'],
)
def test_a_malformed_trusted_keys_file_exits_2(
    database_url: str, signer: Ed25519Signer, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "keys.json"
    path.write_text(content, encoding="utf-8")
    result = run("verify", "--db", database_url, "--trusted-keys", str(path))
    assert result.returncode == 2, result.stdout + result.stderr


def test_a_trusted_key_under_a_wrong_id_exits_2(
    database_url: str, signer: Ed25519Signer, tmp_path: Path
) -> None:
    path = tmp_path / "keys.json"
    wrong = base64.b64encode(new_signer().public_key).decode("ascii")
    path.write_text(json.dumps({signer.key_id: wrong}), encoding="utf-8")
    result = run("verify", "--db", database_url, "--trusted-keys", str(path))
    assert result.returncode == 2
    assert "does not belong" in result.stderr


def test_version_still_answers() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("lgsp-audit ")
