"""Fishing-vessel tracking: the vessels, their position fixes (`vi-tri-tau-ca/v1`), new fixes.

Seeded with a morning of fixes every 30 minutes along fixed tracks off Thuận An, so every start
serves the same positions.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lgsp.demo.providers.http import (
    ProviderError,
    int_parameter,
    json_body,
    json_response,
    make_app,
    ordered,
    parse_utc,
    unknown_parameters,
    utc_parameter,
    validated,
)

SCHEMA = "vi-tri-tau-ca/v1"
CHI_CUC_THUY_SAN = "000.01.14.H57"  # Chi cục Thủy sản, under Sở Nông nghiệp và PTNT
SEED_START = dt.datetime(2024, 5, 1, 0, 0, tzinfo=dt.UTC)
SEED_FIXES = 12
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Vessel:
    """A registered fishing vessel, its monitoring device and its seeded track."""

    registration: str
    name: str
    device: str
    home_port: str
    length_metres: float
    start: tuple[float, float]
    step: tuple[float, float]
    speed: float
    course: float

    def describe(self) -> dict[str, Any]:
        """The vessel as `GET /vessels` lists it."""
        return {
            "registrationNumber": self.registration,
            "name": self.name,
            "deviceId": self.device,
            "homePort": self.home_port,
            "lengthMetres": self.length_metres,
            "agency": CHI_CUC_THUY_SAN,
        }


VESSELS: tuple[Vessel, ...] = (
    Vessel(
        "TTH-90123-TS",
        "Phú Thuận 01",
        "MOVIMAR-0012345",
        "Cảng cá Thuận An",
        15.6,
        (16.5912, 107.6453),
        (0.0180, 0.0240),
        6.5,
        53.0,
    ),
    Vessel(
        "TTH-90456-TS",
        "Hải Dương 12",
        "MOVIMAR-0012388",
        "Cảng cá Thuận An",
        18.2,
        (16.6120, 107.6201),
        (0.0225, 0.0105),
        7.2,
        25.0,
    ),
    Vessel(
        "TTH-91007-TS",
        "Vinh Hiền 07",
        "VX-0004417",
        "Cảng cá Tư Hiền",
        12.4,
        (16.3735, 107.9722),
        (0.0095, 0.0150),
        4.8,
        58.0,
    ),
    Vessel(
        "TTH-90888-TS",
        "Lăng Cô 03",
        "VX-0004502",
        "Cảng cá Tư Hiền",
        21.0,
        (16.2561, 108.0784),
        (0.0150, -0.0020),
        8.1,
        352.0,
    ),
)


def _utc_text(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_fixes(vessel: Vessel) -> list[dict[str, Any]]:
    """The vessel's seeded morning: one fix every 30 minutes, oldest first."""
    return [
        {
            "registrationNumber": vessel.registration,
            "deviceId": vessel.device,
            "time": _utc_text(SEED_START + dt.timedelta(minutes=30 * n)),
            "latitude": round(vessel.start[0] + vessel.step[0] * n, 4),
            "longitude": round(vessel.start[1] + vessel.step[1] * n, 4),
            "speedKnots": vessel.speed,
            "courseDegrees": vessel.course,
        }
        for n in range(SEED_FIXES)
    ]


class PositionStore:
    """Fixes by vessel and time: a fix sent again for the same time replaces the one before."""

    def __init__(self, *, seed: bool = True) -> None:
        self._vessels = {v.registration: v for v in VESSELS}
        self._fixes: dict[str, dict[dt.datetime, dict[str, Any]]] = {v: {} for v in self._vessels}
        for vessel in VESSELS if seed else ():
            for fix in seed_fixes(vessel):
                self._put(fix)

    def vessels(self) -> list[dict[str, Any]]:
        """Every vessel."""
        return [v.describe() for v in self._vessels.values()]

    def _put(self, fix: dict[str, Any]) -> bool:
        moment = parse_utc(fix["time"])
        assert moment is not None  # the schema took it as RFC 3339 ending in Z
        track = self._fixes[fix["registrationNumber"]]
        new = moment not in track
        track[moment] = copy.deepcopy(fix)
        return new

    def add(self, fix: Any) -> bool:
        """Store one fix matching the schema; whether it was new (not a re-sent one)."""
        validated(fix, schema_id=SCHEMA)
        vessel = self._vessels.get(fix["registrationNumber"])
        if vessel is None:
            raise ProviderError(
                422,
                "unknown vessel",
                errors=[{"pointer": "/registrationNumber", "detail": "is not a registered vessel"}],
            )
        if fix["deviceId"] != vessel.device:
            # A device not registered to the vessel could be moved from another boat.
            raise ProviderError(
                422,
                "the device is not the vessel's",
                errors=[{"pointer": "/deviceId", "detail": "is not registered to this vessel"}],
            )
        return self._put(fix)

    def positions(
        self,
        registration: str,
        *,
        since: dt.datetime | None,
        until: dt.datetime | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """The vessel's newest `limit` fixes within [since, until], newest first."""
        track = self._fixes.get(registration)
        if track is None:
            raise ProviderError(404, "no such vessel")
        moments = sorted(
            (m for m in track if (since is None or m >= since) and (until is None or m <= until)),
            reverse=True,
        )[:limit]
        return [copy.deepcopy(track[m]) for m in moments]


def create_app(store: PositionStore | None = None) -> Starlette:
    """The vessel-tracking provider over `store` (a freshly seeded one by default)."""
    tracking = store if store is not None else PositionStore()

    async def list_vessels(_request: Request) -> Response:
        return json_response({"items": tracking.vessels()})

    async def list_positions(request: Request) -> Response:
        unknown_parameters(request, allowed={"tu", "den", "limit"})
        since, until = utc_parameter(request, "tu"), utc_parameter(request, "den")
        ordered(since, until, names="tu/den")
        registration = request.path_params["registration"]
        found = tracking.positions(
            registration,
            since=since,
            until=until,
            limit=int_parameter(request, "limit", default=48, minimum=1, maximum=MAX_LIMIT),
        )
        return json_response({"registrationNumber": registration, "items": found})

    async def post_position(request: Request) -> Response:
        new = tracking.add(await json_body(request))
        return json_response({"accepted": True, "duplicate": not new}, status=201 if new else 200)

    return make_app(
        [
            Route("/vessels", list_vessels, methods=["GET"]),
            Route("/vessels/{registration}/positions", list_positions, methods=["GET"]),
            Route("/positions", post_position, methods=["POST"]),
        ]
    )
