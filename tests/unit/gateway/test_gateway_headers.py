"""Hop-by-hop headers never cross the gateway, in either direction."""

from __future__ import annotations

import pytest
from civic_gateway.headers import (
    connection_named,
    end_to_end,
    request_headers_for_backend,
    response_headers_for_caller,
    usable_request_id,
)


def wire(*lines: str) -> list[tuple[bytes, bytes]]:
    """Headers written as they are on the wire ("Name: value"), as the ASGI server hands them over."""
    return [(name.encode(), value.encode()) for name, _, value in (line.partition(": ") for line in lines)]


HOP_BY_HOP = wire(
    "Connection: keep-alive",
    "Keep-Alive: timeout=5",
    "Proxy-Authorization: Basic abc",
    "Proxy-Connection: keep-alive",
    "Proxy-Authenticate: Basic",
    "TE: trailers",
    "Trailer: Expires",
    "Transfer-Encoding: chunked",
    "Upgrade: websocket",
)


@pytest.mark.parametrize("header", HOP_BY_HOP, ids=[h[0].decode() for h in HOP_BY_HOP])
def test_each_hop_by_hop_header_is_dropped_both_ways(header: tuple[bytes, bytes]) -> None:
    headers = [header, (b"Accept", b"application/json")]
    assert request_headers_for_backend(headers) == [(b"Accept", b"application/json")]
    assert response_headers_for_caller(headers) == [(b"Accept", b"application/json")]


def test_headers_named_in_connection_are_dropped() -> None:
    headers = wire(
        "Connection: close, X-Internal-Route",
        "connection: x-other",
        "X-Internal-Route: admin",
        "X-Other: 1",
        "X-Kept: yes",
    )
    assert connection_named(headers) == {b"close", b"x-internal-route", b"x-other"}
    assert end_to_end(headers) == [(b"X-Kept", b"yes")]


def test_names_are_matched_whatever_their_case() -> None:
    assert end_to_end([(b"TRANSFER-ENCODING", b"chunked"), (b"content-type", b"a/b")]) == [
        (b"content-type", b"a/b")
    ]


def test_repeated_end_to_end_headers_are_kept_in_order() -> None:
    headers = [(b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2"), (b"ETag", b'"3"')]
    assert response_headers_for_caller(headers) == headers


def test_inbound_headers_the_gateway_sets_itself_are_not_taken_from_the_caller() -> None:
    headers = wire(
        "Host: evil.example",
        "Authorization: Bearer forged",
        "X-Forwarded-For: 10.0.0.1",
        "X-Request-Id: abc",
        "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "Content-Type: application/json",
        'If-Match: "2"',
        "Idempotency-Key: k1",
    )
    assert request_headers_for_backend(headers) == [
        (b"Content-Type", b"application/json"),
        (b"If-Match", b'"2"'),
        (b"Idempotency-Key", b"k1"),
    ]


def test_outbound_headers_the_gateway_sets_itself_are_replaced() -> None:
    headers = [(b"X-Trace-Id", b"backend"), (b"Server", b"uvicorn"), (b"Content-Type", b"application/json")]
    assert response_headers_for_caller(headers) == [(b"Content-Type", b"application/json")]


@pytest.mark.parametrize(
    ("value", "usable"),
    [
        ("abc-123", True),
        ("0af7651916cd43dd", True),
        ("", False),
        (None, False),
        ("a b", False),
        ("x" * 129, False),
        ("line\nbreak", False),
    ],
)
def test_only_plain_request_ids_are_kept(value: str | None, usable: bool) -> None:
    assert (usable_request_id(value) is not None) is usable
