"""Access decisions: may client system X call service S with method M on provider path P?

Deny is the default: without a matching rule the answer is None. When
several rules match, the most specific wins (a literal template over one
with parameters, any template over `*`, a named method over `*`), so the
template the audit log records is the narrowest that allowed the call.
"""

from __future__ import annotations

from collections.abc import Iterable

from registry.snapshot import RuleView, Snapshot
from registry.templates import ANY, path_segments


def _specificity(rule: RuleView) -> tuple[bool, int, bool, int]:
    # Smaller sorts first; the rule id breaks ties so the answer is stable.
    return (
        rule.template.segments is None,
        rule.template.param_count,
        rule.method == ANY,
        rule.id,
    )


def match_rule(rules: Iterable[RuleView], *, method: str, path: str) -> RuleView | None:
    """The most specific rule among `rules` allowing `method` on `path`, or None (deny)."""
    wanted = method.upper()
    segments = path_segments(path)
    matching = [
        rule
        for rule in rules
        if (rule.method == ANY or rule.method == wanted) and rule.template.matches(segments)
    ]
    return min(matching, key=_specificity, default=None)


def authorize(
    snapshot: Snapshot, *, client_system_id: str, service_id: str, method: str, path: str
) -> RuleView | None:
    """The rule letting `client_system_id` call `method path` on `service_id`, or None (deny).

    A service or client system missing from the snapshot is denied too, even
    if a stale rule named it.
    """
    if snapshot.service(service_id) is None or snapshot.system(client_system_id) is None:
        return None
    rules = snapshot.rules_for(client_system_id=client_system_id, service_id=service_id)
    return match_rule(rules, method=method, path=path)
