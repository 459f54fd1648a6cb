"""What the exchange's own work costs per call, each step alone on one core.

    .venv/bin/python -m bench.floor [--rounds 20000] [--results bench/results/latest.json]

Times, with timeit, the steps every synchronous exchange performs beyond the bare hop
(service path, body parse and validation, the digests, two entry drafts, their canonical
bytes and Ed25519 signatures), using the project's own functions on the benchmark's ~2 KB
field report. Their sum is a floor, before the two durable inserts and the journal's
hand-offs; under load each step costs more (caches are shared with the server, the
upstream and wrk). With `--results`, the floor is set against the budget the 60% goal
leaves: the reference's server CPU per request at 32 connections, times 1/0.6, minus
itself.
"""

from __future__ import annotations

import argparse
import json
import timeit
from collections.abc import Callable
from pathlib import Path

import orjson
from uuid6 import uuid7

from audit.entry import EntryDraft, digest, encode_entry, timestamp
from audit.signing import Ed25519Signer, generate_signing_key
from bench.payload import SCHEMA_ID, field_report_body
from lgsp.exchange.resolve import locate
from schemas.catalogue import Catalogue
from schemas.validation import SchemaValidators

SERVICE_PATH = "/000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports"


def per_call_us(call: Callable[[], object], *, rounds: int) -> float:
    """The best of three timings of `rounds` calls, in µs per call."""
    return min(timeit.repeat(call, number=rounds, repeat=3)) / rounds * 1e6


def steps(rounds: int) -> list[tuple[str, float]]:
    """Each step's cost in µs per exchange (steps done twice per exchange are doubled)."""
    body = field_report_body()
    validator = SchemaValidators(Catalogue.builtin()).get(SCHEMA_ID)
    signer = Ed25519Signer.from_raw(generate_signing_key())
    exchange_id = str(uuid7())

    def draft() -> EntryDraft:
        return EntryDraft(
            kind="request",
            exchange_id=exchange_id,
            node="node-1",
            at=timestamp(),
            method="POST",
            route_template="/reports",
            client_id="c-0123456789abcdef",
            client_system_id="000.00.00.H57:IOC",
            service_id="000.00.00.H57:HUE-S/phan-anh-hien-truong/v1",
            request_digest=digest(body),
            path_digest=digest(SERVICE_PATH.encode()),
        )

    entry = draft()
    data = encode_entry(entry)
    return [
        ("exchange id (UUIDv7)", per_call_us(lambda: str(uuid7()), rounds=rounds)),
        ("service path", per_call_us(lambda: locate(SERVICE_PATH), rounds=rounds)),
        ("parse body (orjson)", per_call_us(lambda: orjson.loads(body), rounds=rounds)),
        (
            "validate (jsonschema-rs)",
            per_call_us(lambda: validator.violations(orjson.loads(body)), rounds=rounds),
        ),
        (
            "digests (body, path)",
            per_call_us(lambda: (digest(body), digest(SERVICE_PATH.encode())), rounds=rounds),
        ),
        ("2 entry drafts", 2 * per_call_us(draft, rounds=rounds)),
        ("2 canonical encodings", 2 * per_call_us(lambda: encode_entry(entry), rounds=rounds)),
        (
            "2 Ed25519 signatures",
            2 * per_call_us(lambda: signer.sign(data), rounds=max(1, rounds // 4)),
        ),
    ]


def main() -> None:
    """Print each step, the sum, and (with --results) the 60% budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    parser.add_argument("--results", type=Path, default=None)
    arguments = parser.parse_args()
    measured = steps(arguments.rounds)
    label = "floor (sum, one core, no load)"
    width = max(len(label), *(len(name) for name, _ in measured))
    for name, us in measured:
        print(f"{name:<{width}}  {us:8.1f} µs")
    total = sum(us for _, us in measured)
    print(f"{label:<{width}}  {total:8.1f} µs")
    if arguments.results is not None:
        document = json.loads(arguments.results.read_text(encoding="utf-8"))
        reference = [
            p for p in document["points"] if p["scenario"] == "reference" and p["connections"] == 32
        ]
        for point in reference:
            own = float(point["server_cpu_us_per_request"])
            budget = own / 0.6 - own
            print(
                f"{point['store']}, {point['workers']} worker(s): reference {own:.0f} µs per "
                f"request; 60% leaves {budget:.0f} µs for the exchange's own work "
                f"(the floor above is {total / budget:.1f}x that)"
            )


if __name__ == "__main__":
    main()
