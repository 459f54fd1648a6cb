"""Microseconds per validation of a ~2 KB field report: jsonschema-rs (hot path) vs jsonschema.

Run: .venv/bin/python bench/validate.py [--rounds N]
Both validators check the same schema from the same catalogue with formats asserted; the
pure-Python one is the reference, measured in the same run on the same machine. Not a test:
numbers depend on the machine, so nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import copy
import json
import timeit
from collections.abc import Callable

from schemas.catalogue import Catalogue
from schemas.documents import JSONValue
from schemas.reference import ReferenceSchema
from schemas.validation import SchemaValidators

SCHEMA_ID = "phan-anh-hien-truong/v1"


def field_report(catalogue: Catalogue) -> dict[str, JSONValue]:
    """The first shipped field-report example, grown to about 2 KB of UTF-8 JSON."""
    report = copy.deepcopy(catalogue.examples(SCHEMA_ID).valid[0])
    if not isinstance(report, dict):
        raise SystemExit(f"the first example of {SCHEMA_ID} is not an object")
    report["NoiDungPhanAnh"] = (
        "Nhiều quán cà phê đặt bàn ghế kín vỉa hè đoạn trước trường Quốc Học, người đi bộ"
        " phải xuống lòng đường; tình trạng kéo dài từ chiều đến tối, nhất là cuối tuần. "
    ) * 3
    report["TepDinhKem"] = [
        {
            "FileName": f"via-he-le-loi-{n}.jpg",
            "DuongDan": f"https://hues.example.invalid/files/184233/via-he-le-loi-{n}.jpg",
            "Thumbnail": f"https://hues.example.invalid/files/184233/via-he-le-loi-{n}_t.jpg",
        }
        for n in range(4)
    ]
    return report


def per_call_us(call: Callable[[], object], *, rounds: int) -> float:
    """The best of `rounds` timings, in microseconds per call."""
    number, _ = timeit.Timer(call).autorange()
    return min(timeit.repeat(call, number=number, repeat=rounds)) / number * 1e6


def main() -> None:
    """Print the document's size and each validator's time per call."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds; the best counts")
    rounds = parser.parse_args().rounds

    catalogue = Catalogue.builtin()
    document = field_report(catalogue)
    hot = SchemaValidators(catalogue).get(SCHEMA_ID)
    reference = ReferenceSchema(catalogue=catalogue, schema_id=SCHEMA_ID)
    if not (hot.is_valid(document) and reference.is_valid(document)):
        raise SystemExit("the benchmark document must be valid for both validators")
    invalid = copy.deepcopy(document)
    invalid["NgayPhanAnh"] = "20240230083012"
    invalid["DonViThuLy"] = "H57"

    size = len(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    print(f"document: {SCHEMA_ID}, {size} bytes of UTF-8 JSON; best of {rounds} rounds")
    rows = [
        ("jsonschema-rs is_valid (valid doc)", lambda: hot.is_valid(document)),
        ("jsonschema-rs violations (valid doc)", lambda: hot.violations(document)),
        ("jsonschema-rs violations (2 faults)", lambda: hot.violations(invalid)),
        ("jsonschema is_valid (valid doc)", lambda: reference.is_valid(document)),
        ("jsonschema violations (2 faults)", lambda: reference.violations(invalid)),
    ]
    for label, call in rows:
        print(f"{label:<40} {per_call_us(call, rounds=rounds):9.1f} µs")


if __name__ == "__main__":
    main()
