"""The local stack's span file read back: ``traces.jsonl`` as :class:`civic.telemetry.JsonLinesSpanExporter`
writes it (one span a line: trace_id, span_id, parent_id, name, kind, service, start and end in ns, status,
attributes), for ``civic trace`` and the gateway's trace view.

Every process of the stack appends to the one file for as long as the stack runs, so it is read from its end,
newest first, a block at a time: a question about recent traces costs a read bounded in bytes and memory
however large the file has grown. The last line may be one an exporter is still writing (no newline yet): it is
left for the next read, as is any line that is not a span.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: how much is read at a time, from the end backwards
BLOCK_BYTES = 64 * 1024


def lines_from_end(path: Path, max_bytes: int | None = None) -> Iterator[bytes]:
    """The file's whole lines, last first, from at most its last ``max_bytes`` (all of it when None). A line cut
    by that window, and the last line until its newline is written, are not given."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return
    with handle:
        position = handle.seek(0, os.SEEK_END)
        floor = 0 if max_bytes is None else max(0, position - max_bytes)
        pending = b""  # the part of a line whose start is in a block not read yet
        after_last_newline = True  # the text after the file's last newline is a line still being written
        while position > floor:
            size = min(BLOCK_BYTES, position - floor)
            position -= size
            handle.seek(position)
            parts = (handle.read(size) + pending).split(b"\n")
            pending = parts[0]
            whole = parts[1:]
            if after_last_newline and whole:
                whole.pop()
                after_last_newline = False
            for line in reversed(whole):
                if line.strip():
                    yield line
        if floor == 0 and not after_last_newline and pending.strip():
            yield pending  # the file's first line


def spans_from_end(path: Path, max_bytes: int | None = None, containing: str | None = None
                   ) -> Iterator[dict[str, Any]]:
    """The spans in the file, last written first (see :func:`lines_from_end`); only lines holding the text
    ``containing`` (a trace id) are parsed when it is given."""
    needle = containing.encode() if containing else None
    for line in lines_from_end(path, max_bytes):
        if needle is not None and needle not in line:
            continue
        try:
            span = json.loads(line)
        except ValueError:
            continue
        if isinstance(span, dict) and isinstance(span.get("trace_id"), str) and isinstance(span.get("start"), int) \
                and isinstance(span.get("end"), int):
            yield span


def spans_of_trace(path: Path, trace_id: str, max_bytes: int | None = None) -> list[dict[str, Any]]:
    """Every span of one trace in the file (within its last ``max_bytes``), in the order they started."""
    found = [s for s in spans_from_end(path, max_bytes, containing=trace_id) if s["trace_id"] == trace_id]
    return sorted(found, key=lambda s: s["start"])
