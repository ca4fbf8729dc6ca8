"""Which headers cross the gateway.

Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the message, so a proxy must
drop them in both directions, together with every header the Connection header names. Left in,
they let a caller steer the connection between gateway and service (request smuggling, upgrades).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Names are compared as lower-case bytes: both ends of a forward hold raw header bytes (the ASGI
# scope and the backend pool), so filtering them needs no decoding and re-encoding.
Header = tuple[bytes, bytes]

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
    }
)

# Headers the gateway sets itself on the way in; a caller's own values must not pass as if they
# came from the gateway. (Expect is answered by the gateway's own server, not passed on.)
SET_BY_GATEWAY_INBOUND = frozenset(
    {
        b"host",
        b"authorization",
        b"x-request-id",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"forwarded",
        b"traceparent",
        b"tracestate",
        b"expect",
    }
)

# Headers the gateway sets itself on the way out.
SET_BY_GATEWAY_OUTBOUND = frozenset({b"x-request-id", b"x-trace-id", b"server", b"date"})

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _is_hop_by_hop(name: bytes) -> bool:
    return name in HOP_BY_HOP or name.startswith(b"proxy-")


def connection_named(headers: Iterable[Header]) -> frozenset[bytes]:
    """Header names listed in any Connection header (it may repeat and holds a comma list)."""
    named: set[bytes] = set()
    for name, value in headers:
        if name.lower() == b"connection":
            named.update(token.strip().lower() for token in value.split(b",") if token.strip())
    return frozenset(named)


def end_to_end(headers: Iterable[Header], *, also_drop: frozenset[bytes] = frozenset()) -> list[Header]:
    """The headers that may be forwarded: hop-by-hop ones, those named in Connection and
    ``also_drop`` (lower-case names) are removed; order, case and repeats of the rest are kept."""
    pairs = list(headers)
    drop = connection_named(pairs) | also_drop
    kept = []
    for name, value in pairs:
        lower = name.lower()
        if _is_hop_by_hop(lower) or lower in drop:
            continue
        kept.append((name, value))
    return kept


def request_headers_for_backend(headers: Iterable[Header]) -> list[Header]:
    return end_to_end(headers, also_drop=SET_BY_GATEWAY_INBOUND)


def response_headers_for_caller(headers: Iterable[Header]) -> list[Header]:
    return end_to_end(headers, also_drop=SET_BY_GATEWAY_OUTBOUND)


def usable_request_id(value: str | None) -> str | None:
    """A caller's X-Request-Id is kept only if it is short and plain (it ends up in logs)."""
    if value and _REQUEST_ID.match(value):
        return value
    return None
