"""Access decisions from a snapshot's rules: deny by default, the most specific rule wins."""

from __future__ import annotations

import pytest

from registry.access import authorize, match_rule
from registry.errors import Invalid
from registry.snapshot import RuleView, ServiceView, Snapshot, SystemView, index_rules
from registry.templates import parse_method, parse_template, path_segments

IOC = "000.00.00.H57:IOC"
HUE_S = "000.00.00.H57:HUE-S"
REPORTS = f"{HUE_S}/phan-anh-hien-truong/v1"


def _rule(rule_id: int, method: str, template: str, *, client: str = IOC) -> RuleView:
    return RuleView(
        id=rule_id,
        client_system_id=client,
        service_id=REPORTS,
        method=method,
        template=parse_template(template),
    )


def _snapshot(*rules: RuleView) -> Snapshot:
    systems = {
        s: SystemView(id=s, member_code="000.00.00.H57", code=s.split(":")[1], name=s)
        for s in (IOC, HUE_S)
    }
    service = ServiceView(
        id=REPORTS,
        system_id=HUE_S,
        code="phan-anh-hien-truong",
        version=1,
        name="reports",
        adapter="rest",
        adapter_options={},
        request_schema=None,
        response_schema=None,
        timeout_seconds=5.0,
    )
    return Snapshot(
        revision=1, systems=systems, services={REPORTS: service}, rules=index_rules(rules)
    )


def _allowed(snapshot: Snapshot, method: str, path: str, *, client: str = IOC) -> str | None:
    rule = authorize(
        snapshot, client_system_id=client, service_id=REPORTS, method=method, path=path
    )
    return None if rule is None else rule.path_template


def test_without_rules_everything_is_denied() -> None:
    snapshot = _snapshot()
    assert _allowed(snapshot, "GET", "/reports/17") is None
    assert _allowed(snapshot, "GET", "") is None


def test_a_template_parameter_matches_exactly_one_segment() -> None:
    snapshot = _snapshot(_rule(1, "GET", "/reports/{id}"))
    assert _allowed(snapshot, "GET", "/reports/17") == "/reports/{id}"
    assert _allowed(snapshot, "GET", "/reports") is None
    assert _allowed(snapshot, "GET", "/reports/17/attachments") is None
    assert _allowed(snapshot, "GET", "/Reports/17") is None
    assert _allowed(snapshot, "GET", "/other/17") is None


def test_the_method_must_match_unless_the_rule_says_any() -> None:
    snapshot = _snapshot(_rule(1, "GET", "/reports/{id}"))
    assert _allowed(snapshot, "get", "/reports/17") == "/reports/{id}"
    assert _allowed(snapshot, "DELETE", "/reports/17") is None
    any_method = _snapshot(_rule(1, "*", "/reports/{id}"))
    assert _allowed(any_method, "DELETE", "/reports/17") == "/reports/{id}"


def test_a_star_template_matches_any_path_including_the_root() -> None:
    snapshot = _snapshot(_rule(1, "POST", "*"))
    for path in ("", "/", "/reports", "/a/b/c/d"):
        assert _allowed(snapshot, "POST", path) == "*"
    assert _allowed(snapshot, "GET", "/reports") is None


def test_a_rule_for_one_client_allows_no_other_client() -> None:
    snapshot = _snapshot(_rule(1, "*", "*"))
    assert _allowed(snapshot, "GET", "/reports", client=HUE_S) is None
    assert _allowed(snapshot, "GET", "/reports", client="000.00.00.H57:UNKNOWN") is None


def test_the_most_specific_matching_rule_is_returned() -> None:
    rules = (
        _rule(1, "*", "*"),
        _rule(2, "*", "/reports/{id}"),
        _rule(3, "GET", "/reports/{id}"),
        _rule(4, "GET", "/reports/latest"),
    )
    snapshot = _snapshot(*rules)

    def winner(method: str, path: str) -> int | None:
        rule = authorize(
            snapshot, client_system_id=IOC, service_id=REPORTS, method=method, path=path
        )
        return None if rule is None else rule.id

    assert winner("GET", "/reports/latest") == 4
    assert winner("GET", "/reports/9") == 3
    assert winner("PUT", "/reports/9") == 2
    assert winner("PUT", "/elsewhere") == 1
    # The choice does not depend on the order the rules are listed in.
    assert match_rule(reversed(rules), method="GET", path="/reports/latest") == rules[3]


def test_a_service_missing_from_the_snapshot_is_denied_even_with_a_rule() -> None:
    rule = _rule(1, "*", "*")
    snapshot = Snapshot(revision=1, rules=index_rules([rule]))
    assert (
        authorize(snapshot, client_system_id=IOC, service_id=REPORTS, method="GET", path="/")
        is None
    )


def test_the_root_template_matches_only_the_root() -> None:
    snapshot = _snapshot(_rule(1, "GET", "/"))
    assert _allowed(snapshot, "GET", "") == "/"
    assert _allowed(snapshot, "GET", "/") == "/"
    assert _allowed(snapshot, "GET", "/reports") is None


@pytest.mark.parametrize(
    "template",
    [
        "reports",
        "/reports/",
        "//reports",
        "/reports/*",
        "/reports/{id",
        "/r/{a}/{a}",
        "/a/../b",
        "/a/{1x}",
        "/a b",
        "/a/%2F",
        "",
    ],
)
def test_bad_templates_are_refused(template: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_template(template, pointer="/access_rules/0/path_template")
    assert caught.value.locations[0][0] == "/access_rules/0/path_template"


def test_methods_are_upper_cased_and_checked() -> None:
    assert parse_method("get") == "GET"
    assert parse_method("*") == "*"
    with pytest.raises(Invalid):
        parse_method("FETCH")


def test_path_segments() -> None:
    assert path_segments("") == ()
    assert path_segments("/") == ()
    assert path_segments("/a/b") == ("a", "b")
