"""``civic up --observe``: a real Prometheus beside the local stack, with production's rules.

Prometheus (Debian's ``prometheus`` package: ``make observe`` installs it) runs as one more process of the
stack, started last and stopped first. Its configuration is written into the stack's state directory
(``prometheus/prometheus.yml``, data in ``prometheus/data``): every component's ``/metrics`` (the four
services, the gateway, the web app) scraped every few seconds, and ``deploy/prometheus/rules.yaml`` as its
rule file, evaluated as often, so an alert's ``for:`` is the only wait.

The rules are production's, which read the labels the Prometheus Operator gives a target of the PodMonitor
``civic-components``: ``job`` ``<namespace>/civic-components``, ``namespace``, ``pod`` and ``container`` (the
component). The local targets carry the same, with the namespace ``civic`` and the stack's component name
as pod and container, so the same expressions match here.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from civic.cli.processes import StackError

if TYPE_CHECKING:
    from civic.cli.processes import Component
    from civic.cli.stack import Stack

DEFAULT_PROMETHEUS_PORT = 9190  # beside, not on, 9090: Debian's package runs its own Prometheus service there
JOB = "civic/civic-components"  # what the Prometheus Operator names the PodMonitor's job in the namespace civic
NAMESPACE = "civic"
INTERVAL = "5s"  # scrape and rule evaluation: an alert fires `for:` after the failure, give or take 10 s

INSTALL_HINT = (
    "Prometheus is not installed (the `prometheus` command of Debian's package). Install it with "
    "`make observe` (apt-get as root, or through sudo), or by hand: `sudo apt-get install --no-install-recommends "
    "prometheus`; or point CIVIC_PROMETHEUS at a prometheus binary."
)


def prometheus_binary() -> str | None:
    """``CIVIC_PROMETHEUS`` (a path), else ``prometheus`` on the PATH."""
    configured = os.environ.get("CIVIC_PROMETHEUS")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("prometheus") or (
        "/usr/bin/prometheus" if Path("/usr/bin/prometheus").is_file() else None)


def rules_file() -> Path | None:
    """deploy/prometheus/rules.yaml of this checkout (``CIVIC_PROMETHEUS_RULES`` to name another)."""
    configured = os.environ.get("CIVIC_PROMETHEUS_RULES")
    candidates = [Path(configured)] if configured else [
        Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "rules.yaml",  # runtime/civic/cli/ -> root
        Path.cwd() / "deploy" / "prometheus" / "rules.yaml",
    ]
    return next((path.resolve() for path in candidates if path.is_file()), None)


def check(stack: Stack) -> tuple[str, Path]:
    """The binary and rule file, or a StackError saying what is missing, before anything starts."""
    binary = prometheus_binary()
    if binary is None:
        raise StackError(INSTALL_HINT)
    rules = rules_file()
    if rules is None:
        raise StackError("deploy/prometheus/rules.yaml was not found: run civic up --observe from the repository, "
                         "or set CIVIC_PROMETHEUS_RULES to the rule file.")
    return binary, rules


def targets(stack: Stack) -> dict[str, int]:
    """Every component with a /metrics: name -> port (the stack's own ports)."""
    config = stack.config
    found = {service: config.service_ports[service] for service in config.services}
    if config.with_gateway:
        found["gateway"] = config.gateway_port
        if config.with_web:
            found["web"] = config.web_port
    return found


def configuration(stack: Stack, rules: Path) -> dict[str, object]:
    static_configs = [
        {"targets": [f"127.0.0.1:{port}"],
         "labels": {"namespace": NAMESPACE, "pod": name, "container": name, "endpoint": "http"}}
        for name, port in targets(stack).items()
    ]
    return {
        "global": {"scrape_interval": INTERVAL, "scrape_timeout": "4s", "evaluation_interval": INTERVAL},
        "rule_files": [str(rules)],
        "scrape_configs": [{"job_name": JOB, "metrics_path": "/metrics", "static_configs": static_configs}],
    }


def write_configuration(stack: Stack, rules: Path) -> Path:
    directory = stack.state_dir / "prometheus"
    (directory / "data").mkdir(parents=True, exist_ok=True)
    path = directory / "prometheus.yml"
    header = ("# Written by `civic up --observe` (runtime/civic/cli/observe.py) at each start: edits are lost.\n"
              "# The labels are those the Prometheus Operator gives the PodMonitor civic-components' targets,\n"
              "# so production's rules (rule_files) read the same here.\n")
    # JSON is YAML too: Prometheus reads it, and the runtime needs no YAML library for it
    path.write_text(header + json.dumps(configuration(stack, rules), indent=2) + "\n")
    return path


def prometheus_url(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.config.prometheus_port}"


def start_prometheus(stack: Stack, wait: bool = True) -> Component:
    binary, rules = check(stack)
    config_path = write_configuration(stack, rules)
    port = stack.config.prometheus_port
    url = prometheus_url(stack)
    component = stack._spawn(
        "prometheus", "prometheus",
        [binary, f"--config.file={config_path}", f"--storage.tsdb.path={config_path.parent / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=7d", "--log.level=warn"],
        port, url, ready_url=f"{url}/-/ready",
    )
    if wait:
        stack.wait_ready("prometheus", timeout=60)
    return component


def targets_up(url: str) -> dict[str, bool]:
    """Each scraped component (its ``container`` label) -> whether its last scrape succeeded."""
    response = httpx.get(f"{url}/api/v1/targets", params={"state": "active"}, timeout=5)
    response.raise_for_status()
    return {target["labels"]["container"]: target["health"] == "up"
            for target in response.json()["data"]["activeTargets"] if target["labels"].get("job") == JOB}


def alerts(url: str) -> list[dict[str, object]]:
    """Prometheus's pending and firing alerts (``/api/v1/alerts``)."""
    response = httpx.get(f"{url}/api/v1/alerts", timeout=5)
    response.raise_for_status()
    found: list[dict[str, object]] = response.json()["data"]["alerts"]
    return found
