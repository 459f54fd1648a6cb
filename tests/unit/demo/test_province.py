"""The demo province file: it renders, validates, names real schemas and adapters, and its
access rules allow what the demo promises and nothing more."""

from __future__ import annotations

import string

import pytest

from adapters.ndxp import NdxpAdapterFactory
from adapters.rest import RestAdapterFactory
from lgsp.demo.province import TEMPLATE, Endpoints, render
from ndxp_client.services import DEFAULT_SERVICES
from registry.access import match_rule
from registry.document import RegistryDocument, parse
from registry.snapshot import RuleView
from registry.templates import parse_template
from schemas.catalogue import Catalogue

H57 = "000.00.00.H57"
REPORTS = f"{H57}:HUE-S/phan-anh-hien-truong/v1"
ANSWERS = f"{H57}:HUE-S/tra-loi-phan-anh/v1"
OBSERVATIONS = "000.00.12.H57:QUAN-TRAC/ket-qua-quan-trac/v1"
POSITIONS = "000.01.14.H57:TAU-CA/vi-tri-tau-ca/v1"
LOOKUP = f"{H57}:NDXP/tra-cuu-cong-dan/v1"
DOSSIERS = f"{H57}:NDXP/dong-bo-ho-so/v1"
PROGRESS = f"{H57}:NDXP/cap-nhat-tien-do/v1"
DOCUMENTS = f"{H57}:NDXP/gui-van-ban/v1"
IOC, HUE_S, MOT_CUA, QLVB = (f"{H57}:{s}" for s in ("IOC", "HUE-S", "MOT-CUA", "QLVB"))
ENDPOINTS = Endpoints(
    hue_s_url="http://127.0.0.1:9101",
    stations_url="http://127.0.0.1:9102",
    vessels_url="http://127.0.0.1:9103",
    ndxp_url="http://127.0.0.1:9200",
    ndxp_client_id="lgsp-h57",
)


@pytest.fixture(scope="module")
def province() -> RegistryDocument:
    return parse(render(ENDPOINTS))


def _allowed(province: RegistryDocument, system: str, service: str, method: str, path: str) -> bool:
    rules = [
        RuleView(
            id=n,
            client_system_id=r.client_system_id,
            service_id=r.service_id,
            method=r.method,
            template=parse_template(r.path_template),
        )
        for n, r in enumerate(province.access_rules)
        if r.client_system_id == system and r.service_id == service
    ]
    return match_rule(rules, method=method, path=path) is not None


def test_the_template_names_only_what_render_fills_in() -> None:
    names = set(string.Template(TEMPLATE.read_text(encoding="utf-8")).get_identifiers())
    assert names == {"HUE_S_URL", "STATIONS_URL", "VESSELS_URL", "NDXP_URL", "NDXP_CLIENT_ID"}
    text = render(ENDPOINTS)
    assert "$" not in text
    assert "http://127.0.0.1:9200/oauth/token" in text


def test_members_are_the_province_and_its_departments(province: RegistryDocument) -> None:
    codes = {m.code for m in province.members}
    assert H57 in codes
    assert all(code.endswith(".H57") for code in codes)
    # Systems belong to members of the file.
    assert {s.id.partition(":")[0] for s in province.systems} <= codes


def test_request_schemas_are_in_the_catalogue(province: RegistryDocument) -> None:
    catalogue = set(Catalogue.builtin().ids())
    named = {s.request_schema for s in province.services if s.request_schema is not None}
    assert named == {
        "phan-anh-hien-truong/v1",
        "quan-trac/v1",
        "vi-tri-tau-ca/v1",
        "tra-cuu-cong-dan/v1",
        "dong-bo-ho-so/v1",
    }
    assert named <= catalogue


def test_every_service_has_valid_options_for_its_adapter(province: RegistryDocument) -> None:
    factories = {"rest": RestAdapterFactory(), "ndxp": NdxpAdapterFactory()}
    for service in province.services:
        factories[service.adapter].validate_options(service.adapter_options)


