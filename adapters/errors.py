"""The adapters' error tree; the exchange maps `UpstreamError` to 502/504, never HTTP here.

Messages never carry the request's body or query string (they hold personal data);
the third-party error that caused one is kept as `__cause__` (`raise ... from exc`).
"""

from __future__ import annotations

from collections.abc import Sequence


class AdapterError(Exception):
    """Root of every error an adapter, a factory or discovery raises."""


class PluginError(AdapterError):
    """An entry point of `lgsp.adapters` cannot be loaded or is not an `AdapterFactory`."""


class AdapterClosed(AdapterError):
    """`send` was called after the adapter or its factory was closed (a wiring bug)."""


class InvalidOptions(AdapterError):
    """A service's `adapter_options` are malformed; `locations` lists (JSON Pointer, problem)."""

    def __init__(self, message: str, locations: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.locations: tuple[tuple[str, str], ...] = tuple(locations)


class UpstreamError(AdapterError):
    """The provider could not be reached or did not answer usably.

    `may_have_reached_provider` is False only when the request certainly never left
    (the connection was never established), so even a non-idempotent call may be retried.
    """

    def __init__(self, message: str, *, may_have_reached_provider: bool = True) -> None:
        super().__init__(message)
        self.may_have_reached_provider = may_have_reached_provider


class UpstreamUnavailable(UpstreamError):
    """Connection refused, DNS or TLS failure, or the connection dropped before a full answer.

    The exchange answers 502.
    """


class UpstreamTimeout(UpstreamError):
    """Connecting, or waiting for the answer, took longer than allowed; the exchange answers 504."""


class UpstreamProtocolError(UpstreamError):
    """The answer was not valid HTTP or was larger than allowed; the exchange answers 502."""
