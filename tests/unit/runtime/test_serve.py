"""Serving a component: the heap its import built is frozen out of the collector's full passes."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import gc
from civic.serve import load_app
before = gc.get_freeze_count()
app = load_app({component!r})
from fastapi import FastAPI
print(before, gc.get_freeze_count(), isinstance(app, FastAPI))
"""


@pytest.mark.parametrize("component", ["gateway", "savings"])
def test_the_imported_heap_is_frozen(component: str) -> None:
    # a fresh interpreter: the import configures logging and tracing, which this test process keeps clear of
    out = subprocess.run([sys.executable, "-c", CHECK.format(component=component)],
                         capture_output=True, text=True, timeout=120, check=True).stdout.split()
    before, after, is_fastapi = int(out[0]), int(out[1]), out[2]
    assert is_fastapi == "True"  # the gateway's is a FastAPI subclass (its front door asked first)
    assert before == 0
    assert after > 20_000  # the frameworks and the app, not a handful of objects