def test_ndxp_services_are_national_services_the_client_knows(province: RegistryDocument) -> None:
    ndxp = [s for s in province.services if s.adapter == "ndxp"]
    assert {s.id for s in ndxp} == {LOOKUP, DOSSIERS, PROGRESS, DOCUMENTS}
    assert all(s.id.startswith(f"{H57}:NDXP/") for s in ndxp)
    for service in ndxp:
        options = service.adapter_options
        assert options["service"] in DEFAULT_SERVICES.values()
        assert options["client"] == "VN/GOV/000.00.00.H57/LGSP"
        assert options["auth"] == {
            "scheme": "oauth2",
            "token_url": "http://127.0.0.1:9200/oauth/token",
            "client_id": "lgsp-h57",
            "secret_env": "LGSP_NDXP_SECRET",
        }


@pytest.mark.parametrize(
    ("system", "service", "method", "path"),
    [
        (IOC, REPORTS, "GET", "/reports"),
        (IOC, REPORTS, "GET", "/reports/184201"),
        (IOC, OBSERVATIONS, "GET", "/observations"),
        (IOC, OBSERVATIONS, "GET", "/stations"),
        (IOC, POSITIONS, "GET", "/vessels"),
        (IOC, POSITIONS, "GET", "/vessels/TTH-90123-TS/positions"),
        (HUE_S, REPORTS, "POST", "/reports"),
        (HUE_S, ANSWERS, "PATCH", "/reports/184201"),
        (MOT_CUA, LOOKUP, "POST", ""),
        (MOT_CUA, DOSSIERS, "POST", ""),
        (MOT_CUA, PROGRESS, "POST", ""),
        (QLVB, DOCUMENTS, "POST", ""),
    ],
)
def test_what_the_demo_promises_is_allowed(
    province: RegistryDocument, system: str, service: str, method: str, path: str
) -> None:
    assert _allowed(province, system, service, method, path)


@pytest.mark.parametrize(
    ("system", "service", "method", "path"),
    [
        (IOC, REPORTS, "POST", "/reports"),  # the IOC reads, it does not report
        (IOC, ANSWERS, "PATCH", "/reports/184201"),
        (IOC, OBSERVATIONS, "POST", "/observations"),
        (IOC, POSITIONS, "POST", "/positions"),
        (IOC, LOOKUP, "POST", ""),
        (HUE_S, LOOKUP, "POST", ""),
        (QLVB, LOOKUP, "POST", ""),
        (HUE_S, DOSSIERS, "POST", ""),
        (QLVB, DOSSIERS, "POST", ""),
        (IOC, DOSSIERS, "POST", ""),
        (HUE_S, PROGRESS, "POST", ""),
        (MOT_CUA, DOCUMENTS, "POST", ""),
        (MOT_CUA, REPORTS, "GET", "/reports"),
        (MOT_CUA, LOOKUP, "GET", ""),
    ],
)
def test_what_the_demo_does_not_promise_is_denied(
    province: RegistryDocument, system: str, service: str, method: str, path: str
) -> None:
    assert not _allowed(province, system, service, method, path)


def test_only_the_one_stop_shop_reaches_citizens_and_dossiers(province: RegistryDocument) -> None:
    callers = {
        r.client_system_id
        for r in province.access_rules
        if r.service_id in (LOOKUP, DOSSIERS, PROGRESS)
    }
    assert callers == {MOT_CUA}


def test_each_consumer_has_a_credential_and_the_auditor_only_audits(
    province: RegistryDocument,
) -> None:
    by_id = {c.client_id: c for c in province.credentials}
    assert set(by_id) == {"ioc-dashboard", "hue-s", "mot-cua", "qlvb", "thanh-tra-so"}
    consumers = {r.client_system_id for r in province.access_rules}
    with_exchange = {c.system_id for c in province.credentials if "exchange" in c.scopes}
    assert consumers == with_exchange
    assert by_id["thanh-tra-so"].scopes == ["auditor"]
    assert all("admin" not in c.scopes for c in province.credentials)
