"""Dossier sync to the National Public Service Portal: `DongBoHoSoMC` and `CapNhatTienDoHoSoMC`.

A batch is checked whole before anything is stored, then every record takes
effect. The portal keeps each dossier's latest record and its status history.
Progress steps of one dossier must arrive in the order they happened: a step
whose `ThoiDiemXuLy` is earlier than one already applied is kept in the history
marked out of order, and does not change the current status. Statuses sent
with the dossier itself (`TrangThaiHoSo`) carry no time: they apply as they arrive.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Final

from ndxp_client.simulator.services.base import (
    Answer,
    Call,
    FieldCheck,
    calendar_checker,
    json_answer,
    read_json_object,
)

SYNC_SERVICE_ID: Final = "VN/GOV/000.00.00.G12/DVCQG/dong-bo-ho-so"
PROGRESS_SERVICE_ID: Final = "VN/GOV/000.00.00.G12/DVCQG/cap-nhat-tien-do"
SYNC, PROGRESS = "DongBoHoSoMC", "CapNhatTienDoHoSoMC"

_CODE = re.compile(r"[!-~]{1,100}")
_SESSION = re.compile(r"[!-~]{1,512}")
_AGENCY = re.compile(r"[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}")
_STATUS = re.compile(r"[1-9]|10")
# yyyyMMddHHmmss: the pattern keeps strptime from reading short fields loosely.
_TIME = re.compile(r"[12][0-9]{13}")
_ON_CALENDAR = calendar_checker("%Y%m%d%H%M%S")
_ANY = re.compile(r".+", re.DOTALL)
_ENVELOPE: Final = frozenset({"session", "madonvi", "service", "isUpdating", "data"})
_DOSSIER_TEXT: Final = ("MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "TrichYeuHoSo")
_DOSSIER_MORE: Final = ("HinhThuc", "DonViXuLy")
_LISTS: Final = ("TaiLieuNop", "DanhSachGiayToKetQua", "DanhSachLePhi", "DanhSachHoSoBoSung")
MAX_RECORDS: Final = 100


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One status a dossier was given, and how it arrived."""

    status: str
    at: str | None
    source: str
    in_order: bool
    message_id: str


@dataclass
class Dossier:
    """What the portal holds about one dossier."""

    code: str
    record: dict[str, object] | None = None
    status: str | None = None
    history: list[StatusEvent] = field(default_factory=list)
    latest_step_at: str | None = None

    def as_json(self) -> dict[str, object]:
        """A copy for the control API."""
        return {
            "MaHoSo": self.code,
            "record": copy.deepcopy(self.record),
            "status": self.status,
            "history": [asdict(e) for e in self.history],
        }


def _check_envelope(body: dict[str, object], service: str) -> tuple[bool, list[dict[str, object]]]:
    check = FieldCheck()
    check.string(body, "session", pattern=_SESSION)
    check.string(body, "madonvi", pattern=_AGENCY)
    if body.get("service") != service:
        check.fail(f"/service: must be {service} at this endpoint")
    if body.get("isUpdating") not in ("True", "False"):
        check.fail('/isUpdating: must be "True" or "False"')
    for name in sorted(set(body) - _ENVELOPE):
        check.fail(f"/{name}: unknown member")
    data = body.get("data")
    if not isinstance(data, list) or not 1 <= len(data) <= MAX_RECORDS:
        check.fail(f"/data: a list of 1 to {MAX_RECORDS} records is required")
        data = []
    records: list[dict[str, object]] = []
    for i, record in enumerate(data):
        if not isinstance(record, dict):
            check.fail(f"/data/{i}: a record must be an object")
            continue
        (_check_dossier if service == SYNC else _check_step)(check, record, f"/data/{i}")
        records.append(record)
    check.raise_if_any(f"{service} envelope")
    return body["isUpdating"] == "True", records


