"""The app's pages, one module per section: each asks the gateway (as the signed-in officer) and renders."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from civic_web.gateway import Gateway
from civic_web.layout import Layout


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def layout_of(request: Request) -> Layout:
    layout: Layout = request.app.state.layout
    return layout


def request_id(request: Request) -> str | None:
    """The page request's X-Request-Id (the gateway's), carried on the page's own calls to the API."""
    return request.headers.get("x-request-id")


def first(value: Any) -> str:
    """A form or query value as text ('' when absent)."""
    return value.strip() if isinstance(value, str) else ""
