"""A region's (prefecture's) fact sheet as HTML, in both languages: the map's panel and the printable A4 page.

:func:`sheet_html` is the sheet's body, used by the map (:mod:`netopt.views.maps`) as the panel of each
prefecture and by :mod:`netopt.views.prefecture` as the A4 page. Every table has a column per period;
cells carry ``data-p`` so that the map can mark the period shown. The numbers are those of
:mod:`netopt.views.facts`.
"""

from __future__ import annotations

import math

import pandas as pd

from netopt.results.store import RunData
from netopt.views import facts
from netopt.views import prefectures as japan
from netopt.views.i18n import T, Text
from netopt.views.labels import kind_label, status_banner
from netopt.views.style import esc, fmt_t

W = {  # words of the sheet
    "numbers": Text("期間ごとの主な数値", "Key numbers by period"),
    "by_chemistry": Text("化学組成別", "By chemistry"),
    "costs": Text("計画がこの地域に負担する費用（百万円/年）", "Cost the plan incurs for it (Myen/yr)"),
    "total": Text("合計", "total"),
    "per_t": Text("回収1tあたり（円/t）", "per collected tonne (yen/t)"),
    "territory": Text("域内の施設", "Facilities on its territory"),
    "served": Text("この地域の電池パックを扱う施設（t/年、按分）", "Facilities that serve it (t/yr of its packs, by "
                   "throughput)"),
    "none": Text("なし", "none"),
    "capacity": Text("能力 t/年", "capacity t/yr"),
    "utilisation": Text("稼働率", "utilisation"),
    "cost_fac": Text("費用 百万円/年", "cost Myen/yr"),
    "built": Text("新設", "new"),
    "existing": Text("既存", "existing"),
    "marginal_note": Text(
        "限界費用: 回収量を1t増やしたときの計画全体の費用の変化（回収収支の双対変数、建設は計画のまま）。負の値は、"
        "回収した電池の金属価値が回収・処理費を上回ることを示します。5,000,000円/tは処理先がなく未処理ペナルティが"
        "かかることを示します。",
        "Marginal cost: the change of the whole plan's cost if one more tonne were collected here (the dual of the "
        "collection balance, builds as planned). Negative: the metal in the packs is worth more than collecting and "
        "treating them. 5,000,000 yen/t: no facility can take them and the unprocessed-pack penalty applies."),
    "cost_note": Text(
        "費用の配分: 回収の輸送はこの地域の分、施設の固定費・処理費とその先の輸送は施設を通るこの地域の電池の"
        "割合（処理量比）で按分。収入（リユース、輸出）と新規金属は配分しません。",
        "Cost allocation: collection transport from it; facilities' fixed and processing cost and the transport "
        "onward by its share of their throughput. Revenues (reuse, exports) and virgin metal are not allocated."),
    "context": Text("人口（2020年国勢調査）", "Population (2020 Census)"),
    "ev": Text("EV・PHEV購入補助の交付台数（2009〜2024年度）", "EV+PHEV purchase subsidies granted (FY2009-FY2024)"),
    "islands": Text("地図に描いた離島", "Outlying islands drawn"),
    "compare": Text("比較: 計画Bで何が変わるか", "Compared: what changes for it under plan B"),
    "a": Text("計画A", "plan A"), "b": Text("計画B", "plan B"), "diff": Text("B − A", "B − A"),
    "only_a": Text("Aのみ", "only in A"), "only_b": Text("Bのみ", "only in B"),
    "changed": Text("能力が異なる", "capacity differs"),
    "no_change": Text("域内の施設に変化なし", "No change of the facilities on its territory"),
}
SUMMARY_MEASURES = ("eol", "collected", "leaked", "retained", "unprocessed", "reused", "cost", "cost_per_t",
                    "marginal")


