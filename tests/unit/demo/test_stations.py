"""The monitoring-station provider: stations, observation listings, new transmissions."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from lgsp.demo.providers import stations
from schemas.catalogue import Catalogue
from schemas.validation import SchemaValidators

EXAMPLES = Path(__file__).parents[3] / "schemas/json/quan-trac/v1.examples.json"


@pytest.fixture
def client() -> TestClient:
    return TestClient(stations.create_app())


def _transmission(station: str = "HUE-NT01", time: str = "20240316080000") -> dict[str, Any]:
    return {
        "station": station,
        "agency": stations.SO_TNMT,
        "observations": [
            {"parameter": "pH", "value": 6.9, "unit": "", "time": time, "status": "00"},
            {"parameter": "Temp", "value": 28.1, "unit": "°C", "time": time, "status": "00"},
        ],
    }


def test_stations_are_listed_with_vietnamese_names_in_nfc(client: TestClient) -> None:
    items = client.get("/stations").json()["items"]
    assert [s["station"] for s in items] == ["HUE-NT01", "HUE-KK02", "HUE-NM03"]
    for station in items:
        assert unicodedata.is_normalized("NFC", station["name"])
    assert items[0]["name"] == "Trạm quan trắc nước thải tự động khu công nghiệp Phú Bài"


def test_every_listed_transmission_matches_the_schema(client: TestClient) -> None:
    schema = SchemaValidators(Catalogue.builtin()).get(stations.SCHEMA)
    items = client.get("/observations", params={"limit": 500}).json()["items"]
    assert len(items) == 3 * 24
    for document in items:
        assert schema.violations(document) == []
        assert len({o["time"] for o in document["observations"]}) == 1


def test_the_listing_filters_by_station_and_time_newest_first(client: TestClient) -> None:
    found = client.get(
        "/observations",
        params={"station": "HUE-KK02", "tu": "20240315060000", "den": "20240315083000"},
    ).json()
    times = [d["observations"][0]["time"] for d in found["items"]]
    assert times == ["20240315080000", "20240315070000", "20240315060000"]
    assert {d["station"] for d in found["items"]} == {"HUE-KK02"}
    assert found["count"] == 3


def test_a_day_alone_covers_the_whole_day_and_limit_keeps_the_newest(client: TestClient) -> None:
    whole_day = client.get("/observations", params={"station": "HUE-NM03", "den": "20240315"})
    assert whole_day.json()["count"] == 24
    newest = client.get("/observations", params={"station": "HUE-NM03", "limit": 2}).json()
    assert [d["observations"][0]["time"] for d in newest["items"]] == [
        "20240315230000",
        "20240315220000",
    ]


def test_the_seed_shows_calibration_and_a_device_error(client: TestClient) -> None:
    three = client.get(
        "/observations",
        params={"station": "HUE-NT01", "tu": "20240315030000", "den": "20240315030000"},
    ).json()["items"][0]
    assert {o["status"] for o in three["observations"]} == {"01"}
    two_pm = client.get(
        "/observations",
        params={"station": "HUE-KK02", "tu": "20240315140000", "den": "20240315140000"},
    ).json()["items"][0]
    pm10 = next(o for o in two_pm["observations"] if o["parameter"] == "PM10")
    assert (pm10["status"], pm10["value"]) == ("02", 0.0)


def test_the_seed_is_the_same_on_every_start() -> None:
    assert stations.seed_records() == stations.seed_records()
    first = TestClient(stations.create_app()).get("/observations").json()
    second = TestClient(stations.create_app()).get("/observations").json()
    assert first == second


@pytest.mark.parametrize(
    "query",
    [
        {"station": "HUE-XX99"},
        {"tu": "20240231"},
        {"tu": "2024-03-15"},
        {"tu": "20240316", "den": "20240315"},
        {"limit": "0"},
        {"stationn": "HUE-NT01"},
    ],
)
def test_bad_listing_parameters_are_refused(client: TestClient, query: dict[str, str]) -> None:
    answer = client.get("/observations", params=query)
    assert answer.status_code == (404 if "station" in query else 400)


def test_a_posted_transmission_is_listed_and_a_repeat_replaces_it(client: TestClient) -> None:
    created = client.post("/observations", json=_transmission())
    assert created.status_code == 201
    assert created.json() == {"accepted": 2}
    repeat = _transmission()
    repeat["observations"][0]["value"] = 7.0
    assert client.post("/observations", json=repeat).status_code == 201
    found = client.get("/observations", params={"station": "HUE-NT01", "tu": "20240316"}).json()
    assert found["count"] == 1
    (document,) = found["items"]
    assert document["observations"] == sorted(repeat["observations"], key=lambda o: o["parameter"])


def test_invalid_transmissions_are_422_naming_each_location(client: TestClient) -> None:
    for case in json.loads(EXAMPLES.read_text(encoding="utf-8"))["invalid"]:
        answer = client.post("/observations", json=case["instance"])
        assert answer.status_code == 422, case["reason"]
        assert {e["pointer"] for e in answer.json()["errors"]} == set(case["failing"])


def test_an_unknown_station_or_another_agency_is_refused(client: TestClient) -> None:
    unknown = client.post("/observations", json=_transmission(station="HUE-XX99"))
    assert [e["pointer"] for e in unknown.json()["errors"]] == ["/station"]
    other = {**_transmission(), "agency": "000.00.05.H57"}
    assert [e["pointer"] for e in client.post("/observations", json=other).json()["errors"]] == [
        "/agency"
    ]
    assert client.get("/observations", params={"tu": "20240316"}).json()["count"] == 0
