"""Shared by the simulator's tests: a simulator on loopback, a caller that speaks each scheme,
and payload factories. Callers build their headers with `ndxp_client.protocol`, as the real
client does, so a disagreement between the two sides on the wire shows up here.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr

from ndxp_client import protocol
from ndxp_client.simulator import ClientConfig, SimulatorConfig, create_simulator
from tests.support.servers import free_port

LOOKUP = "VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan"
SYNC = "VN/GOV/000.00.00.G12/DVCQG/dong-bo-ho-so"
PROGRESS = "VN/GOV/000.00.00.G12/DVCQG/cap-nhat-tien-do"
DOCUMENTS = "VN/GOV/000.00.00.G01/TRUC-LIEN-THONG/nhan-van-ban"
SCHEMES = ("oauth2", "hmac", "api-key")

CLIENT = ClientConfig(
    client_id="lgsp-h57",
    secret=SecretStr("s3cret-of-the-province-h57"),
    api_key=SecretStr("api-key-of-h57-0001"),
    xroad_client="VN/GOV/000.00.00.H57/LGSP",
)
OTHER = ClientConfig(
    client_id="qlvb-h49",
    secret=SecretStr("another-secret-of-h49-qn"),
    api_key=SecretStr("api-key-of-h49-0002"),
    xroad_client="VN/GOV/000.00.00.H49/QLVB",
    schemes=frozenset({"oauth2"}),
)


def make_config(**overrides: Any) -> SimulatorConfig:
    """Two clients (the second OAuth2 only), small limits, `overrides` applied."""
    values: dict[str, Any] = {"clients": (CLIENT, OTHER), "register_size": 12}
    values.update(overrides)
    return SimulatorConfig(**values)


@dataclass
class OffsetClock:
    """Real time plus `offset` seconds: tests move the simulator's clock without sleeping."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class RunningSimulator:
    """A simulator served by uvicorn on a loopback port."""

    url: str
    config: SimulatorConfig
    clock: OffsetClock
    http: httpx.Client = field(repr=False)

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A `/_sim` call (with the control token when one is configured)."""
        token = self.config.control_token
        headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
        return self.http.request(method, f"/_sim{path}", headers=headers, **kwargs)

    def records(self) -> list[dict[str, Any]]:
        """Every send recorded."""
        return list(self.control("GET", "/records").json()["records"])

    def effects(self) -> list[dict[str, Any]]:
        """Every effect recorded."""
        return list(self.control("GET", "/effects").json()["effects"])

    def citizens(self) -> list[dict[str, Any]]:
        """The synthetic register."""
        return list(self.control("GET", "/citizens").json()["citizens"])

    def faults(self, **settings: Any) -> None:
        """Set the faults in force."""
        answer = self.control("PUT", "/faults", json=settings)
        assert answer.status_code == 200, answer.text

    def caller(self, client: ClientConfig = CLIENT) -> Caller:
        """A caller authenticating as `client`."""
        return Caller(self, client)


@contextmanager
def running_simulator(
    config: SimulatorConfig | None = None, *, http: str = "auto", loop: str = "auto"
) -> Iterator[RunningSimulator]:
    """Serve a fresh simulator on a free loopback port, in a thread; stopped afterwards."""
    config = config or make_config()
    clock = OffsetClock()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_simulator(config, clock=clock),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            http=http,
            loop=loop,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the simulator did not start")
        time.sleep(0.01)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            yield RunningSimulator(url=url, config=config, clock=clock, http=client)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Caller:
    """Calls services as one configured client, with any of the three schemes."""

    def __init__(self, sim: RunningSimulator, client: ClientConfig) -> None:
        self.sim = sim
        self.client = client
        self._token: str | None = None

    def token(self) -> str:
        """An access token from the simulator's token endpoint (fetched once)."""
        if self._token is None:
            answer = self.sim.http.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(self.client.client_id, self.client.secret.get_secret_value()),
            )
            assert answer.status_code == 200, answer.text
            self._token = str(answer.json()["access_token"])
        return self._token

    def auth_headers(
        self,
        scheme: str,
        *,
        target: str,
        message_id: str,
        body: bytes,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> dict[str, str]:
        """The headers `scheme` puts on a POST of `body` to `target`."""
        ts = int(time.time()) if timestamp is None else timestamp
        key = secret if secret is not None else self.client.secret.get_secret_value()
        if scheme == "oauth2":
            return {"Authorization": f"Bearer {self.token()}"}
        if scheme == "hmac":
            parts = protocol.SignedParts("POST", target, ts, message_id, body)
            return {
                protocol.HMAC_SYSTEM: self.client.system,
                protocol.HMAC_TIMESTAMP: str(ts),
                protocol.HMAC_SIGNATURE: protocol.hmac_signature(key.encode(), parts),
            }
        assert self.client.api_key is not None
        authorization = protocol.timestamped_authorization(
            endpoint=protocol.request_path(target),
            user=self.client.user,
            timestamp=ts,
            secret=key,
        )
        return {
            protocol.API_KEY: self.client.api_key.get_secret_value(),
            protocol.API_TIMESTAMP: str(ts),
            protocol.AUTHORIZATION: authorization,
        }

    def post(
        self,
        target: str,
        body: bytes,
        *,
        scheme: str = "oauth2",
        content_type: str = "application/json",
        message_id: str | None = None,
        idempotency_key: str | None = None,
        extra: dict[str, str] | None = None,
        **auth: Any,
    ) -> httpx.Response:
        """POST `body` to `target` (a path, with any query) as this client."""
        message_id = message_id or str(uuid.uuid4())
        headers = {
            "Content-Type": content_type,
            protocol.CLIENT: self.client.xroad_client,
            protocol.MESSAGE_ID: message_id,
            **self.auth_headers(scheme, target=target, message_id=message_id, body=body, **auth),
        }
        if idempotency_key is not None:
            headers[protocol.IDEMPOTENCY_KEY] = idempotency_key
        headers.update(extra or {})
        return self.sim.http.post(target, content=body, headers=headers)

    def call(self, service_id: str, body: bytes, **kwargs: Any) -> httpx.Response:
        """POST `body` to the REST service `service_id`."""
        return self.post(protocol.service_path(service_id), body, **kwargs)
