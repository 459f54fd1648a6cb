"""Contract checks: what the provider receives, and what comes back from it."""

from __future__ import annotations

import asyncio
import gzip
import json

from tests.unit.adapters.contract_env import API_KEY, BASE_PATH, SECRET_BODY, ContractEnv, outbound
from tests.unit.adapters.provider import (
    Answer,
    Received,
    answer,
    chunked,
    framework_provider,
    loopback_hostname,
    reply,
)

ODD_PATHS = [
    "",
    "/",
    "/reports/17",
    "/a%20b",
    "/matrix;v=1;lang=vi/x",
    "/users/@me",
    "/h%E1%BB%93-s%C6%A1/%C4%91%C4%83ng-k%C3%BD",  # hồ-sơ/đăng-ký, percent-encoded UTF-8
    "/sub-delims/!$&'()*+,=:~",
    "/upper%2Bcase%3a-mixed",
]


async def check_forwards_exact_path_and_query(env: ContractEnv) -> None:
    """The provider gets the base path, then the path and query byte for byte."""
    adapter = env.adapter()
    for path in ODD_PATHS:
        for query in ("", "a=1&b=%20x&c", "q=h%E1%BB%93+s%C6%A1&empty=&flag"):
            await adapter.send(outbound("GET", path, query))
            expected = BASE_PATH + env.harness.path_prefix + path + (f"?{query}" if query else "")
            assert env.provider.received[-1].target == expected


async def check_forwards_method_and_body(env: ContractEnv) -> None:
    """Method and body bytes arrive unchanged, an empty body as no body at all."""
    adapter = env.adapter()
    binary = bytes(range(256)) + b"\r\n\r\n0\r\n"
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        for body in (b"", SECRET_BODY, binary):
            await adapter.send(outbound(method, "/items", body=body))
            received = env.provider.received[-1]
            assert (received.method, received.body) == (method, body)
            lengths = received.values("content-length")
            if body:
                assert lengths == [str(len(body))]
            elif method == "GET":
                assert lengths == []
            else:
                # "0" may be sent where the method defines a body (RFC 9110 §8.6).
                assert lengths in ([], ["0"])


async def check_sends_only_caller_and_static_headers(env: ContractEnv) -> None:
    """Caller headers in order (repeats kept), then static ones; nothing added but framing."""
    adapter = env.adapter()
    caller = (
        ("X-Trace", "1"),
        ("Content-Type", "application/json; charset=utf-8"),
        ("X-Trace", "2"),
        ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("X-Api-Key", "forged-by-caller"),
    )
    await adapter.send(outbound("POST", "/items", headers=caller, body=SECRET_BODY))
    received = env.provider.received[-1]
    sent = [(name.lower(), value) for name, value in caller if name != "X-Api-Key"]
    sent.append((API_KEY[0].lower(), API_KEY[1]))
    skipped = {"host", "content-length", *env.harness.own_headers}
    got = [
        (name.decode().lower(), value.decode())
        for name, value in received.headers
        if name.decode().lower() not in skipped
    ]
    assert got == sent
    assert received.values("host") == [f"127.0.0.1:{env.provider.port}"]
    assert received.values("content-length") == [str(len(SECRET_BODY))]


async def check_framework_provider_understands_call(env: ContractEnv) -> None:
    """A standard HTTP server decodes the forwarded path, query and body as the caller meant."""
    async with framework_provider() as base_url:
        adapter = env.adapter(base_url=base_url + BASE_PATH)
        query = "ten=Nguy%E1%BB%85n+V%C4%83n+A&x=%26"
        body = "phản ánh".encode()
        response = await adapter.send(
            outbound("PUT", "/h%E1%BB%93%20s%C6%A1;v=1", query, body=body)
        )
    assert response.status == 200
    assert json.loads(response.body) == {
        "method": "PUT",
        "path": f"/api{env.harness.path_prefix}/hồ sơ;v=1",
        "query": [["ten", "Nguyễn Văn A"], ["x", "&"]],
        "body": "phản ánh",
    }


