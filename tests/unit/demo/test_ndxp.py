"""The simulator's configuration in the data directory, and the look-up the demo prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgsp.demo.ndxp import CONFIG_FILE, ensure_config, lookup_request
from lgsp.demo.province import DemoFileError
from ndxp_client.simulator.config import DEMO_XROAD_CLIENT, load_config
from ndxp_client.simulator.services.citizens import FOUND, CitizenLookup
from ndxp_client.simulator.services.register import synthetic_register
from schemas.catalogue import Catalogue
from schemas.validation import SchemaValidators


def test_the_configuration_is_generated_once_private_then_reused(tmp_path: Path) -> None:
    first = ensure_config(tmp_path)
    assert first.config_file == tmp_path / CONFIG_FILE
    assert first.config_file.stat().st_mode & 0o077 == 0
    again = ensure_config(tmp_path)
    assert (again.client_id, again.secret, again.citizen) == (
        first.client_id,
        first.secret,
        first.citizen,
    )
    config = load_config(path=first.config_file)
    assert config is not None
    (client,) = [c for c in config.clients if c.xroad_client == DEMO_XROAD_CLIENT]
    assert client.secret.get_secret_value() == first.secret


def test_a_broken_configuration_says_how_to_recover(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(DemoFileError, match=r"remove .* to generate a new one"):
        ensure_config(tmp_path)


def test_the_printed_look_up_is_valid_and_finds_its_citizen(tmp_path: Path) -> None:
    setup = ensure_config(tmp_path)
    request = lookup_request(setup.citizen)
    schema = SchemaValidators(Catalogue.builtin()).get("tra-cuu-cong-dan/v1")
    assert schema.violations(request) == []
    assert len(setup.citizen.birth) == 8  # a full date, not the year alone
    config = load_config(path=setup.config_file)
    assert config is not None
    register = synthetic_register(size=config.register_size, seed=config.register_seed)
    result = CitizenLookup(register).look_up(request)
    assert result.code == FOUND
    assert result.citizen == setup.citizen
