"""Settings come from the environment and an optional TOML file, never at import."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from lgsp.settings import Settings


def test_defaults_are_the_embedded_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LGSP_DATA_DIR", "LGSP_DATABASE_URL", "LGSP_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.resolved_database_url == "sqlite:///var/lgsp.sqlite3"
    assert settings.resolved_keys_dir == Path("var/keys")
    assert settings.sqlite_synchronous == "FULL"
    assert settings.token_lifetime_seconds <= 300


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LGSP_PORT", "9099")
    monkeypatch.setenv("LGSP_DATABASE_URL", "postgresql+psycopg://u@h/db")
    settings = Settings()
    assert settings.port == 9099
    assert settings.resolved_public_url == "http://127.0.0.1:9099"
    assert settings.resolved_database_url == "postgresql+psycopg://u@h/db"


def test_toml_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "lgsp.toml"
    config.write_text('port = 7000\nnode_id = "hue-1"\n', encoding="utf-8")
    monkeypatch.setenv("LGSP_CONFIG", str(config))
    monkeypatch.setenv("LGSP_PORT", "7001")
    settings = Settings()
    assert settings.node_id == "hue-1"
    assert settings.port == 7001


def test_token_lifetime_is_capped_at_five_minutes() -> None:
    with pytest.raises(ValidationError):
        Settings(token_lifetime_seconds=301)


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(no_such_setting=1)  # type: ignore[call-arg]


def test_production_refuses_a_published_secret() -> None:
    with pytest.raises(ValidationError, match="demo value"):
        Settings(
            environment="production",
            public_url="https://lgsp.example.vn",
            secret_hash_key="change-me",  # type: ignore[arg-type]
        )
    Settings(environment="demo", secret_hash_key="change-me")  # type: ignore[arg-type]


def test_production_needs_an_https_public_url() -> None:
    with pytest.raises(ValidationError, match="https"):
        Settings(environment="production", public_url="http://lgsp.example.vn")
    Settings(environment="production", public_url="https://lgsp.example.vn")


def test_the_journal_has_one_writer_by_default_and_at_least_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().journal_writers == 1
    monkeypatch.setenv("LGSP_JOURNAL_WRITERS", "2")
    assert Settings().journal_writers == 2
    with pytest.raises(ValidationError):
        Settings(journal_writers=0)
