"""NdxpClient against a real loopback platform: what it sends, what it returns, what it raises."""

from __future__ import annotations

import json

import pytest

from ndxp_client import (
    HmacSignedHeaders,
    NdxpAuthError,
    NdxpClient,
    NdxpClientClosed,
    NdxpProtocolError,
    NdxpRefused,
    NdxpTimeout,
    NdxpUnavailable,
    Timeouts,
    protocol,
)
from ndxp_client.aiohttp_transport import AiohttpTransport
from ndxp_client.transport import TransportProtocolError, TransportUnavailable
from tests.unit.ndxp_client.helpers import hmac_client
from tests.unit.ndxp_client.national import (
    CITIZEN_SERVICE,
    CLIENT,
    Scripted,
    closed_port,
    national_server,
)

pytestmark = pytest.mark.anyio

SECRET_QUERY = "so_dinh_danh=001099012345"
SECRET_BODY = b'{"HoVaTen": "Nguyen Van A"}'


async def test_sends_the_xroad_headers_and_the_exact_target() -> None:
    async with national_server(scheme="hmac") as server, hmac_client(server.url) as client:
        answer = await client.call(
            service=CITIZEN_SERVICE,
            method="PUT",
            path="/h%E1%BB%93-s%C6%A1;v=1",
            query="a=1&b=%20x",
            headers=(("Content-Type", "application/json"), ("X-Trace", "1")),
            body=SECRET_BODY,
            message_id="msg-0001",
            user_id="can-bo-17",
        )
    assert answer.status == 200
    assert (answer.message_id, answer.request_hash_ok) == ("msg-0001", True)
    seen = server.seen[-1]
    assert seen.method == "PUT"
    assert seen.target == f"/r1/{CITIZEN_SERVICE}/h%E1%BB%93-s%C6%A1;v=1?a=1&b=%20x"
    assert seen.body == SECRET_BODY
    assert seen.values(protocol.CLIENT) == [CLIENT]
    assert seen.values(protocol.MESSAGE_ID) == ["msg-0001"]
    assert seen.values(protocol.IDEMPOTENCY_KEY) == ["msg-0001"]
    assert seen.values(protocol.USER_ID) == ["can-bo-17"]
    assert seen.values("X-Trace") == ["1"]
    # Nothing the caller did not ask for: no User-Agent, Accept or Accept-Encoding of aiohttp's.
    assert seen.values("User-Agent") == seen.values("Accept-Encoding") == []


async def test_generates_a_message_id_and_resolves_service_names() -> None:
    services = {"tra-cuu": CITIZEN_SERVICE}
    async with (
        national_server(scheme="hmac") as server,
        hmac_client(server.url, services=services) as client,
    ):
        first = await client.call(service="tra-cuu", method="GET")
        second = await client.call(service="tra-cuu", method="GET")
    assert first.message_id != second.message_id
    assert [seen.header(protocol.MESSAGE_ID) for seen in server.seen] == [
        first.message_id,
        second.message_id,
    ]
    assert server.seen[0].target == f"/r1/{CITIZEN_SERVICE}"


async def test_the_request_hash_binds_the_answer_to_the_request() -> None:
    async with national_server(scheme="hmac") as server:
        async with hmac_client(server.url) as client:
            server.answer_next(Scripted(hash="none"))
            assert (await client.call(service=CITIZEN_SERVICE)).request_hash_ok is False
            server.answer_next(Scripted(hash="wrong"))
            with pytest.raises(NdxpProtocolError, match="X-Road-Request-Hash"):
                await client.call(service=CITIZEN_SERVICE, query=SECRET_QUERY, body=SECRET_BODY)
            server.answer_next(Scripted(echo_id="somebody-else"))
            with pytest.raises(NdxpProtocolError, match="X-Road-Id"):
                await client.call(service=CITIZEN_SERVICE)
        async with hmac_client(server.url, require_request_hash=True) as strict:
            server.answer_next(Scripted(hash="none"))
            with pytest.raises(NdxpProtocolError, match="no X-Road-Request-Hash"):
                await strict.call(service=CITIZEN_SERVICE)
            assert (await strict.call(service=CITIZEN_SERVICE)).request_hash_ok is True


async def test_the_services_own_errors_are_answers_not_exceptions() -> None:
    async with national_server(scheme="hmac") as server, hmac_client(server.url) as client:
        server.answer_next(Scripted(status=404, body=b"not found"), Scripted(status=500))
        missing = await client.call(service=CITIZEN_SERVICE)
        failed = await client.call(service=CITIZEN_SERVICE)
    assert (missing.status, missing.body, missing.error_code) == (404, b"not found", None)
    assert failed.status == 500


async def test_an_xroad_error_answer_is_refused_with_its_code_and_answer() -> None:
    async with national_server(scheme="hmac") as server, hmac_client(server.url) as client:
        server.answer_next(Scripted(status=409, error=protocol.ERROR_DUPLICATE_MESSAGE_ID))
        with pytest.raises(NdxpRefused) as caught:
            await client.call(service=CITIZEN_SERVICE, query=SECRET_QUERY, body=SECRET_BODY)
    refused = caught.value
    assert refused.code == protocol.ERROR_DUPLICATE_MESSAGE_ID
    assert refused.response.status == 409
    assert json.loads(refused.response.body)["type"] == protocol.ERROR_DUPLICATE_MESSAGE_ID
    assert SECRET_QUERY not in str(refused)
    assert "Nguyen" not in str(refused)


