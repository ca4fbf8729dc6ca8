"""Write the Prometheus Operator's copy of the rules: the PrometheusRule of deploy/k8s/components/monitoring.

    python deploy/prometheus/generate.py           # writes prometheus-rules.yaml from rules.yaml
    python deploy/prometheus/generate.py --check   # exit 1 if it is not what rules.yaml says

rules.yaml is the one copy kept by hand (a plain Prometheus and promtool read it as it is); the
PrometheusRule holds the same groups under its spec. tests/deploy/test_alert_rules.py runs the check.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
RULES = HERE / "rules.yaml"
TARGET = HERE.parent / "k8s" / "components" / "monitoring" / "prometheus-rules.yaml"
HEADER = """\
# Written by deploy/prometheus/generate.py from deploy/prometheus/rules.yaml: edit that file, then run
#   python deploy/prometheus/generate.py
# (tests/deploy/test_alert_rules.py fails while this differs from it).
"""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PromQL and descriptions over several lines stay readable as block scalars
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def prometheus_rule() -> dict[str, Any]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "civic",
            "labels": {"app.kubernetes.io/name": "civic", "app.kubernetes.io/part-of": "civic"},
        },
        "spec": {"groups": groups},
    }


def rendered() -> str:
    return HEADER + yaml.dump(prometheus_rule(), Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True)


def main(argv: list[str]) -> int:
    if argv[1:] == ["--check"]:
        if not TARGET.exists() or TARGET.read_text() != rendered():
            print(f"{TARGET} is not what {RULES} says: run python deploy/prometheus/generate.py")
            return 1
        return 0
    TARGET.write_text(rendered())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
