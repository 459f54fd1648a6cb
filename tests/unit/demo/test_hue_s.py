"""The Hue-S field-report store: listing filters and pages, reading, creating, answering."""

from __future__ import annotations

import copy
import json
import logging
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from lgsp.demo.providers import hue_s
from lgsp.demo.providers.hue_s_data import SEED_REPORTS, THANH_PHO_HUE
from schemas.catalogue import Catalogue
from schemas.validation import SchemaValidators

EXAMPLES = Path(__file__).parents[3] / "schemas/json/phan-anh-hien-truong/v1.examples.json"


@pytest.fixture
def client() -> TestClient:
    return TestClient(hue_s.create_app())


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _new_report() -> dict[str, Any]:
    report = copy.deepcopy(json.loads(EXAMPLES.read_text(encoding="utf-8"))["valid"][0])
    del report["PhanAnhID"]
    del report["NoiDungTraLoi"], report["NgayTraLoi"]
    return report


def test_every_seeded_report_matches_the_schema_and_is_nfc() -> None:
    schema = SchemaValidators(Catalogue.builtin()).get(hue_s.SCHEMA)
    for report in SEED_REPORTS:
        assert schema.violations(report) == [], report["PhanAnhID"]
        for text in _texts(report):
            assert unicodedata.is_normalized("NFC", text), text
    assert len({r["PhanAnhID"] for r in SEED_REPORTS}) == len(SEED_REPORTS)


def test_the_listing_filters_by_unit_dates_and_answer(client: TestClient) -> None:
    answer = client.get(
        "/reports",
        params={"don_vi": THANH_PHO_HUE, "tu_ngay": "20240310", "den_ngay": "20240320"},
    )
    assert answer.status_code == 200
    ids = [r["PhanAnhID"] for r in answer.json()["items"]]
    expected = sorted(
        (
            r["PhanAnhID"]
            for r in SEED_REPORTS
            if r["DonViThuLy"] == THANH_PHO_HUE and "20240310" <= r["NgayPhanAnh"][:8] <= "20240320"
        ),
        reverse=True,
    )
    assert ids == expected
    assert len(ids) >= 2

    unanswered = client.get("/reports", params={"da_xu_ly": "false", "page_size": 100}).json()
    answered = client.get("/reports", params={"da_xu_ly": "true", "page_size": 100}).json()
    assert all("NoiDungTraLoi" not in r for r in unanswered["items"])
    assert all("NoiDungTraLoi" in r for r in answered["items"])
    assert unanswered["total"] + answered["total"] == len(SEED_REPORTS)
    assert unanswered["total"] > 0
    assert answered["total"] > 0


def test_the_end_date_covers_its_whole_day(client: TestClient) -> None:
    # Report 184212 was made at 08:00 on 28 March: a range ending that day must include it.
    found = client.get("/reports", params={"tu_ngay": "20240328", "den_ngay": "20240328"}).json()
    assert [r["PhanAnhID"] for r in found["items"]] == [184212]


def test_pages_split_the_listing_newest_first(client: TestClient) -> None:
    pages = [
        client.get("/reports", params={"page": n, "page_size": 5}).json() for n in (1, 2, 3, 4)
    ]
    seen = [r["PhanAnhID"] for page in pages for r in page["items"]]
    assert [len(p["items"]) for p in pages] == [5, 5, 2, 0]
    assert all(p["total"] == len(SEED_REPORTS) for p in pages)
    assert len(set(seen)) == len(SEED_REPORTS)
    dates = [r["NgayPhanAnh"] for page in pages for r in page["items"]]
    assert dates == sorted(dates, reverse=True)


def test_listings_leave_the_reporter_out_and_one_report_has_it(client: TestClient) -> None:
    items = client.get("/reports", params={"page_size": 100}).json()["items"]
    assert all("NguoiPhanAnh" not in r for r in items)
    one = client.get("/reports/184201").json()
    assert one["NguoiPhanAnh"]["TaiKhoan"] == "hues-user-58812"


@pytest.mark.parametrize(
    "query",
    [
        {"tu_ngay": "20240230"},  # the shape is right, the calendar is not
        {"den_ngay": "15/03/2024"},
        {"tu_ngay": "20240320", "den_ngay": "20240301"},
        {"don_vi": "000.00.21.h57"},
        {"da_xu_ly": "maybe"},
        {"page": "0"},
        {"page_size": "101"},
        {"page": "\u0661"},  # an Arabic-Indic one is a digit to str.isdigit, not to us
        {"donvi": THANH_PHO_HUE},  # a typo must not silently list everything
    ],
)
def test_bad_listing_parameters_are_400(client: TestClient, query: dict[str, str]) -> None:
    answer = client.get("/reports", params=query)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"


def test_an_unknown_or_malformed_id_is_404(client: TestClient) -> None:
    assert client.get("/reports/1").status_code == 404
    assert client.get("/reports/abc").status_code == 404


