"""Audit test data: valid drafts with overridable fields, a settable clock, fresh signers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from audit.entry import EntryDraft, digest, format_timestamp
from audit.signing import Ed25519Signer, generate_signing_key

START = dt.datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=dt.UTC)


@dataclasses.dataclass
class FakeClock:
    """A clock that stays where the test puts it."""

    current: dt.datetime = START

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)


def uuid7(n: int) -> str:
    """A valid, deterministic UUIDv7 string, distinct for each `n`."""
    value = (n & ((1 << 48) - 1)) << 80 | 0x7 << 76 | 0b10 << 62 | (n & 0xFFFF)
    return str(uuid.UUID(int=value))


def make_draft(n: int = 1, **overrides: Any) -> EntryDraft:
    """A valid `request` draft, numbered `n`, with `overrides` applied."""
    fields: dict[str, Any] = {
        "kind": "request",
        "exchange_id": uuid7(n),
        "node": "node-1",
        "at": format_timestamp(START + dt.timedelta(seconds=n)),
        "client_id": "c-7f3a9e",
        "client_system_id": "000.00.00.H57:IOC",
        "service_id": "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1",
        "method": "POST",
        "route_template": "/x/{service}/reports/{id}",
        "request_digest": digest(b'{"noi_dung":"..."}'),
        "path_digest": digest(f"/x/reports/{n}".encode()),
    }
    fields.update(overrides)
    return EntryDraft(**fields)


def new_signer() -> Ed25519Signer:
    """A signer with a freshly generated key."""
    return Ed25519Signer.from_raw(generate_signing_key())
