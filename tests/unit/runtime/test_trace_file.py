"""The span file read from its end: whole lines only, newest first, within a window of bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from civic import trace_file
from civic.trace_file import lines_from_end, spans_from_end, spans_of_trace


def _span(trace: str, span: str, start: int) -> str:
    return json.dumps({"trace_id": trace, "span_id": span, "parent_id": None, "name": "x", "kind": "SERVER",
                       "service": "civic-savings", "start": start, "end": start + 5, "status": "UNSET",
                       "attributes": {}})


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # blocks far shorter than a line: every line crosses blocks, as a long one does with the real size
    monkeypatch.setattr(trace_file, "BLOCK_BYTES", 7)


def test_lines_come_last_first_and_a_line_being_written_waits(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_text("first\nsecond line\nthird\n" + '{"trace_id": "a", "sp')
    assert list(lines_from_end(path)) == [b"third", b"second line", b"first"]
    path.write_text("first\nsecond line\nthird\n")
    assert list(lines_from_end(path)) == [b"third", b"second line", b"first"]
    path.write_text("only a line being written")
    assert list(lines_from_end(path)) == []
    assert list(lines_from_end(tmp_path / "missing.jsonl")) == []


def test_a_window_reads_only_the_end_and_drops_the_line_it_cuts(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_text("a" * 50 + "\n" + "second\nthird\n")
    assert list(lines_from_end(path, max_bytes=len("second\nthird\n") + 3)) == [b"third", b"second"]
    assert list(lines_from_end(path, max_bytes=len("second\nthird\n"))) == [b"third"]  # the cut one is not whole


def test_spans_of_one_trace_skip_what_is_not_a_span(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    wanted = "4bf92f3577b34da6a3ce929d0e0e4736"
    lines = [_span(wanted, "02", 20), "not json " + wanted, _span("other", "03", 5), _span(wanted, "01", 10),
             json.dumps({"trace_id": wanted}), "[1, 2]"]
    path.write_text("\n".join(lines) + "\n")
    assert [s["span_id"] for s in spans_of_trace(path, wanted)] == ["01", "02"]
    assert [s["span_id"] for s in spans_from_end(path)] == ["01", "03", "02"]