def test_a_posted_report_gets_a_new_id_and_reads_back_unchanged(client: TestClient) -> None:
    report = _new_report()
    report["PhanAnhID"] = 7  # a caller's id is replaced by the store's
    created = client.post("/reports", json=report)
    assert created.status_code == 201, created.text
    stored = created.json()
    assert stored["PhanAnhID"] == max(r["PhanAnhID"] for r in SEED_REPORTS) + 1
    assert created.headers["location"] == f"/reports/{stored['PhanAnhID']}"
    assert {k: v for k, v in stored.items() if k != "PhanAnhID"} == {
        k: v for k, v in report.items() if k != "PhanAnhID"
    }
    again = client.post("/reports", json=_new_report()).json()
    assert again["PhanAnhID"] == stored["PhanAnhID"] + 1


def test_vietnamese_text_round_trips_byte_for_byte(client: TestClient) -> None:
    report = _new_report()
    nfc = unicodedata.normalize("NFC", "Ổ gà sâu ở đường Điện Biên Phủ, xe máy suýt ngã")
    nfd = unicodedata.normalize("NFD", "Cây đổ chắn ngang đường Lê Duẩn")
    report["TieuDe"], report["NoiDungPhanAnh"] = nfc, nfd
    body = json.dumps(report, ensure_ascii=False).encode("utf-8")
    created = client.post("/reports", content=body, headers={"Content-Type": "application/json"})
    assert created.status_code == 201
    raw = client.get(f"/reports/{created.json()['PhanAnhID']}").content
    # As sent, in UTF-8 on the wire: neither normalised nor escaped.
    assert nfc.encode("utf-8") in raw
    assert nfd.encode("utf-8") in raw
    assert json.loads(raw)["NoiDungPhanAnh"] == nfd


def test_an_invalid_report_is_422_naming_each_location(client: TestClient) -> None:
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))["invalid"]
    case = next(c for c in examples if "/TepDinhKem/0/Thumbnail" in c["failing"])
    answer = client.post("/reports", json=case["instance"])
    assert answer.status_code == 422
    assert {e["pointer"] for e in answer.json()["errors"]} == set(case["failing"])
    assert client.get("/reports", params={"page_size": 100}).json()["total"] == len(SEED_REPORTS)


def test_a_body_that_is_not_json_is_refused(client: TestClient) -> None:
    not_json = client.post("/reports", content=b"{", headers={"Content-Type": "application/json"})
    form = client.post("/reports", content=b"a=b", headers={"Content-Type": "text/plain"})
    not_object = client.post("/reports", json=[1])
    assert (not_json.status_code, form.status_code, not_object.status_code) == (400, 415, 422)


def test_an_answer_is_recorded_and_the_report_counts_as_processed(client: TestClient) -> None:
    answer = {
        "NoiDungTraLoi": "Đội trật tự đô thị đã tháo dỡ quảng cáo rao vặt.",
        "NgayTraLoi": "20240313100000",
        "TrangThai": 4,
    }
    done = client.patch("/reports/184205", json=answer)
    assert done.status_code == 200, done.text
    assert done.json()["NoiDungTraLoi"] == answer["NoiDungTraLoi"]
    assert done.json()["NguoiPhanAnh"]["TaiKhoan"] == "hues-user-41023"
    processed = client.get("/reports", params={"da_xu_ly": "true", "page_size": 100}).json()
    assert 184205 in [r["PhanAnhID"] for r in processed["items"]]


@pytest.mark.parametrize(
    ("answer", "pointers"),
    [
        ({"NoiDungTraLoi": "Đã xử lý."}, {""}),  # its date is missing
        ({"NoiDungTraLoi": "Đã xử lý.", "NgayTraLoi": "20240230100000"}, {"/NgayTraLoi"}),
        (
            {"NoiDungTraLoi": "Đã xử lý.", "NgayTraLoi": "20240313100000", "TieuDe": "x"},
            {"/TieuDe"},
        ),
        ({"NoiDungTraLoi": " ", "NgayTraLoi": "20240313100000"}, {"/NoiDungTraLoi"}),
    ],
)
def test_a_bad_answer_is_422_and_changes_nothing(
    client: TestClient, answer: dict[str, object], pointers: set[str]
) -> None:
    refused = client.patch("/reports/184205", json=answer)
    assert refused.status_code == 422
    assert {e["pointer"] for e in refused.json()["errors"]} == pointers
    assert "NoiDungTraLoi" not in client.get("/reports/184205").json()


def test_answering_an_unknown_report_is_404(client: TestClient) -> None:
    body = {"NoiDungTraLoi": "Đã xử lý.", "NgayTraLoi": "20240313100000"}
    assert client.patch("/reports/99", json=body).status_code == 404


def test_the_reporter_is_never_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    report = _new_report()
    report["NguoiPhanAnh"] = {"TaiKhoan": "hues-user-secret-77", "HoVaTen": "Phạm Thị Hoa"}
    client.post("/reports", json=report)
    client.post("/reports", json={**report, "ViDo": 300})
    assert "hues-user-secret-77" not in caplog.text
    assert "Phạm Thị Hoa" not in caplog.text


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
