"""The request body every scenario sends: a valid field report padded to about 2 KB."""

from __future__ import annotations

import copy
import json

from schemas.catalogue import Catalogue
from schemas.documents import JSONValue
from schemas.validation import SchemaValidators

SCHEMA_ID = "phan-anh-hien-truong/v1"
TARGET_BYTES = 2048
# Padding goes into the free-text field, which the schema caps at 4000 characters.
PADDED_FIELD = "NoiDungPhanAnh"
FILLER = (
    " Tình trạng kéo dài từ chiều đến tối, nhất là cuối tuần; người đi bộ phải xuống lòng"
    " đường, xe máy dựng kín lối vào trường."
)


def encode(document: JSONValue) -> bytes:
    """Compact UTF-8 JSON, the way a client would send it."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def padded(report: dict[str, JSONValue], *, target_bytes: int = TARGET_BYTES) -> bytes:
    """`report` encoded, its free text lengthened so the body is as close to `target_bytes`
    as whole characters allow (never over it); unchanged if it is already that long."""
    base = report.get(PADDED_FIELD)
    if not isinstance(base, str):
        raise ValueError(f"the report has no text field {PADDED_FIELD}")
    grown = copy.deepcopy(report)
    if len(encode(grown)) >= target_bytes:
        return encode(grown)
    # Every character is at least one byte, so `target_bytes` characters of filler always reach it.
    candidate = base + (FILLER * (target_bytes // len(FILLER) + 1))[:target_bytes]
    # Binary search on the number of filler characters kept: bytes grow with characters.
    low, high = 0, len(candidate) - len(base)
    while low < high:
        middle = (low + high + 1) // 2
        grown[PADDED_FIELD] = candidate[: len(base) + middle]
        if len(encode(grown)) <= target_bytes:
            low = middle
        else:
            high = middle - 1
    grown[PADDED_FIELD] = candidate[: len(base) + low].rstrip() or base
    return encode(grown)


def field_report_body(
    *, target_bytes: int = TARGET_BYTES, catalogue: Catalogue | None = None
) -> bytes:
    """The first shipped valid field report, padded to about `target_bytes`, checked valid."""
    catalogue = catalogue or Catalogue.builtin()
    example = catalogue.examples(SCHEMA_ID).valid[0]
    if not isinstance(example, dict):
        raise ValueError(f"the first example of {SCHEMA_ID} is not an object")
    body = padded(example, target_bytes=target_bytes)
    if not SchemaValidators(catalogue).get(SCHEMA_ID).is_valid(json.loads(body)):
        raise ValueError(f"the padded body no longer matches {SCHEMA_ID}")
    return body
