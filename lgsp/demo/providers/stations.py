"""Environment monitoring stations: the stations, their observations (`quan-trac/v1`), new ones.

Observations are kept as records (station, parameter, time); a listing groups them back into
transmissions, one `quan-trac/v1` document per station and time. Seeded with one day of hourly
readings computed from fixed curves, so every start serves the same values.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lgsp.demo.providers.http import (
    ProviderError,
    compact_parameter,
    int_parameter,
    json_body,
    json_response,
    make_app,
    ordered,
    unknown_parameters,
    validated,
)

SCHEMA = "quan-trac/v1"
SO_TNMT = "000.00.12.H57"  # Sở Tài nguyên và Môi trường operates every station here
SEED_DAY = "20240315"
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Parameter:
    """One measured parameter of a station and its seeded daily curve."""

    symbol: str
    unit: str
    base: float
    swing: float


@dataclass(frozen=True, slots=True)
class Station:
    """A monitoring station."""

    code: str
    name: str
    kind: str
    latitude: float
    longitude: float
    parameters: tuple[Parameter, ...]

    def describe(self) -> dict[str, Any]:
        """The station as `GET /stations` lists it."""
        return {
            "station": self.code,
            "name": self.name,
            "kind": self.kind,
            "agency": SO_TNMT,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "parameters": [{"parameter": p.symbol, "unit": p.unit} for p in self.parameters],
        }


STATIONS: tuple[Station, ...] = (
    Station(
        "HUE-NT01",
        "Trạm quan trắc nước thải tự động khu công nghiệp Phú Bài",
        "Nước thải",
        16.3989,
        107.6871,
        (
            Parameter("pH", "", 7.1, 0.3),
            Parameter("TSS", "mg/L", 18.0, 6.0),
            Parameter("COD", "mg/L", 36.0, 12.0),
            Parameter("NH4", "mg/L", 0.4, 0.2),
            Parameter("Flow", "m3/h", 125.0, 40.0),
            Parameter("Temp", "°C", 27.0, 2.5),
        ),
    ),
    Station(
        "HUE-KK02",
        "Trạm quan trắc không khí tự động phường Thuận Hòa",
        "Không khí",
        16.4702,
        107.5736,
        (
            Parameter("PM2.5", "µg/Nm3", 32.0, 14.0),
            Parameter("PM10", "µg/Nm3", 55.0, 20.0),
            Parameter("Temp", "°C", 26.0, 4.0),
        ),
    ),
    Station(
        "HUE-NM03",
        "Trạm quan trắc nước mặt sông Hương tại cầu Trường Tiền",
        "Nước mặt",
        16.4688,
        107.5897,
        (
            Parameter("pH", "", 7.4, 0.2),
            Parameter("DO", "mg/L", 6.2, 0.8),
            Parameter("TSS", "mg/L", 22.0, 8.0),
            Parameter("Temp", "°C", 25.5, 2.0),
        ),
    ),
)
# Where the seed shows a station calibrating ("01") or a device error ("02", value 0).
_CALIBRATING = {("HUE-NT01", 3)}
_DEVICE_ERROR = {("HUE-KK02", "PM10", 14)}


def seed_records() -> list[tuple[str, dict[str, Any]]]:
    """(station, record) for every hour of the seeded day."""
    records = []
    for station in STATIONS:
        for hour in range(24):
            time = f"{SEED_DAY}{hour:02d}0000"
            for index, p in enumerate(station.parameters):
                value = round(p.base + p.swing * math.sin((hour + 3 * index) * math.pi / 12), 2)
                status = "01" if (station.code, hour) in _CALIBRATING else "00"
                if (station.code, p.symbol, hour) in _DEVICE_ERROR:
                    value, status = 0.0, "02"
                record = {
                    "parameter": p.symbol,
                    "value": value,
                    "unit": p.unit,
                    "time": time,
                    "status": status,
                }
                records.append((station.code, record))
    return records


class ObservationStore:
    """Records by (station, parameter, time): a record sent again replaces the one before."""

    def __init__(self, *, seed: bool = True) -> None:
        self._stations = {s.code: s for s in STATIONS}
        self._records: dict[tuple[str, str, str], dict[str, Any]] = {}
        for code, record in seed_records() if seed else ():
            self._put(code, record)

    def stations(self) -> list[dict[str, Any]]:
        """Every station."""
        return [s.describe() for s in self._stations.values()]

    def _put(self, station: str, record: dict[str, Any]) -> None:
        self._records[(station, record["parameter"], record["time"])] = copy.deepcopy(record)

    def add(self, document: dict[str, Any]) -> int:
        """Store one transmission (a `quan-trac/v1` document); the number of records kept."""
        validated(document, schema_id=SCHEMA)
        code = document["station"]
        if code not in self._stations:
            raise ProviderError(
                422,
                "unknown station",
                errors=[{"pointer": "/station", "detail": "is not a station"}],
            )
        if document.get("agency", SO_TNMT) != SO_TNMT:
            raise ProviderError(
                422,
                "the station belongs to another agency",
                errors=[{"pointer": "/agency", "detail": "is not its operator"}],
            )
        for record in document["observations"]:
            self._put(code, record)
        return len(document["observations"])

    def transmissions(
        self, *, station: str | None, since: str | None, until: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """The newest `limit` transmissions in [since, until], newest first."""
        if station is not None and station not in self._stations:
            raise ProviderError(404, "no such station")
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for (code, _parameter, time), record in self._records.items():
            if (
                (station is None or code == station)
                and (since is None or time >= since)
                and (until is None or time <= until)
            ):
                grouped.setdefault((time, code), []).append(copy.deepcopy(record))
        newest = sorted(grouped, reverse=True)[:limit]
        return [
            {
                "station": code,
                "agency": SO_TNMT,
                "observations": sorted(grouped[(time, code)], key=lambda r: r["parameter"]),
            }
            for time, code in newest
        ]


def create_app(store: ObservationStore | None = None) -> Starlette:
    """The monitoring-station provider over `store` (a freshly seeded one by default)."""
    observations = store if store is not None else ObservationStore()

    async def list_stations(_request: Request) -> Response:
        return json_response({"items": observations.stations()})

    async def list_observations(request: Request) -> Response:
        unknown_parameters(request, allowed={"station", "tu", "den", "limit"})
        since = compact_parameter(request, "tu", end_of_day=False)
        until = compact_parameter(request, "den", end_of_day=True)
        ordered(since, until, names="tu/den")
        found = observations.transmissions(
            station=request.query_params.get("station"),
            since=since,
            until=until,
            limit=int_parameter(request, "limit", default=24, minimum=1, maximum=MAX_LIMIT),
        )
        return json_response({"items": found, "count": len(found)})

    async def post_observations(request: Request) -> Response:
        kept = observations.add(await json_body(request))
        return json_response({"accepted": kept}, status=201)

    return make_app(
        [
            Route("/stations", list_stations, methods=["GET"]),
            Route("/observations", list_observations, methods=["GET"]),
            Route("/observations", post_observations, methods=["POST"]),
        ]
    )
