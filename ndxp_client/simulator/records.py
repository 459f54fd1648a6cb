"""What the simulator saw: every send and every effect, in memory, bounded, thread-safe.

Tests read them at `GET /_sim/records` and `GET /_sim/effects` to check, from
outside, that a message took effect exactly once. Nothing personal is kept:
services are named by id, requests by their hash, look-ups by the caller's
request id, never by a citizen's number or name.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

Clock = Callable[[], float]
"""Seconds since the epoch; tests pass a fake to move time without sleeping."""


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class SendRecord:
    """One request to a service and how it was answered."""

    seq: int
    time: str
    client: str | None
    service: str
    protocol: str
    message_id: str
    request_hash: str
    duplicate: bool
    status: int | None
    outcome: str
    error: str | None
    fault: str | None


@dataclass(frozen=True, slots=True)
class EffectRecord:
    """One change a request made (a dossier stored, a status applied, a document received...)."""

    seq: int
    time: str
    client: str
    service: str
    message_id: str
    kind: str
    subject: str
    detail: dict[str, str] = field(default_factory=dict)


class RecordStore:
    """The last `limit` sends and effects, oldest first."""

    def __init__(self, *, limit: int, clock: Clock) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._sends: deque[SendRecord] = deque(maxlen=limit)
        self._effects: deque[EffectRecord] = deque(maxlen=limit)
        self._seq = itertools.count(1)

    def add_send(
        self,
        *,
        client: str | None,
        service: str,
        protocol: str,
        message_id: str,
        request_hash: str,
        duplicate: bool,
        status: int | None,
        error: str | None,
        fault: str | None,
    ) -> SendRecord:
        """Record one send; `status=None` means the connection was dropped unanswered."""
        outcome = "dropped" if status is None else "refused" if error else "answered"
        with self._lock:
            record = SendRecord(
                seq=next(self._seq),
                time=_iso(self._clock()),
                client=client,
                service=service,
                protocol=protocol,
                message_id=message_id,
                request_hash=request_hash,
                duplicate=duplicate,
                status=status,
                outcome=outcome,
                error=error,
                fault=fault,
            )
            self._sends.append(record)
        return record

    def add_effect(
        self,
        *,
        client: str,
        service: str,
        message_id: str,
        kind: str,
        subject: str,
        detail: Mapping[str, str] | None = None,
    ) -> EffectRecord:
        """Record one effect."""
        with self._lock:
            record = EffectRecord(
                seq=next(self._seq),
                time=_iso(self._clock()),
                client=client,
                service=service,
                message_id=message_id,
                kind=kind,
                subject=subject,
                detail=dict(detail or {}),
            )
            self._effects.append(record)
        return record

    def sends(self) -> list[dict[str, object]]:
        """Every send kept, oldest first, as JSON-ready dicts."""
        with self._lock:
            return [asdict(r) for r in self._sends]

    def effects(self) -> list[dict[str, object]]:
        """Every effect kept, oldest first, as JSON-ready dicts."""
        with self._lock:
            return [asdict(r) for r in self._effects]

    def reset(self) -> None:
        """Forget everything."""
        with self._lock:
            self._sends.clear()
            self._effects.clear()
