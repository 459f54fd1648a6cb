"""Who is calling: the authenticated identity that handlers and rules see."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated client: its opaque id, the system it stands for, its token's scopes."""

    client_id: str
    system_id: str
    scopes: frozenset[str]
    token_id: str

    @property
    def actor(self) -> str:
        """How this caller is named in change history and audit entries."""
        return f"client:{self.client_id}"
