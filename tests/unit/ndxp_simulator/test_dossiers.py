"""The dossier store without HTTP: whole batches, histories, the envelope's checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from ndxp_client.simulator.errors import BadRequest, ServiceFailed
from ndxp_client.simulator.services.base import Call
from ndxp_client.simulator.services.dossiers import DossierStore
from tests.unit.ndxp_simulator import payloads


class Effects(list[tuple[str, str, dict[str, str]]]):
    """Collects what a handler reports."""

    def __call__(self, kind: str, subject: str, detail: Mapping[str, str]) -> None:
        self.append((kind, subject, dict(detail)))


def _call(body: bytes, effects: Effects, content_type: str = "application/json") -> Call:
    return Call("c", "svc", "m", body, content_type, effects)


def test_a_batch_with_one_bad_record_stores_nothing() -> None:
    store, effects = DossierStore(limit=10), Effects()
    records = [payloads.dossier("A"), payloads.dossier("B", NgayHenTra="20250230120000")]
    with pytest.raises(ServiceFailed) as refused:
        store.handle_sync(_call(payloads.envelope("DongBoHoSoMC", records), effects))
    assert refused.value.detail == "/data/1/NgayHenTra: not a valid value"
    assert (store.all(), effects) == ([], [])


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"service": "CapNhatTienDoHoSoMC"}, "/service"),
        ({"isUpdating": True}, "/isUpdating"),
        ({"madonvi": "H57"}, "/madonvi"),
        ({"data": []}, "/data"),
        ({"data": ["x"]}, "/data/0"),
        ({"extra": 1}, "/extra"),
    ],
)
def test_the_envelope_is_checked(change: dict[str, Any], where: str) -> None:
    body = json.loads(payloads.envelope("DongBoHoSoMC", [payloads.dossier()]))
    body.update(change)
    with pytest.raises(ServiceFailed) as refused:
        DossierStore(limit=1).handle_sync(_call(json.dumps(body).encode(), Effects()))
    assert where in refused.value.detail


def test_the_body_must_be_json() -> None:
    with pytest.raises(BadRequest):
        DossierStore(limit=1).handle_sync(_call(b"<xml/>", Effects(), "application/xml"))
    with pytest.raises(BadRequest):
        DossierStore(limit=1).handle_sync(_call(b'{"a": 1, "a": 2}', Effects()))


def test_the_latest_record_is_kept_and_the_oldest_dossier_forgotten_past_the_limit() -> None:
    store, effects = DossierStore(limit=2), Effects()
    for code in ("A", "B"):
        store.handle_sync(
            _call(payloads.envelope("DongBoHoSoMC", [payloads.dossier(code)]), effects)
        )
    updated = payloads.dossier("A", "4", GhiChu="Đã cập nhật")
    store.handle_sync(_call(payloads.envelope("DongBoHoSoMC", [updated], updating=True), effects))
    record = store.get("A")
    assert record is not None
    assert (record["status"], record["record"]["GhiChu"]) == ("4", "Đã cập nhật")  # type: ignore[index]
    assert [k for k, _, _ in effects] == ["dossier-stored", "dossier-stored", "dossier-updated"]
    store.handle_sync(_call(payloads.envelope("DongBoHoSoMC", [payloads.dossier("C")]), effects))
    # The oldest stored goes first, updated or not: a bound on memory, not a cache.
    assert [d["MaHoSo"] for d in store.all()] == ["B", "C"]


def test_steps_of_an_unknown_dossier_are_kept_and_said_so() -> None:
    store, effects = DossierStore(limit=5), Effects()
    body = payloads.envelope("CapNhatTienDoHoSoMC", [payloads.step("Z", "4", "20250101000000")])
    store.handle_progress(_call(body, effects))
    assert effects == [
        ("status-applied", "Z", {"status": "4", "at": "20250101000000", "known": "False"})
    ]
