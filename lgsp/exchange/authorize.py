"""Step 3: may this client system call this service, method and provider path? Deny by default."""

from __future__ import annotations

from lgsp.api.problems import FORBIDDEN, Problem
from lgsp.auth.models import Caller
from lgsp.exchange.errors import Refused
from lgsp.exchange.resolve import Target
from registry.access import authorize as find_rule
from registry.snapshot import RuleView, Snapshot


def authorize(caller: Caller, target: Target, *, method: str, snapshot: Snapshot) -> RuleView:
    """The access rule that allows the call; `Refused` with a 403 problem when none does."""
    rule = find_rule(
        snapshot,
        client_system_id=caller.system_id,
        service_id=target.service.id,
        method=method,
        path=target.provider_path,
    )
    if rule is None:
        raise Refused(
            Problem(
                FORBIDDEN,
                f"no access rule lets {caller.system_id} call {method} on {target.service.id}",
            )
        )
    return rule
