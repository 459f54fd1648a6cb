"""The registry the benchmarks load, and where PostgreSQL keeps it. Pure."""

from __future__ import annotations

import yaml

HUE = "000.00.00.H57"
SERVICE = f"{HUE}:HUE-S/phan-anh-hien-truong/v1"
CLIENT_SYSTEM = f"{HUE}:HUE-S"
CLIENT_ID = "bench-hue-s"
# What wrk calls on the exchange: POST a field report to the provider's /reports.
PATH = f"/x/{SERVICE}/reports"


def registry_document(upstream_url: str) -> str:
    """One REST service with the field-report request schema at the upstream, one rule letting
    Hue-S POST `/reports`, one credential with the `exchange` scope."""
    document = {
        "version": 1,
        "members": [{"code": HUE, "name": "Ủy ban nhân dân tỉnh Thừa Thiên Huế"}],
        "systems": [{"id": CLIENT_SYSTEM, "name": "Hue-S"}],
        "services": [
            {
                "id": SERVICE,
                "name": "Phản ánh hiện trường",
                "adapter": "rest",
                "adapter_options": {"base_url": upstream_url},
                "request_schema": "phan-anh-hien-truong/v1",
                "timeout_seconds": 10,
            }
        ],
        "access_rules": [
            {
                "client_system_id": CLIENT_SYSTEM,
                "service_id": SERVICE,
                "method": "POST",
                "path_template": "/reports",
            }
        ],
        "credentials": [
            {"client_id": CLIENT_ID, "system_id": CLIENT_SYSTEM, "scopes": ["exchange"]}
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def schema_url(base: str, schema: str) -> str:
    """`base` with its PostgreSQL search path set to `schema` (as tests/conftest.py does)."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"
