"""Monte Carlo: the uncertain inputs sampled, every sample solved, how often each build appears.

Each parameter is a factor (scale mode) or a value drawn from its ``distribution``. A table
parameter without one gets a triangular factor around 1 whose half-width follows each row's
``confidence`` (``[montecarlo] widths``, default 0.1 for verified rows and 0.3 for estimated ones
and rows without a mark): one uniform draw per parameter and sample moves all its rows together,
each within its own width. Draws come from ``numpy.random.default_rng(seed)`` in a fixed order
(sample by sample, parameter by parameter), so the same seed gives the same samples, and a larger
``samples`` keeps the first ones.

Tables: ``samples.csv`` (the factors of every sample), ``montecarlo.csv`` (KPIs of every sample),
``distribution.csv`` (mean, sd and percentiles of each KPI), ``build_frequencies.csv`` (per
candidate site and period: the share of samples with a plan in which the site has a new facility
operating by then), ``build_choices.csv`` (the share of samples that make each build exactly:
site, size and first period).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import ndtri

from netopt.instance.overrides import ScaleRows
from netopt.studies.common import Result, Runs, headline, status_of
from netopt.studies.kpis import builds, new_facilities
from netopt.studies.spec import Distribution
from netopt.studies.study import parameter_source

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def ppf(d: Distribution, u: float) -> float:
    """The value of distribution ``d`` at cumulative probability ``u``."""
    if d.type == "uniform":
        return d.low + u * (d.high - d.low)
    if d.type == "triangular":
        a, c, b = d.low, d.mode, d.high
        fc = (c - a) / (b - a)
        return a + math.sqrt(u * (b - a) * (c - a)) if u < fc else b - math.sqrt((1 - u) * (b - a) * (b - c))
    z = float(ndtri(min(max(u, 1e-12), 1 - 1e-12)))
    if d.type == "normal":
        return max(0.0, d.mean + d.sd * z)
    return d.median * math.exp(d.sigma * z)


def default_distribution(width: float) -> Distribution:
    return Distribution(type="triangular", low=1 - width, mode=1.0, high=1 + width)


def draws(study, params, widths: dict, samples: int, seed: int) -> list[dict]:
    """Per sample: {column label: value}, and the overrides that put the sample in place (key "_overrides")."""
    for p in params:
        if p.distribution is None and (p.setting is not None or p.mode != "scale"):
            raise ValueError(f"parameter {p.name}: give a distribution (defaults exist for table factors only)")
    groups = {p.name: study.confidence_groups(p) for p in params if p.distribution is None}
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(samples):
        values, overrides = {}, ()
        for p in params:
            u = float(rng.random())
            if p.distribution is not None:
                v = ppf(p.distribution, u)
                values[p.name] = v
                overrides += study.parameter_overrides(p, v)
                continue
            for conf in groups[p.name]:
                width = widths.get(conf or "estimated", widths.get("estimated", 0.3))
                v = ppf(default_distribution(width), u)
                values[f"{p.name}[{conf or 'unmarked'}]"] = v
                overrides += (ScaleRows(table=p.table, where={**p.where, "confidence": conf},
                                        factors={c: v for c in p.columns}, source=parameter_source(p)),)
        out.append({**values, "_overrides": overrides})
    return out


def build_frequencies(runs: list, periods: list[int]) -> pd.DataFrame:
    """Share of ``runs`` (with a plan) in which each site has a new facility operating by each period."""
    counts: dict[tuple, int] = {}
    names: dict[str, tuple] = {}
    for r in runs:
        for row in new_facilities(r).itertuples():
            names[row.site_id] = (row.kind, row.name, row.region_id)
            for p in periods:
                if pd.notna(row.built_period) and int(row.built_period) <= p:
                    counts[(row.site_id, p)] = counts.get((row.site_id, p), 0) + 1
    n = len(runs)
    rows = [{"kind": names[s][0], "site_id": s, "name": names[s][1], "region_id": names[s][2], "period": p,
             "samples": counts.get((s, p), 0), "share": counts.get((s, p), 0) / n if n else math.nan}
            for s in sorted(names) for p in periods]
    df = pd.DataFrame(rows, columns=["kind", "site_id", "name", "region_id", "period", "samples", "share"])
    return df.sort_values(["kind", "period", "share", "site_id"], ascending=[True, True, False, True])


def build_choices(runs: list) -> pd.DataFrame:
    """Share of ``runs`` (with a plan) that make each build exactly (site, size, first period of operation)."""
    counts: dict[tuple, int] = {}
    for r in runs:
        for b in set(builds(r)):
            counts[(b.kind, b.site, b.size, b.period)] = counts.get((b.kind, b.site, b.size, b.period), 0) + 1
    n = len(runs)
    rows = [{"kind": k, "site_id": s, "size": z, "period": p, "samples": c, "share": c / n if n else math.nan}
            for (k, s, z, p), c in counts.items()]
    df = pd.DataFrame(rows, columns=["kind", "site_id", "size", "period", "samples", "share"])
    return df.sort_values(["share", "kind", "site_id", "period"], ascending=[False, True, True, True])


def distribution(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    rows = []
    for c in columns:
        x = pd.to_numeric(df[c], errors="coerce").dropna()
        if x.empty:
            continue
        rows.append({"kpi": c, "n": len(x), "mean": x.mean(), "sd": x.std(ddof=1) if len(x) > 1 else 0.0,
                     **{f"p{round(100 * q)}": x.quantile(q) for q in QUANTILES}, "min": x.min(), "max": x.max()})
    return pd.DataFrame(rows)


def drive(study, runner) -> Result:
    s = study.section
    params = study.chosen(s.parameters)
    if not params:
        raise ValueError("a Monte Carlo study needs at least one [[parameter]]")
    samples = draws(study, params, s.widths, s.samples, s.seed)
    specs = [study.spec(overrides=d["_overrides"]) for d in samples]
    factors = [{k: v for k, v in d.items() if k != "_overrides"} for d in samples]
    rows = runner.run(specs, [f"sample {i}" for i in range(len(specs))],
                      [{"sample": i, **f} for i, f in enumerate(factors)], title=f"Monte Carlo {study.name}")
    runs = Runs.of(runner, study.instance.settings.period_years())
    metals = sorted(study.instance.table("metals")["metal"])
    table, plans = [], []
    for i, spec in enumerate(specs):
        row = rows.get(spec.id)
        table.append({"sample": i, **headline(runs.kpis(row), metals), "status": status_of(row), "id": spec.id})
        if runs.get(row) is not None:
            plans.append(runs.get(row))
    df = pd.DataFrame(table)
    kpi_cols = [c for c in df.columns if c not in ("sample", "status", "id")]
    freq = build_frequencies(plans, s.periods or study.periods)
    sample_df = pd.DataFrame([{"sample": i, **f, "id": spec.id} for i, (f, spec) in enumerate(zip(factors, specs))])
    notes = {"samples": s.samples, "seed": s.seed, "with_plan": len(plans), "widths": s.widths,
             "parameters": [p.name for p in params]}
    return Result({"samples": sample_df, "montecarlo": df, "distribution": distribution(df, kpi_cols),
                   "build_frequencies": freq, "build_choices": build_choices(plans)}, notes)
