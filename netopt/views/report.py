"""``netopt report RESULT_DIR``: a self-contained, bilingual HTML report and an Excel workbook of a run.

``report.html`` holds headline KPIs, a Sankey diagram of material flows (end-of-life packs
through leakage, reuse, black mass and refining to domestic demand and exports), the cost
breakdown by category and period, domestic self-sufficiency per metal over time and the
facility table. plotly.js is inlined once, from the installed ``plotly`` package, so the page
opens with no network; each figure is drawn once per language and the switch shows one.
``results.xlsx`` is written by :mod:`netopt.views.workbook`. Reads the run folder with pandas only
(no Pyomo, no folium); the chain's nodes come from :mod:`netopt.catalogue`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from netopt.catalogue import FACILITY_KINDS, KINDS, LEGS
from netopt.results.store import RunData, read_run
from netopt.views import assets, facts
from netopt.views.i18n import FONT_STACK, LANG_CSS, SWITCH_JS, T, Text, head_script, page_language, switch_html
from netopt.views.labels import cost_label, kind_label, status_banner, status_label, status_note
from netopt.views.quality import quality_section
from netopt.views.style import KIND_STYLE, LAYER_COLOURS, RESIDUE_COLOUR, esc, fmt_t
from netopt.views.workbook import EXCEL_SHEETS, write_workbook  # noqa: F401 - EXCEL_SHEETS: part of this API

HEAD_NODES = (("End-of-life packs", "#7f7f7f"), ("Leaked (not collected)", "#d62728"),
              ("Unprocessed (penalised slack)", "#ff9896"))
TAIL_NODES = (("Virgin metal", "#8c564b"), ("Domestic metal demand", "#31a354"))
SANKEY_JA = {  # Sankey node names (catalogue, English) in Japanese
    "End-of-life packs": "使用済み電池パック", "Leaked (not collected)": "海外流出（未回収）",
    "Unprocessed (penalised slack)": "未処理（ペナルティ）", "Virgin metal": "新規採掘金属",
    "Domestic metal demand": "国内の金属需要", "Collection hubs": "回収・診断拠点",
    "Pre-treatment (black-mass plants)": "前処理（ブラックマス工場）", "Refineries": "製錬所",
    "Pre-treatment residue": "前処理の残渣", "Refining residue": "製錬の残渣", "Reuse": "リユース",
    "Imported packs": "輸入電池パック", "Black-mass exports": "ブラックマス輸出",
    "Imported black mass": "輸入ブラックマス",
    "Metal exports": "金属輸出",
}
W = {
    "flows": Text("物質の流れ", "Material flows"),
    "flows_note": Text("選んだ期間の年間トン数: 電池パック、ブラックマス、金属の順（連鎖に沿って幅が"
                       "細くなる）。残渣は次の段階に運ばれない量。",
                       "Tonnes per year in the chosen period: packs, then black mass, then metal (so widths shrink "
                       "along the chain). Residues are the mass not carried to the next stage."),
    "costs": Text("費用", "Costs"),
    "cost_note": Text("割引後の費用（百万円、目的関数の内訳）: 区分・期間別。",
                      "Discounted Myen (the objective's parts) by category and period."),
    "self": Text("国内自給率", "Domestic self-sufficiency"),
    "self_note": Text("回収金属の国内需要に対する割合。", "Recovered metal as a share of domestic demand."),
    "facilities": Text("施設", "Facilities"),
    "no_plan": Text("この計画には解がありません: 状態のみ報告します。",
                    "This run holds no plan: nothing to report beyond its status."),
    "generated": Text("作成", "Generated"),
    "from": Text("計画フォルダ", "from"),
}


def _end(leg, side: str) -> str | None:
    """The Sankey node of one end of a leg: its own name, or the node of the facility kind there."""
    own = leg.sankey_origin if side == "origin" else leg.sankey_destination
    role = leg.origin if side == "origin" else leg.destination
    return own or (KINDS[role].sankey if role in KINDS else None)


SANKEY_LEGS = {leg.name: (_end(leg, "origin"), _end(leg, "destination")) for leg in LEGS
               if _end(leg, "origin") and _end(leg, "destination")}
"""flows.csv leg -> (from node, to node) in the Sankey."""


def sankey_nodes() -> list[tuple[str, str]]:
    """(node, colour) in order: the head, then per facility kind the nodes that feed it, the kind, its
    residue and where it sends out of the chain, then the tail."""
    nodes = list(HEAD_NODES)
    known = {n for n, _ in (*HEAD_NODES, *TAIL_NODES)}
    for kind in FACILITY_KINDS:
        feeds = [(leg.sankey_origin, LAYER_COLOURS[leg.layer]) for leg in LEGS
                 if leg.destination == kind.kind and leg.sankey_origin and leg.sankey_origin not in known]
        ends = [(leg.sankey_destination, LAYER_COLOURS[leg.layer]) for leg in LEGS
                if leg.origin == kind.kind and leg.sankey_destination and leg.sankey_destination not in known]
        residue = [(kind.residue, RESIDUE_COLOUR)] if kind.residue else []
        nodes += [*feeds, (kind.sankey, KIND_STYLE[kind.kind][1]), *residue, *ends]
    return nodes + list(TAIL_NODES)


CSS = f"""
body {{ font: 14px/1.45 {FONT_STACK}; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }}
h1 {{ font-size: 24px; margin-bottom: 4px; }} h2 {{ font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }}
.top {{ display: flex; justify-content: space-between; align-items: center; gap: 12px; }}
.banner {{ background: #b30000; color: #fff; padding: 10px 14px; border-radius: 6px; font-weight: 600; }}
.kpis {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }}
.kpi {{ border: 1px solid #ddd; border-radius: 8px; padding: 10px 14px; min-width: 170px; background: #fafafa; }}
.kpi .v {{ font-size: 20px; font-weight: 700; }} .kpi .l {{ color: #555; font-size: 12px; }}
table.data {{ border-collapse: collapse; font-size: 12px; margin: 8px 0; }}
table.data td, table.data th {{ border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: right; }}
table.data td:first-child, table.data th:first-child {{ text-align: left; }}
.note {{ color: #555; font-size: 12px; }}
"""


# ------------------------------------------------------------------ entry points


def write_report(result_dir: str | Path, out_dir: str | Path | None = None, lang: str | None = None
                 ) -> tuple[Path, Path]:
    """Write ``report.html`` and ``results.xlsx`` (default: into the run folder); return both paths."""
    run = read_run(result_dir)
    out = Path(out_dir) if out_dir else run.folder
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / "report.html"
    html_path.write_text(report_html(run, lang), encoding="utf-8")
    return html_path, write_workbook(run, out / "results.xlsx", lang=page_language(run.summary, lang))


# ------------------------------------------------------------------ the page


def report_html(run: RunData, lang: str | None = None) -> str:
    """The whole report page as one string (plotly.js inline, once)."""
    lang = page_language(run.summary, lang)
    s = run.summary
    banner = status_banner(s)
    title = Text(f"{T['title_report'].ja}: {run.title}", f"{T['title_report'].en}: {run.title}")
    parts = [
        f"<div class='top'><h1>{title}</h1>{switch_html()}</div>",
        f"<div class='note'>{status_note(s)} {W['generated']} {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{W['from']} {esc(run.folder)}.</div>",
        f"<div class='banner'>{banner}</div>" if banner else "",
        kpi_cards(run),
    ]
    if run.periods:
        parts += [
            f"<h2>{W['flows']}</h2><div class='note'>{W['flows_note']}</div>", _figures(sankey_figure, run, "sankey"),
            f"<h2>{W['costs']}</h2>", _figures(cost_figure, run, "costs"), cost_table(run),
            f"<h2>{W['self']}</h2><div class='note'>{W['self_note']}</div>",
            _figures(self_sufficiency_figure, run, "selfsufficiency"),
            f"<h2>{W['facilities']}</h2>", facility_table(run),
            quality_section(run),
        ]
    else:
        parts.append(f"<p>{W['no_plan']}</p>")
    body = "\n".join(parts)
    plotly = assets.script_tag(assets.plotly_js()) if run.periods else ""
    return (f"<!DOCTYPE html><html lang='{lang}' data-lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{esc(title.get(lang))}</title>{head_script(lang, title)}<style>{LANG_CSS}{CSS}</style>{plotly}"
            f"</head><body>{body}<script>{SWITCH_JS}</script></body></html>")


def _figures(make, run: RunData, name: str) -> str:
    """The figure once per language (ids fig-<name> and fig-<name>-en)."""
    out = []
    for lang, suffix in (("ja", ""), ("en", "-en")):
        fig = make(run, lang)
        html = fig.to_html(include_plotlyjs=False, full_html=False, config={"displaylogo": False, "responsive": True})
        out.append(f"<div class='figure l-{lang}' lang='{lang}' id='fig-{name}{suffix}'>{html}</div>")
    return "".join(out)


def kpi_cards(run: RunData) -> str:
    """Headline numbers as cards."""
    s, k = run.summary, run.summary.get("kpis", {})
    cards = []
    if isinstance(s.get("objective_myen"), (int, float)):
        cards.append((f"{s['objective_myen']:,.0f}", Text("総費用（割引後、百万円）", "total cost, discounted (Myen)")))
    gap = s.get("gap_abs_myen")
    gap_text = f", gap {gap:,.0f} Myen" if gap is not None else ""
    cards.append((status_label(s.get("status", "?")).html,
                  Text("ソルバーの状態" + gap_text.replace("gap", "ギャップ"), "solver status" + gap_text)))
    opened = k.get("facilities_opened", {})
    if opened:
        by_kind = ", ".join(f"{v} {kind_label(k2)}" for k2, v in opened.get("by_kind", {}).items())
        cards.append((str(opened.get("count", 0)), f"{Text('新設施設', 'new facilities')}"
                      + (f" ({by_kind})" if by_kind else "")))
    if "leaked_packs_t_total" in k:
        cards.append((fmt_t(k["leaked_packs_t_total"]), Text("期間全体の海外流出（t）", "t of packs leaked over the "
                                                             "horizon")))
    metals = run.table("metals")
    if not metals.empty:
        last = metals[metals["period"] == metals["period"].max()]
        for r in last.itertuples(index=False):
            cards.append((f"{100 * r.self_sufficiency_share:.0f}%", Text(f"{r.period}年の{r.metal}自給率",
                                                                        f"self-sufficiency {r.metal} in {r.period}")))
    slack = k.get("slack", {})
    if slack.get("unmet_demand_t_total", 0) > 1e-6 or slack.get("unprocessed_packs_t_total", 0) > 1e-6:
        cards.append((fmt_t(slack["unmet_demand_t_total"] + slack["unprocessed_packs_t_total"]),
                      Text("ペナルティ付きのスラック（t: 未充足需要、未処理パック）",
                           "t of penalised slack (unmet demand, unprocessed packs)")))
    return "<div class='kpis'>" + "".join(
        f"<div class='kpi'><div class='v'>{v}</div><div class='l'>{label}</div></div>" for v, label in cards) + "</div>"


# ------------------------------------------------------------------ Sankey


def sankey_links(run: RunData, period: int) -> list[tuple[str, str, float]]:
    """(from, to, t/yr) links of one period, residues included, zero links dropped."""
    flows, regions, metals = run.table("flows"), run.table("regions"), run.table("metals")
    f = flows[flows["period"] == period] if not flows.empty else flows
    by_leg = f.groupby("leg")["tonnes_per_yr"].sum().to_dict() if not f.empty else {}
    links = [(a, b, by_leg.get(leg, 0.0)) for leg, (a, b) in SANKEY_LEGS.items()]
    r = regions[regions["period"] == period] if not regions.empty else regions
    if not r.empty:
        links.append(("End-of-life packs", "Leaked (not collected)", float(r["leaked_t_per_yr"].sum())))
        links.append(("End-of-life packs", "Unprocessed (penalised slack)", float(r["unprocessed_t_per_yr"].sum())))
    for kind in FACILITY_KINDS:
        if kind.residue:
            into = [leg.name for leg in LEGS if leg.destination == kind.kind]
            out_of = [leg.name for leg in LEGS if leg.origin == kind.kind]
            links.append((kind.sankey, kind.residue, _residue(by_leg, into, out_of)))
    m = metals[metals["period"] == period] if not metals.empty else metals
    if not m.empty:
        links.append(("Virgin metal", "Domestic metal demand", float(m["virgin_t_per_yr"].sum())))
    return [(a, b, float(v)) for a, b, v in links if v > 1e-9]


def _residue(by_leg: dict, into: tuple, out_of: tuple) -> float:
    return max(0.0, sum(by_leg.get(x, 0.0) for x in into) - sum(by_leg.get(x, 0.0) for x in out_of))


def sankey_figure(run: RunData, lang: str = "en") -> go.Figure:
    """One Sankey trace per period; buttons choose the period (the last one is shown first)."""
    periods = run.periods
    nodes = sankey_nodes()
    index = {name: i for i, (name, _) in enumerate(nodes)}
    label = (lambda n: SANKEY_JA.get(n, n)) if lang == "ja" else (lambda n: n)
    title = "物質の流れ {}年（t/年）" if lang == "ja" else "Material flows in {} (t/yr)"
    fig = go.Figure()
    for p in periods:
        links = sankey_links(run, p)
        fig.add_trace(go.Sankey(
            name=str(p), visible=(p == periods[-1]), valueformat=",.0f",
            valuesuffix=" t/年" if lang == "ja" else " t/yr",
            arrangement="snap",
            node={"label": [label(n) for n, _ in nodes], "color": [c for _, c in nodes], "pad": 14, "thickness": 16},
            link={"source": [index[a] for a, _, _ in links], "target": [index[b] for _, b, _ in links],
                  "value": [v for _, _, v in links], "color": "rgba(120,120,120,0.35)"}))
    buttons = [{"label": str(p), "method": "update",
                "args": [{"visible": [q == p for q in periods]}, {"title.text": title.format(p)}]}
               for p in periods]
    fig.update_layout(
        title={"text": title.format(periods[-1])}, height=560, margin={"l": 10, "r": 10, "t": 60},
        font={"family": FONT_STACK.replace('"', "'")},
        updatemenus=[{"type": "buttons", "direction": "right", "buttons": buttons, "active": len(periods) - 1,
                      "x": 1.0, "xanchor": "right", "y": 1.12, "yanchor": "top"}])
    return fig


# ------------------------------------------------------------------ costs, self-sufficiency, facilities


def cost_figure(run: RunData, lang: str = "en") -> go.Figure:
    """Stacked annual cost by category and period (revenues below zero)."""
    costs = run.table("costs")
    fig = go.Figure()
    if not costs.empty:
        table = costs.groupby(["category", "period"])["annual_myen_per_yr"].sum().unstack(fill_value=0.0)
        table = table[(table.abs() > 1e-9).any(axis=1)]
        for category, row in table.iterrows():
            fig.add_trace(go.Bar(name=cost_label(category).get(lang), x=[str(p) for p in row.index], y=row.values))
    fig.update_layout(barmode="relative", height=420, yaxis_title=T["myen_per_yr"].get(lang),
                      xaxis_title=T["period"].get(lang), margin={"l": 60, "r": 10, "t": 30},
                      font={"family": FONT_STACK.replace('"', "'")})
    return fig


def cost_table(run: RunData) -> str:
    """Discounted cost by category and period (the objective's parts)."""
    costs = run.table("costs")
    if costs.empty:
        return ""
    table = costs.pivot_table(index="category", columns="period", values="discounted_myen", aggfunc="sum")
    table = table[(table.abs() > 1e-9).any(axis=1)]
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum(axis=0)
    total = Text("合計", "total")
    head = "".join(f"<th>{total if c == 'total' else esc(c)}</th>" for c in table.columns)
    rows = "".join(f"<tr><td>{total if i == 'total' else cost_label(i)}</td>" + "".join(f"<td>{v:,.1f}</td>" for v in r)
                   + "</tr>" for i, r in table.iterrows())
    return (f"<div class='note'>{W['cost_note']}</div>"
            f"<table class='data'><tr><th>{Text('区分', 'category')}</th>{head}</tr>{rows}</table>")


def self_sufficiency_figure(run: RunData, lang: str = "en") -> go.Figure:
    """Self-sufficiency share per metal over the periods."""
    metals = run.table("metals")
    fig = go.Figure()
    for metal, g in (metals.groupby("metal") if not metals.empty else []):
        g = g.sort_values("period")
        fig.add_trace(go.Scatter(name=str(metal), x=[str(p) for p in g["period"]],
                                 y=100 * g["self_sufficiency_share"], mode="lines+markers"))
    fig.update_layout(height=380, yaxis_title="国内需要に対する %" if lang == "ja" else "% of domestic demand",
                      xaxis_title=T["period"].get(lang), margin={"l": 60, "r": 10, "t": 30},
                      font={"family": FONT_STACK.replace('"', "'")})
    return fig


def facility_table(run: RunData) -> str:
    """Each facility: kind, status, period built, and capacity / utilisation per period."""
    fac = run.table("facilities")
    if fac.empty:
        return f"<p>{Text('施設なし', 'No facility.')}</p>"
    periods = sorted(fac["period"].unique())
    head = "".join(f"<th>{p}: {Text('能力 t/年（稼働率）', 'capacity t/yr (utilisation)')}</th>" for p in periods)
    rows = []
    for sid, g in fac.groupby("site_id", sort=False):
        first = g.iloc[0]
        built = "" if pd.isna(first["built_period"]) else f"{int(first['built_period'])} ({esc(first['built_size'])})"
        cells = []
        for p in periods:
            r = g[g["period"] == p]
            cap = float(r["capacity_t_per_yr"].iloc[0]) if len(r) else 0.0
            util = float(r["utilisation_share"].iloc[0]) if len(r) else 0.0
            cells.append(f"<td>{fmt_t(cap)} ({100 * util:.0f}%)</td>" if cap > 0 else "<td>&ndash;</td>")
        status = T["new"] if first["status"] == "new" else T["existing"]
        rows.append(f"<tr class='facility'><td>{facts.name_of(run, sid)} <small>{esc(sid)}</small></td>"
                    f"<td>{kind_label(first['kind'])}</td><td>{status}</td>"
                    f"<td>{built}</td>{''.join(cells)}</tr>")
    head0 = "".join(f"<th>{h}</th>" for h in (Text("施設", "facility"), Text("種類", "kind"), Text("区分", "status"),
                                              Text("建設（規模）", "built (size)")))
    return f"<table class='data'><tr>{head0}{head}</tr>" + "".join(rows) + "</table>"
