"""Which headers cross the exchange in each direction."""

from __future__ import annotations

from lgsp.exchange.headers import inbound, outbound


def test_outbound_drops_credentials_framing_hop_by_hop_and_proxy_headers() -> None:
    sent = [
        ("Host", "lgsp.example"),
        ("Authorization", "Bearer exchange-token"),
        ("Cookie", "session=1"),
        ("Connection", "keep-alive, X-Secret-Hop"),
        ("X-Secret-Hop", "1"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Length", "12"),
        ("X-Forwarded-For", "10.0.0.1"),
        ("Forwarded", "for=10.0.0.1"),
        ("X-LGSP-Client", "spoofed"),
        ("Content-Type", "application/json; charset=utf-8"),
        ("Idempotency-Key", "abc"),
        ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("Accept-Language", "vi"),
    ]
    assert outbound(sent) == [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Idempotency-Key", "abc"),
        ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("Accept-Language", "vi"),
    ]


def test_inbound_keeps_the_providers_headers_but_not_framing_or_forged_exchange_ones() -> None:
    answered = [
        ("Content-Type", "application/json"),
        ("Content-Length", "99"),
        ("Date", "Tue, 01 Jan 2030 00:00:00 GMT"),
        ("Connection", "close"),
        ("X-LGSP-Exchange-Id", "forged"),
        ("Set-Cookie", "a=b"),
        ("ETag", '"v1"'),
        ("Content-Encoding", "gzip"),
    ]
    assert inbound(answered) == [
        ("Content-Type", "application/json"),
        ("Set-Cookie", "a=b"),
        ("ETag", '"v1"'),
        ("Content-Encoding", "gzip"),
    ]


def test_repeated_headers_are_kept_in_order() -> None:
    assert outbound([("Accept", "a"), ("Accept", "b")]) == [("Accept", "a"), ("Accept", "b")]
