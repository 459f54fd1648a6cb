"""Plug-ins for the discovery tests: one good, and one of each way to be broken."""

from __future__ import annotations

from adapters.rest import RestAdapterFactory

NOT_CALLABLE = "a string is not a factory"


class SoapishFactory(RestAdapterFactory):
    """A working factory of another kind (it reuses REST behaviour: only discovery is tested)."""

    kind: str = "soapish"


class NeedsArguments(RestAdapterFactory):
    """A factory discovery cannot construct."""

    def __init__(self, *, required: str) -> None:
        super().__init__()


class NotAFactory:
    """Constructs fine but has none of the protocol's members."""


def wrong_kind() -> RestAdapterFactory:
    """A callable making a factory whose kind is not its entry-point name."""
    return RestAdapterFactory()
