"""Prometheus metrics of one application: requests and latencies by route template."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

# Latencies of an exchange hop: sub-millisecond refusals up to provider timeouts.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

UNMATCHED_ROUTE = "<unmatched>"


class Metrics:
    """The collectors of one application, on a registry of its own (no global state)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "lgsp_http_requests",
            "HTTP requests answered, by method, route template and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "lgsp_http_request_duration_seconds",
            "Time from request start to the end of the answer, by route template",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, *, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            # `labels()` takes a lock and builds its key on every call; the label sets are
            # few (methods x route templates x statuses), so each is looked up once.
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        counter, histogram = children
        counter.inc()
        histogram.observe(seconds)

    def exposition(self) -> bytes:
        """The Prometheus text format of every collector.

        With several worker processes (PROMETHEUS_MULTIPROC_DIR set by `lgsp up`)
        the figures of all workers are merged, so any worker can be scraped.
        """
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            merged = CollectorRegistry()
            MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged)
        return generate_latest(self.registry)
