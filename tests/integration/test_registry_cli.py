"""`lgsp registry load` and `lgsp registry changes` on a real database."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lgsp.cli.registry_cmd import registry_app
from tests.factories import EXAMPLE_FILE

pytestmark = pytest.mark.storage


@pytest.fixture
def runner(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose settings point at the test database."""
    monkeypatch.setenv("LGSP_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LGSP_DATABASE_URL", database_url)
    return CliRunner()


def test_load_writes_new_secrets_only_to_a_private_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "secrets.yaml"
    result = runner.invoke(registry_app, ["load", str(EXAMPLE_FILE), "--secrets-out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    secrets = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert set(secrets) == {"ioc-dashboard", "hue-s-backend"}
    for secret in secrets.values():
        assert secret not in result.output
    assert "create  member       000.00.00.H57" in result.output
    assert "credential: 2 created" in result.output

    again = runner.invoke(registry_app, ["load", str(EXAMPLE_FILE), "--secrets-out", str(out)])
    assert again.exit_code == 2
    assert "exists" in again.output
    again = runner.invoke(registry_app, ["load", str(EXAMPLE_FILE)])
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
    assert "secret" not in again.output

    history = runner.invoke(registry_app, ["changes", "--entity", "credential"])
    assert history.exit_code == 0, history.output
    lines = history.output.splitlines()
    assert len(lines) == 2
    assert all(" cli create credential " in line for line in lines)
    full = runner.invoke(
        registry_app, ["changes", "--entity", "member", "--key", "000.00.00.H57", "--full"]
    )
    assert full.exit_code == 0, full.output
    assert "before: null" in full.output
    assert '"name": "Ủy ban nhân dân tỉnh Thừa Thiên Huế"' in full.output


def test_without_a_secrets_file_new_secrets_are_printed_once(runner: CliRunner) -> None:
    result = runner.invoke(registry_app, ["load", str(EXAMPLE_FILE)])
    assert result.exit_code == 0, result.output
    assert "shown this once" in result.output
    assert "ioc-dashboard  " in result.output


def test_a_bad_file_is_refused_with_every_problem(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nsystems:\n  - {id: nope, name: x}\n", encoding="utf-8")
    result = runner.invoke(registry_app, ["load", str(bad)])
    assert result.exit_code == 2
    assert "/systems/0/id" in result.output
    history = runner.invoke(registry_app, ["changes"])
    assert history.exit_code == 0
    assert history.output == ""
