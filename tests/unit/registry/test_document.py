"""The declarative file: every problem reported with a JSON Pointer before anything is written."""

from __future__ import annotations

import pytest

from registry.document import parse, pointer
from registry.errors import Invalid
from tests.factories import EXAMPLE_FILE


def _problems(text: str | bytes) -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        parse(text)
    return dict(caught.value.locations)


def test_the_example_file_is_valid() -> None:
    document = parse(EXAMPLE_FILE.read_bytes())
    assert [m.code for m in document.members] == ["000.00.00.H57", "000.00.12.H57"]
    assert document.members[0].name == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert document.access_rules[2].method == "*"
    assert document.credentials[0].scopes == ["exchange"]


def test_every_bad_field_and_duplicate_is_reported_at_once() -> None:
    problems = _problems(
        """
version: 1
members:
  - {code: 000.00.00.H57, name: Huế}
  - {code: 000.00.00.h57, name: Huế}
  - {code: 000.00.00.H57, name: again}
systems:
  - {id: "000.00.00.H57:hue-s", name: x, colour: red}
services:
  - {id: "000.00.00.H57:HUE-S/reports/v0", name: r, adapter: rest, timeout_seconds: 0}
access_rules:
  - {client_system_id: "000.00.00.H57:IOC", service_id: "000.00.00.H57:HUE-S/r/v1",
     method: get, path_template: "/r/{id}"}
  - {client_system_id: "000.00.00.H57:IOC", service_id: "000.00.00.H57:HUE-S/r/v1",
     method: GET, path_template: "/r/{id}"}
  - {client_system_id: "000.00.00.H57:IOC", service_id: "000.00.00.H57:HUE-S/r/v1",
     method: FETCH, path_template: "r"}
credentials:
  - {client_id: "a:b", system_id: "000.00.00.H57:IOC", scopes: [root]}
  - {client_id: ok-client, system_id: "000.00.00.H57:IOC", scopes: []}
"""
    )
    assert set(problems) == {
        "/members/1/code",
        "/members/2/code",
        "/systems/0/id",
        "/systems/0/colour",
        "/services/0/id",
        "/services/0/timeout_seconds",
        "/access_rules/1",
        "/access_rules/2/method",
        "/access_rules/2/path_template",
        "/credentials/0/client_id",
        "/credentials/0/scopes/0",
        "/credentials/1/scopes",
    }
    assert problems["/members/2/code"] == "repeats /members/0"
    assert problems["/access_rules/1"] == "repeats /access_rules/0"
    assert "uppercase" in problems["/members/1/code"]


def test_a_missing_or_unknown_version_is_refused() -> None:
    assert "/version" in _problems("members: []\n")
    assert "/version" in _problems("version: 2\n")


@pytest.mark.parametrize(
    "text",
    ["", "- a\n- b\n", "version: 1\nmembers: [\n", "version: 1\n---\nversion: 1\n"],
)
def test_what_is_not_one_yaml_mapping_is_refused(text: str) -> None:
    assert "" in _problems(text)


def test_aliases_are_refused() -> None:
    text = "version: 1\nmembers:\n  - &m {code: 000.00.00.H57, name: a}\n  - *m\n"
    assert "alias" in _problems(text)[""]


def test_bytes_must_be_utf8() -> None:
    assert (
        "UTF-8"
        in _problems(
            "version: 1\nmembers: [{code: 000.00.00.H57, name: Hu\xe9}]\n".encode("latin-1")
        )[""]
    )


def test_pointers_escape_slashes_and_tildes() -> None:
    assert pointer("services", 0, "a/b~c") == "/services/0/a~1b~0c"
    assert pointer() == ""
