"""Member codes, system ids, service ids and the splitting of exchange paths."""

from __future__ import annotations

import pytest

from registry.errors import Invalid
from registry.identifiers import (
    ServiceId,
    SystemId,
    format_service_id,
    format_system_id,
    parse_client_id,
    parse_member_code,
    parse_service_id,
    parse_system_id,
    split_service_path,
)


@pytest.mark.parametrize(
    "code",
    ["000.00.00.H57", "000.00.12.H57", "000.00.00.H49", "G12.34.56.A01", "ABC.DE.FG.Z99"],
)
def test_member_codes_of_the_right_shape_are_accepted(code: str) -> None:
    assert parse_member_code(code) == code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "000.00.00.h57",  # lower case
        "000.00.00.H5",  # last group too short
        "000.00.00.H577",
        "000.00.00.57H",  # last group not a letter and two digits
        "000.00.00.HH7",
        "00.00.00.H57",  # first group too short
        "000.000.00.H57",
        "000.00.00",
        "000-00-00-H57",
        "000.00.00.H57 ",
        " 000.00.00.H57",
        "000.00.00.H57\n",
        "000.00.0.0H57",
    ],
)
def test_member_codes_of_another_shape_are_refused(code: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_member_code(code, pointer="/members/0/code")
    assert caught.value.locations[0][0] == "/members/0/code"
    assert "V1V2V3.Z1Z2.Y1Y2.H1H2H3" in str(caught.value)


def test_a_lower_case_member_code_is_told_to_use_upper_case() -> None:
    with pytest.raises(Invalid, match="uppercase"):
        parse_member_code("000.00.00.h57")
    with pytest.raises(Invalid) as caught:
        parse_member_code("nonsense")
    assert "uppercase" not in str(caught.value)


def test_system_ids_parse_into_member_and_code() -> None:
    parsed = parse_system_id("000.00.00.H57:HUE-S")
    assert parsed == SystemId(member_code="000.00.00.H57", code="HUE-S")
    assert str(parsed) == "000.00.00.H57:HUE-S"
    assert format_system_id(member_code="000.00.12.H57", code="QUAN-TRAC") == (
        "000.00.12.H57:QUAN-TRAC"
    )


@pytest.mark.parametrize(
    "system_id",
    [
        "000.00.00.H57",
        "000.00.00.H57:",
        "000.00.00.H57:hue-s",
        "000.00.00.H57:HUE_S",
        "000.00.00.H57:-HUE",
        "000.00.00.H57:HUE-",
        "000.00.00.H57:HUE S",
        "000.00.00.H57:HUE:S",
        "000.00.00.H5:HUE-S",
        ":HUE-S",
        "000.00.00.H57:" + "A" * 65,
    ],
)
def test_system_ids_of_another_shape_are_refused(system_id: str) -> None:
    with pytest.raises(Invalid, match="system id"):
        parse_system_id(system_id)


def test_service_ids_parse_into_system_code_and_version() -> None:
    parsed = parse_service_id("000.00.00.H57:HUE-S/phan-anh-hien-truong/v12")
    assert parsed == ServiceId(
        system=SystemId(member_code="000.00.00.H57", code="HUE-S"),
        code="phan-anh-hien-truong",
        version=12,
    )
    assert parsed.system_id == "000.00.00.H57:HUE-S"
    assert str(parsed) == "000.00.00.H57:HUE-S/phan-anh-hien-truong/v12"


@pytest.mark.parametrize(
    "service_id",
    [
        "000.00.00.H57:HUE-S/phan-anh-hien-truong",
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v0",
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v01",
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/1",
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1.0",
        "000.00.00.H57:HUE-S/Phan-Anh/v1",
        "000.00.00.H57:HUE-S/phan_anh/v1",
        "000.00.00.H57:HUE-S/phan-anh/v1/",
        "000.00.00.H57:HUE-S//v1",
        "000.00.00.H57/phan-anh/v1",
    ],
)
def test_service_ids_of_another_shape_are_refused(service_id: str) -> None:
    with pytest.raises(Invalid, match="service id"):
        parse_service_id(service_id)


def test_formatting_checks_each_part() -> None:
    assert format_service_id(system_id="000.00.00.H57:HUE-S", code="a-b", version=3) == (
        "000.00.00.H57:HUE-S/a-b/v3"
    )
    with pytest.raises(Invalid):
        format_service_id(system_id="000.00.00.H57:HUE-S", code="a-b", version=0)
    with pytest.raises(Invalid):
        format_service_id(system_id="000.00.00.H57:HUE-S", code="A", version=1)
    with pytest.raises(Invalid):
        format_system_id(member_code="000.00.00.H57", code="hue")


@pytest.mark.parametrize(
    ("path", "service", "rest"),
    [
        (
            "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports/17",
            "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1",
            "/reports/17",
        ),
        (
            "/000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports",
            "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1",
            "/reports",
        ),
        (
            "000.00.00.H57:HUE-S/phan-anh-hien-truong/v2",
            "000.00.00.H57:HUE-S/phan-anh-hien-truong/v2",
            "",
        ),
        # The rest may itself look like a version: only the first /v<N> ends the service.
        ("000.00.00.H57:A/b/v1/v2/x", "000.00.00.H57:A/b/v1", "/v2/x"),
        ("000.00.00.H57:A/b/v1/%C4%91", "000.00.00.H57:A/b/v1", "/%C4%91"),
    ],
)
def test_service_paths_split_at_the_version(path: str, service: str, rest: str) -> None:
    parsed, provider_path = split_service_path(path)
    assert str(parsed) == service
    assert provider_path == rest


@pytest.mark.parametrize(
    "path",
    [
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1x/reports",  # version must end the segment
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/reports/17",
        "000.00.00.H57:HUE-S/v1/reports",
        "x/000.00.00.H57:HUE-S/phan-anh-hien-truong/v1",  # anchored at the start
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports/",  # empty segment
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1//reports",
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports/../admin",
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/./reports",
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/%2e%2e/admin",
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports%2F17",
        "000.00.00.H57:HUE-S/phan-anh-hien-truong/v1/reports%5c17",
    ],
)
def test_unsafe_or_unanchored_paths_are_refused(path: str) -> None:
    with pytest.raises(Invalid):
        split_service_path(path)


@pytest.mark.parametrize("client_id", ["ioc-dashboard", "c_0123456789abcdef01234567", "a.b~c"])
def test_client_ids_are_opaque_tokens(client_id: str) -> None:
    assert parse_client_id(client_id) == client_id


@pytest.mark.parametrize("client_id", ["ab", "ioc:dashboard", "ioc dashboard", "-ioc", "x" * 65])
def test_client_ids_with_a_colon_or_odd_characters_are_refused(client_id: str) -> None:
    with pytest.raises(Invalid):
        parse_client_id(client_id)
