"""The rules and dashboards shipped for Prometheus and Grafana, checked offline.

deploy/prometheus/rules.yaml holds every recording and alerting rule, once; the Prometheus Operator's
PrometheusRule (deploy/k8s/components/monitoring/prometheus-rules.yaml) is written from it by
deploy/prometheus/generate.py and must equal it. ``promtool check rules`` reads the rules as Prometheus would,
``promtool test rules`` runs the alerts' own tests (rules.test.yaml: the series that raise each alert and
those that must not), and every Grafana dashboard's queries are handed to ``promtool check rules`` as
recording rules, so Prometheus's own parser reads each one. Without Prometheus's command line (Debian's
``prometheus`` package; .ci/run installs it) those are skipped, except in CI. The rest holds the rules to the
platform: every series a rule or a dashboard reads is one a component exports (their metrics registries, as
each component's process registers them) or one a standard exporter is named for below; every alert has a
test in which it fires and one in which it stays quiet, and a runbook in docs/runbooks/<alert>.md whose
``civic`` commands exist.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from civic_contracts import SERVICES
from prometheus_client import REGISTRY

yaml = pytest.importorskip("yaml", reason="PyYAML is in the 'deploy' dependency group: run make install")

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS / "rules.yaml"
TESTS = PROMETHEUS / "rules.test.yaml"
MONITORING = ROOT / "deploy" / "k8s" / "components" / "monitoring"
PROMETHEUS_RULE = MONITORING / "prometheus-rules.yaml"
DASHBOARDS = sorted((MONITORING / "dashboards").glob("*.json"))
RUNBOOKS = ROOT / "docs" / "runbooks"
OPERATIONS = ROOT / "docs" / "operations.md"
# Each component's process, as `python -m civic.serve <component>` imports it: its metrics register on import.
COMPONENT_MODULES = ("civic_gateway.main", "civic_web.main", *(f"civic_{s}.main" for s in SERVICES))
# Series no civic component exports, read from the standard exporters under the names they give them.
EXPORTERS = {
    "Prometheus itself (each scrape's outcome, per target)": {"up"},
    "kube-state-metrics": {"kube_pod_status_ready"},
    "Percona mongodb_exporter": {
        "mongodb_up", "mongodb_rs_members_health", "mongodb_rs_members_state", "mongodb_ss_opcounters",
        "mongodb_ss_connections", "mongodb_ss_mem_resident",
    },
    "Kafka Exporter (kafka_exporter, run by Strimzi)": {
        "kafka_brokers", "kafka_topic_partition_under_replicated_partition", "kafka_topic_partition_replicas",
        "kafka_topic_partition_in_sync_replica", "kafka_topic_partition_current_offset", "kafka_consumergroup_lag",
    },
}
# A Grafana variable stands for a value; promtool reads the query with one in its place.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "$namespace": "civic",
                     "$service": "savings", "$route": "/api/savings/v1/initiatives"}

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None and not os.environ.get("CI"),
    reason="promtool is not installed (Debian's prometheus package), so the rules cannot be checked by Prometheus",
)


def groups() -> list[dict[str, Any]]:
    return list(yaml.safe_load(RULES.read_text())["groups"])


def rules() -> list[dict[str, Any]]:
    return [rule for group in groups() for rule in group["rules"]]


def alerts() -> list[dict[str, Any]]:
    return [rule for rule in rules() if "alert" in rule]


def promtool(*args: str, cwd: Path = PROMETHEUS) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None, "promtool is not installed: .ci/run installs Debian's prometheus package"
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


# --------------------------------------------------------------------------- Prometheus reads them


@needs_promtool
def test_prometheus_reads_the_rules() -> None:
    result = promtool("check", "rules", RULES.name)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_each_alert_fires_when_its_tests_say_and_only_then() -> None:
    result = promtool("test", "rules", TESTS.name)
    assert result.returncode == 0, result.stdout + result.stderr


def dashboard_queries() -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target and query variable of every dashboard."""
    found = []
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        for panel in dashboard["panels"]:
            for target in panel.get("targets", []):
                found.append((f"{path.name}: {panel['title']} {target['refId']}", target["expr"]))
        for variable in dashboard["templating"]["list"]:
            query = variable.get("query")
            if isinstance(query, dict):
                match = re.fullmatch(r"label_values\((.*), *\w+\)", query["query"])
                assert match, f"{path.name}: variable {variable['name']}: {query['query']}"
                found.append((f"{path.name}: variable {variable['name']}", match.group(1)))
    return found


