"""Reading, validating, generating and writing the simulator's configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ndxp_client.simulator.config import (
    ENV_VAR,
    ConfigError,
    SimulatorConfig,
    config_json,
    demo_config,
    load_config,
    parse_config,
)
from tests.unit.ndxp_simulator.support import CLIENT, OTHER, make_config


def test_written_json_reads_back_equal_with_its_secrets() -> None:
    config = make_config(token_format="jwt", token_lifetime_seconds=60)
    text = config_json(config)
    assert CLIENT.secret.get_secret_value() in text
    assert parse_config(text, origin="test") == config


def test_a_file_wins_over_the_environment_and_neither_gives_none(tmp_path: Path) -> None:
    in_env = make_config(register_size=3)
    in_file = make_config(register_size=5)
    path = tmp_path / "sim.json"
    path.write_text(config_json(in_file), encoding="utf-8")
    env = {ENV_VAR: config_json(in_env)}
    assert load_config(path=path, environ=env) == in_file
    assert load_config(path=None, environ=env) == in_env
    assert load_config(path=None, environ={}) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"clients": []}, "clients"),
        ({"token_lifetime_seconds": 0}, "token_lifetime_seconds"),
        ({"surprise": 1}, "surprise"),
        ({"clients": [{"client_id": "a", "secret": "short", "xroad_client": "A/B/C/D"}]}, "secret"),
        (
            {"clients": [{"client_id": "a", "secret": "x" * 16, "xroad_client": "A/B/C/D"}]},
            "needs an api_key",
        ),
    ],
)
def test_an_invalid_configuration_says_where_without_echoing_secrets(
    change: dict[str, object], message: str
) -> None:
    data = json.loads(config_json(make_config()))
    data.update(change)
    with pytest.raises(ConfigError) as refused:
        parse_config(json.dumps(data), origin="sim.json")
    assert message in str(refused.value)
    assert str(refused.value).startswith("sim.json: ")
    assert CLIENT.secret.get_secret_value() not in str(refused.value)


def test_duplicate_ids_and_api_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="client ids"):
        SimulatorConfig(clients=(CLIENT, CLIENT))
    twin = CLIENT.model_copy(update={"client_id": "twin"})
    with pytest.raises(ValueError, match="API keys"):
        SimulatorConfig(clients=(CLIENT, twin))
    signs_as_other = OTHER.model_copy(update={"hmac_system": CLIENT.client_id})
    with pytest.raises(ValueError, match="HMAC system ids"):
        SimulatorConfig(clients=(CLIENT, signs_as_other))


def test_a_demo_configuration_has_fresh_secrets() -> None:
    first, second = demo_config(), demo_config(with_control_token=True)
    assert first.clients[0].secret != second.clients[0].secret
    assert first.control_token is None
    assert second.control_token is not None
    assert first.clients[0].schemes == {"oauth2", "hmac", "api-key"}
