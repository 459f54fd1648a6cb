"""Test doubles for time: a clock the test moves, and a sleep that only records."""

from __future__ import annotations

import time
from collections.abc import Mapping

from ndxp_client import HmacSignedHeaders, NdxpClient, RetryPolicy, Timeouts
from ndxp_client.auth import AuthScheme
from tests.unit.ndxp_client.national import CLIENT, HMAC_SECRET, HMAC_SYSTEM

QUICK = Timeouts(connect=1.0, read=1.0)


class FakeClock:
    """Wall-clock seconds that move only when the test says so."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


class RecordedSleep:
    """An injectable `sleep` that records each wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def quick_retry(sleep: RecordedSleep, **overrides: float) -> RetryPolicy:
    """A policy with tiny, jitter-free backoff and a recorded sleep."""
    settings: dict[str, float] = {
        "attempts": 3,
        "backoff_seconds": 0.01,
        "max_backoff_seconds": 0.05,
        "jitter_seconds": 0.0,
        "total_seconds": 10.0,
    }
    settings.update(overrides)
    return RetryPolicy(
        attempts=int(settings["attempts"]),
        backoff_seconds=settings["backoff_seconds"],
        max_backoff_seconds=settings["max_backoff_seconds"],
        jitter_seconds=settings["jitter_seconds"],
        total_seconds=settings["total_seconds"],
        sleep=sleep,
    )


def hmac_client(
    url: str,
    *,
    auth: AuthScheme | None = None,
    retry: RetryPolicy | None = None,
    services: Mapping[str, str] | None = None,
    **options: object,
) -> NdxpClient:
    """A client of the test platform, HMAC-signed unless `auth` says otherwise."""
    scheme = auth if auth is not None else HmacSignedHeaders(system=HMAC_SYSTEM, secret=HMAC_SECRET)
    settings: dict[str, object] = {"timeouts": QUICK, **options}
    if services is not None:
        settings["services"] = services
    return NdxpClient(
        base_url=url,
        client=CLIENT,
        auth=scheme,
        retry=retry if retry is not None else RetryPolicy.never(),
        **settings,  # type: ignore[arg-type]
    )
