"""Citizen look-up in the national population database (`TraCuuThongTinCongDan`).

The caller names a citizen by number, full name and date of birth, all of which
must match the register. The answer is always 200 with a result code:
`00` found (with the citizen), `01` no citizen has that number, `02` the number
exists but the name or date of birth does not match (nothing is disclosed).
REST and SOAP share this module; only the envelope differs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ndxp_client.simulator.services.base import (
    Answer,
    Call,
    FieldCheck,
    calendar_checker,
    json_answer,
    read_json_object,
)
from ndxp_client.simulator.services.register import Citizen, nfc

SERVICE_ID: Final = "VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan"
OPERATION: Final = "TraCuuThongTinCongDan"

FOUND, NOT_FOUND, MISMATCH = "00", "01", "02"
_DESCRIPTIONS: Final = {
    FOUND: "Tìm thấy thông tin công dân",
    NOT_FOUND: "Không tìm thấy công dân có số định danh này",
    MISMATCH: "Thông tin công dân không khớp với số định danh",
}
_PATTERNS: Final = {
    "MaYeuCau": re.compile(r"[A-Za-z0-9._:-]{1,64}"),
    "MaDVC": re.compile(r"[!-~]{1,100}"),
    "MaTichHop": re.compile(r"[0-9]{3}"),
    "MaCanBo": re.compile(r"[!-~]{1,100}"),
    "MaDonVi": re.compile(r"[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}"),
    "SoDinhDanh": re.compile(r"[0-9]{12}"),
    "HoVaTen": re.compile(r".{1,100}", re.DOTALL),
    "NgayThangNamSinh": re.compile(r"[12][0-9]{3}(?:[0-9]{4})?"),
}


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The outcome of one look-up."""

    request_id: str
    code: str
    citizen: Citizen | None

    @property
    def description(self) -> str:
        """The result code in words (Vietnamese, as the platform says it)."""
        return _DESCRIPTIONS[self.code]

    def as_json(self) -> dict[str, object]:
        """The REST answer body."""
        return {
            "MaYeuCau": self.request_id,
            "MaKetQua": self.code,
            "MoTaKetQua": self.description,
            "CongDan": self.citizen.as_json() if self.citizen else None,
        }


def _same_name(a: str, b: str) -> bool:
    # Names compare in NFC, case-insensitively, with runs of spaces as one: callers type them.
    return " ".join(nfc(a).casefold().split()) == " ".join(nfc(b).casefold().split())


def _same_birth(asked: str, registered: str) -> bool:
    # When either side knows the year alone, the year is all that can be compared.
    if len(asked) == 4 or len(registered) == 4:
        return asked[:4] == registered[:4]
    return asked == registered


_A_DAY = calendar_checker("%Y%m%d")


def _birth_date(value: str) -> bool:
    return len(value) == 4 or _A_DAY(value)


class CitizenLookup:
    """The look-up service over a register."""

    def __init__(self, register: tuple[Citizen, ...]) -> None:
        self._by_number = {c.number: c for c in register}

    @property
    def register(self) -> tuple[Citizen, ...]:
        """Everyone in the register."""
        return tuple(self._by_number.values())

    def look_up(self, fields: Mapping[str, object]) -> LookupResult:
        """The result for the request `fields`; `ServiceFailed` naming every bad member."""
        check = FieldCheck()
        values = {
            name: check.string(
                fields, name, pattern=p, accept=_birth_date if name == "NgayThangNamSinh" else None
            )
            for name, p in _PATTERNS.items()
        }
        for name in sorted(set(fields) - set(_PATTERNS)):
            check.fail(f"/{name}: unknown member")
        birth = values["NgayThangNamSinh"]
        check.raise_if_any("look-up request")
        request_id = str(values["MaYeuCau"])
        citizen = self._by_number.get(str(values["SoDinhDanh"]))
        if citizen is None:
            return LookupResult(request_id, NOT_FOUND, None)
        if not (
            _same_name(str(values["HoVaTen"]), citizen.full_name)
            and _same_birth(str(birth), citizen.birth)
        ):
            return LookupResult(request_id, MISMATCH, None)
        return LookupResult(request_id, FOUND, citizen)

    def answer(self, call: Call, fields: Mapping[str, object]) -> LookupResult:
        """Look up and record the effect (by request id and result: nothing personal)."""
        result = self.look_up(fields)
        call.effect("lookup-answered", result.request_id, {"result": result.code})
        return result

    def handle(self, call: Call) -> Answer:
        """The REST service: a JSON request, a JSON answer."""
        return json_answer(self.answer(call, read_json_object(call)).as_json())
