"""Shared fixtures (helpers that tests import are in tests/helpers.py).

Maps and reports: ``toy_run`` solves the toy instance once per session; ``japan_run`` is a
synthetic, not-proven-optimal result with the 47 prefectures ``JP01``..``JP47`` as regions
(made without solving, by :func:`tests.helpers.make_japan_run`), for maps at Japan scale.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, TOY, make_japan_run


@pytest.fixture(scope="session")
def toy_run(tmp_path_factory) -> Path:
    """The toy instance solved once: a real run folder."""
    out = tmp_path_factory.mktemp("toy") / "run"
    subprocess.run([sys.executable, "-m", "netopt.cli", "solve", str(REPO / "instances" / "toy"), "--out", str(out),
                    "--no-map"], check=True, cwd=REPO, capture_output=True)
    return out


@pytest.fixture(scope="session")
def japan_run(tmp_path_factory) -> Path:
    """A synthetic Japan-scale run folder (four periods, time limit reached)."""
    return make_japan_run(tmp_path_factory.mktemp("japan") / "run")


# ---------------------------------------------------------------- core planner


@pytest.fixture(scope="session")
def toy_path() -> Path:
    return TOY


@pytest.fixture
def toy_copy(tmp_path) -> Path:
    """A writable copy of the toy instance."""
    dest = tmp_path / "toy"
    shutil.copytree(TOY, dest)
    return dest


@pytest.fixture(scope="session")
def japan_baseline_plan():
    """The Japan baseline solved once in-process with the default settings (about a minute; slow tests only)."""
    from netopt.api import run

    return run(REPO / "instances" / "japan", "baseline")


@pytest.fixture(scope="session")
def toy_plan():
    """The toy solved once in-process: a :class:`netopt.api.Run` (model results as DataFrames)."""
    from netopt.api import run

    return run(TOY, "baseline")


def pytest_terminal_summary(terminalreporter):
    """Print the fuzz suite's counts (tests/test_fuzz.py), whether it passed or not."""
    from tests import test_fuzz

    for name, s in getattr(test_fuzz, "STATS", {}).items():
        terminalreporter.write_line(f"{name}: {s['variants']} variants in {s['classes']} classes, "
                                    f"{s['tracebacks']} tracebacks, {s['failures']} failures, {s['seconds']} s")
