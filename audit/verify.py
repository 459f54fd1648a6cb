"""The offline verifier: every stored entry against its signature, its hash and its copies.

It needs only a database connection. Keys come from the auditor's pinned
set when given; otherwise from the store's own `audit_keys`, which proves the
entries are consistent but not that the operator did not re-sign them, and
the report says so.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from typing import Final, Literal

from sqlalchemy import Connection

from audit.entry import decode_entry
from audit.errors import InvalidEntry, InvalidKey, SignatureInvalid, UnknownKey
from audit.query import EntryRecord, iter_entries, list_keys
from audit.signing import ALGORITHM, Verifier, check_key_id
from audit.tables import COPIED_FIELDS

KeySource = Literal["trusted-keys", "store"]
# Enough to locate the damage without unbounded memory on a log rewritten wholesale.
MAX_PROBLEMS: Final = 100


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong: the entry id (None for a key), what is wrong, and a detail."""

    entry_id: int | None
    what: str
    detail: str

    def describe(self) -> str:
        """One line naming the entry (or key) and the fault."""
        if self.entry_id is None:
            return f"{self.what}: {self.detail}"
        return f"entry {self.entry_id}: {self.what}: {self.detail}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VerifyReport:
    """How many entries were checked, which were bad and why, and where the keys came from."""

    checked: int
    bad_entries: int
    problems: tuple[Problem, ...]
    key_source: KeySource
    key_ids: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether every entry and every key checked out."""
        return not self.problems

    @property
    def first_bad(self) -> Problem | None:
        """The first problem found with an entry, in id order."""
        return next((p for p in self.problems if p.entry_id is not None), None)

    def summary(self) -> list[str]:
        """Human-readable lines: the verdict, the count, the key source, then the problems."""
        verdict = "OK" if self.ok else "FAILED"
        lines = [f"{verdict}: {self.checked} entries checked, {self.bad_entries} bad"]
        if self.key_source == "trusted-keys":
            lines.append(f"keys: {len(self.key_ids)} pinned by the auditor (--trusted-keys)")
        else:
            lines.append(
                f"keys: {len(self.key_ids)} read from the store being verified "
                "(this shows consistency, not who signed; pin keys with --trusted-keys)"
            )
        lines.extend(problem.describe() for problem in self.problems)
        if self.bad_entries and len(self.problems) >= MAX_PROBLEMS:
            lines.append(f"(only the first {MAX_PROBLEMS} problems are listed)")
        return lines


def verify_store(
    connection: Connection, *, trusted_keys: Mapping[str, bytes] | None = None
) -> VerifyReport:
    """Check every entry in id order; InvalidKey when a trusted key does not match its id."""
    problems: list[Problem] = []
    if trusted_keys is not None:
        verifier = Verifier(trusted_keys)
        source: KeySource = "trusted-keys"
    else:
        verifier = Verifier(_store_keys(connection, problems))
        source = "store"
    checked = bad = 0
    for record in iter_entries(connection):
        checked += 1
        found = check_entry(record, verifier=verifier)
        if found:
            bad += 1
            problems.extend(found[: MAX_PROBLEMS - len(problems)])
    return VerifyReport(
        checked=checked,
        bad_entries=bad,
        problems=tuple(problems),
        key_source=source,
        key_ids=tuple(sorted(verifier.key_ids)),
    )


def check_entry(record: EntryRecord, *, verifier: Verifier) -> list[Problem]:
    """Everything wrong with one stored entry (empty when it is sound)."""
    problems: list[Problem] = []

    def fault(what: str, detail: str) -> None:
        problems.append(Problem(record.id, what, detail))

    if hashlib.sha256(record.entry_bytes).digest() != record.entry_hash:
        fault("hash", "entry_hash is not the SHA-256 of entry_bytes")
    try:
        verifier.verify(record.entry_bytes, key_id=record.key_id, signature=record.signature)
    except UnknownKey:
        fault("unknown-key", f"no trusted key has id {record.key_id}")
    except SignatureInvalid:
        fault("signature", f"signature does not verify under {record.key_id}")
    try:
        signed = decode_entry(record.entry_bytes)
    except InvalidEntry as exc:
        fault("bytes", str(exc))
        return problems
    for name in COPIED_FIELDS:
        column, field = getattr(record, name), getattr(signed, name)
        # Type too: a column that reads back as "200" where 200 was signed is a copy gone wrong.
        if type(column) is not type(field) or column != field:
            fault(f"column {name}", f"the {name} column differs from the signed entry")
    return problems


def _store_keys(connection: Connection, problems: list[Problem]) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for key in list_keys(connection):
        try:
            if key.algorithm != ALGORITHM:
                raise InvalidKey(f"algorithm {key.algorithm} is not supported")
            check_key_id(key.key_id, key.public_key)
        except InvalidKey as exc:
            # Left out of the key map, so the entries it signed fail as unknown-key too.
            problems.append(Problem(None, "key", f"{key.key_id}: {exc}"))
            continue
        keys[key.key_id] = key.public_key
    return keys
