"""RSS growth over a soak: the first quarter of the samples against the last. Pure."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sample:
    """One RSS reading of one worker, `seconds` after the soak started."""

    seconds: float
    pid: int
    rss_mb: float


@dataclass(frozen=True, slots=True)
class Growth:
    """One worker's RSS at the start and the end of the soak, in MiB."""

    pid: int
    samples: int
    first_quarter_mb: float
    last_quarter_mb: float
    peak_mb: float

    @property
    def growth_mb(self) -> float:
        """Mean RSS of the last quarter minus that of the first."""
        return self.last_quarter_mb - self.first_quarter_mb

    @property
    def growth_ratio(self) -> float:
        """The growth relative to the first quarter."""
        return self.growth_mb / self.first_quarter_mb if self.first_quarter_mb else 0.0

    def flat(self, *, tolerance_mb: float) -> bool:
        """Whether the growth stays within `tolerance_mb`."""
        return self.growth_mb <= tolerance_mb


def growth(samples: Iterable[Sample], *, duration_s: float) -> list[Growth]:
    """Each worker's growth: mean RSS of samples in the last quarter of `duration_s` minus the
    mean of those in the first (a worker without samples in both quarters is left out)."""
    by_pid: dict[int, list[Sample]] = {}
    for sample in samples:
        by_pid.setdefault(sample.pid, []).append(sample)
    out = []
    for pid, mine in sorted(by_pid.items()):
        first = [s.rss_mb for s in mine if s.seconds < duration_s / 4]
        last = [s.rss_mb for s in mine if s.seconds >= duration_s * 3 / 4]
        if first and last:
            out.append(
                Growth(
                    pid=pid,
                    samples=len(mine),
                    first_quarter_mb=statistics.fmean(first),
                    last_quarter_mb=statistics.fmean(last),
                    peak_mb=max(s.rss_mb for s in mine),
                )
            )
    return out
