"""Which headers cross the gateway.

Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the message, so a proxy must
drop them in both directions, together with every header the Connection header names. Left in,
they let a caller steer the connection between gateway and service (request smuggling, upgrades).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)

# Headers the gateway sets itself on the way in; a caller's own values must not pass as if they
# came from the gateway. (Expect is answered by the gateway's own server, not passed on.)
SET_BY_GATEWAY_INBOUND = frozenset(
    {
        "host",
        "authorization",
        "x-request-id",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "forwarded",
        "traceparent",
        "tracestate",
        "expect",
    }
)

# Headers the gateway sets itself on the way out.
SET_BY_GATEWAY_OUTBOUND = frozenset({"x-request-id", "x-trace-id", "server", "date"})

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _is_hop_by_hop(name: str) -> bool:
    return name in HOP_BY_HOP or name.startswith("proxy-")


def connection_named(headers: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Header names listed in any Connection header (it may repeat and holds a comma list)."""
    named: set[str] = set()
    for name, value in headers:
        if name.lower() == "connection":
            named.update(token.strip().lower() for token in value.split(",") if token.strip())
    return frozenset(named)


def end_to_end(headers: Iterable[tuple[str, str]], *, also_drop: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The headers that may be forwarded: hop-by-hop ones, those named in Connection and
    ``also_drop`` (lower-case names) are removed; order and repeats of the rest are kept."""
    pairs = list(headers)
    drop = connection_named(pairs) | frozenset(also_drop)
    kept = []
    for name, value in pairs:
        lower = name.lower()
        if _is_hop_by_hop(lower) or lower in drop:
            continue
        kept.append((name, value))
    return kept


def request_headers_for_backend(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return end_to_end(headers, also_drop=SET_BY_GATEWAY_INBOUND)


def response_headers_for_caller(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return end_to_end(headers, also_drop=SET_BY_GATEWAY_OUTBOUND)


def usable_request_id(value: str | None) -> str | None:
    """A caller's X-Request-Id is kept only if it is short and plain (it ends up in logs)."""
    if value and _REQUEST_ID.match(value):
        return value
    return None