async def test_a_refused_credential_is_an_auth_error() -> None:
    async with national_server(scheme="hmac") as server:
        auth = HmacSignedHeaders(system="000.00.00.H57:LGSP", secret=b"not-the-secret")
        async with hmac_client(server.url, auth=auth) as client:
            with pytest.raises(NdxpAuthError) as caught:
                await client.call(service=CITIZEN_SERVICE, method="GET")
    assert caught.value.code == protocol.ERROR_INVALID_SIGNATURE
    assert len(server.seen) == 1, "nothing cached to refresh: HMAC is not tried twice"
    assert "not-the-secret" not in str(caught.value)


async def test_connection_failures_map_to_the_error_tree() -> None:
    with closed_port() as port:
        async with hmac_client(f"http://127.0.0.1:{port}") as client:
            with pytest.raises(NdxpUnavailable) as refused:
                await client.call(service=CITIZEN_SERVICE, query=SECRET_QUERY, body=SECRET_BODY)
    assert refused.value.may_have_reached_server is False
    assert isinstance(refused.value.__cause__, TransportUnavailable)
    assert refused.value.__cause__.__cause__ is not None, "aiohttp's error is kept too"
    assert SECRET_QUERY not in str(refused.value)

    async with national_server(scheme="hmac") as server:
        slow = Timeouts(connect=1.0, read=0.2)
        async with hmac_client(server.url, timeouts=slow) as client:
            server.answer_next(Scripted(delay=1.0))
            with pytest.raises(NdxpTimeout) as late:
                await client.call(service=CITIZEN_SERVICE, query=SECRET_QUERY)
        assert late.value.may_have_reached_server is True
        async with hmac_client(server.url, max_response_bytes=10) as client:
            server.answer_next(Scripted(body=b"x" * 11))
            with pytest.raises(NdxpProtocolError) as large:
                await client.call(service=CITIZEN_SERVICE)
        assert isinstance(large.value.__cause__, TransportProtocolError)


async def test_refuses_what_it_cannot_send_before_sending() -> None:
    async with national_server(scheme="hmac") as server, hmac_client(server.url) as client:
        for headers in ((("X-Road-Id", "forged"),), (("Idempotency-Key", "k"),)):
            with pytest.raises(ValueError, match="sets"):
                await client.call(service=CITIZEN_SERVICE, headers=headers)
        with pytest.raises(ValueError, match="sets"):
            await client.call(service=CITIZEN_SERVICE, headers=(("X-NDXP-Signature", "s"),))
        with pytest.raises(ValueError, match="not allow"):
            await client.call(service=CITIZEN_SERVICE, headers=(("X-A", "a\r\nX-B: b"),))
        with pytest.raises(ValueError, match="five parts"):
            await client.call(service="VN/GOV/only-three")
        with pytest.raises(ValueError, match="path"):
            await client.call(service=CITIZEN_SERVICE, path="no-slash")
        for message_id in ("", "x" * 129, "có dấu", "a b"):
            with pytest.raises(ValueError, match="message id"):
                await client.call(service=CITIZEN_SERVICE, message_id=message_id)
        with pytest.raises(ValueError, match="user id"):
            await client.call(service=CITIZEN_SERVICE, user_id="a\nb")
    assert server.seen == []
    auth = HmacSignedHeaders(system="s", secret=b"k")
    with pytest.raises(ValueError, match="four parts"):
        NdxpClient(base_url=server.url, client="VN/GOV", auth=auth)
    with pytest.raises(ValueError, match="base_url"):
        NdxpClient(base_url="ftp://x", client=CLIENT, auth=auth)


async def test_closing_owned_and_shared_transports() -> None:
    async with national_server(scheme="hmac") as server:
        client = hmac_client(server.url)
        await client.call(service=CITIZEN_SERVICE)
        await client.aclose()
        await client.aclose()
        with pytest.raises(NdxpClientClosed):
            await client.call(service=CITIZEN_SERVICE)

        shared = AiohttpTransport()
        async with hmac_client(server.url, transport=shared) as borrowing:
            await borrowing.call(service=CITIZEN_SERVICE)
        assert shared.is_open, "a transport passed in stays the caller's"
        async with hmac_client(server.url, transport=shared) as again:
            assert (await again.call(service=CITIZEN_SERVICE)).status == 200
            await shared.aclose()
            with pytest.raises(NdxpClientClosed):
                await again.call(service=CITIZEN_SERVICE)


async def test_convenience_calls_use_the_service_mapping() -> None:
    async with national_server(scheme="hmac") as server, hmac_client(server.url) as client:
        lookup = {"SoDinhDanh": "001099012345", "HoVaTen": "Nguyễn Văn A"}
        await client.lookup_citizen(query=lookup, user_id="can-bo-17")
        await client.sync_dossiers(envelope={"service": "DongBoHoSoMC"}, message_id="ho-so-1")
        await client.update_progress(envelope={"service": "CapNhatTienDoHoSoMC"})
        await client.send_document(edxml=b"<edXML:MessageHeader/>")
    targets = [seen.target for seen in server.seen]
    assert targets == [
        "/r1/VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan",
        "/r1/VN/GOV/000.00.00.G12/DVCQG/dong-bo-ho-so",
        "/r1/VN/GOV/000.00.00.G12/DVCQG/cap-nhat-tien-do",
        "/r1/VN/GOV/000.00.00.G01/TRUC-LIEN-THONG/nhan-van-ban",
    ]
    assert json.loads(server.seen[0].body) == lookup
    assert server.seen[0].header("Content-Type") == "application/json; charset=utf-8"
    assert server.seen[0].header(protocol.USER_ID) == "can-bo-17"
    assert server.seen[1].header(protocol.MESSAGE_ID) == "ho-so-1"
    assert server.seen[3].header("Content-Type") == "application/xml; charset=utf-8"
