"""The gateway and its backends as separate processes: one killed, one frozen.

``python -m civic.serve gateway`` (what containers and ``civic up`` run) in front of four stand-in
processes. A killed (SIGKILL) service refuses connections; a frozen (SIGSTOP) one accepts them and
never answers, the worst case for a budget. The dashboard must answer with both in ``degraded``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from civic.auth import LocalSigningKey
from civic.cli.stack import free_port
from civic_contracts import SERVICES

HERE = Path(__file__).parent
READ = ["savings:read", "property:read", "safeguarding:read", "comms:read"]


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)


@pytest.fixture
def processes(signing_key: LocalSigningKey, tmp_path: Path) -> Iterator[dict[str, object]]:
    started: dict[str, subprocess.Popen[bytes]] = {}
    urls: dict[str, str] = {}
    try:
        for name in SERVICES:
            port = free_port()
            urls[name] = f"http://127.0.0.1:{port}"
            started[name] = subprocess.Popen(
                [
                    sys.executable,
                    str(HERE / "gateway_standins.py"),
                    name,
                    str(port),
                    str(signing_key.jwks_path),
                ],
                cwd=HERE,
            )
        gateway_port = free_port()
        env = {
            **os.environ,
            "CIVIC_GATEWAY_PORT": str(gateway_port),
            "CIVIC_HTTP_PORT": str(gateway_port),
            "CIVIC_JWKS_FILE": str(signing_key.jwks_path),
            "CIVIC_STATE_DIR": str(tmp_path),
            "CIVIC_DASHBOARD_BUDGET_SECONDS": "0.5",
            "CIVIC_LOG_LEVEL": "WARNING",
            **{f"CIVIC_{name.upper()}_URL": url for name, url in urls.items()},
        }
        started["gateway"] = subprocess.Popen(
            [sys.executable, "-m", "civic.serve", "gateway"], env=env, cwd=tmp_path
        )
        for name in SERVICES:
            _wait_ready(urls[name] + "/readyz", started[name])
        urls["gateway"] = f"http://127.0.0.1:{gateway_port}"
        _wait_ready(urls["gateway"] + "/readyz", started["gateway"])
        yield {"processes": started, "urls": urls}
    finally:
        for process in started.values():
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)  # a frozen one must be able to die
                process.terminate()
        for process in started.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.timeout(120)  # a frozen service never answers: only the budget lets this test finish
def test_dashboard_answers_with_a_killed_and_a_frozen_service_degraded(
    processes: dict[str, object], signing_key: LocalSigningKey
) -> None:
    started: dict[str, subprocess.Popen[bytes]] = processes["processes"]  # type: ignore[assignment]
    urls: dict[str, str] = processes["urls"]  # type: ignore[assignment]
    headers = {"Authorization": f"Bearer {signing_key.mint('director', READ)}"}
    before = httpx.get(urls["gateway"] + "/api/dashboard", headers=headers, timeout=30)
    assert before.status_code == 200 and before.json()["degraded"] == []

    started["property"].kill()
    started["property"].wait()
    os.kill(started["comms"].pid, signal.SIGSTOP)

    after = httpx.get(urls["gateway"] + "/api/dashboard", headers=headers, timeout=30)
    assert after.status_code == 200, after.text
    body = after.json()
    assert body["degraded"] == ["property", "comms"]
    assert body["savings"]["service"] == "savings" and body["safeguarding"]["service"] == "safeguarding"
    assert "cannot be reached" in body["reasons"]["property"]
    assert body["reasons"]["comms"] == "no answer within 0.5 s"
