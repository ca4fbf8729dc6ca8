"""The alerting rules shipped in deploy/prometheus, checked offline.

``promtool check rules`` reads them as Prometheus would, and ``promtool test rules`` runs the alerts' own tests
(rules.test.yaml: the series that raise each alert and those that must not). Without Prometheus's command
line (Debian's ``prometheus`` package; .ci/run installs it) those two are skipped, except in CI. The rest
holds the rules to the platform: every series an alert reads is one a component exports (civic.metrics),
every alert has a test, and every runbook it names is a section of docs/operations.md.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import civic.metrics  # noqa: F401  (the platform's metrics, registered as every component registers them)
import pytest
from prometheus_client import REGISTRY

yaml = pytest.importorskip("yaml", reason="PyYAML is in the 'deploy' dependency group: run make install")

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules.yaml"
TESTS = ROOT / "deploy" / "prometheus" / "rules.test.yaml"
OPERATIONS = ROOT / "docs" / "operations.md"

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None and not os.environ.get("CI"),
    reason="promtool is not installed (Debian's prometheus package), so the rules cannot be checked by Prometheus",
)


def alerts() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"] if "alert" in rule]


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None, "promtool is not installed: .ci/run installs Debian's prometheus package"
    return subprocess.run([PROMTOOL, *args], cwd=RULES.parent, capture_output=True, text=True, timeout=120, check=False)


@needs_promtool
def test_prometheus_reads_the_rules() -> None:
    result = promtool("check", "rules", RULES.name)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_each_alert_fires_when_its_tests_say_and_only_then() -> None:
    result = promtool("test", "rules", TESTS.name)
    assert result.returncode == 0, result.stdout + result.stderr


def exported() -> set[str]:
    """Every series name the components' metrics give (a counter's ``_total`` too)."""
    names = set()
    for family in REGISTRY.collect():
        names |= {family.name, *(sample.name for sample in family.samples)}
        if family.type == "counter":
            names.add(f"{family.name}_total")
    return names


def test_every_alert_reads_series_the_platform_exports() -> None:
    known = exported()
    for alert in alerts():
        read = set(re.findall(r"\bcivic_[a-z_]+\b", alert["expr"]))
        assert read, alert["alert"]
        assert read <= known, f"{alert['alert']}: no component exports {sorted(read - known)}"


def test_every_alert_has_a_test_and_a_runbook_that_exists() -> None:
    tested = {case["alertname"] for test in yaml.safe_load(TESTS.read_text())["tests"]
              for case in test.get("alert_rule_test", []) if case.get("exp_alerts")}
    # GitHub's anchors: the heading in lower case, without punctuation, spaces as hyphens
    sections = {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
                for line in OPERATIONS.read_text().splitlines() if line.startswith("#")}
    for alert in alerts():
        assert alert["alert"] in tested, f"{alert['alert']} has no test in which it fires"
        assert alert["labels"]["severity"] in ("warning", "critical"), alert["alert"]
        document, _, anchor = alert["annotations"]["runbook"].partition("#")
        assert document == "docs/operations.md" and anchor in sections, alert["annotations"]["runbook"]