def fmt_value(value, unit: Text) -> str:
    """t and Myen for people; yen per tonne as whole yen with separators; blank as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "&ndash;"
    v = float(value)
    if unit.en == "yen/t":
        return f"{v:,.0f}"
    if unit.en.startswith("Myen"):
        return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"
    return fmt_t(v)


def _cells(values: dict, periods: list[int], unit: Text) -> str:
    return "".join(f'<td data-p="{p}">{fmt_value(values.get(p), unit)}</td>' for p in periods)


def _head(first: Text, periods: list[int], extra: str = "") -> str:
    return (f"<tr><th>{first}</th>{extra}" + "".join(f'<th data-p="{p}">{p}</th>' for p in periods) + "</tr>")


def region_name(run: RunData, region: str) -> Text:
    return facts.name_of(run, region)


def _by_region(run: RunData, name: str, table) -> dict:
    """``table(run)`` split by region_id once per run."""
    cache = run.__dict__.setdefault("_views_cache", {})
    key = ("by_region", name)
    if key not in cache:
        df = table(run)
        cache[key] = {str(k): g for k, g in df.groupby("region_id")} if not df.empty else {}
    return cache[key]


def numbers_table(run: RunData, region: str, periods: list[int]) -> str:
    found = _by_region(run, "region_measures", facts.region_measures).get(region)
    mine = found.set_index("period") if found is not None else pd.DataFrame()
    rows = []
    for key in SUMMARY_MEASURES:
        meas = facts.MEASURES[key]
        values = mine[meas.column].to_dict() if meas.column in mine else {}
        rows.append(f'<tr class="m-{key}"><td>{meas.label} <small>({meas.unit})</small></td>'
                    f"{_cells(values, periods, meas.unit)}</tr>")
    return f'<table class="netopt-facts">{_head(T["period"], periods)}{"".join(rows)}</table>'


def chemistry_table(run: RunData, region: str, periods: list[int]) -> str:
    mine = _by_region(run, "region_chemistry", facts.region_chemistry).get(region)
    if mine is None or mine.empty:
        return ""
    rows = []
    for key in ("eol", "leaked", "retained", "collected", "unprocessed", "reused", "marginal"):
        meas = facts.MEASURES[key]
        column = meas.column if key != "marginal" else "marginal_cost_yen_per_t"
        for c, g in mine.groupby("chemistry", sort=True):
            if not (g[column].fillna(0).abs() > 1e-9).any():
                continue  # a row of zeros says nothing
            rows.append(f'<tr><td>{meas.label} &middot; <b>{esc(c)}</b></td>'
                        f"{_cells(g.set_index('period')[column].to_dict(), periods, meas.unit)}</tr>")
    return (f'<h3>{W["by_chemistry"]}</h3><table class="netopt-facts netopt-chem">'
            f'{_head(Text("", ""), periods)}{"".join(rows)}</table>')


def cost_table(run: RunData, region: str, periods: list[int]) -> str:
    mine = _by_region(run, "region_costs", facts.region_costs).get(region)
    if mine is None or mine.empty:
        return ""
    mine = mine.set_index("period")
    if mine.empty:
        return ""
    rows = [f"<tr><td>{label}</td>{_cells(mine[col].to_dict(), periods, T['myen_per_yr'])}</tr>"
            for col, label in facts.COST_PARTS.items() if (mine[col].abs() > 1e-9).any()]
    rows.append(f'<tr class="total"><td>{W["total"]}</td>'
                f"{_cells(mine['cost_myen_per_yr'].to_dict(), periods, T['myen_per_yr'])}</tr>")
    rows.append(f"<tr><td>{W['per_t']}</td>{_cells(mine['cost_yen_per_t'].to_dict(), periods, T['yen_per_t'])}</tr>")
    return (f'<h3>{W["costs"]}</h3><table class="netopt-facts">{_head(Text("", ""), periods)}{"".join(rows)}'
            f'</table><p class="netopt-note">{W["cost_note"]}</p>')


def _status(first: pd.Series) -> Text:
    if first["status"] != "new":
        return W["existing"]
    built = first.get("built_period")
    year = "" if built is None or pd.isna(built) else f" {int(float(built))}"
    return Text(f"新設{year}", f"new{year}")


def territory_table(run: RunData, region: str, periods: list[int]) -> str:
    fac = facts.territory(run, region)
    if fac.empty:
        return f'<h3>{W["territory"]}</h3><p>{W["none"]}</p>'
    rows = []
    for sid, g in fac.groupby("site_id", sort=False):
        first, by = g.iloc[0], g.set_index("period")
        name = facts.name_of(run, sid)
        cap = {p: (by.at[p, "capacity_t_per_yr"] if p in by.index else None) for p in periods}
        util = "".join(f'<td data-p="{p}">{100 * by.at[p, "utilisation_share"]:.0f}%</td>'
                       if p in by.index and by.at[p, "capacity_t_per_yr"] > 1e-9 else f'<td data-p="{p}">&ndash;</td>'
                       for p in periods)
        cost = {p: by.at[p, "fixed_cost_myen_per_yr"] + by.at[p, "processing_cost_myen_per_yr"]
                for p in periods if p in by.index}
        rows.append(f'<tr class="site" data-site="{esc(sid)}"><td colspan="{len(periods) + 1}"><b>{name}</b> &middot; '
                    f"{kind_label(first['kind'])} &middot; {_status(first)}</td></tr>"
                    f"<tr><td class='sub'>{W['capacity']}</td>{_cells(cap, periods, T['t_per_yr'])}</tr>"
                    f"<tr><td class='sub'>{W['utilisation']}</td>{util}</tr>"
                    f"<tr><td class='sub'>{W['cost_fac']}</td>{_cells(cost, periods, T['myen_per_yr'])}</tr>")
    return (f'<h3>{W["territory"]}</h3><table class="netopt-facts netopt-sites">{_head(Text("", ""), periods)}'
            f'{"".join(rows)}</table>')


def served_table(run: RunData, region: str, periods: list[int]) -> str:
    served = _by_region(run, "trace", facts.trace).get(region)
    if served is None or served.empty:
        return f'<h3>{W["served"]}</h3><p>{W["none"]}</p>'
    rows = []
    order = {k: i for i, k in enumerate(facts.KIND_ORDER)}
    total = served.groupby("site_id")["tonnes_per_yr"].sum()
    kind_of = served.drop_duplicates("site_id").set_index("site_id")["kind"]
    sites = sorted(total.index, key=lambda s: (order.get(kind_of[s], 9), -total[s]))
    region_of = run.table("facilities").drop_duplicates("site_id").set_index("site_id").get("region_id")
    for sid in sites:
        g = served[served["site_id"] == sid].set_index("period")
        where = region_of.get(sid) if region_of is not None else None
        site, home = facts.name_of(run, sid), facts.name_of(run, where) if where is not None else None
        place = "" if home is None or str(where) == region or home.ja in site.ja else f" ({home})"
        rows.append(f'<tr data-site="{esc(sid)}"><td>{facts.name_of(run, sid)}{place} <small>&middot; '
                    f"{kind_label(g['kind'].iloc[0])}</small></td>"
                    f"{_cells(g['tonnes_per_yr'].to_dict(), periods, T['t_per_yr'])}</tr>")
    return (f'<h3>{W["served"]}</h3><table class="netopt-facts netopt-served">{_head(Text("", ""), periods)}'
            f'{"".join(rows)}</table>')


def context_html(run: RunData, region: str) -> str:
    """Population, EV grants and the islands drawn, for the 47 prefectures."""
    code = japan.jis_code(region)
    table = japan.facts()
    if code is None or table.empty:
        return ""
    row = table[table["code"] == code].iloc[0]
    parts = [f"{W['context']}: {int(row['population_2020']):,}",
             f"{W['ev']}: {int(row['ev_phev_subsidies_fy2009_2024']):,}"]
    if str(row["island_groups_en"]).strip():
        parts.append(f"{W['islands']}: {Text(row['island_groups_ja'], row['island_groups_en'])}")
    return '<p class="netopt-context">' + " &middot; ".join(parts) + "</p>"


def compare_html(a: RunData, b: RunData, region: str, periods: list[int]) -> str:
    """Per measure A, B and B - A by period; facilities on its territory that differ."""
    ma, mb = (facts.region_measures(r) for r in (a, b))
    va, vb = (m[m["region_id"] == region].set_index("period") for m in (ma, mb))
    rows = []
    for key in SUMMARY_MEASURES:
        meas = facts.MEASURES[key]
        da = va[meas.column].to_dict() if meas.column in va else {}
        db = vb[meas.column].to_dict() if meas.column in vb else {}
        diff = {p: (db.get(p) or 0.0) - (da.get(p) or 0.0) for p in periods if p in da or p in db}
        rows.append(f'<tr class="m-{key}"><td rowspan="3">{meas.label} <small>({meas.unit})</small></td>'
                    f"<td>A</td>{_cells(da, periods, meas.unit)}</tr><tr><td>B</td>{_cells(db, periods, meas.unit)}"
                    f"</tr><tr class='diff'><td>B&minus;A</td>{_cells(diff, periods, meas.unit)}</tr>")
    fa, fb = facts.territory(a, region), facts.territory(b, region)
    changes = []
    cap = {}
    for tag, fac in (("a", fa), ("b", fb)):
        for r in fac.itertuples(index=False):
            cap.setdefault(r.site_id, {}).setdefault(tag, {})[int(r.period)] = float(r.capacity_t_per_yr)
    for sid, both in cap.items():
        ca, cb = both.get("a", {}), both.get("b", {})
        has_a, has_b = any(v > 1e-9 for v in ca.values()), any(v > 1e-9 for v in cb.values())
        what = (W["only_a"] if not has_b else W["only_b"] if not has_a else
                W["changed"] if any(abs(ca.get(p, 0) - cb.get(p, 0)) > 1e-6 for p in periods) else None)
        if what is not None:
            changes.append(f"<li>{facts.name_of(b if has_b else a, sid)}: {what}</li>")
    sites = f"<ul>{''.join(changes)}</ul>" if changes else f"<p>{W['no_change']}</p>"
    return (f'<h3>{W["compare"]}</h3><p class="netopt-note">A: {esc(a.title)} &middot; B: {esc(b.title)}</p>'
            f'<table class="netopt-facts netopt-compare">{_head(Text("", ""), periods, "<th></th>")}'
            f'{"".join(rows)}</table>{sites}')


def sheet_html(run: RunData, region: str, compare: RunData | None = None, outline: bool = False,
               chemistry: bool = True) -> str:
    """The fact sheet of one region (HTML fragment, both languages); the map's panel leaves out the table by
    chemistry (``chemistry=False``)."""
    periods = run.periods
    name = region_name(run, region)
    banner = status_banner(run.summary)
    code = japan.jis_code(region)
    svg = ""
    if outline and code is not None:
        fac = facts.territory(run, region).drop_duplicates("site_id")
        pts = [(r.lat, r.lon, f"k-{r.kind}", esc(facts.name_of(run, r.site_id).en)) for r in fac.itertuples()
               if pd.notna(r.lat) and pd.notna(r.lon)]
        svg = japan.outline_svg(code, points=pts)
    return (f'<div class="netopt-sheet" data-region="{esc(region)}">'
            f'<div class="netopt-sheet-head"><div><h2>{name}</h2>'
            f'<p class="netopt-note">{esc(run.title)}</p>{context_html(run, region)}</div>{svg}</div>'
            + (f'<div class="netopt-banner">{banner}</div>' if banner else "")
            + f'<h3>{W["numbers"]}</h3>{numbers_table(run, region, periods)}'
            f'<p class="netopt-note">{W["marginal_note"]}</p>'
            + cost_table(run, region, periods) + served_table(run, region, periods)
            + territory_table(run, region, periods) + (chemistry_table(run, region, periods) if chemistry else "")
            + (compare_html(run, compare, region, [p for p in periods if p in compare.periods]) if compare else "")
            + "</div>")


SHEET_CSS = """
.netopt-sheet h2 { font-size: 18px; margin: 2px 0; } .netopt-sheet h3 { font-size: 13px; margin: 12px 0 3px; }
.netopt-facts { border-collapse: collapse; font-size: 11px; width: 100%; }
.netopt-facts td, .netopt-facts th { border-bottom: 1px solid #e2e2e2; padding: 2px 4px; text-align: right;
  white-space: nowrap; }
.netopt-facts td:first-child, .netopt-facts th:first-child { text-align: left; white-space: normal; }
.netopt-facts tr.total td { font-weight: 700; border-top: 1px solid #999; }
.netopt-facts tr.site td { background: #f4f6f8; text-align: left; }
.netopt-facts td.sub { padding-left: 12px; color: #444; }
.netopt-facts tr.diff td { font-weight: 700; }
.netopt-note { color: #555; font-size: 11px; margin: 3px 0; }
.netopt-context { font-size: 12px; margin: 3px 0; }
.netopt-sheet .netopt-banner { background: #b30000; color: #fff; padding: 6px 8px; border-radius: 4px;
  font-weight: 600; font-size: 12px; margin: 6px 0; }
.netopt-sheet-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 10px; }
.netopt-outline { flex: none; }
.netopt-outline path { fill: #dfe7d8; stroke: #555; stroke-width: 0.6; fill-rule: evenodd; }
.netopt-outline circle { stroke: #fff; stroke-width: 1; }
.netopt-outline .k-hub { fill: #1f77b4; } .netopt-outline .k-pretreatment { fill: #e6550d; }
.netopt-outline .k-refinery { fill: #6a3d9a; }
"""
