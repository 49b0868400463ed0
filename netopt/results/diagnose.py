"""Why a plan needs slack, or why a strict run has no plan: where, how many tonnes, and the likely cause.

:func:`slack_findings` reads a solved model's priced slacks (unprocessed packs by region, chemistry
and period; unmet demand by site, metal and period; recycled-content shortfall; CO2 above the cap)
and says for each where it is, how many tonnes, and what probably causes it: no outlet for a stage
(no arc), capacity below supply, a cap of 0. :func:`diagnose_infeasible` takes a strict instance that
has no plan, solves it again with the slacks open and returns those findings, plus the rows of an
irreducible infeasible subsystem (HiGHS's IIS) of the strict LP relaxation when there is one.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from netopt.catalogue import FACILITY_KINDS, KINDS

TOL = 1e-6
MAX_FINDINGS = 30


def _value(var) -> float:
    v = pyo.value(var, exception=False)
    return 0.0 if v is None else float(v)


def _positive(var_map) -> list[tuple[tuple, float]]:
    out = []
    for key in var_map:
        v = _value(var_map[key])
        if v > TOL:
            out.append((key if isinstance(key, tuple) else (key,), v))
    return sorted(out, key=lambda kv: -kv[1])


def most_capacity(m, kind: str, period: int, sites=None) -> float:
    """Most capacity of ``kind`` that could operate in ``period``: existing plus the largest size at every
    candidate (one build per site), over ``sites`` (default all)."""
    b = getattr(m, KINDS[kind].block, None)
    if b is None:
        return 0.0
    total = 0.0
    for s in b.SITE if sites is None else [s for s in sites if s in b.SITE]:
        existing = b.existing.get((s, period), 0.0)
        sizes = [z for (_, z, q) in b.builds_at.get(s, []) if q <= period]
        caps = getattr(b, "size_capacity", {})
        best = max((caps.get((s, z), caps.get(z, 0.0)) for z in sizes), default=0.0)
        total += existing + best
    return total


def _cause_unprocessed(m, d, region: str, chem: str, period: int, tonnes: float) -> str:
    arcs = d.arcs
    out = arcs[(arcs["leg"] == "collect") & (arcs["from_id"] == region)]
    if out.empty:
        return (f"no outlet: {region} has no collection arc to any hub (k_nearest, max_arc_km and arcs.csv give "
                "none); add an arc or a hub")
    hubs = list(out["to_id"])
    reach = most_capacity(m, "hub", period, hubs)
    collected = sum(_value(m.sources.collected[k]) for k in m.sources.INDEX if k[2] == period and k[0] == region)
    if reach + TOL < collected:
        return f"hub capacity below supply: the hubs {region} reaches ({', '.join(hubs[:4])}) can have at most " \
               f"{reach:,.0f} t/yr in {period}, {collected:,.0f} t/yr are collected there"
    national = most_capacity(m, "hub", period)
    supply = sum(_value(m.sources.collected[k]) for k in m.sources.INDEX if k[2] == period)
    if national + TOL < supply:
        return f"hub capacity below supply: at most {national:,.0f} t/yr of hubs in {period} for {supply:,.0f} t/yr"
    onward = arcs[(arcs["leg"] == "hub_to_pretreatment") & arcs["from_id"].isin(hubs)]
    if onward.empty:
        return f"no outlet for packs: the hubs {region} reaches have no arc to a pre-treatment plant"
    plants = most_capacity(m, "pretreatment", period)
    if plants + TOL < supply:
        return f"pre-treatment capacity below supply: at most {plants:,.0f} t/yr in {period} for {supply:,.0f} t/yr"
    if any(k.stage_in == "black_mass" for k in FACILITY_KINDS) and most_capacity(m, "refinery", period) <= TOL:
        return f"no outlet for black mass in {period}: no refinery capacity and no export"
    return "processing costs more than the penalty for unprocessed packs ([penalties] unprocessed_packs_myen_per_t)"


def _cause_unmet(d, site: str, metal: str, period: int, tonnes: float) -> str:
    cap = d.virgin_cap.get((metal, period), math.inf)
    demand = sum(v for (s, k, p), v in d.demand.items() if k == metal and p == period)
    if cap <= TOL:
        return f"a cap of 0: virgin {metal} is capped at 0 t/yr in {period} (metal_prices.csv virgin_cap_t_per_yr)"
    if math.isfinite(cap) and cap < demand:
        return f"virgin {metal} capped at {cap:,.0f} t/yr in {period} below demand of {demand:,.0f} t/yr " \
               "(metal_prices.csv), and recycled metal cannot fill the gap"
    return "serving it costs more than the penalty for unmet demand ([penalties] unmet_demand_myen_per_t)"


def slack_findings(m) -> list[str]:
    """One line per slack used, largest first: where, balance, tonnes and likely cause."""
    d = m.inputs
    found: list[tuple[float, str]] = []
    for (r, c, p), t in _positive(m.sources.unprocessed):
        found.append((t, f"{r} / {p} / {c}: collection balance: {t:,.1f} t/yr of collected packs unprocessed; "
                         f"likely cause: {_cause_unprocessed(m, d, r, c, p, t)}"))
    for (s, k, p), t in _positive(m.demand.unmet):
        found.append((t, f"{s} / {p} / {k}: demand balance: {t:,.1f} t/yr of {k} unmet; likely cause: "
                         f"{_cause_unmet(d, s, k, p, t)}"))
    policy = getattr(m, "policy", None)
    if policy is not None:
        for (k, p), t in _positive(policy.shortfall):
            found.append((t, f"national / {p} / {k}: recycled-content minimum: {t:,.1f} t/yr short; likely cause: "
                             "recycled metal (refinery capacity x domestic and imported black mass) cannot reach "
                             "the minimum share"))
        for (p,), t in _positive(policy.co2_excess):
            found.append((t, f"national / {p}: carbon cap: {t:,.1f} t CO2/yr above the cap; likely cause: the cap is "
                             "below the emissions of any plan that processes the packs"))
    found.sort(key=lambda x: -x[0])
    lines = [text for _, text in found[:MAX_FINDINGS]]
    if len(found) > MAX_FINDINGS:
        lines.append(f"... and {len(found) - MAX_FINDINGS} more")
    return lines


def diagnose_infeasible(instance, time_limit: float = 60.0) -> list[str]:
    """For a strict instance without a plan: re-solve with the slacks open, say where they are needed
    and why; then the rows HiGHS's IIS names in the strict LP relaxation (if it finds one)."""
    from netopt import solve as solver
    from netopt.instance.overrides import SetSetting
    from netopt.instance.runspec import extend_instance
    from netopt.model import build_model
    from netopt.model.inputs import prepare
    from netopt.model.staging import build_stage

    findings: list[str] = []
    elastic = extend_instance(instance, overrides=[SetSetting(path="model.strict", value=False, source="diagnosis")])
    limit = min(time_limit, elastic.settings.solve.time_limit)
    settings = elastic.settings.solve.model_copy(update={"time_limit": limit, "duals": False})
    model = build_model(prepare(elastic))
    result = solver.solve(model, settings, stage_of=build_stage)
    if result.has_solution:
        findings += slack_findings(model) or ["the plan with slack open needs none: the strict model is infeasible "
                                              "for a reason the slacks do not cover (see the IIS below)"]
    # HiGHS 1.16's getIis crashes on some of these LPs without the aggregate row (seen with 'arc' and 'weak'
    # linking on the toy); the IIS is of the LP relaxation, so the redundant rows do not change what it names
    aggregate = extend_instance(instance, overrides=[SetSetting(path="model.linking", value="aggregate",
                                                                source="diagnosis")])
    findings += iis_rows(build_model(prepare(aggregate)))
    return findings


