"""Fault injection, set at run time: latency, error answers, outages and dropped connections.

Every call to a service draws its fate from one random generator (seeded when
the settings say so), two draws a call whatever the outcome, so a seeded run
is reproducible call by call. Faults happen before the request takes effect,
unless `after_effect` is set: then the service does its work (a dossier is
stored) and only the answer is delayed, replaced by an error, or lost.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

# The X-Road error type an injected status carries; others are internal errors.
_ERROR_TYPES = {
    429: "Client.TooManyRequests",
    502: "Server.ServerProxy.ServiceFailed",
    503: "Server.ServerProxy.ServiceUnavailable",
    504: "Server.ServerProxy.ServiceFailed",
}


class FaultSettings(BaseModel):
    """What to inject; the body of `PUT /_sim/faults`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    latency_ms: int = Field(default=0, ge=0, le=120_000)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    error_status: int = Field(default=500, ge=400, le=599)
    outage: bool = False
    drop_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    services: tuple[str, ...] | None = Field(
        default=None, description="service ids the faults apply to; all services if absent"
    )
    seed: int | None = None
    after_effect: bool = False
    retry_after: int = Field(default=5, ge=0, le=3600, description="seconds, on 429 and 503")

    def error_type(self) -> str:
        """The `X-Road-Error` type of an injected error answer."""
        if self.error_status in _ERROR_TYPES:
            return _ERROR_TYPES[self.error_status]
        return "Server.ServerProxy.InternalError" if self.error_status >= 500 else "Client.Error"


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens to one call."""

    latency_seconds: float = 0.0
    outage: bool = False
    drop: bool = False
    error_status: int | None = None
    error_type: str = ""
    retry_after: int = 0
    after_effect: bool = False

    @property
    def name(self) -> str | None:
        """The fault that decides the answer, as the records name it; `None` if none."""
        if self.outage:
            return "outage"
        if self.drop:
            return "drop"
        if self.error_status is not None:
            return "error"
        return "latency" if self.latency_seconds > 0 else None


NO_FAULT = Decision()


class FaultInjector:
    """The current fault settings and the random generator that applies them; thread-safe."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self._settings = FaultSettings()
        self._random = random.Random()
        self.set(settings or FaultSettings())

    @property
    def settings(self) -> FaultSettings:
        """The settings in force."""
        with self._lock:
            return self._settings

    def set(self, settings: FaultSettings) -> None:
        """Replace the settings; a seed restarts the generator, so draws repeat."""
        with self._lock:
            self._settings = settings
            self._random = random.Random(settings.seed)

    def clear(self) -> None:
        """No faults any more."""
        self.set(FaultSettings())

    def decide(self, service_id: str) -> Decision:
        """The fate of one call to `service_id`."""
        with self._lock:
            s = self._settings
            if s.services is not None and service_id not in s.services:
                return NO_FAULT
            if s.outage:
                return Decision(outage=True, retry_after=s.retry_after)
            if not (s.latency_ms or s.error_rate or s.drop_rate):
                return NO_FAULT
            # Always two draws, so the sequence does not depend on which fault won.
            error_draw, drop_draw = self._random.random(), self._random.random()
        erred = error_draw < s.error_rate
        return Decision(
            latency_seconds=s.latency_ms / 1000,
            drop=drop_draw < s.drop_rate,
            error_status=s.error_status if erred else None,
            error_type=s.error_type() if erred else "",
            retry_after=s.retry_after if s.error_status in (429, 503) else 0,
            after_effect=s.after_effect,
        )
