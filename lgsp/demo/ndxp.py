"""The national platform in the demo: the simulator's configuration, kept in the data directory.

The configuration (its clients and their secrets) is generated on the first start and reused,
so the exchange's NDXP secret stays the same from one start to the next. The exchange reads
that secret from the environment variable the NDXP services' options name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lgsp.demo.province import DemoFileError, write_private
from ndxp_client.simulator import (
    ConfigError,
    SimulatorConfig,
    config_json,
    demo_config,
    load_config,
)
from ndxp_client.simulator.config import DEMO_XROAD_CLIENT
from ndxp_client.simulator.services.register import Citizen, synthetic_register

CONFIG_FILE = "ndxp-sim.json"
SECRET_ENV = "LGSP_NDXP_SECRET"  # the `secret_env` of the NDXP services in province.yaml


@dataclass(frozen=True, slots=True)
class NdxpSetup:
    """The simulator's configuration file and what the exchange needs from it."""

    config_file: Path
    client_id: str
    secret: str
    citizen: Citizen


def ensure_config(data_dir: Path) -> NdxpSetup:
    """The simulator's configuration in `data_dir`, generated (mode 0600) if there is none."""
    path = data_dir / CONFIG_FILE
    if not path.exists():
        write_private(path, config_json(demo_config()))
    try:
        config = load_config(path=path)
    except ConfigError as exc:
        raise DemoFileError(f"{exc}; remove {path} to generate a new one") from None
    assert config is not None  # a path was given
    client = next((c for c in config.clients if c.xroad_client == DEMO_XROAD_CLIENT), None)
    if client is None:
        raise DemoFileError(f"{path} has no client {DEMO_XROAD_CLIENT}; remove it to regenerate")
    return NdxpSetup(
        config_file=path,
        client_id=client.client_id,
        secret=client.secret.get_secret_value(),
        citizen=sample_citizen(config),
    )


def sample_citizen(config: SimulatorConfig) -> Citizen:
    """A citizen of the simulator's register whose full date of birth is known."""
    register = synthetic_register(size=config.register_size, seed=config.register_seed)
    return next((c for c in register if len(c.birth) == 8), register[0])


def lookup_request(citizen: Citizen) -> dict[str, str]:
    """A `tra-cuu-cong-dan/v1` request for `citizen`, as a one-stop-shop officer sends it."""
    return {
        "MaYeuCau": "demo-tra-cuu-1",
        "MaDVC": "1.011442",
        "MaTichHop": "037",
        "MaCanBo": "cb.motcua.0001",
        "MaDonVi": "000.00.21.H57",
        "SoDinhDanh": citizen.number,
        "HoVaTen": citizen.full_name,
        "NgayThangNamSinh": citizen.birth,
    }