def iis_rows(model, limit: int = 15) -> list[str]:
    """Names of the constraints in an irreducible infeasible subsystem of the LP relaxation (HiGHS getIis),
    found in a forked process so that a crash inside HiGHS costs only this line of the diagnosis."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return _iis_rows(model, limit)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=lambda: child.send(_iis_rows(model, limit)))
    proc.start()
    child.close()
    try:
        rows = parent.recv() if parent.poll(60) else []
    except EOFError:  # the child died (a crash inside HiGHS)
        rows = []
    proc.join(5)
    if proc.is_alive():
        proc.kill()
    return rows


def _iis_rows(model, limit: int) -> list[str]:
    try:
        import highspy

        from netopt.solve.highs import compile_model, quiet_highs
    except ImportError:
        return []
    compiled = compile_model(model)
    form, lp = compiled.form, compiled.lp
    lp.integrality_ = [highspy.HighsVarType.kContinuous] * lp.num_col_
    h = quiet_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("time_limit", 30.0)
    try:
        h.setOptionValue("iis_strategy", 4)  # a true IIS; the elastic-LP strategy (2) crashed HiGHS 1.16 on the toy
    except Exception:  # noqa: BLE001 - an older HiGHS without the option: no IIS
        return []
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
        return []
    status, iis = h.getIis()
    rows = [form.rows[i].constraint.name for i in list(iis.row_index_)[:limit]]
    if not rows:
        return []
    more = f" and {len(iis.row_index_) - limit} more" if len(iis.row_index_) > limit else ""
    return [f"IIS of the strict LP relaxation (rows that cannot hold together): {', '.join(rows)}{more}"]
