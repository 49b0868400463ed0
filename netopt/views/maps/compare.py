"""``netopt map --compare A B``: one bilingual map of what changes from run A to run B.

The prefectures show B minus A of the measure chosen in the page (every measure of
:data:`netopt.views.facts.MEASURES`, per period; blue: less in B, red: more in B); facilities are drawn
where they differ (only in A, only in B, different capacity), with the unchanged ones faint for
context; the legend compares headline numbers, and a prefecture's panel says what changes for it.
The question it answers is a prefecture's: "what changes for us under B?".
"""

from __future__ import annotations

from pathlib import Path

import folium
import pandas as pd

from netopt.results.store import RunData, read_run
from netopt.views import facts
from netopt.views.factsheet import compare_html
from netopt.views.i18n import T, Text, page_language
from netopt.views.labels import kind_label, status_banner
from netopt.views.maps import geo
from netopt.views.maps.build import regions_by_code
from netopt.views.maps.page import Popup, choropleth_layer, finish_map, layer_groups, new_map, render_html, write_page
from netopt.views.style import KIND_STYLE, UNKNOWN_KIND_STYLE, ColourScale, esc, facility_size, fmt_t, symbol_svg

MEASURES = facts.MEASURES
DIFF_STYLE = {  # category -> (colour, label)
    "only_b": ("#d7301f", Text("Bのみ（Bで建設・維持、Aになし）", "Only in B (built or kept in B, not in A)")),
    "only_a": ("#0570b0", Text("Aのみ（Bになし）", "Only in A (not in B)")),
    "changed": ("#7a0177", Text("両方にあり、能力が異なる", "In both, capacity differs")),
    "same": ("#bdbdbd", Text("両方で同じ", "Same in both")),
}


def write_compare(a_dir: str | Path, b_dir: str | Path, target: str | Path, measure: str = "leaked",
                  tiles: str | None = None, lang: str | None = None) -> Path:
    """Write the difference map of runs A and B to ``target``; return its path."""
    a, b = read_run(a_dir), read_run(b_dir)
    return write_page(target, render_html(build_compare(a, b, measure=measure, tiles=tiles, lang=lang)))


