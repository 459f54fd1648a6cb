"""The vessel-tracking provider: vessels, their tracks, new position fixes."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from lgsp.demo.providers import vessels
from schemas.catalogue import Catalogue
from schemas.validation import SchemaValidators

EXAMPLES = Path(__file__).parents[3] / "schemas/json/vi-tri-tau-ca/v1.examples.json"
VESSEL = "TTH-90123-TS"


@pytest.fixture
def client() -> TestClient:
    return TestClient(vessels.create_app())


def _fix(time: str = "2024-05-01T09:00:00Z", **changes: object) -> dict[str, Any]:
    fix: dict[str, Any] = {
        "registrationNumber": VESSEL,
        "deviceId": "MOVIMAR-0012345",
        "time": time,
        "latitude": 16.9,
        "longitude": 108.1,
        "speedKnots": 5.5,
        "courseDegrees": 60.0,
    }
    return {**fix, **changes}


def test_vessels_are_listed_with_vietnamese_names_in_nfc(client: TestClient) -> None:
    items = client.get("/vessels").json()["items"]
    assert VESSEL in [v["registrationNumber"] for v in items]
    for vessel in items:
        assert unicodedata.is_normalized("NFC", vessel["name"] + vessel["homePort"])
    assert items[0]["homePort"] == "Cảng cá Thuận An"


def test_every_seeded_fix_matches_the_schema(client: TestClient) -> None:
    schema = SchemaValidators(Catalogue.builtin()).get(vessels.SCHEMA)
    for vessel in vessels.VESSELS:
        track = client.get(f"/vessels/{vessel.registration}/positions").json()["items"]
        assert len(track) == vessels.SEED_FIXES
        for fix in track:
            assert schema.violations(fix) == []


def test_a_track_is_newest_first_filtered_and_limited(client: TestClient) -> None:
    path = f"/vessels/{VESSEL}/positions"
    track = client.get(path, params={"tu": "2024-05-01T01:00:00Z", "den": "2024-05-01T02:00:00Z"})
    assert [f["time"] for f in track.json()["items"]] == [
        "2024-05-01T02:00:00Z",
        "2024-05-01T01:30:00Z",
        "2024-05-01T01:00:00Z",
    ]
    newest = client.get(path, params={"limit": 1}).json()["items"]
    assert newest[0]["time"] == "2024-05-01T05:30:00Z"


@pytest.mark.parametrize(
    "query",
    [
        {"tu": "2024-05-01T10:00:00+07:00"},
        {"tu": "2024-05-01 01:00:00Z"},
        {"tu": "2024-05-01T02:00:00Z", "den": "2024-05-01T01:00:00Z"},
        {"limit": "501"},
        {"since": "2024-05-01T01:00:00Z"},
    ],
)
def test_bad_track_parameters_are_400(client: TestClient, query: dict[str, str]) -> None:
    assert client.get(f"/vessels/{VESSEL}/positions", params=query).status_code == 400


def test_an_unknown_vessel_has_no_track(client: TestClient) -> None:
    assert client.get("/vessels/TTH-00000-TS/positions").status_code == 404


def test_a_posted_fix_joins_the_track_and_a_repeat_is_a_duplicate(client: TestClient) -> None:
    created = client.post("/positions", json=_fix())
    assert (created.status_code, created.json()) == (201, {"accepted": True, "duplicate": False})
    repeat = client.post("/positions", json=_fix(speedKnots=6.0))
    assert (repeat.status_code, repeat.json()["duplicate"]) == (200, True)
    newest = client.get(f"/vessels/{VESSEL}/positions", params={"limit": 1}).json()["items"]
    assert newest == [_fix(speedKnots=6.0)]


def test_invalid_fixes_are_422_naming_each_location(client: TestClient) -> None:
    for case in json.loads(EXAMPLES.read_text(encoding="utf-8"))["invalid"]:
        answer = client.post("/positions", json=case["instance"])
        assert answer.status_code == 422, case["reason"]
        assert {e["pointer"] for e in answer.json()["errors"]} == set(case["failing"])


def test_an_unregistered_vessel_or_device_is_refused(client: TestClient) -> None:
    stranger = client.post("/positions", json=_fix(registrationNumber="QNG-1234-TS"))
    assert [e["pointer"] for e in stranger.json()["errors"]] == ["/registrationNumber"]
    moved = client.post("/positions", json=_fix(deviceId="VX-0004417"))
    assert [e["pointer"] for e in moved.json()["errors"]] == ["/deviceId"]
    assert len(client.get(f"/vessels/{VESSEL}/positions").json()["items"]) == vessels.SEED_FIXES