def _check_dossier(check: FieldCheck, record: dict[str, object], at: str) -> None:
    check.string(record, "MaHoSo", at=at, pattern=_CODE)
    for name in (*_DOSSIER_TEXT, *_DOSSIER_MORE):
        check.string(record, name, at=at, pattern=_ANY)
    if record.get("LoaiDoiTuong") not in ("1", "2"):
        check.fail(f'{at}/LoaiDoiTuong: must be "1" or "2"')
    for name in ("Email", "SoDienThoai"):
        if not isinstance(record.get(name), str):
            check.fail(f"{at}/{name}: a string is required (it may be empty)")
    for name in ("NgayTiepNhan", "NgayHenTra"):
        check.string(record, name, at=at, pattern=_TIME, accept=_ON_CALENDAR)
    check.string(record, "TrangThaiHoSo", at=at, pattern=_STATUS)
    for name in _LISTS:
        if name in record and not isinstance(record[name], list):
            check.fail(f"{at}/{name}: a list is required")


def _check_step(check: FieldCheck, record: dict[str, object], at: str) -> None:
    check.string(record, "MaHoSo", at=at, pattern=_CODE)
    check.string(record, "NguoiXuLy", at=at, pattern=_ANY)
    check.string(record, "NoiDungXuLy", at=at, pattern=_ANY)
    check.string(record, "ThoiDiemXuLy", at=at, pattern=_TIME, accept=_ON_CALENDAR)
    check.string(record, "TrangThai", at=at, pattern=_STATUS)


class DossierStore:
    """The portal's dossiers, the oldest forgotten past `limit`; thread-safe."""

    def __init__(self, *, limit: int) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._dossiers: OrderedDict[str, Dossier] = OrderedDict()

    def _dossier(self, code: str) -> Dossier:
        dossier = self._dossiers.get(code)
        if dossier is None:
            dossier = self._dossiers[code] = Dossier(code)
            while len(self._dossiers) > self._limit:
                self._dossiers.popitem(last=False)
        return dossier

    def handle_sync(self, call: Call) -> Answer:
        """`DongBoHoSoMC`: store or update each dossier of the batch."""
        updating, data = _check_envelope(read_json_object(call), SYNC)
        with self._lock:
            for record in data:
                code, status = str(record["MaHoSo"]), str(record["TrangThaiHoSo"])
                dossier = self._dossier(code)
                existed = dossier.record is not None
                dossier.record = copy.deepcopy(record)
                dossier.status = status
                dossier.history.append(StatusEvent(status, None, SYNC, True, call.message_id))
                detail = {"status": status, "isUpdating": str(updating)}
                if updating != existed:
                    detail["anomaly"] = (
                        "update of a dossier the portal did not have"
                        if updating
                        else "new dossier the portal already had: replaced"
                    )
                kind = "dossier-updated" if existed else "dossier-stored"
                call.effect(kind, code, detail)
        return json_answer({"error_code": "00", "message": "Thành công", "received": len(data)})

    def handle_progress(self, call: Call) -> Answer:
        """`CapNhatTienDoHoSoMC`: apply each processing step, in time order per dossier."""
        _, data = _check_envelope(read_json_object(call), PROGRESS)
        with self._lock:
            for step in data:
                code, status, at = (str(step[k]) for k in ("MaHoSo", "TrangThai", "ThoiDiemXuLy"))
                dossier = self._dossier(code)
                # yyyyMMddHHmmss strings sort as the times they name.
                in_order = dossier.latest_step_at is None or at >= dossier.latest_step_at
                dossier.history.append(StatusEvent(status, at, PROGRESS, in_order, call.message_id))
                if in_order:
                    dossier.status, dossier.latest_step_at = status, at
                detail = {"status": status, "at": at, "known": str(dossier.record is not None)}
                call.effect("status-applied" if in_order else "status-out-of-order", code, detail)
        return json_answer({"error_code": "00", "message": "Thành công", "received": len(data)})

    def get(self, code: str) -> dict[str, object] | None:
        """One dossier, if held."""
        with self._lock:
            dossier = self._dossiers.get(code)
            return dossier.as_json() if dossier else None

    def all(self) -> list[dict[str, object]]:
        """Every dossier held, oldest first."""
        with self._lock:
            return [d.as_json() for d in self._dossiers.values()]

    def reset(self) -> None:
        """Forget every dossier."""
        with self._lock:
            self._dossiers.clear()
