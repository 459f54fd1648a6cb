"""A brute-force brake: too many failures from one address within a window, and it must wait.

In memory and per process, so N processes allow N times the limit: it slows
guessing down, it is not an exact quota. The map is bounded; when full, the
address whose last failure is oldest is forgotten first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class FailureBrake:
    """Counts failures per key in a sliding window and refuses keys that reached the limit."""

    def __init__(
        self,
        *,
        limit: int,
        window_seconds: float = 60.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window_seconds <= 0 or max_keys < 1:
            raise ValueError("limit, window and max_keys must be positive")
        self._limit = limit
        self._window = window_seconds
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        # Ordered by each key's latest failure, oldest first.
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._failures)

    def retry_after(self, key: str) -> int | None:
        """Whole seconds `key` must wait before trying again, or None if it may try now."""
        with self._lock:
            now = self._clock()
            times = self._failures.get(key)
            if times is None:
                return None
            self._prune(times, now)
            if not times:
                del self._failures[key]
                return None
            if len(times) < self._limit:
                return None
            return max(1, math.ceil(times[0] + self._window - now))

    def record_failure(self, key: str) -> None:
        """Count one failure for `key`."""
        with self._lock:
            now = self._clock()
            times = self._failures.get(key)
            if times is None:
                # Only the newest `limit` failures matter for the decision.
                times = deque(maxlen=self._limit)
                self._failures[key] = times
            self._prune(times, now)
            times.append(now)
            self._failures.move_to_end(key)
            self._evict(now)

    def _prune(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self._window:
            times.popleft()

    def _evict(self, now: float) -> None:
        # Keys at the front failed longest ago: drop the expired ones, then the
        # oldest live ones if the map is still over its bound.
        while self._failures:
            _key, times = next(iter(self._failures.items()))
            expired = not times or times[-1] <= now - self._window
            if not expired and len(self._failures) <= self._max_keys:
                return
            self._failures.popitem(last=False)
