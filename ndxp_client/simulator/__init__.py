"""A real HTTP server that plays the national platform (NDXP) in development and tests.

`create_simulator(config)` gives the ASGI application; `lgsp ndxp-sim` runs it.
README.md in this folder describes its interface, faults and control API.
"""

from ndxp_client.simulator.app import create_simulator
from ndxp_client.simulator.config import (
    ClientConfig,
    ConfigError,
    SimulatorConfig,
    config_json,
    demo_config,
    load_config,
)
from ndxp_client.simulator.faults import FaultSettings

__all__ = [
    "ClientConfig",
    "ConfigError",
    "FaultSettings",
    "SimulatorConfig",
    "config_json",
    "create_simulator",
    "demo_config",
    "load_config",
]
