"""Fuzz: malformed variants of the toy and Japan instances, validated in-process (``netopt validate``).

For every variant (:mod:`tests.fuzz_variants`): exit code 2, no traceback and no "internal error",
the message names the file (and ``file:line: column`` where a cell is at fault), at most a screenful
of lines, and nothing is written. The counts are printed at the end of the pytest run.
The fast suite runs a sample of every class; the full run (``slow``) at least 1,000 variants.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest

from netopt.cli import main
from tests.fuzz_variants import CLASSES, Generator, Variant
from tests.helpers import JAPAN, TOY

STATS: dict[str, dict] = {}  # printed by tests/conftest.py at the end of the run
MAX_LINES = 40


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.is_dir(), p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def _apply(folder: Path, v: Variant) -> dict:
    """Make the variant's edits; returns what to restore."""
    saved = {}
    for name, content in v.edits.items():
        path = folder / name
        saved[name] = path.read_bytes() if path.is_file() else None
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        if content == "DIR":
            path.mkdir()
            (path / "inside.csv").write_text("a\n1\n")
        elif content is not None:
            path.write_bytes(content)
    return saved


def _restore(folder: Path, saved: dict) -> None:
    for name, content in saved.items():
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        if content is not None:
            path.write_bytes(content)


def validate(folder: Path, scenario: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["validate", str(folder), "--scenario", scenario])
        except BaseException as e:  # noqa: BLE001 - a crash is what the fuzz is for
            import traceback

            return -1, "Traceback (most recent call last):\n" + "".join(traceback.format_exception(e))
    return code, err.getvalue() + out.getvalue()


def failures_of(v: Variant, code: int, text: str, before: dict, after: dict) -> list[str]:
    wrong = []
    if code != 2:
        wrong.append(f"exit code {code}")
    if "Traceback" in text or "internal error" in text:
        wrong.append("traceback")
    if v.pattern:
        if not re.search(v.pattern, text):
            wrong.append(f"no match for {v.pattern!r}")
    elif v.line:
        if f"{v.file}:{v.line}: {v.column}" not in text:
            wrong.append(f"does not name {v.file}:{v.line}: {v.column}")
    elif v.file not in text:
        wrong.append(f"does not name {v.file}")
    if len(text.splitlines()) > MAX_LINES:
        wrong.append(f"{len(text.splitlines())} lines")
    if before != after:
        wrong.append("wrote something")
    return wrong


def fuzz(tmp_path: Path, per_class: dict[str, int], seed: int) -> dict:
    rng = random.Random(seed)
    counts: Counter = Counter()
    bad: list[str] = []
    tracebacks = 0
    t0 = time.perf_counter()
    for base, scenario in ((TOY, "baseline"), (JAPAN, "baseline")):
        work = tmp_path / base.name
        shutil.copytree(base, work)
        gen = Generator(work, rng, scenario)
        for cls in CLASSES:
            for _ in range(per_class[base.name]):
                v = gen.make(cls)
                if v is None:
                    continue
                saved = _apply(work, v)
                try:
                    before = _snapshot(work)
                    code, text = validate(work, v.scenario or scenario)
                    after = _snapshot(work)
                finally:
                    _restore(work, saved)
                counts[cls] += 1
                tracebacks += "Traceback" in text
                wrong = failures_of(v, code, text, before, after)
                if wrong:
                    bad.append(f"{base.name} {cls} {v.file}:{v.line}: {v.column}: {', '.join(wrong)}\n"
                               + "\n".join("    " + x for x in text.splitlines()[:6]))
    return {"variants": sum(counts.values()), "classes": len(counts), "tracebacks": tracebacks,
            "failures": len(bad), "seconds": round(time.perf_counter() - t0, 1), "examples": bad[:10],
            "per_class": dict(counts)}


def _report(name: str, stats: dict) -> None:
    STATS[name] = stats
    assert not stats["examples"], f"{stats['failures']} of {stats['variants']} variants failed:\n" + "\n".join(
        stats["examples"])


def test_fuzz_sample_of_every_class(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stats = fuzz(tmp_path / "w", {"toy": 2, "japan": 1}, seed=1)
    assert stats["classes"] == len(CLASSES) and stats["tracebacks"] == 0
    _report("fuzz (fast sample)", stats)


@pytest.mark.slow
def test_fuzz_at_least_1000_variants(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stats = fuzz(tmp_path / "w", {"toy": 24, "japan": 8}, seed=20261202)
    assert stats["variants"] >= 1000 and stats["classes"] == len(CLASSES) and stats["tracebacks"] == 0
    _report("fuzz", stats)
    assert not list(tmp_path.glob("results")) and not list(tmp_path.glob("maps"))
