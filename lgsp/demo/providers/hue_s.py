"""The Hue-S field-report store: list, read, create and answer reports (`phan-anh-hien-truong/v1`).

The reporter's account (`NguoiPhanAnh`) is personal data: it is kept and given back to whoever
reads one report, left out of listings, and never logged.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lgsp.demo.providers.http import (
    ProviderError,
    agency_parameter,
    bool_parameter,
    compact_parameter,
    int_parameter,
    json_body,
    json_response,
    make_app,
    ordered,
    unknown_parameters,
    validated,
)
from lgsp.demo.providers.hue_s_data import SEED_REPORTS

SCHEMA = "phan-anh-hien-truong/v1"
ANSWER_FIELDS = frozenset({"NoiDungTraLoi", "NgayTraLoi", "TrangThai"})
MAX_PAGE_SIZE = 100
_LISTING_PARAMETERS = {"don_vi", "tu_ngay", "den_ngay", "da_xu_ly", "page", "page_size"}


def is_processed(report: dict[str, Any]) -> bool:
    """A report counts as processed once the handling unit has answered it."""
    return "NoiDungTraLoi" in report


class ReportStore:
    """Reports by id, in memory; ids are assigned from one past the highest seeded id."""

    def __init__(self, reports: Iterable[dict[str, Any]] = SEED_REPORTS) -> None:
        self._reports = {int(r["PhanAnhID"]): copy.deepcopy(r) for r in reports}
        self._next_id = max(self._reports, default=0) + 1

    def get(self, report_id: int) -> dict[str, Any] | None:
        """One report, reporter included, or None."""
        report = self._reports.get(report_id)
        return copy.deepcopy(report) if report is not None else None

    def find(
        self,
        *,
        unit: str | None = None,
        since: str | None = None,
        until: str | None = None,
        processed: bool | None = None,
    ) -> list[dict[str, Any]]:
        """Reports matching every filter given, newest first, without their reporters.

        `since` and `until` are inclusive `yyyyMMddHHmmss` bounds on `NgayPhanAnh`.
        """
        found = [
            {k: v for k, v in r.items() if k != "NguoiPhanAnh"}
            for r in self._reports.values()
            if (unit is None or r["DonViThuLy"] == unit)
            and (since is None or r["NgayPhanAnh"] >= since)
            and (until is None or r["NgayPhanAnh"] <= until)
            and (processed is None or is_processed(r) == processed)
        ]
        found.sort(key=lambda r: (r["NgayPhanAnh"], r["PhanAnhID"]), reverse=True)
        return copy.deepcopy(found)

    def add(self, report: dict[str, Any]) -> dict[str, Any]:
        """Store a report matching the schema under a new id (its own is replaced); return it."""
        validated(report, schema_id=SCHEMA)
        stored = {**copy.deepcopy(report), "PhanAnhID": self._next_id}
        self._reports[self._next_id] = stored
        self._next_id += 1
        return copy.deepcopy(stored)

    def answer(self, report_id: int, answer: dict[str, Any]) -> dict[str, Any]:
        """Record the handling unit's answer; the answered report must still match the schema."""
        report = self._reports.get(report_id)
        if report is None:
            raise ProviderError(404, f"no report {report_id}")
        unknown = sorted(set(answer) - ANSWER_FIELDS)
        if unknown:
            raise ProviderError(
                422,
                "an answer has only NoiDungTraLoi, NgayTraLoi and TrangThai",
                errors=[
                    {"pointer": f"/{name}", "detail": "is not an answer field"} for name in unknown
                ],
            )
        missing = sorted({"NoiDungTraLoi", "NgayTraLoi"} - set(answer))
        if missing:
            raise ProviderError(
                422,
                "an answer needs its text and its date",
                errors=[{"pointer": "", "detail": f"{name} is missing"} for name in missing],
            )
        updated = {**report, **answer}
        validated(updated, schema_id=SCHEMA)
        self._reports[report_id] = updated
        return copy.deepcopy(updated)


def _report_id(request: Request) -> int:
    text = request.path_params["report_id"]
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ProviderError(404, "a report id is a positive whole number")
    return int(text)


def _body_object(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ProviderError(
            422,
            "the body must be a JSON object",
            errors=[{"pointer": "", "detail": "is not an object"}],
        )
    return body


def create_app(store: ReportStore | None = None) -> Starlette:
    """The Hue-S provider over `store` (a freshly seeded one by default)."""
    reports = store if store is not None else ReportStore()

    async def list_reports(request: Request) -> Response:
        unknown_parameters(request, allowed=_LISTING_PARAMETERS)
        since = compact_parameter(request, "tu_ngay", end_of_day=False)
        until = compact_parameter(request, "den_ngay", end_of_day=True)
        ordered(since, until, names="tu_ngay/den_ngay")
        page = int_parameter(request, "page", default=1, minimum=1, maximum=1_000_000)
        size = int_parameter(request, "page_size", default=20, minimum=1, maximum=MAX_PAGE_SIZE)
        found = reports.find(
            unit=agency_parameter(request, "don_vi"),
            since=since,
            until=until,
            processed=bool_parameter(request, "da_xu_ly"),
        )
        start = (page - 1) * size
        return json_response(
            {
                "items": found[start : start + size],
                "page": page,
                "page_size": size,
                "total": len(found),
            }
        )

    async def get_report(request: Request) -> Response:
        report = reports.get(_report_id(request))
        if report is None:
            raise ProviderError(404, "no such report")
        return json_response(report)

    async def post_report(request: Request) -> Response:
        body = _body_object(await json_body(request))
        # The store assigns the id; a caller that has none yet may leave it out.
        stored = reports.add({"PhanAnhID": 1, **body})
        return json_response(stored, status=201, location=f"/reports/{stored['PhanAnhID']}")

    async def patch_report(request: Request) -> Response:
        report_id = _report_id(request)
        body = _body_object(await json_body(request))
        return json_response(reports.answer(report_id, body))

    return make_app(
        [
            Route("/reports", list_reports, methods=["GET"]),
            Route("/reports", post_report, methods=["POST"]),
            Route("/reports/{report_id}", get_report, methods=["GET"]),
            Route("/reports/{report_id}", patch_report, methods=["PATCH"]),
        ]
    )
