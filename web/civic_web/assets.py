"""Static files under names that carry their content's hash, so a browser may keep them for a year.

``govuk-frontend/5.x/govuk-frontend.min.css`` is served as ``/assets/govuk-frontend/5.x/govuk-frontend.min.
<hash>.css``: a changed file gets a new name, so an answer can say ``immutable`` and the pages (never
cached) always name the current one. The names are worked out once, when the app starts.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

PREFIX = "/assets/"
#: a year: the longest lifetime caches honour
FOREVER = "public, max-age=31536000, immutable"
HASH_LENGTH = 12


def fingerprinted(relative: str, content: bytes) -> str:
    """``dir/name.ext`` -> ``dir/name.<hash>.ext`` (the hash of the content; a name without an extension
    gets the hash at its end)."""
    path = PurePosixPath(relative)
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    suffix = path.suffix
    stem = path.name[: -len(suffix)] if suffix else path.name
    return str(path.with_name(f"{stem}.{digest}{suffix}"))


@dataclass
class Assets:
    """The static folder's files, each by its plain name and by its fingerprinted one."""

    root: Path
    urls: dict[str, str]  # plain relative name -> /assets/<fingerprinted name>
    files: dict[str, Path]  # fingerprinted relative name -> the file

    @classmethod
    def of(cls, root: Path) -> Assets:
        urls: dict[str, str] = {}
        files: dict[str, Path] = {}
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = file.relative_to(root).as_posix()
            named = fingerprinted(relative, file.read_bytes())
            urls[relative] = PREFIX + named
            files[named] = file
        return cls(root, urls, files)

    def url(self, relative: str) -> str:
        """The address of a static file; a name that is not there is a mistake in a template."""
        try:
            return self.urls[relative]
        except KeyError:
            raise LookupError(f"no static file {relative!r} in {self.root}") from None

    async def serve(self, request: Request) -> Response:
        file = self.files.get(request.path_params["name"])
        if file is None:
            return PlainTextResponse("There is no such file.", status_code=404, headers={"Cache-Control": "no-store"})
        media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return FileResponse(file, media_type=media_type, headers={"Cache-Control": FOREVER})
