"""Static files are served under their content's hash with a year's caching; the pages are never cached."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from civic_web.assets import FOREVER, Assets, fingerprinted
from civic_web.layout import STATIC
from starlette.applications import Starlette
from starlette.routing import Route


def test_the_hash_goes_before_the_extension_and_follows_the_content() -> None:
    one = fingerprinted("govuk-frontend/5.9.0/govuk-frontend.min.css", b"body{}")
    assert re.fullmatch(r"govuk-frontend/5\.9\.0/govuk-frontend\.min\.[0-9a-f]{12}\.css", one)
    assert fingerprinted("govuk-frontend/5.9.0/govuk-frontend.min.css", b"body{}") == one
    assert fingerprinted("govuk-frontend/5.9.0/govuk-frontend.min.css", b"body{ }") != one
    assert re.fullmatch(r"LICENSE\.[0-9a-f]{12}", fingerprinted("LICENSE", b"MIT"))


@pytest.fixture
def static(tmp_path: Path) -> Assets:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "council.css").write_text("body{}")
    (tmp_path / "app.js").write_text("export {}")
    return Assets.of(tmp_path)


async def test_a_file_is_served_by_its_fingerprinted_name_for_a_year(static: Assets) -> None:
    app = Starlette(routes=[Route("/assets/{name:path}", static.serve)])
    url = static.url("css/council.css")
    assert url.startswith("/assets/css/council.") and url.endswith(".css")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web") as client:
        answer = await client.get(url)
        assert answer.status_code == 200 and answer.text == "body{}"
        assert answer.headers["cache-control"] == FOREVER
        assert answer.headers["content-type"].startswith("text/css")
        script = await client.get(static.url("app.js"))
        assert "javascript" in script.headers["content-type"]  # a module script needs a JavaScript type
        # the plain name, or a stale hash, is not served (and not cached)
        for stale in ("/assets/css/council.css", "/assets/css/council.000000000000.css", "/assets/css/..%2Fapp.js"):
            refused = await client.get(stale)
            assert refused.status_code == 404 and refused.headers["cache-control"] == "no-store"


def test_a_template_naming_a_file_that_is_not_there_fails_loudly(static: Assets) -> None:
    with pytest.raises(LookupError):
        static.url("css/missing.css")


def test_the_vendored_govuk_frontend_is_there_with_its_licence_and_no_fonts() -> None:
    vendored = [p for p in (STATIC / "govuk-frontend").iterdir() if p.is_dir()]
    assert len(vendored) == 1, "one pinned version of GOV.UK Frontend"
    names = {p.name for p in vendored[0].rglob("*") if p.is_file()}
    assert {"govuk-frontend.min.css", "govuk-frontend.min.js", "LICENSE.txt"} <= names
    # no GDS Transport (its licence is for GOV.UK only) and no crown
    assert not [n for n in names if n.endswith((".woff", ".woff2"))]
    assert "GDS Transport" not in (vendored[0] / "govuk-frontend.min.css").read_text()
