"""The import contracts (.importlinter) hold, say what they mean, and would catch a breach.

`make lint` runs the same `lint-imports`; running it here puts the contracts in CI, which runs `make test`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any

import grimp
import pytest
from civic_contracts import SERVICES
from importlinter.api import read_configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"
CONTRACT_TYPES = {"forbidden": ForbiddenContract, "independence": IndependenceContract}


@pytest.fixture(scope="module")
def configuration() -> dict[str, Any]:
    return read_configuration(str(CONFIG))


@pytest.fixture(scope="module")
def graph(configuration: dict[str, Any]) -> Iterator[grimp.ImportGraph]:
    # bench and tests are found from the repository root, as lint-imports finds them from its working directory
    added = str(ROOT) not in sys.path
    if added:
        sys.path.insert(0, str(ROOT))
    try:
        yield grimp.build_graph(
            *configuration["session_options"]["root_packages"], include_external_packages=True, cache_dir=None
        )
    finally:
        if added:
            sys.path.remove(str(ROOT))


def contract(configuration: dict[str, Any], contract_id: str) -> ForbiddenContract | IndependenceContract:
    (options,) = [c for c in configuration["contracts_options"] if c["id"] == contract_id]
    cls = CONTRACT_TYPES[options["type"]]
    return cls(name=options["name"], session_options=configuration["session_options"], contract_options=options)


def kept(configuration: dict[str, Any], contract_id: str, graph: grimp.ImportGraph, *extra: tuple[str, str]) -> bool:
    graph = deepcopy(graph)
    for importer, imported in extra:
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    return bool(contract(configuration, contract_id).check(graph, verbose=False).kept)


def test_lint_imports_passes() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo", "--config", str(CONFIG)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_third_party_package_the_project_imports_is_forbidden_to_domains(
    configuration: dict[str, Any], graph: grimp.ImportGraph
) -> None:
    roots = set(configuration["session_options"]["root_packages"])
    third_party = {
        module for module in graph.modules
        if "." not in module and module not in roots and module not in sys.stdlib_module_names
    }
    (domains,) = [c for c in configuration["contracts_options"] if c["id"] == "domains-are-plain-python"]
    missing = third_party - set(domains["forbidden_modules"])
    assert not missing, f"add {sorted(missing)} to forbidden_modules of domains-are-plain-python in .importlinter"


def test_the_domain_contract_covers_every_domain_and_figures_module(graph: grimp.ImportGraph) -> None:
    on_disk = {
        ".".join(path.relative_to(service_dir).with_suffix("").parts)
        for service_dir in (ROOT / "services").iterdir()
        for path in service_dir.glob("civic_*/**/*.py")
        if path.name in ("domain.py", "figures.py")
    }
    matched = graph.find_matching_modules("**.domain") | graph.find_matching_modules("**.figures")
    assert on_disk
    assert on_disk <= matched
    assert {f"civic_{s}.domain" for s in SERVICES} <= matched


def test_the_runtime_modules_a_domain_may_import_are_plain_themselves(
    configuration: dict[str, Any], graph: grimp.ImportGraph
) -> None:
    """The domain contract lets a domain import civic.errors and civic.calendar and looks no further, so
    what those import is checked here: the standard library and each other only."""
    (domains,) = [c for c in configuration["contracts_options"] if c["id"] == "domains-are-plain-python"]
    plain = {line.split("->")[1].strip() for line in domains["ignore_imports"]}
    assert plain == {"civic.errors", "civic.calendar"}
    assert "civic.errors" in graph.modules
    for module in sorted(plain & graph.modules):
        beyond = {
            imported
            for imported in graph.find_upstream_modules(module)
            if imported not in plain and imported.split(".")[0] not in sys.stdlib_module_names
        }
        assert not beyond, f"{module} is a plain module a domain may import, yet it imports {sorted(beyond)}"


@pytest.mark.parametrize(
    ("contract_id", "option"),
    [
        ("components-are-independent", "modules"),
        ("shipped-code-imports-no-bench-or-tests", "source_modules"),
        ("runtime-imports-no-component", "forbidden_modules"),
        ("web-reaches-the-platform-through-the-gateway-only", "forbidden_modules"),
        ("contracts-import-no-component", "forbidden_modules"),
    ],
)
def test_every_service_is_named_where_a_contract_lists_the_services(
    configuration: dict[str, Any], contract_id: str, option: str
) -> None:
    """The contracts name the services one by one; a service added to civic_contracts.SERVICES and not here would
    be checked by none of them."""
    packages = {f"civic_{s}" for s in SERVICES}
    assert packages <= set(configuration["session_options"]["root_packages"])
    (options,) = [c for c in configuration["contracts_options"] if c["id"] == contract_id]
    missing = packages - {str(m) for m in options[option]}
    assert not missing, f"add {sorted(missing)} to {option} of {contract_id} in .importlinter"


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        ("domains-are-plain-python", "civic_savings.initiatives.domain", "pymongo"),
        ("domains-are-plain-python", "civic_comms.domain", "pydantic"),
        ("domains-are-plain-python", "civic_property.figures", "civic.settings"),
        ("domains-are-plain-python", "civic_comms.consultations.figures", "civic_contracts"),
        ("domains-are-plain-python", "civic_safeguarding.sars.domain", "civic_safeguarding.repository"),
        ("components-are-independent", "civic_comms.handlers", "civic_savings.domain"),
        ("components-are-independent", "civic_gateway.main", "civic_property.api"),
        ("shipped-code-imports-no-bench-or-tests", "civic_savings.service", "tests.conftest"),
        ("shipped-code-imports-no-bench-or-tests", "civic_gateway.main", "bench"),
        ("runtime-imports-no-component", "civic.serve", "civic_savings.main"),
        ("runtime-imports-no-component", "civic.service", "civic_gateway"),
        ("contracts-import-no-component", "civic_contracts.savings", "civic_savings.domain"),
        ("web-reaches-the-platform-through-the-gateway-only", "civic_web.pages.savings", "civic_savings.initiatives.domain"),
        ("web-reaches-the-platform-through-the-gateway-only", "civic_web.pages.home", "civic_gateway.composition"),
        ("web-reaches-the-platform-through-the-gateway-only", "civic_web.gateway", "pymongo"),
        ("runtime-imports-no-component", "civic.cli.stack", "civic_web.main"),
    ],
)
def test_a_contract_catches_a_breach(
    configuration: dict[str, Any], graph: grimp.ImportGraph, contract_id: str, importer: str, imported: str
) -> None:
    assert kept(configuration, contract_id, graph)
    assert not kept(configuration, contract_id, graph, (importer, imported)), f"{importer} -> {imported} was let through"


def test_a_domain_may_import_the_runtimes_plain_modules(configuration: dict[str, Any], graph: grimp.ImportGraph) -> None:
    assert kept(
        configuration, "domains-are-plain-python", graph,
        ("civic_savings.programme.domain", "civic.errors"),
        ("civic_savings.programme.domain", "civic.calendar"),
        ("civic_property.occupancy.figures", "datetime"),
    )
