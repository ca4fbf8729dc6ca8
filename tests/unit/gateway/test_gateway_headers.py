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

HOP_BY_HOP = [
    ("Connection", "keep-alive"),
    ("Keep-Alive", "timeout=5"),
    ("Proxy-Authorization", "Basic abc"),
    ("Proxy-Connection", "keep-alive"),
    ("Proxy-Authenticate", "Basic"),
    ("TE", "trailers"),
    ("Trailer", "Expires"),
    ("Transfer-Encoding", "chunked"),
    ("Upgrade", "websocket"),
]


@pytest.mark.parametrize("header", HOP_BY_HOP, ids=[h[0] for h in HOP_BY_HOP])
def test_each_hop_by_hop_header_is_dropped_both_ways(header: tuple[str, str]) -> None:
    headers = [header, ("Accept", "application/json")]
    assert request_headers_for_backend(headers) == [("Accept", "application/json")]
    assert response_headers_for_caller(headers) == [("Accept", "application/json")]


def test_headers_named_in_connection_are_dropped() -> None:
    headers = [
        ("Connection", "close, X-Internal-Route"),
        ("connection", "x-other"),
        ("X-Internal-Route", "admin"),
        ("X-Other", "1"),
        ("X-Kept", "yes"),
    ]
    assert connection_named(headers) == {"close", "x-internal-route", "x-other"}
    assert end_to_end(headers) == [("X-Kept", "yes")]


def test_names_are_matched_whatever_their_case() -> None:
    assert end_to_end([("TRANSFER-ENCODING", "chunked"), ("content-type", "a/b")]) == [
        ("content-type", "a/b")
    ]


def test_repeated_end_to_end_headers_are_kept_in_order() -> None:
    headers = [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("ETag", '"3"')]
    assert response_headers_for_caller(headers) == headers


def test_inbound_headers_the_gateway_sets_itself_are_not_taken_from_the_caller() -> None:
    headers = [
        ("Host", "evil.example"),
        ("Authorization", "Bearer forged"),
        ("X-Forwarded-For", "10.0.0.1"),
        ("X-Request-Id", "abc"),
        ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("Content-Type", "application/json"),
        ("If-Match", '"2"'),
        ("Idempotency-Key", "k1"),
    ]
    assert request_headers_for_backend(headers) == [
        ("Content-Type", "application/json"),
        ("If-Match", '"2"'),
        ("Idempotency-Key", "k1"),
    ]


def test_outbound_headers_the_gateway_sets_itself_are_replaced() -> None:
    headers = [("X-Trace-Id", "backend"), ("Server", "uvicorn"), ("Content-Type", "application/json")]
    assert response_headers_for_caller(headers) == [("Content-Type", "application/json")]


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
