"""Which headers cross the exchange, in each direction.

The caller's credentials for the exchange, connection-level (hop-by-hop)
headers and proxy bookkeeping never reach a provider; a provider cannot
forge the exchange's own headers in its answer.
"""

from __future__ import annotations

from collections.abc import Iterable

# RFC 9110 §7.6.1 connection-specific fields, plus the obsolete ones proxies still drop.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Recomputed or supplied by whoever sends the next hop.
_FRAMING = frozenset({"content-length", "host", "date"})
# The caller's credential and session with the exchange are not the provider's business.
_CALLER_ONLY = frozenset({"authorization", "cookie", "forwarded", "x-real-ip"})
_OWN_PREFIX = "x-lgsp-"


def _connection_tokens(headers: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Header names listed in `Connection`: hop-by-hop by declaration."""
    named: set[str] = set()
    for name, value in headers:
        if name.lower() == "connection":
            named.update(token.strip().lower() for token in value.split(",") if token.strip())
    return frozenset(named)


def outbound(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The caller's headers that may be forwarded to the provider, in their order."""
    items = list(headers)
    dropped = HOP_BY_HOP | _FRAMING | _CALLER_ONLY | _connection_tokens(items)
    return [
        (name, value)
        for name, value in items
        if (lowered := name.lower()) not in dropped
        and not lowered.startswith("x-forwarded-")
        and not lowered.startswith(_OWN_PREFIX)
    ]


def inbound(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The provider's answer headers that go back to the caller."""
    items = list(headers)
    dropped = HOP_BY_HOP | _FRAMING | _connection_tokens(items)
    return [
        (name, value)
        for name, value in items
        if (lowered := name.lower()) not in dropped and not lowered.startswith(_OWN_PREFIX)
    ]
