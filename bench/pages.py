"""The web app's pages: a page's server time against the API calls it makes, and its size.

The web app is a back end for front end: a page asks the gateway, then renders. Each page answers with
``Server-Timing: api;dur=..;desc="N API calls", page;dur=..`` (:mod:`civic_web.timing`), the API calls timed
where the page makes them, so the two figures come from the same requests, side by side. Signed in as the
demo's operator (who reads every service), each page is asked in turns, one at a time, and summed up by
its medians: page time ÷ API time (target at most 1.5) and its HTML's size (under 100 KB before assets).
"""

from __future__ import annotations

import re
import statistics
from typing import Any

import httpx

RATIO_TARGET = 1.5
HTML_KB_TARGET = 100
SAMPLES = 25
OFFICER = "operator"
PAGES = (
    "/",
    "/savings/initiatives",
    "/savings/reports/themes",
    "/property/buildings",
    "/property/rationalisation",
    "/safeguarding/boards",
    "/comms/content",
    "/comms/forward-plan",
    "/comms/briefing",
)
_TIMING = re.compile(r'api;dur=([\d.]+);desc="(\d+) API calls", page;dur=([\d.]+)')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _signed_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/sign-in")
    token = _CSRF.search(form.text)
    if token is None:
        raise RuntimeError("the sign-in page has no form token")
    answer = await client.post("/sign-in", data={"officer": OFFICER, "csrf_token": token.group(1)})
    if answer.status_code != 303:
        raise RuntimeError(f"signing in as {OFFICER} answered {answer.status_code}")


async def run(web_url: str) -> dict[str, Any]:
    timings: dict[str, list[tuple[float, float, int]]] = {page: [] for page in PAGES}
    sizes: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=web_url.rstrip("/"), timeout=30, trust_env=False,
                                 headers={"Accept-Encoding": "identity"}) as client:
        await _signed_in(client)
        for round_ in range(SAMPLES + 2):  # the first two rounds warm the caches on both sides
            for page in PAGES:
                answer = await client.get(page)
                if answer.status_code != 200:
                    raise RuntimeError(f"{page} answered {answer.status_code}")
                found = _TIMING.fullmatch(answer.headers.get("server-timing", ""))
                if found is None:
                    raise RuntimeError(f"{page} has no Server-Timing")
                sizes[page] = len(answer.content)
                if round_ >= 2:
                    timings[page].append((float(found.group(3)), float(found.group(1)), int(found.group(2))))
    pages = {}
    for page, samples in timings.items():
        page_ms = statistics.median(s[0] for s in samples)
        api_ms = statistics.median(s[1] for s in samples)
        pages[page] = {
            "page_p50_ms": round(page_ms, 2),
            "api_p50_ms": round(api_ms, 2),
            "api_calls": samples[-1][2],
            "ratio": round(page_ms / api_ms, 3) if api_ms else None,
            "html_kb": round(sizes[page] / 1024, 1),
        }
    ratios = [p["ratio"] for p in pages.values() if p["ratio"] is not None]
    return {
        "officer": OFFICER,
        "samples": SAMPLES,
        "pages": pages,
        "worst_ratio": max(ratios) if ratios else None,
        "largest_html_kb": max(p["html_kb"] for p in pages.values()),
    }


def target_rows(r: dict[str, Any], verdict: Any) -> list[tuple[str, Any, str, str]]:
    return [
        ("Web page server time ÷ the API calls it makes (p50, the slowest page)", r["worst_ratio"],
         f"≤ {RATIO_TARGET}", verdict(r["worst_ratio"], RATIO_TARGET, False)),
        ("Largest page's HTML, KB (before assets)", r["largest_html_kb"], f"< {HTML_KB_TARGET}",
         verdict(r["largest_html_kb"], HTML_KB_TARGET, False)),
    ]


def detail(r: dict[str, Any]) -> list[str]:
    return [
        "## Web pages",
        "",
        f"Signed in as the demo's {r['officer']} (who reads every service), each page asked {r['samples']} times "
        "in turns, one at a time, directly at the web app. Page and API times are the page's own Server-Timing "
        "(the API calls timed where the page makes them, through the gateway), medians.",
        "",
        "| page | page p50 ms | its API calls p50 ms | calls | page ÷ API | HTML KB |",
        "|---|---:|---:|---:|---:|---:|",
        *[f"| `{page}` | {p['page_p50_ms']} | {p['api_p50_ms']} | {p['api_calls']} | {p['ratio']} | {p['html_kb']} |"
          for page, p in r["pages"].items()],
        "",
    ]
