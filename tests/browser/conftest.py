"""The web app in a real headless Chromium, through the gateway and the real services (the ``platform`` of
tests/conftest.py: every component as its own process).

The browser is Debian's ``chromium`` (``apt-get install chromium``; .ci/run installs it), driven by
Playwright's Python API with ``executable_path``; Playwright's own browser download is never used. Its async
API runs in the suite's one asyncio loop (pytest-asyncio's session loop), so no pytest-playwright, which
brings its own loop. Without a browser the tests are skipped outside CI, and the run says so loudly at the
end; in CI (``CI`` set) a missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from civic.cli.stack import Stack
from civic_web.officers import Officer, demo_officer

CHROMIUM = os.environ.get("CIVIC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# as root, in a machine whose network reaches nothing: no sandbox, nothing fetched in the background
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).parent / "axe" / "axe.min.js"
NO_BROWSER = (f"no Chromium at {CHROMIUM}: the web app's browser tests did not run. "
              "Install Debian's browser (apt-get install chromium) or set CIVIC_CHROMIUM to one.")
_skipped: list[str] = []
#: the fixtures' types: a new signed-in page, and an API client acting as an officer
NewPage = Callable[..., Awaitable[Any]]
Api = Callable[[Officer], httpx.AsyncClient]


def browser_found() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    ours = [item for item in items if here in Path(str(item.fspath)).parents]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    if ours and not browser_found() and not os.environ.get("CI"):
        _skipped.extend(item.nodeid for item in ours)
        for item in ours:
            item.add_marker(pytest.mark.skip(reason=NO_BROWSER))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # counted from the reports, which reach the main process also when workers ran the tests (make test)
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if isinstance(report.longrepr, tuple) and NO_BROWSER in str(report.longrepr[-1])]
    if skipped or _skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"{len(skipped) or len(_skipped)} browser tests were skipped: {NO_BROWSER}",
                                    red=True, bold=True)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    if not browser_found():
        pytest.fail(NO_BROWSER + " (CI installs it in .ci/run)")
    from playwright.async_api import async_playwright

    playwright = await async_playwright().start()
    launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        await launched.close()
        await playwright.stop()


@pytest.fixture(scope="session")
def officers_url(platform: Stack) -> str:
    """The one address officers open: the gateway's."""
    return platform.gateway_url()


@pytest_asyncio.fixture(loop_scope="session")
async def new_page(browser: Any, officers_url: str) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """Pages in fresh browser contexts (each its own cookies): ``await new_page(javascript=False)``, or
    ``await new_page(ESTATES)`` for one with that officer signed in."""
    contexts: list[Any] = []

    async def make(officer: Officer | None = None, javascript: bool = True) -> Any:
        # bypass_csp lets the test put axe-core on the page (an inline script the page's policy refuses)
        context = await browser.new_context(base_url=officers_url, java_script_enabled=javascript, bypass_csp=True)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = await context.new_page()
        if officer is not None:
            await sign_in(page, officer)
        return page

    yield make
    for context in contexts:
        await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def api(platform: Stack) -> AsyncIterator[Callable[[Officer], httpx.AsyncClient]]:
    """The gateway's API as one of the demo's officers (with that officer's scopes): to check what a page did."""
    clients: list[httpx.AsyncClient] = []

    def as_officer(officer: Officer) -> httpx.AsyncClient:
        token = platform.token(officer.scopes, sub=officer.key)
        client = httpx.AsyncClient(base_url=platform.gateway_url(), headers={"Authorization": f"Bearer {token}"},
                                   timeout=30)
        clients.append(client)
        return client

    yield as_officer
    for client in clients:
        await client.aclose()


async def sign_in(page: Any, officer: Officer) -> None:
    """Sign in on the sign-in page as a person would: choose the officer, press the button."""
    await page.goto("/")
    assert page.url.endswith("/sign-in"), page.url
    await page.get_by_label(f"{officer.name}, {officer.role}", exact=True).check()
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: not url.endswith("/sign-in"))


async def accessibility_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is (axe-core is vendored in tests/browser/axe)."""
    # the page as loaded: after a click that navigates, axe must not go into the document being left
    # (or one that has no body yet), which under load it did
    await page.wait_for_load_state("load")
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"] if v.get("impact") in ("serious", "critical")
    ]


async def no_accessibility_problems(page: Any) -> None:
    """The page passes axe-core: no serious or critical violation."""
    problems = await accessibility_problems(page)
    assert not problems, f"axe-core on {page.url}:\n" + "\n".join(problems)


async def summary_links(page: Any) -> list[str]:
    """Where the page's error summary links to (it waits for the summary)."""
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for()
    return [str(await a.get_attribute("href")) for a in await summary.get_by_role("link").all()]


async def type_date(page: Any, prefix: str, day: date) -> None:
    """A date typed in GOV.UK's three boxes (``<prefix>-day``, ``-month``, ``-year``)."""
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        await page.locator(f"#{prefix}-{part}").fill(str(value))


async def recorded_in_safeguarding(client: httpx.AsyncClient, path: str, body: dict[str, Any],
                                   version: int | None = None) -> dict[str, Any]:
    """POST ``body`` to safeguarding's ``path`` through the gateway, with ``If-Match`` when a ``version`` is given:
    the record it created (201) or moved on (200)."""
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    answer = await client.post(f"/api/safeguarding/v1{path}", json=body, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    found: dict[str, Any] = answer.json()
    return found


def demo(key: str) -> Officer:
    """One of the demo's officers, by key (a test names only ones that exist)."""
    found = demo_officer(key)
    assert found is not None, key
    return found