def without_variables(expr: str) -> str:
    for variable, value in sorted(GRAFANA_VARIABLES.items(), key=lambda item: -len(item[0])):
        expr = expr.replace(variable, value).replace("${" + variable[1:] + "}", value)
    assert "$" not in expr, f"a Grafana variable the test does not know: {expr}"
    return expr


@needs_promtool
def test_prometheus_parses_every_dashboard_query(tmp_path: Path) -> None:
    queries = dashboard_queries()
    assert len(queries) > 30
    as_rules = {"groups": [{"name": "dashboards", "rules": [
        {"record": f"dashboard:query_{n}", "expr": without_variables(expr)} for n, (_, expr) in enumerate(queries)]}]}
    (tmp_path / "dashboards.yaml").write_text(yaml.safe_dump(as_rules))
    result = promtool("check", "rules", "dashboards.yaml", cwd=tmp_path)
    where = "\n".join(f"dashboard:query_{n}: {w}" for n, (w, _) in enumerate(queries))
    assert result.returncode == 0, result.stdout + result.stderr + "\n" + where


# --------------------------------------------------------------------------- one copy of the rules


def test_the_prometheus_rule_holds_the_rules_as_they_are() -> None:
    rule = yaml.safe_load(PROMETHEUS_RULE.read_text())
    assert (rule["apiVersion"], rule["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    assert rule["spec"]["groups"] == groups()
    check = subprocess.run([sys.executable, str(PROMETHEUS / "generate.py"), "--check"], capture_output=True,
                           text=True, timeout=60, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_monitoring_component_lists_the_rules_and_every_dashboard() -> None:
    component = yaml.safe_load((MONITORING / "kustomization.yaml").read_text())
    assert PROMETHEUS_RULE.name in component["resources"]
    (generator,) = component["configMapGenerator"]
    assert generator["options"]["labels"]["grafana_dashboard"] == "1"
    assert sorted(generator["files"]) == sorted(f"dashboards/{p.name}" for p in DASHBOARDS)
    uids = [json.loads(p.read_text())["uid"] for p in DASHBOARDS]
    assert [f"{uid}.json" for uid in uids] == [p.name for p in DASHBOARDS] and len(set(uids)) == len(uids)


# --------------------------------------------------------------------------- the series exist


def exported() -> set[str]:
    """Every series name the components' metrics give (a counter's ``_total``, a histogram's ``_bucket``...)."""
    for module in COMPONENT_MODULES:
        importlib.import_module(module)
    names = set()
    for family in REGISTRY.collect():
        names |= {family.name, *(sample.name for sample in family.samples)}
        suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
                    "summary": ("_count", "_sum", "_created"), "gauge": ()}.get(family.type, ())
        names |= {family.name + suffix for suffix in suffixes}
    return names


_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
             "offset", "inf", "nan"}


def series_read(expr: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers that are neither functions, keywords, label
    names (inside braces or the parentheses of by/without/on/ignoring/group_*), strings nor durations."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    names = set(re.findall(r"(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", text))
    return {n for n in names if n.lower() not in _KEYWORDS}


def test_the_series_reader_finds_metric_names_only() -> None:
    assert series_read('sum by (route, le) (rate(civic_x_bucket{route!~"/a|b", le="0.5"}[5m])) / on(pod) '
                       'group_left(node) kube_y{a="b"} > 14.4 * 0.001 and time() - civic:z:ratio > 1e3') == {
        "civic_x_bucket", "kube_y", "civic:z:ratio"}


def test_every_series_a_rule_or_dashboard_reads_is_exposed_by_a_component_or_a_named_exporter() -> None:
    known = exported() | {rule["record"] for rule in rules() if "record" in rule}
    elsewhere = set().union(*EXPORTERS.values())
    used: set[str] = set()
    for where, expr in [*((rule.get("alert") or rule["record"], rule["expr"]) for rule in rules()),
                        *dashboard_queries()]:
        read = series_read(without_variables(expr))
        assert read, f"{where}: reads no series"
        used |= read
        unknown = read - known - elsewhere
        assert not unknown, f"{where}: no component exposes {sorted(unknown)}, nor an exporter named here"
    assert not elsewhere & known, "a series listed for an exporter is a civic component's own"
    assert elsewhere <= used, f"exporters' series nothing reads any more: {sorted(elsewhere - used)}"


def test_the_exposure_check_would_catch_a_misspelt_series() -> None:
    known = exported()
    assert "civic_outbox_backlog_age_seconds" in known and "civic_gateway_circuit_open" in known
    assert "civic_http_request_duration_seconds_bucket" in known
    assert "civic_outbox_backlog_ages_seconds" not in known


# --------------------------------------------------------------------------- tests and runbooks


def test_every_alert_has_a_test_where_it_fires_and_one_where_it_stays_quiet() -> None:
    cases = [case for test in yaml.safe_load(TESTS.read_text())["tests"] for case in test.get("alert_rule_test", [])]
    fires = {case["alertname"] for case in cases if case.get("exp_alerts")}
    quiet = {case["alertname"] for case in cases if not case.get("exp_alerts")}
    for name in {alert["alert"] for alert in alerts()}:
        assert name in fires, f"{name} has no test in which it fires"
        assert name in quiet, f"{name} has no test in which it stays quiet"
    severities = {(a["alert"], a["labels"]["severity"]) for a in alerts()}
    fired = {(case["alertname"], e["exp_labels"]["severity"]) for case in cases for e in case.get("exp_alerts") or []}
    assert severities <= fired, f"never seen firing: {sorted(severities - fired)}"


def test_every_alert_says_what_happened_and_where_its_runbook_is() -> None:
    for alert in alerts():
        name = alert["alert"]
        assert re.fullmatch(r"Civic[A-Z][A-Za-z]+", name)
        assert alert["labels"]["severity"] in ("warning", "critical"), name
        annotations = alert["annotations"]
        assert set(annotations) == {"summary", "description", "runbook_url"}, name
        assert annotations["runbook_url"] == f"docs/runbooks/{name}.md", name
    burn = [a for a in alerts() if a["alert"].endswith("BudgetBurn")]
    # the SRE Workbook's pairs: 14.4 over 1h and 5m pages, 6 over 6h and 30m makes a ticket
    assert sorted((a["alert"], a["labels"]["severity"], a["labels"]["long"], a["labels"]["short"]) for a in burn) == [
        ("CivicErrorBudgetBurn", "critical", "1h", "5m"), ("CivicErrorBudgetBurn", "warning", "6h", "30m"),
        ("CivicLatencyBudgetBurn", "critical", "1h", "5m"), ("CivicLatencyBudgetBurn", "warning", "6h", "30m")]
    for alert in burn:
        factor = "14.4" if alert["labels"]["severity"] == "critical" else "6"
        for window in (alert["labels"]["long"], alert["labels"]["short"]):
            assert re.search(rf":ratio_rate{window} > \({factor} \* 0\.0+1\)", alert["expr"]), alert


def runbook_sections(text: str) -> list[str]:
    return [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]


def test_every_alert_has_a_runbook_that_says_what_it_means_and_how_to_confirm_fix_and_see_it_fixed() -> None:
    names = {alert["alert"] for alert in alerts()}
    assert {p.stem for p in RUNBOOKS.glob("*.md") if p.stem != "README"} == names
    operations = OPERATIONS.read_text()
    for name in names:
        text = (RUNBOOKS / f"{name}.md").read_text()
        assert text.startswith(f"# {name}\n"), name
        assert runbook_sections(text) == ["Meaning", "Confirm", "Fix", "Fixed when"], name
        assert "kubectl" in text, f"{name}: how to confirm it in the cluster"
        assert f"runbooks/{name}.md" in operations or "runbooks/README.md" in operations, name


def cli_commands() -> dict[str, set[str]]:
    """The civic CLI's commands, and each one's own subcommands."""
    from civic.cli.main import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    found = {}
    for name, sub in commands.choices.items():
        nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
        found[name] = set(nested[0].choices) if nested else set()
    return found


def test_the_civic_commands_the_runbooks_give_exist() -> None:
    commands = cli_commands()
    seen = 0
    for path in RUNBOOKS.glob("*.md"):
        text = re.sub(r"(-n|--namespace[ =]) ?civic\b", "", path.read_text())  # kubectl's namespace, not the CLI
        for command, sub in re.findall(r"(?:^|[\s`(])civic ([a-z]+)(?: ([a-z]+))?", text, re.MULTILINE):
            if command in ("namespace", "components", "pods", "on", "and", "runs", "platform", "services"):
                continue  # prose ("the civic namespace"), not a command
            assert command in commands, f"{path.name}: civic {command} is not a command"
            if commands[command]:
                assert sub in commands[command], f"{path.name}: civic {command} {sub} is not a command"
            seen += 1
    assert seen >= 5
