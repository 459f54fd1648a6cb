"""Steps 2 and 3: finding the service in the raw path, and the rule that allows the call."""

from __future__ import annotations

import pytest

from lgsp.auth.models import Caller
from lgsp.exchange.authorize import authorize
from lgsp.exchange.errors import Refused
from lgsp.exchange.resolve import locate, resolve
from registry.snapshot import RuleView, ServiceView, Snapshot, SystemView, freeze_json_object
from registry.templates import parse_template

REPORTS = "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1"
IOC = "000.00.00.H57:IOC"


def _snapshot(*rules: tuple[str, str]) -> Snapshot:
    service = ServiceView(
        id=REPORTS,
        system_id="000.00.00.H57:HUE-S",
        code="phan-anh-hien-truong",
        version=1,
        name="Phản ánh hiện trường",
        adapter="rest",
        adapter_options=freeze_json_object({"base_url": "http://127.0.0.1:1"}),
        request_schema=None,
        response_schema=None,
        timeout_seconds=5.0,
    )
    systems = {
        sid: SystemView(id=sid, member_code="000.00.00.H57", code=sid.split(":")[1], name=sid)
        for sid in (IOC, "000.00.00.H57:HUE-S")
    }
    views = tuple(
        RuleView(
            id=i,
            client_system_id=IOC,
            service_id=REPORTS,
            method=method,
            template=parse_template(template),
        )
        for i, (method, template) in enumerate(rules, start=1)
    )
    return Snapshot(
        revision=1,
        systems=systems,
        services={REPORTS: service},
        rules={(IOC, REPORTS): views} if views else {},
    )


CALLER = Caller(client_id="ioc", system_id=IOC, scopes=frozenset({"exchange"}), token_id="t")


def test_resolve_keeps_the_provider_path_exactly_as_received() -> None:
    target = resolve(f"/{REPORTS}/reports/17;v=1/a%20b", snapshot=_snapshot())
    assert target.service.id == REPORTS
    assert target.provider_path == "/reports/17;v=1/a%20b"


def test_resolve_accepts_an_encoded_colon_in_the_service_id_only() -> None:
    encoded = REPORTS.replace(":", "%3A")
    target = resolve(f"/{encoded}/x%3Ay", snapshot=_snapshot())
    assert target.service.id == REPORTS
    assert target.provider_path == "/x%3Ay"


def test_resolve_the_service_root() -> None:
    assert resolve(f"/{REPORTS}", snapshot=_snapshot()).provider_path == ""


def test_unknown_service_is_404_and_a_bad_shape_is_400() -> None:
    with pytest.raises(Refused) as unknown:
        resolve("/000.00.00.H57:HUE-S/khac/v1/x", snapshot=_snapshot())
    assert unknown.value.problem.type.status == 404
    with pytest.raises(Refused) as shape:
        resolve("/not-a-service/x", snapshot=_snapshot())
    assert shape.value.problem.type.status == 400
    with pytest.raises(Refused) as located:
        locate("/not-a-service/x")
    assert located.value.problem.type.status == 400
    assert locate(f"/{REPORTS}/a") == (REPORTS, "/a")
    # The id of a well-formed path is known even when no such service exists.
    assert locate("/000.00.00.H57:HUE-S/khac/v1/x") == ("000.00.00.H57:HUE-S/khac/v1", "/x")


@pytest.mark.parametrize("rest", ["/reports/%2F..", "/reports/..", "/reports//x"])
def test_resolve_refuses_paths_that_could_escape_the_rule(rest: str) -> None:
    with pytest.raises(Refused) as refused:
        resolve(f"/{REPORTS}{rest}", snapshot=_snapshot())
    assert refused.value.problem.type.status == 400


def test_authorize_returns_the_most_specific_rule() -> None:
    snapshot = _snapshot(("GET", "*"), ("GET", "/reports/{id}"))
    target = resolve(f"/{REPORTS}/reports/17", snapshot=snapshot)
    rule = authorize(CALLER, target, method="GET", snapshot=snapshot)
    assert rule.path_template == "/reports/{id}"


def test_authorize_denies_by_default_and_by_method() -> None:
    snapshot = _snapshot(("GET", "/reports/{id}"))
    target = resolve(f"/{REPORTS}/reports/17", snapshot=snapshot)
    with pytest.raises(Refused) as wrong_method:
        authorize(CALLER, target, method="DELETE", snapshot=snapshot)
    assert wrong_method.value.problem.type.status == 403
    other = Caller(client_id="x", system_id="000.00.00.H57:HUE-S", scopes=frozenset(), token_id="t")
    with pytest.raises(Refused):
        authorize(other, target, method="GET", snapshot=snapshot)
    empty = _snapshot()
    with pytest.raises(Refused):
        authorize(
            CALLER, resolve(f"/{REPORTS}/reports/17", snapshot=empty), method="GET", snapshot=empty
        )
