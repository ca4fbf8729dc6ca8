"""The Prometheus of ``civic up --observe`` (civic/cli/observe.py): its configuration, written into the stack's
state directory, scrapes every component the stack runs on the stack's own ports, loads production's rules,
and gives its targets the labels those rules select on (the Prometheus Operator's, for the PodMonitor
civic-components). ``promtool check config`` reads it as Prometheus would, when it is installed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from civic.cli import observe
from civic.cli.stack import Stack, StackConfig, StackError
from civic_contracts import SERVICES

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "deploy" / "prometheus" / "rules.yaml"


def _stack(tmp_path: Path, **kwargs: object) -> Stack:
    return Stack(StackConfig.ephemeral(tmp_path / "state", observe=True, **kwargs))


def test_every_component_is_scraped_on_the_stacks_ports_with_production_rules(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    assert observe.rules_file() == RULES.resolve()
    path = observe.write_configuration(stack, RULES)
    assert path == stack.state_dir / "prometheus" / "prometheus.yml" and (path.parent / "data").is_dir()
    text = path.read_text()
    config = json.loads(text[text.index("{"):])
    assert config["rule_files"] == [str(RULES)]
    assert config["global"]["evaluation_interval"] == config["global"]["scrape_interval"] == observe.INTERVAL
    (job,) = config["scrape_configs"]
    ports = {"gateway": stack.config.gateway_port, "web": stack.config.web_port, **stack.config.service_ports}
    scraped = {group["labels"]["container"]: group["targets"] for group in job["static_configs"]}
    assert scraped == {name: [f"127.0.0.1:{ports[name]}"] for name in ["gateway", "web", *SERVICES]}
    for group in job["static_configs"]:
        labels = group["labels"]
        assert labels == {"namespace": "civic", "pod": labels["container"], "container": labels["container"],
                          "endpoint": "http"}


def test_a_stack_without_the_gateway_scrapes_what_it_runs(tmp_path: Path) -> None:
    stack = _stack(tmp_path, services=("savings",), with_gateway=False)
    assert observe.targets(stack) == {"savings": stack.config.service_ports["savings"]}


def test_the_local_job_is_the_one_the_rules_select() -> None:
    """Every `up` selector of the rules takes the local job name, as it takes the Operator's."""
    selectors = re.findall(r'up\{job=~"([^"]+)"\}', RULES.read_text())
    assert selectors
    for pattern in selectors:
        assert re.fullmatch(pattern, observe.JOB) and re.fullmatch(pattern, "monitoring/civic-components")
        assert not re.fullmatch(pattern, "civic/civic-kafka-exporter")


@pytest.mark.skipif(shutil.which("promtool") is None and not os.environ.get("CI"),
                    reason="promtool is not installed (Debian's prometheus package)")
def test_prometheus_reads_the_configuration(tmp_path: Path) -> None:
    path = observe.write_configuration(_stack(tmp_path), RULES)
    result = subprocess.run(["promtool", "check", "config", str(path)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_prometheus_up_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVIC_PROMETHEUS", str(tmp_path / "no-such-prometheus"))
    with pytest.raises(StackError, match="make observe"):
        observe.check(_stack(tmp_path))
