"""The registry's error tree; the API maps it to problems, services never raise HTTP errors."""

from __future__ import annotations

from collections.abc import Sequence


class RegistryError(Exception):
    """Root of every error the registry raises."""


class NotFound(RegistryError):
    """The named member, system, service, rule or credential does not exist."""


class Conflict(RegistryError):
    """The change contradicts the registry's current state (duplicate, still referenced)."""


class Invalid(RegistryError):
    """The input is malformed; `locations` lists (JSON Pointer, what is wrong) pairs."""

    def __init__(self, message: str, locations: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.locations: tuple[tuple[str, str], ...] = tuple(locations)

    @classmethod
    def at(cls, pointer: str, message: str) -> Invalid:
        """An error with one failing location, whose message is the error's too."""
        return cls(message, [(pointer, message)])