def build_compare(a: RunData, b: RunData, measure: str = "leaked", tiles: str | None = None,
                  lang: str | None = None) -> folium.Map:
    """The folium map of B minus A."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
    periods = sorted(set(a.periods) & set(b.periods))
    if not periods:
        raise ValueError(f"{a.folder} and {b.folder} share no planning period; nothing to compare")
    lang = page_language(b.summary, lang)
    m = new_map(lang, Text(f"{T['title_compare'].ja}: {a.title} / {b.title}",
                           f"{T['title_compare'].en}: {a.title} vs {b.title}"), tiles)
    values, scales = {}, {}
    for key, meas in MEASURES.items():
        diff = measure_difference(a, b, meas.column, how="mean" if key in ("cost_per_t", "marginal") else "sum")
        values[key] = diff
        scale = ColourScale.symmetric(diff["value"], Text(f"{meas.label.ja}（{meas.unit.ja}）: B − A",
                                                          f"{meas.label.en} ({meas.unit.en}): B minus A"))
        scale.empty = T["no_region_either"]
        scales[key] = scale
    choropleth = choropleth_layer(values, scales, periods)
    choropleth.add_to(m)
    groups, group = layer_groups(m, periods)
    table = facility_differences(a, b)
    max_cap = float(table[["capacity_a", "capacity_b"]].max().max()) if not table.empty else 0.0
    for row in table[table["period"].isin(periods)].itertuples(index=False):
        if row.category:
            _diff_marker(b, row, table, max_cap).add_to(group(int(row.period), row.category))
    keys = {k for layers in groups.values() for k in layers}
    toggles = {k: f'<span style="color:{c}">&#9632;</span> {t}' for k, (c, t) in DIFF_STYLE.items() if k in keys}
    toggles["labels"] = Text("都道府県名（拡大時）", "Prefecture names (zoomed in)").html
    banners = [f"{name}: {text}" for name, run in (("A", a), ("B", b)) if (text := status_banner(run.summary))]
    by_code = regions_by_code(b)
    panels = {code: "".join(f"<div class='netopt-sheet'><h2>{facts.name_of(b, r)}</h2>"
                            f"{compare_html(a, b, r, periods)}</div>" for r in regions)
              for code, regions in by_code.items()}
    measures = {k: (f"{mm.label}: B&minus;A", scales[k].legend_html()) for k, mm in MEASURES.items()}
    finish_map(m, periods, groups, toggles, choropleth, measures, measure, title_html=_title(a, b),
               banner_html="<br>".join(banners), legend_html=_legend() + kpi_table(a, b), panels=panels,
               regions_by_code=by_code)
    return m


def measure_difference(a: RunData, b: RunData, column: str, how: str = "sum") -> pd.DataFrame:
    """Per prefecture and period: value (B - A) and a label 'B - A (A .., B ..)'."""
    va = geo.measure_by_prefecture(facts.region_measures(a), a.table("nodes"), column, how=how)
    vb = geo.measure_by_prefecture(facts.region_measures(b), b.table("nodes"), column, how=how)
    both = va.merge(vb, on=["code", "period"], how="outer", suffixes=("_a", "_b")).fillna(0.0)
    both["value"] = both["value_b"] - both["value_a"]
    both["label"] = [f"{'+' if d > 0 else ''}{fmt_t(d)} (A {fmt_t(x)}, B {fmt_t(y)})"
                     for d, x, y in zip(both["value"], both["value_a"], both["value_b"])]
    both["code"] = both["code"].astype(int)
    both["period"] = both["period"].astype(int)
    return both[["code", "period", "value", "label"]]


def facility_differences(a: RunData, b: RunData) -> pd.DataFrame:
    """One row per site and period with capacity and throughput in A and B, and a category."""
    cols = ["site_id", "period", "name", "kind", "lat", "lon", "status", "built_period", "capacity_t_per_yr",
            "throughput_t_per_yr"]
    fa, fb = (r.table("facilities").reindex(columns=cols) for r in (a, b))
    both = fa.merge(fb, on=["site_id", "period"], how="outer", suffixes=("_a", "_b"))
    if both.empty:
        return pd.DataFrame(columns=["site_id", "period", "category", "capacity_a", "capacity_b"])
    for c in ("name", "kind", "lat", "lon"):
        both[c] = both[f"{c}_b"].combine_first(both[f"{c}_a"])
    both["capacity_a"] = both["capacity_t_per_yr_a"].fillna(0.0)
    both["capacity_b"] = both["capacity_t_per_yr_b"].fillna(0.0)
    both["throughput_a"] = both["throughput_t_per_yr_a"].fillna(0.0)
    both["throughput_b"] = both["throughput_t_per_yr_b"].fillna(0.0)
    both["category"] = [_category(x, y) for x, y in zip(both["capacity_a"], both["capacity_b"])]
    return both.dropna(subset=["lat", "lon"]).reset_index(drop=True)


def _category(cap_a: float, cap_b: float) -> str:
    """only_a / only_b / changed / same, or '' when neither run has the site in that period."""
    has_a, has_b = cap_a > 1e-9, cap_b > 1e-9
    if has_a and has_b:
        return "same" if abs(cap_a - cap_b) <= 1e-6 * max(cap_a, cap_b) else "changed"
    return "only_a" if has_a else ("only_b" if has_b else "")


def _diff_marker(b: RunData, row, table: pd.DataFrame, max_cap: float) -> folium.Marker:
    shape, _ = KIND_STYLE.get(row.kind, UNKNOWN_KIND_STYLE)
    colour, text = DIFF_STYLE[row.category]
    size = facility_size(max(row.capacity_a, row.capacity_b), max_cap) * (0.7 if row.category == "same" else 1.0)
    icon = folium.DivIcon(html=symbol_svg(shape, colour, size, stroke="#000000", stroke_width=1.5),
                          icon_size=(size, size), icon_anchor=(size / 2, size / 2),
                          class_name=f"netopt-facility netopt-{row.kind} netopt-diff-{row.category}")
    name = facts.name_of(b, row.site_id)
    cap = Text("能力", "capacity")
    tooltip = (f"<b>{name}</b> ({kind_label(row.kind)})<br>{text}<br>"
               f"{cap} A {fmt_t(row.capacity_a)}, B {fmt_t(row.capacity_b)} {T['t_per_yr']}")
    marker = folium.Marker([float(row.lat), float(row.lon)], icon=icon, tooltip=folium.Tooltip(tooltip))
    site = table[table["site_id"] == row.site_id].sort_values("period")
    rows = "".join(
        f"<tr class='{'current' if r.period == row.period else ''}'><td>{int(r.period)}</td>"
        f"<td>{fmt_t(r.capacity_a)}</td><td>{fmt_t(r.capacity_b)}</td>"
        f"<td>{fmt_t(r.throughput_a)}</td><td>{fmt_t(r.throughput_b)}</td></tr>" for r in site.itertuples())
    thr = Text("処理量", "Throughput")
    marker.add_child(Popup(
        f"<div class='netopt-popup'><b>{name}</b><br>{text}<table>"
        f"<tr><th>{T['period']}</th><th>{cap} A</th><th>{cap} B</th><th>{thr} A</th><th>{thr} B</th></tr>"
        f"{rows}</table><small>{T['t_per_yr']}</small></div>"))
    return marker


def kpi_table(a: RunData, b: RunData) -> str:
    """Headline numbers of A and B side by side."""
    def kpi(run: RunData) -> dict[Text, float | None]:
        k = run.summary.get("kpis", {})
        return {Text("総費用（割引後、百万円）", "Cost, discounted (Myen)"): run.summary.get("objective_myen"),
                Text("期間全体の海外流出 (t)", "Leaked packs over the horizon (t)"): k.get("leaked_packs_t_total"),
                Text("新設施設数", "New facilities"): k.get("facilities_opened", {}).get("count")}

    ka, kb = kpi(a), kpi(b)
    rows = "".join(f"<tr><td>{name}</td><td>{_num(ka[name])}</td><td>{_num(kb[name])}</td></tr>" for name in ka)
    return (f"<div class='netopt-legend-title'>{Text('主な数値', 'Headline numbers')}</div><table class='netopt-kpi'>"
            f"<tr><th></th><th>A</th><th>B</th></tr>{rows}</table>")


def _num(x) -> str:
    if x is None:
        return "&ndash;"
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e6 else fmt_t(x)


def _title(a: RunData, b: RunData) -> str:
    return (f"<b class='netopt-run'>{T['title_compare']}</b> &middot; A: {esc(a.title)} &middot; B: {esc(b.title)}"
            f"<br>{T['period']} <b id='netopt-period'></b> &middot; <span id='netopt-measure'></span>")


def _legend() -> str:
    parts = [f"<div class='netopt-legend-title'>{T['facilities']} "
             f"({Text('形: 種類、大きさ: 能力', 'shape: kind, size: capacity')})</div>"]
    for colour, text in DIFF_STYLE.values():
        parts.append(f"<div><i style='background:{colour}'></i>{text}</div>")
    for kind, (shape, _) in KIND_STYLE.items():
        parts.append(f"<div><span class='sym'>{symbol_svg(shape, '#777777', 14)}</span>{kind_label(kind)}</div>")
    return "".join(parts)
