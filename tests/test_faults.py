"""Faults and misuse with real processes: --overwrite over a folder that is not a run, kill -9 at random
moments, two runs on one --out at once, temporary folders on every exit path."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netopt.results.store import check_run_folder, run_folder_lock
from tests.helpers import REPO, TOY


def start(*args, tmpdir: Path | None = None, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.Popen([sys.executable, "-m", "netopt", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kw)


def run(*args, **kw) -> subprocess.CompletedProcess:
    p = start(*args, **kw)
    out, err = p.communicate(timeout=300)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_overwrite_refuses_a_folder_that_is_not_a_run(tmp_path):
    out = tmp_path / "thesis"
    (out / "chapter1").mkdir(parents=True)
    (out / "thesis.txt").write_text("four years of work")
    result = run("solve", TOY, "--out", out, "--overwrite", "--no-map")
    assert result.returncode == 2 and "is not a netopt run folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "solving" not in result.stderr
    assert (out / "thesis.txt").read_text() == "four years of work" and (out / "chapter1").is_dir()


def test_a_held_lock_refuses_a_second_run(tmp_path):
    out = tmp_path / "run"
    with run_folder_lock(out):
        result = run("solve", TOY, "--out", out, "--no-map")
    assert result.returncode == 1 and "another netopt run" in result.stderr and "is writing" in result.stderr
    assert not out.exists() and hidden(tmp_path) == []


def test_two_runs_on_one_out_cannot_interleave(tmp_path):
    out = tmp_path / "run"
    a = start("solve", TOY, "--out", out, "--no-map", "--scenario", "baseline")
    b = start("solve", TOY, "--out", out, "--no-map", "--scenario", "no_retention")
    results = [(p.wait(timeout=300), p.stderr.read(), name) for p, name in ((a, "baseline"), (b, "no_retention"))]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, err, _ in results if code == 1)
    assert "another netopt run" in loser or "already holds a run" in loser
    winner = next(name for code, _, name in results if code == 0)
    assert check_run_folder(out) == []
    assert json.loads((out / "run.json").read_text())["scenario"] == winner
    assert hidden(tmp_path) == []


def test_temporary_folders_are_removed_on_every_exit_path(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "runs" / "toy"
    assert run("solve", TOY, "--out", out, "--no-map", tmpdir=tmp).returncode == 0  # success
    assert run("solve", TOY, "--out", out, "--no-map", tmpdir=tmp).returncode == 1  # refused: exists
    assert run("solve", TOY, "--out", tmp_path / "x", "--mip-gap", "3", tmpdir=tmp).returncode == 2  # bad option
    strict = run("solve", TOY, "--out", tmp_path / "s", "--no-map", "--set", "model.strict=true",
                 "--set", "policy.max_new_facilities=0", tmpdir=tmp)
    assert strict.returncode in (0, 1)
    assert list(tmp.iterdir()) == [], "temporary folders left behind"
    assert hidden(out.parent) == [] and hidden(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize("overwrite", [False, True])
def test_kill_9_leaves_the_folder_absent_or_complete(tmp_path, overwrite):
    out = tmp_path / "run"
    if overwrite:
        assert run("solve", TOY, "--out", out, "--no-map").returncode == 0
    t0 = time.perf_counter()
    assert run("solve", TOY, "--out", tmp_path / "timing", "--no-map").returncode == 0
    duration = time.perf_counter() - t0
    rng = random.Random(10 + overwrite)
    flags = ["--overwrite"] if overwrite else []
    seen = {"absent": 0, "complete": 0, "finished": 0}
    for _ in range(8):
        p = start("solve", TOY, "--out", out, "--no-map", *flags, "--scenario",
                  rng.choice(["baseline", "no_retention"]))
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
        else:
            seen["finished"] += 1
        p.wait(timeout=60)
        if out.exists():
            assert check_run_folder(out) == [], f"partial result after kill: {check_run_folder(out)}"
            seen["complete"] += 1
        else:
            assert not overwrite, "the old run was lost"
            seen["absent"] += 1
        if not overwrite and out.exists():
            import shutil

            shutil.rmtree(out)
    print(f"kill -9 ({'overwrite' if overwrite else 'new folder'}): {seen}")
    final = run("solve", TOY, "--out", out, "--no-map", "--overwrite")
    assert final.returncode == 0 and check_run_folder(out) == []
    assert hidden(tmp_path) == [], "leftovers of killed runs are removed by the next run"