async def check_returns_answer_unchanged(env: ContractEnv) -> None:
    """Status, every header (order, case, repeats) and body bytes come back as sent."""
    adapter = env.adapter()
    cases = [
        answer(200, b'{"ok": true}', [("Content-Type", "application/json"), ("x-MiXeD", "a")]),
        answer(
            201, b"", [("Location", "/api/items/9"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
        ),
        answer(204, b""),
        answer(404, b"not here", [("Content-Type", "text/plain")]),
        answer(422, bytes(range(256)), [("Content-Type", "application/octet-stream")]),
        answer(500, b"boom"),
        answer(503, b"", [("Retry-After", "7")]),
    ]
    for sent in cases:
        env.provider.behaviour = reply(sent.wire())
        response = await adapter.send(outbound("POST", "/items", body=b"{}"))
        assert (response.status, response.headers, response.body) == (
            sent.status,
            sent.headers,
            sent.body,
        )


async def check_bodiless_answers_keep_their_length(env: ContractEnv) -> None:
    """HEAD and 304 answers carry no body: their Content-Length is kept, not held to the limit."""
    adapter = env.adapter(max_response_bytes=1000)
    headers = (("Content-Length", "123456"),)
    env.provider.behaviour = reply(Answer(200, headers, b"").wire())
    response = await adapter.send(outbound("HEAD", "/file"))
    assert (response.status, response.headers, response.body) == (200, headers, b"")
    env.provider.behaviour = reply(Answer(304, (*headers, ("ETag", '"v1"')), b"").wire())
    response = await adapter.send(outbound("GET", "/file", headers=(("If-None-Match", '"v1"'),)))
    assert (response.status, response.body) == (304, b"")


async def check_does_not_follow_redirects(env: ContractEnv) -> None:
    """A 302 is the answer: the adapter does not go to Location."""
    sent = answer(302, b"moved", [("Location", f"{BASE_PATH}/elsewhere")])
    env.provider.behaviour = reply(sent.wire())
    response = await env.adapter().send(outbound("POST", "/old", body=b"x"))
    assert (response.status, response.headers, response.body) == (302, sent.headers, b"moved")
    assert [request.target for request in env.provider.received] == [
        f"{BASE_PATH}{env.harness.path_prefix}/old"
    ]


async def check_passes_compressed_body_through(env: ContractEnv) -> None:
    """A gzip body stays compressed, with its Content-Encoding; nothing asks for gzip itself."""
    compressed = gzip.compress("dữ liệu ".encode() * 200)
    sent = answer(200, compressed, [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")])
    env.provider.behaviour = reply(sent.wire())
    adapter = env.adapter()
    response = await adapter.send(outbound("GET", "/data"))
    assert (response.headers, response.body) == (sent.headers, compressed)
    assert env.provider.received[-1].values("accept-encoding") == []
    await adapter.send(outbound("GET", "/data", headers=(("Accept-Encoding", "gzip"),)))
    assert env.provider.received[-1].values("accept-encoding") == ["gzip"]


async def check_reads_chunked_answer_whole(env: ContractEnv) -> None:
    """A chunked answer's body is the joined chunks; its headers are as sent."""
    body = b"0123456789abcdef" * 1000
    headers = (("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked"))
    env.provider.behaviour = reply(Answer(200, headers, chunked(body, size=1000)).wire())
    response = await env.adapter().send(outbound("GET", "/stream"))
    assert (response.headers, response.body) == (headers, body)


async def check_keeps_no_cookies(env: ContractEnv) -> None:
    """A cookie set by one answer is not sent with the next call."""
    env.provider.behaviour = reply(answer(200, b"", [("Set-Cookie", "session=abc; Path=/")]).wire())
    # By name: cookie jars ignore cookies from IP addresses, which would prove nothing.
    adapter = env.adapter(base_url=env.provider.url(BASE_PATH, host=loopback_hostname()))
    await adapter.send(outbound("GET", "/login"))
    await adapter.send(outbound("GET", "/me"))
    assert env.provider.received[-1].values("cookie") == []


async def check_concurrent_calls_get_their_own_answers(env: ContractEnv) -> None:
    """Many calls at once through one factory each get the answer to their own request."""

    async def echo_target(request: Received, writer: asyncio.StreamWriter) -> bool:
        target = request.target.encode()
        await asyncio.sleep(0.01)
        writer.write(answer(200, target).wire())
        await writer.drain()
        return True

    env.provider.behaviour = echo_target
    adapters = [env.adapter(), env.adapter()]
    requests = [outbound("GET", f"/n/{number}") for number in range(32)]
    responses = await asyncio.gather(
        *(adapters[number % 2].send(request) for number, request in enumerate(requests))
    )
    assert [response.body for response in responses] == [
        f"{BASE_PATH}{env.harness.path_prefix}/n/{number}".encode() for number in range(32)
    ]
