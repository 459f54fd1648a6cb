"""What `lgsp ndxp-sim` prints at start: a demo's secrets, never a configured one's."""

from __future__ import annotations

from pydantic import SecretStr

from lgsp.cli.ndxp_cmd import _describe, _is_loopback
from tests.unit.ndxp_simulator.support import CLIENT, make_config


def test_a_configured_simulator_prints_ids_but_no_secret() -> None:
    config = make_config(control_token=SecretStr("control-token-value"))
    text = _describe(config, url="http://127.0.0.1:9200", generated=False)
    assert CLIENT.client_id in text
    assert CLIENT.xroad_client in text
    assert CLIENT.secret.get_secret_value() not in text
    assert "control-token-value" not in text


def test_a_generated_demo_prints_what_a_developer_needs() -> None:
    config = make_config(control_token=SecretStr("control-token-value"))
    text = _describe(config, url="http://127.0.0.1:9200", generated=True)
    assert CLIENT.secret.get_secret_value() in text
    assert "control-token-value" in text


def test_loopback_hosts() -> None:
    assert [_is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "example")] == [
        True,
        True,
        True,
        False,
        False,
    ]
