"""One or two plotly figures per kind of study, drawn from its result tables (pandas only)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

LAYOUT = {"height": 420, "margin": {"l": 70, "r": 20, "t": 40, "b": 60}}


def _metals(df: pd.DataFrame, prefix: str) -> list[str]:
    return sorted(c.split(".", 1)[1] for c in df.columns if c.startswith(prefix + ".") and c.count(".") == 1)


def compare(t: dict, notes: dict) -> list[tuple[str, go.Figure]]:
    costs = t.get("costs")
    if costs is None or costs.empty:
        return []
    runs = [c for c in costs.columns if c not in ("item", "unit")]
    row = costs.set_index("item")
    item = "controllable_cost" if "controllable_cost" in row.index else "objective"
    fig = go.Figure(go.Bar(x=runs, y=[row.loc[item, r] for r in runs], name=item,
                           error_y={"type": "data", "array": [row.loc["gap_abs", r] for r in runs], "visible": True}))
    fig.update_layout(title=f"{item.replace('_', ' ')} per run (error bar: absolute gap), Myen", **LAYOUT)
    out = [("cost", fig)]
    ss = t.get("self_sufficiency")
    if ss is not None and not ss.empty:
        last = ss[ss["period"] == ss["period"].max()]
        fig2 = go.Figure([go.Bar(name=str(row["metal"]), x=runs, y=[100 * row[r] for r in runs])
                          for _, row in last.iterrows()])  # run labels such as 'a+b' are no attribute names
        fig2.update_layout(barmode="group", title=f"self-sufficiency in {int(last['period'].max())}, % of demand",
                           **LAYOUT)
        out.append(("self_sufficiency", fig2))
    return out


def regret(t: dict, notes: dict) -> list[tuple[str, go.Figure]]:
    m = t.get("regret_matrix")
    if m is None or m.empty:
        return []
    z = m.drop(columns=["plan"])
    fig = go.Figure(go.Heatmap(z=z.values, x=list(z.columns), y=list(m["plan"]), colorscale="Reds",
                               text=[[f"{v:,.0f}" for v in r] for r in z.values], texttemplate="%{text}",
                               colorbar={"title": "Myen"}))
    fig.update_layout(title="regret: cost of the plan (row) under the scenario (column) minus the best plan",
                      xaxis_title="scenario", yaxis_title="plan", **LAYOUT)
    return [("regret", fig)]


def sweep(t: dict, notes: dict) -> list[tuple[str, go.Figure]]:
    df = t.get("sweep")
    params = notes.get("parameters", [])
    if df is None or df.empty or not params:
        return []
    x, others = params[0], params[1:]
    groups = df.groupby(others) if others else [((), df)]
    fig, fig2 = go.Figure(), go.Figure()
    for key, g in groups:
        g = g.sort_values(x)
        name = ", ".join(f"{o}={v:g}" for o, v in zip(others, key if isinstance(key, tuple) else (key,))) or "cost"
        fig.add_trace(go.Scatter(x=g[x], y=g["objective"], mode="lines+markers", name=name))
        for kind in ("hub", "pretreatment", "refinery"):
            if f"new.{kind}" in g:
                fig2.add_trace(go.Scatter(x=g[x], y=g[f"new.{kind}"], mode="lines+markers",
                                          name=f"new {kind} {name}" if others else f"new {kind}"))
    label = notes.get("labels", {}).get(x, x)
    fig.update_layout(title="total cost against the parameter, Myen", xaxis_title=label, **LAYOUT)
    fig2.update_layout(title="new facilities against the parameter", xaxis_title=label, **LAYOUT)
    return [("cost", fig), ("decisions", fig2)]


def tornado(t: dict, notes: dict) -> list[tuple[str, go.Figure]]:
    df = t.get("tornado")
    if df is None or df.empty:
        return []
    df = df.iloc[::-1]
    fig = go.Figure([go.Bar(y=df["label"], x=df["effect_low_myen"], orientation="h", name="low"),
                     go.Bar(y=df["label"], x=df["effect_high_myen"], orientation="h", name="high")])
    fig.update_layout(barmode="overlay", title="change of total cost from the base, Myen", **{
        **LAYOUT, "height": 120 + 36 * len(df), "margin": {"l": 260, "r": 20, "t": 40, "b": 40}})
    return [("tornado", fig)]


def breakeven(t: dict, notes: dict) -> list[tuple[str, go.Figure]]:
    df = t.get("breakeven")
    if df is None or df.empty:
        return []
    colours = ["#31a354" if h is True or h == "True" else "#d62728" for h in df["holds"]]
    fig = go.Figure(go.Scatter(x=df["value"], y=df["objective_myen"], mode="markers", marker={"color": colours,
                               "size": 10}, text=[f"round {r}" for r in df["round"]], name="runs"))
    for v in notes.get("bracket", []):
        fig.add_vline(x=v, line_dash="dash", line_color="#555")
    fig.update_layout(title="runs tried (green: the condition holds); dashed: the bracket",
                      xaxis_title=notes.get("label", "parameter"), yaxis_title="total cost, Myen", **LAYOUT)
    return [("breakeven", fig)]


def montecarlo(t: dict, notes: dict) -> list[tuple[str, go.Figure]]:
    df, freq = t.get("montecarlo"), t.get("build_frequencies")
    out = []
    if df is not None and not df.empty:
        fig = go.Figure(go.Histogram(x=df["objective"], nbinsx=min(40, max(5, len(df) // 5))))
        fig.update_layout(title="total cost over the samples, Myen", **LAYOUT)
        out.append(("cost", fig))
        metals = _metals(df, "self_sufficiency")
        if metals:
            fig2 = go.Figure([go.Box(y=100 * df[f"self_sufficiency.{m}"], name=m) for m in metals])
            fig2.update_layout(title="self-sufficiency in the last period over the samples, %", **LAYOUT)
            out.append(("self_sufficiency", fig2))
    if freq is not None and not freq.empty:
        wide = freq.pivot_table(index=["kind", "site_id", "name"], columns="period", values="share").fillna(0)
        wide = wide.loc[wide.max(axis=1).sort_values(ascending=False).index][:40]
        fig3 = go.Figure(go.Heatmap(z=100 * wide.values, x=[str(c) for c in wide.columns],
                                    y=[f"{k} {n if isinstance(n, str) else s}" for k, s, n in wide.index],
                                    colorscale="Blues", zmin=0, zmax=100, colorbar={"title": "%"}))
        fig3.update_layout(title="share of samples with a new facility operating by the period", **{
            **LAYOUT, "height": 160 + 22 * len(wide), "margin": {"l": 260, "r": 20, "t": 40, "b": 40}})
        out.append(("frequencies", fig3))
    return out


def robust(t: dict, notes: dict) -> list[tuple[str, go.Figure]]:
    st = t.get("first_stages")
    if st is None or st.empty:
        return []
    fig = go.Figure(go.Bar(x=st["first_stage"], y=st["expected_myen"],
                           marker={"color": ["#31a354" if s == "robust" else "#9ecae1" for s in st["first_stage"]]}))
    low = st["expected_myen"].min()
    fig.update_layout(title="expected cost of each first stage (later builds free), Myen",
                      yaxis={"range": [low - 0.02 * abs(low), st["expected_myen"].max() * 1.0005]}, **LAYOUT)
    return [("expected", fig)]


def pareto(t: dict, notes: dict) -> list[tuple[str, go.Figure]]:
    df = t.get("pareto")
    if df is None or df.empty:
        return []
    co2 = notes.get("objective") == "co2"
    x = df["achieved"] if co2 else 100 * df["achieved"]
    reached = df["reached"].astype(str) == "True"
    fig = go.Figure([go.Scatter(x=x[reached], y=df["cost_myen"][reached], mode="lines+markers", name="front"),
                     go.Scatter(x=x[~reached], y=df["cost_myen"][~reached], mode="markers", name="not reached",
                                marker={"symbol": "x", "size": 10})])
    fig.update_layout(title="cost against " + ("CO2 over the horizon" if co2 else "minimum recycled share"),
                      xaxis_title="t CO2" if co2 else "% of demand (lowest over the metals and periods)",
                      yaxis_title="cost, Myen", **LAYOUT)
    return [("front", fig)]


def whynot(t: dict, notes: dict) -> list[tuple[str, go.Figure]]:
    df = t.get("whynot")
    if df is None or df.empty:
        return []
    df = df.dropna(subset=["difference_myen"]).iloc[:40].iloc[::-1]
    fig = go.Figure(go.Bar(y=[f"{a} {s}" for a, s in zip(df["action"], df["site_id"])], x=df["difference_myen"],
                           orientation="h", marker={"color": ["#31a354" if n in (True, "True") else "#9ecae1"
                                                              for n in df["near_equal"]]}))
    fig.update_layout(title="cost of forcing a site open or forbidding it, Myen (green: near-equal)", **{
        **LAYOUT, "height": 120 + 24 * len(df), "margin": {"l": 220, "r": 20, "t": 40, "b": 40}})
    return [("whynot", fig)]


FIGURES = {"compare": compare, "regret": regret, "sweep": sweep, "tornado": tornado, "breakeven": breakeven,
           "montecarlo": montecarlo, "robust": robust, "pareto": pareto, "whynot": whynot}


def finite(x) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)
