"""Break-even: the value of one parameter where a decision or a sign flips, bracketed to a tolerance.

Conditions (``[breakeven.condition]``):

- ``built``: a new facility of ``kind`` (at ``site``, if given) operates by period ``by`` (``count``
  of them, default 1);
- ``cheaper`` (``dearer``): adding scenario ``scenario`` to the base lowers (raises) the cost by more
  than the solver tolerance (the sum of the two runs' gaps): two runs per value, with and without it
  (the parameter is applied after the scenario, so it should not set what the scenario sets);
- ``kpi``: KPI ``kpi`` (see :mod:`netopt.studies.kpis`) is above ``above``.

The search starts from the parameter's ``low`` and ``high``, which must disagree; each round tries
``points`` values evenly inside the bracket (default: one per worker, so a round takes the time of
one run) and keeps the sub-interval where the condition changes, until it is no wider than
``tolerance``. ``breakeven.csv`` lists every value tried with its runs; the bracket's two ends and
their run ids are the proof. A condition that changes more than once among the values tried is
reported as not monotone.
"""

from __future__ import annotations

import math

import pandas as pd

from netopt.studies.common import Result, Runs, status_of, tolerance
from netopt.studies.kpis import new_facilities

PAIRED = ("cheaper", "dearer")


def _built(run, cond) -> bool:
    new = new_facilities(run)
    new = new[new["kind"] == cond.kind]
    if cond.site:
        new = new[new["site_id"] == cond.site]
    if cond.by is not None:
        new = new[new["built_period"].astype(float) <= cond.by]
    return len(new) >= cond.count


class Search:
    def __init__(self, study, runner):
        self.study, self.runner = study, runner
        self.section = study.section
        self.param = study.parameters[self.section.parameter]
        self.cond = self.section.condition
        self.runs = Runs.of(runner, study.instance.settings.period_years())
        self.tried: dict[float, dict] = {}

    def specs(self, v: float) -> list:
        overrides = self.study.parameter_overrides(self.param, v)
        out = [self.study.spec(overrides=overrides)]
        if self.cond.type in PAIRED:
            out.append(self.study.spec(self.cond.scenario, overrides=overrides))
        return out

    def evaluate(self, values: list[float], round_: int) -> None:
        values = [v for v in values if v not in self.tried]
        tasks, labels, params = [], [], []
        for v in values:
            for i, spec in enumerate(self.specs(v)):
                tasks.append(spec)
                labels.append(f"{self.param.name}={v:g}" + (f" +{self.cond.scenario}" if i else ""))
                params.append({self.param.name: v, "with": self.cond.scenario if i else None})
        rows = self.runner.run(tasks, labels, params, title=f"break-even {self.study.name} round {round_}")
        for v in values:
            self.tried[v] = self._judge(v, [rows.get(s.id) for s in self.specs(v)], round_)

    def _judge(self, v: float, rows: list, round_: int) -> dict:
        runs = [self.runs.get(r) for r in rows]
        rec = {"value": v, "round": round_, "id": rows[0]["id"] if rows[0] else None,
               "status": "; ".join(status_of(r) for r in rows),
               "objective_myen": runs[0].summary["objective_myen"] if runs[0] is not None else math.nan}
        if any(r is None for r in runs):
            return {**rec, "holds": None}
        if self.cond.type == "built":
            holds = _built(runs[0], self.cond)
        elif self.cond.type == "kpi":
            holds = self.runs.kpis(rows[0]).get(self.cond.kpi, math.nan) > self.cond.above
        else:
            without, with_ = runs
            delta = without.summary["objective_myen"] - with_.summary["objective_myen"]
            tol = tolerance(without, with_)
            holds = delta > tol if self.cond.type == "cheaper" else -delta > tol
            rec.update({"id_with": rows[1]["id"], "objective_with_myen": with_.summary["objective_myen"],
                        "saving_myen": delta, "tolerance_myen": tol})
        return {**rec, "holds": bool(holds)}

    def holds(self, v: float):
        return self.tried[v]["holds"]


def drive(study, runner) -> Result:
    s = Search(study, runner)
    p, cond = s.param, s.cond
    if p.low is None or p.high is None:
        raise ValueError(f"break-even parameter {p.name} needs low and high (the first bracket)")
    a, b = p.low, p.high
    s.evaluate([a, b], 0)
    notes = {"parameter": p.name, "label": p.title, "condition": cond.model_dump(exclude_none=True),
             "tolerance": s.section.tolerance}
    rounds = 0
    if s.holds(a) is None or s.holds(b) is None:
        notes["result"] = "a run at the first bracket failed or holds no plan"
    elif s.holds(a) == s.holds(b):
        notes["result"] = f"no flip between {a:g} and {b:g}: the condition is {s.holds(a)} at both"
    else:
        while b - a > s.section.tolerance:
            rounds += 1
            k = s.section.points or runner.parallel // (2 if cond.type in PAIRED else 1) or 1
            inner = [a + (b - a) * i / (k + 1) for i in range(1, k + 1)]
            s.evaluate(inner, rounds)
            values = [a, *inner, b]
            if any(s.holds(v) is None for v in inner):
                notes["result"] = "a run inside the bracket failed or holds no plan; the bracket stops here"
                break
            flips = [i for i in range(len(values) - 1) if s.holds(values[i]) != s.holds(values[i + 1])]
            if len(flips) > 1:
                notes["not_monotone"] = [values[i] for i in flips]
            a, b = values[flips[0]], values[flips[0] + 1]
        notes.setdefault("result", f"the condition flips between {a:g} and {b:g}")
        notes["bracket"] = [a, b]
        notes["holds_at"] = {"low_end": s.holds(a), "high_end": s.holds(b)}
        notes["proof"] = {"low_end": _ids(s.tried[a]), "high_end": _ids(s.tried[b])}
    notes["rounds"] = rounds
    df = pd.DataFrame(sorted(s.tried.values(), key=lambda r: r["value"]))
    return Result({"breakeven": df}, notes)


def _ids(rec: dict) -> list[str]:
    return [x for x in (rec.get("id"), rec.get("id_with")) if x]
