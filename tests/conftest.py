"""Shared fixtures: the toy instance, solved once per session, and helpers to edit instances."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "instances" / "toy"


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
def toy_run():
    from netopt.api import run

    return run(TOY, "baseline")


def edit_csv(folder: Path, table: str, func) -> None:
    """Rewrite ``folder/table.csv`` with ``func(df)`` (df read as text)."""
    f = folder / f"{table}.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    func(df).to_csv(f, index=False)
