"""Duplicate detection by message id (`Idempotency-Key`, else `X-Road-Id`) per client.

A repeat with the same request hash gets the first answer back and has no
second effect; a different request under the same id is a conflict. Ids are
remembered once the service answered: a request refused before its effect (by
an injected fault or for bad input) leaves nothing behind, so its retry is new.
Service handlers are synchronous, so a claim is completed or released before
any other request runs: there is never a repeat waiting for a first answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from ndxp_client.simulator.services.base import Answer


@dataclass(frozen=True, slots=True)
class Fresh:
    """The id is new: process the request, then `complete` or `release` it."""


@dataclass(frozen=True, slots=True)
class Replay:
    """The same request was answered before: give `answer` again."""

    answer: Answer


@dataclass(frozen=True, slots=True)
class Conflict:
    """The id was used for a different request."""


Claim = Fresh | Replay | Conflict


@dataclass
class _Entry:
    request_hash: str
    answer: Answer | None = None


class DedupStore:
    """Message ids per client with their request hash and answer; the oldest answered go first."""

    def __init__(self, *, limit: int) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()

    def claim(self, *, client_id: str, key: str, request_hash: str) -> Claim:
        """Claim `key` for a request with `request_hash`."""
        with self._lock:
            entry = self._entries.get((client_id, key))
            if entry is None:
                self._entries[(client_id, key)] = _Entry(request_hash)
                self._evict()
                return Fresh()
            if entry.request_hash != request_hash:
                return Conflict()
            if entry.answer is None:
                # Claimed and not yet answered: only another thread could see this.
                return Conflict()
            return Replay(entry.answer)

    def complete(self, *, client_id: str, key: str, answer: Answer) -> None:
        """Keep `answer` for repeats of the claimed request."""
        with self._lock:
            entry = self._entries.get((client_id, key))
            if entry is not None:
                entry.answer = answer

    def release(self, *, client_id: str, key: str) -> None:
        """Forget a claim whose request took no effect, so a retry is processed anew."""
        with self._lock:
            self._entries.pop((client_id, key), None)

    def reset(self) -> None:
        """Forget every id."""
        with self._lock:
            self._entries.clear()

    def _evict(self) -> None:
        excess = len(self._entries) - self._limit
        victims: list[tuple[str, str]] = []
        # Only answered entries go: dropping an open claim could let its repeat run twice.
        for key, entry in self._entries.items():
            if len(victims) >= excess:
                break
            if entry.answer is not None:
                victims.append(key)
        for key in victims:
            del self._entries[key]
