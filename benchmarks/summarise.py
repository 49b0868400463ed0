"""Print the scenario table of ``instances/<instance>/README.md`` from the runs under ``results/<instance>/``.

    python benchmarks/summarise.py [RESULTS_FOLDER]      # default results/japan

Reads each run folder with :func:`netopt.results.store.read_run` (written by ``benchmarks/scenarios.py``
or ``netopt solve``) and prints one markdown row per scenario, baseline first. Seconds are the
whole run (load, build, hand-off, solve, extraction). A difference against the baseline is
``resolved`` only when it exceeds the sum of the two runs' gaps (Myen).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from netopt.results.store import read_run

ROOT = Path(__file__).resolve().parents[1]
METALS = ("Li", "Ni", "Co", "Mn")


def row(folder: Path) -> dict:
    run = read_run(folder)
    s, r = run.summary, run.run_info
    k = s["kpis"]
    opened = k["facilities_opened"]["by_kind"]
    share = k["self_sufficiency_share"]
    slack = k["slack"]
    return {
        "scenario": s["scenario"],
        "status": s["status"],
        "controllable Myen": round(s["controllable_cost_myen"]) if s.get("controllable_cost_myen") is not None
        else None,
        "gap Myen": round(s["gap_abs_myen"]) if s.get("gap_abs_myen") is not None else None,
        "bound from": s.get("bound_source") or "-",
        "seconds": round(sum(r["seconds"].values()), 1),
        "cost Myen": round(s["objective_myen"]),
        "new hubs/PT/ref": "/".join(str(opened.get(kind, 0)) for kind in ("hub", "pretreatment", "refinery")),
        "leaked metal t": round(k["leaked_metal_t_total"]),
        **{f"{m} 2040/2050 %": " / ".join(f"{100 * share.get(m, {}).get(p, 0):.1f}" for p in ("2040", "2050"))
           for m in METALS},
        "slack t": round(slack["unmet_demand_t_total"] + slack["unprocessed_packs_t_total"]),
    }


def table(results: Path) -> pd.DataFrame:
    rows = [row(f) for f in sorted(results.iterdir()) if (f / "summary.json").exists()]
    df = pd.DataFrame(rows)
    base = df.loc[df["scenario"] == "baseline", "cost Myen"]
    if not base.empty:
        base_gap = float(df.loc[df["scenario"] == "baseline", "gap Myen"].iloc[0] or 0)
        diff = df["cost Myen"] - int(base.iloc[0])
        df.insert(df.columns.get_loc("cost Myen") + 1, "vs baseline Myen", diff)
        resolved = diff.abs() > df["gap Myen"].fillna(float("inf")) + base_gap
        df.insert(df.columns.get_loc("vs baseline Myen") + 1, "resolved",
                  ["yes" if r else "no (within the gaps)" for r in resolved])
        df.loc[df["scenario"] == "baseline", "resolved"] = "-"
    order = {"baseline": 0}
    return df.sort_values("scenario", key=lambda c: c.map(lambda n: order.get(n, 1)), kind="stable")


def main() -> None:
    results = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "results" / "japan"
    print(table(results).to_markdown(index=False))


if __name__ == "__main__":
    main()
