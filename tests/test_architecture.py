"""The import graph follows the data: no cycles, no import against the flow, views free of Pyomo.

Layers, each importing only lower ones (and its own package):
catalogue < instance < model < solve < results < views, api < studies < cli; ``supply`` and ``tools``
stand beside the flow (``supply`` imports only the catalogue; nothing but the CLI imports either).
``studies`` sits above the API (it issues RunSpecs and reads run folders); nothing below it imports
it, so maps and reports never do, and of its modules only the worker's (``tasks``) and the CLI's
touch models, the API or the solver: every summary is read from run folders through the store.
Within ``views``, maps and the report share ``labels``, ``style`` and ``assets`` and import
neither each other nor anything that loads Pyomo (of ``results`` only the pandas-only ``store``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "netopt"
RANK = {"netopt": 0, "netopt.catalogue": 0, "netopt.instance": 1, "netopt.model": 2, "netopt.solve": 3,
        "netopt.results": 4, "netopt.views": 5, "netopt.api": 5, "netopt.tools": 5, "netopt.studies": 6,
        "netopt.cli": 7, "netopt.__main__": 8, "netopt.supply": 1}
PYOMO = ("pyomo", "highspy")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions (netopt modules resolved)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                out.add(full if full in MODULES else node.module)
    return out


GRAPH = {m: _imports(p) for m, p in MODULES.items()}


def _layer(module: str) -> str:
    return next(prefix for prefix in sorted(RANK, key=len, reverse=True)
                if module == prefix or module.startswith(prefix + "."))


def test_every_module_has_a_layer():
    assert all(_layer(m) for m in MODULES)


def test_no_import_runs_against_the_flow():
    wrong = []
    for module, imports in GRAPH.items():
        for target in (t for t in imports if t.startswith("netopt")):
            a, b = _layer(module), _layer(target)
            if a == b:
                continue
            beside = b in ("netopt.supply", "netopt.tools") and a != "netopt.cli"
            if RANK[b] >= RANK[a] or beside or (a == "netopt.supply" and b != "netopt.catalogue"):
                wrong.append(f"{module} -> {target}")
    assert not wrong, wrong


def test_no_cycles():
    internal = {m: {t for t in ts if t in MODULES and t != m} for m, ts in GRAPH.items()}
    state: dict[str, int] = {}

    def visit(m, path):
        state[m] = 1
        for t in internal[m]:
            if state.get(t) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path, m, t]))
            if t not in state:
                visit(t, [*path, m])
        state[m] = 2

    for m in internal:
        if m not in state:
            visit(m, [])


@pytest.mark.parametrize("layer", ["netopt.catalogue", "netopt.instance", "netopt.views", "netopt.supply"])
def test_layers_that_never_touch_pyomo(layer):
    for module, imports in GRAPH.items():
        if _layer(module) == layer:
            assert not [t for t in imports if t.split(".")[0] in PYOMO], module


def test_views_read_runs_through_the_store_only():
    for module, imports in GRAPH.items():
        if module.startswith("netopt.views"):
            inner = {t for t in imports if t.startswith("netopt.") and not t.startswith("netopt.views")}
            assert inner <= {"netopt.catalogue", "netopt.results.store"}, (module, inner)


def test_studies_read_runs_through_the_store():
    models = ("netopt.model", "netopt.solve", "netopt.api", "netopt.results.extract", "netopt.results.kpis")
    for module, imports in GRAPH.items():
        if module.startswith("netopt.studies") and module not in ("netopt.studies.tasks", "netopt.studies.cli"):
            touching = [t for t in imports if t.split(".")[0] in PYOMO or t.startswith(models)]
            assert not touching, (module, touching)


def test_only_the_cli_imports_the_studies():
    for module, imports in GRAPH.items():
        if not module.startswith(("netopt.studies", "netopt.cli")):
            assert not [t for t in imports if t.startswith("netopt.studies")], module


def test_maps_and_report_do_not_import_each_other():
    for module, imports in GRAPH.items():
        if module.startswith("netopt.views.maps"):
            assert "netopt.views.report" not in imports, module
        if module == "netopt.views.report":
            assert not [t for t in imports if t.startswith("netopt.views.maps")], module


def test_importing_the_report_loads_neither_pyomo_nor_folium():
    code = ("import sys, netopt.views.report; "
            "bad = [m for m in ('pyomo', 'highspy', 'folium', 'geopandas') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_the_maps_loads_no_pyomo():
    code = ("import sys, netopt.views.maps.build, netopt.views.maps.compare, netopt.results.store; "
            "assert 'pyomo' not in sys.modules and 'highspy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_file_is_over_400_lines():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > 400}
    assert not long, long
