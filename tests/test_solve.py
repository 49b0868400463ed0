"""The solve layer: bounds below the optimum and plans above it, gaps on the controllable cost,
the same plan on every run (also beside a CPU-burning process), Ctrl-C."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netopt.api import load, run
from netopt.instance.settings import SolveSettings
from netopt.model import build_model
from netopt.model.inputs import prepare
from netopt.model.staging import build_stage
from netopt.solve import solve
from netopt.tools.synthetic import write_synthetic

ROOT = Path(__file__).resolve().parents[1]
EXACT = {"mip_gap": 0.0, "mip_gap_abs_myen": 0.0, "duals": False}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = write_synthetic(tmp_path_factory.mktemp("syn") / "syn", regions=15, hubs=6, plants=3, refineries=3,
                             seed=1)
    return load(folder)


@pytest.fixture(scope="module")
def optimum(synthetic) -> float:
    settings = SolveSettings(**EXACT, search_nodes=10**6)
    result = solve(build_model(prepare(synthetic)), settings, stage_of=build_stage)
    assert result.status == "optimal" and result.gap_abs <= 1e-6 * abs(result.objective)
    return result.objective


@pytest.mark.parametrize("first_plan", ["dive", "relax_and_fix"])
def test_first_plan_is_above_the_optimum_and_its_bound_below(synthetic, optimum, first_plan):
    settings = SolveSettings(**EXACT, first_plan=first_plan, search_nodes=0, improve_passes=0)
    result = solve(build_model(prepare(synthetic)), settings, stage_of=build_stage)
    tol = 1e-6 * abs(optimum)
    assert result.has_solution and result.status in ("not_proven", "optimal")
    assert result.objective >= optimum - tol
    assert result.bound <= optimum + tol


def test_local_search_never_makes_the_plan_worse(synthetic, optimum):
    def objective(passes):
        settings = SolveSettings(**EXACT, search_nodes=0, improve_passes=passes)
        return solve(build_model(prepare(synthetic)), settings, stage_of=build_stage).objective

    dived, improved = objective(0), objective(5)
    assert optimum - 1e-6 * abs(optimum) <= improved <= dived + 1e-9


def test_gap_is_on_the_controllable_cost(synthetic, optimum):
    model = build_model(prepare(synthetic))
    result = solve(model, SolveSettings(mip_gap=0.05, mip_gap_abs_myen=0.0, duals=False, search_nodes=10**6),
                   stage_of=build_stage)
    assert result.reference == pytest.approx(model.reference_cost) and result.reference > 0
    assert result.controllable == pytest.approx(result.objective - result.reference)
    assert result.gap == pytest.approx(result.gap_abs / abs(result.controllable))
    assert result.status == "optimal" and result.gap_abs <= result.target_gap_abs + 1e-9
    assert result.target_gap_abs == pytest.approx(0.05 * abs(result.controllable))
    assert result.bound <= optimum + 1e-6 * abs(optimum)


def test_an_absolute_target_in_myen_is_honoured(synthetic):
    result = solve(build_model(prepare(synthetic)), SolveSettings(mip_gap=0.0, mip_gap_abs_myen=1e9, duals=False),
                   stage_of=build_stage)
    assert result.status == "optimal" and result.target_gap_abs == 1e9


def test_the_time_guard_gives_time_limit_not_a_claim(synthetic):
    result = solve(build_model(prepare(synthetic)), SolveSettings(**EXACT, time_limit=1e-3), stage_of=build_stage)
    assert result.status == "time_limit"


def test_toy_reference_cost_is_the_all_virgin_bill():
    toy = build_model(prepare(load(ROOT / "instances/toy")))
    d = toy.inputs
    by_hand = sum(d.weight[p] * d.virgin_price[(metal, p)] * t for (_, metal, p), t in d.demand.items())
    assert toy.reference_cost == pytest.approx(by_hand)


def _plan_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ("facilities.csv", "flows.csv"):
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def _burn(stop_at: float) -> None:
    while time.time() < stop_at:
        sum(i * i for i in range(10_000))


@pytest.mark.slow
@pytest.mark.parametrize("instance", ["toy", "synthetic"])
def test_same_plan_quiet_and_beside_a_cpu_burner(instance, synthetic, tmp_path):
    target = ROOT / "instances/toy" if instance == "toy" else synthetic
    quiet = run(target)
    quiet.write(tmp_path / "quiet")
    burners = [multiprocessing.Process(target=_burn, args=(time.time() + 120,)) for _ in range(2)]
    for p in burners:
        p.start()
    try:
        loaded = run(target)
        loaded.write(tmp_path / "loaded")
    finally:
        for p in burners:
            p.terminate()
    assert loaded.solved.objective == quiet.solved.objective
    assert _plan_hash(tmp_path / "quiet") == _plan_hash(tmp_path / "loaded")


@pytest.mark.slow
def test_first_ctrl_c_keeps_the_plan_as_interrupted(tmp_path):
    """A first SIGINT during the search stops it; the plan so far is written with status interrupted."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "netopt", "solve", str(ROOT / "instances/japan"), "--out", str(out),
                             "--no-map", "--set", "solve.search_nodes=100000", "--set", "solve.improve_passes=0"],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    seen = []
    for line in proc.stderr:  # wait until the first plan is complete and the search has begun
        seen.append(line)
        if line.strip().startswith("dive ("):
            break
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, "".join(seen) + stderr
    import json
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "interrupted" and summary["objective_myen"] is not None
    assert summary["gap_abs_myen"] is not None
