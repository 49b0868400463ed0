"""``results.xlsx`` for spreadsheet users: a tidy summary, one sheet per table, names beside codes, formats.

- **summary**: one row per KPI (and per period and metal where it has them) with its value and unit:
  status, gap, cost, new facilities, leaked packs and metal, CO2, self-sufficiency (as %), cost by
  category, slack. No JSON in cells.
- **prefectures**: per region and period the measures of the maps and fact sheets (:mod:`netopt.views.facts`),
  the cost the plan incurs for it by part and the marginal cost of one more collected tonne.
- one sheet per result table (facilities, flows, regions, metals, costs, nodes), each id column followed by
  the name of what it names;
- **emissions**: t CO2/yr by source and period with totals.

Numbers carry formats (tonnes with thousands separators, shares as %, Myen with one decimal), every sheet
has an autofilter and a frozen header. In Japanese (``lang="ja"``) sheet names, headers and the words in
the cells (kinds, legs, categories, ...) are Japanese.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from netopt.catalogue import RESULT_TABLE_NAMES
from netopt.results.store import ID_COLUMNS, RunData
from netopt.views import facts
from netopt.views.i18n import Text
from netopt.views.labels import (
    COST_CATEGORIES,
    EMISSION_SOURCES,
    KIND_LABELS,
    LEG_LABELS,
    MODES,
    STAGES,
    status_label,
)

SHEETS = {  # key -> sheet name
    "summary": Text("概要", "summary"), "prefectures": Text("都道府県", "prefectures"),
    "facilities": Text("施設", "facilities"), "flows": Text("輸送", "flows"),
    "regions": Text("地域・化学組成", "regions"), "metals": Text("金属", "metals"), "costs": Text("費用", "costs"),
    "emissions": Text("CO2排出", "emissions"), "nodes": Text("地点", "nodes"),
}
EXTRA_TABLES = tuple(n for n in RESULT_TABLE_NAMES if n not in SHEETS)  # a table added later: a sheet as it is
EXCEL_SHEETS = (*SHEETS, *EXTRA_TABLES)
HEADERS_JA = {
    "site_id": "施設コード", "name": "名称", "kind": "種類", "region_id": "地域コード", "lat": "緯度", "lon": "経度",
    "status": "区分", "built_size": "規模", "built_period": "建設期間", "builds": "建設", "period": "期間",
    "capacity_t_per_yr": "能力 (t/年)", "throughput_t_per_yr": "処理量 (t/年)", "utilisation_share": "稼働率",
    "marginal_value_myen_per_t_yr": "能力の限界価値 (百万円/(t/年))", "fixed_cost_myen_per_yr": "固定費 (百万円/年)",
    "processing_cost_myen_per_yr": "処理費 (百万円/年)", "leg": "区間", "stage": "形態", "origin": "出発地コード",
    "destination": "到着地コード", "material": "化学組成・金属", "tonnes_per_yr": "量 (t/年)",
    "distance_km": "距離 (km)",
    "cost_myen_per_yr": "費用 (百万円/年)", "mode": "輸送手段", "sea_km": "海上距離 (km)", "via": "経由港",
    "metal": "金属", "demand_t_per_yr": "需要 (t/年)", "recycled_t_per_yr": "再生材 (t/年)",
    "virgin_t_per_yr": "新規採掘 (t/年)", "unmet_t_per_yr": "未充足 (t/年)", "recovered_t_per_yr": "回収金属 (t/年)",
    "exported_t_per_yr": "輸出 (t/年)", "surplus_t_per_yr": "余剰 (t/年)", "recycled_share": "再生材の比率",
    "self_sufficiency_share": "自給率", "block": "ブロック", "category": "区分",
    "annual_myen_per_yr": "年間 (百万円/年)",
    "discounted_myen": "割引後 (百万円)", "chemistry": "化学組成", "eol_packs_t_per_yr": "使用済みパック発生 (t/年)",
    "leaked_t_per_yr": "海外流出 (t/年)", "retained_t_per_yr": "国内保持 (t/年)", "collected_t_per_yr": "回収 (t/年)",
    "unprocessed_t_per_yr": "未処理 (t/年)", "leaked_metal_t_per_yr": "流出した金属 (t/年)",
    "marginal_cost_myen_per_t": "回収1t増の限界費用 (百万円/t)", "marginal_cost_yen_per_t": "回収1t増の限界費用 (円/t)",
    "reused_t_per_yr": "リユース (t/年)", "cost_yen_per_t": "回収1tあたり費用 (円/t)", "node_id": "地点コード",
    "name_en": "名称（英語）", "name_ja": "名称", "role": "役割", "landmass": "陸塊", "source": "排出源",
    "t_co2_per_yr": "CO2 (t/年)", "total": "合計", "kpi": "指標", "group": "分類", "value": "値", "unit": "単位",
    "origin_name": "出発地", "destination_name": "到着地", "region_id_name": "地域", "site_id_name": "施設",
    **{k: v.ja for k, v in facts.COST_PARTS.items()},
}
VALUE_WORDS = {"kind": KIND_LABELS, "leg": LEG_LABELS, "mode": MODES, "stage": STAGES, "category": COST_CATEGORIES,
               "source": EMISSION_SOURCES,
               "status": {"new": Text("新設", "new"), "existing": Text("既存", "existing")}}


def _format(column: str) -> str | None:
    """Excel number format of a column, from its unit."""
    c = column.lower()
    if c.isdigit():  # a period column of a pivot (emissions: t CO2/yr)
        return "#,##0.0"
    if c.endswith("_share") or c == "share":
        return "0.0%"
    if c in ("period", "built_period", "code"):
        return "0"
    if "yen_per_t" in c and "myen" not in c:
        return "#,##0"
    if "myen" in c:
        return "#,##0.0"
    if c.endswith("_km"):
        return "#,##0"
    if "_t_" in c or c.endswith("_t") or c.startswith("tonnes") or "t_co2" in c:
        return "#,##0.0"
    if c in ("lat", "lon"):
        return "0.0000"
    return None


def with_names(run: RunData, df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Each id column followed by ``<id>_name``; in Japanese the words of kind, leg, ... columns translated."""
    out = df.copy()
    names = facts.names(run)
    for col in [c for c in ID_COLUMNS if c in out.columns]:
        label = out[col].astype(str).map(lambda x: names[x].get(lang) if x in names else "")
        if col == "site_id" and "name" in out.columns:
            out["name"] = [v or n for v, n in zip(label, out["name"])]
            continue
        if col == "node_id":
            continue  # nodes.csv has its names already
        out.insert(out.columns.get_loc(col) + 1, f"{col}_name", label)
    if lang == "ja":
        for col, words in VALUE_WORDS.items():
            if col in out.columns:
                out[col] = out[col].map(lambda x, w=words: w[x].ja if isinstance(x, str) and x in w else x)
    return out


def summary_rows(run: RunData, lang: str) -> pd.DataFrame:
    """The summary as tidy rows: group, KPI, period, value, unit."""
    s, k = run.summary, run.summary.get("kpis", {})
    rows = []

    def add(group: Text, kpi: Text, value, unit: str = "", period="") -> None:
        rows.append({"group": group.get(lang), "kpi": kpi.get(lang), "period": period, "value": value, "unit": unit})

    plan = Text("計画", "plan")
    add(plan, Text("インスタンス / シナリオ", "instance / scenario"), run.title)
    add(plan, Text("ソルバーの状態", "solver status"), status_label(s.get("status", "?")).get(lang))
    add(plan, Text("最適性の証明", "proven optimal"), Text("はい", "yes").get(lang) if s.get("proven_optimal")
        else Text("いいえ", "no").get(lang))
    add(plan, Text("総費用（割引後）", "total cost, discounted"), s.get("objective_myen"), "Myen")
    add(plan, Text("全量新規採掘の場合の費用（基準）", "all-virgin reference"), s.get("reference_cost_myen"), "Myen")
    add(plan, Text("制御可能費用（総費用 − 基準）", "controllable cost (total - reference)"),
        s.get("controllable_cost_myen"), "Myen")
    add(plan, Text("下界", "bound"), s.get("bound_myen"), "Myen")
    add(plan, Text("ギャップ", "gap"), s.get("gap_abs_myen"), "Myen")
    add(plan, Text("ギャップ（制御可能費用比）", "gap, share of the controllable cost"), s.get("gap_controllable"), "%")
    add(plan, Text("目標ギャップ", "target gap"), s.get("gap_target_myen"), "Myen")
    add(plan, Text("求解時間", "solve time"), s.get("solve_seconds"), "s")
    opened = k.get("facilities_opened", {})
    fac = Text("施設", "facilities")
    add(fac, Text("新設施設（計）", "new facilities, total"), opened.get("count"), Text("件", "count").get(lang))
    for kind, n in opened.get("by_kind", {}).items():
        add(fac, Text(f"新設: {KIND_LABELS.get(kind, Text(kind, kind)).ja}", f"new: {kind}"), n,
            Text("件", "count").get(lang))
    packs = Text("電池パック", "packs")
    add(packs, Text("海外流出（期間全体）", "leaked over the horizon"), k.get("leaked_packs_t_total"), "t")
    add(packs, Text("流出した金属（期間全体）", "metal leaked over the horizon"), k.get("leaked_metal_t_total"), "t")
    add(packs, Text("国内保持（期間全体）", "retained over the horizon"), k.get("retained_packs_t_total"), "t")
    for p, v in k.get("leaked_packs_t_per_yr", {}).items():
        add(packs, Text("海外流出", "leaked"), v, "t/yr", int(p))
    co2 = Text("CO2", "CO2")
    add(co2, Text("CO2排出（期間全体）", "CO2 over the horizon"), k.get("co2_t_total"), "t CO2")
    for p, v in k.get("co2_t_per_yr", {}).items():
        add(co2, Text("CO2排出", "CO2"), v, "t CO2/yr", int(p))
    metal = Text("金属", "metals")
    for m, series in k.get("self_sufficiency_share", {}).items():
        for p, v in series.items():
            add(metal, Text(f"自給率 {m}", f"self-sufficiency {m}"), v, "%", int(p))
    for m, series in k.get("recycled_share_of_demand", {}).items():
        for p, v in series.items():
            add(metal, Text(f"再生材の比率 {m}", f"recycled share of demand {m}"), v, "%", int(p))
    cost = Text("費用（割引後）", "cost, discounted")
    for cat, v in k.get("cost_by_category_discounted_myen", {}).items():
        add(cost, COST_CATEGORIES.get(cat, Text(cat, cat)), v, "Myen")
    slack = k.get("slack", {})
    sl = Text("スラック", "slack")
    add(sl, Text("未充足需要（期間全体）", "unmet demand over the horizon"), slack.get("unmet_demand_t_total"), "t")
    add(sl, Text("未処理パック（期間全体）", "unprocessed packs over the horizon"),
        slack.get("unprocessed_packs_t_total"), "t")
    add(sl, Text("ペナルティ（割引後）", "penalty, discounted"), slack.get("penalty_discounted_myen"), "Myen")
    out = pd.DataFrame(rows, columns=["group", "kpi", "period", "value", "unit"])
    if lang == "ja":
        out["unit"] = out["unit"].replace({"t/yr": "t/年", "t CO2/yr": "t CO2/年", "Myen": "百万円", "s": "秒"})
    return out


def emissions_pivot(run: RunData, lang: str) -> pd.DataFrame:
    em = run.table("emissions")
    if em.empty:
        return pd.DataFrame()
    table = em.pivot_table(index="source", columns="period", values="t_co2_per_yr", aggfunc="sum", sort=False)
    table.loc["total"] = table.sum(axis=0)
    labels = {**{k: v.get(lang) for k, v in EMISSION_SOURCES.items()}, "total": Text("合計", "total").get(lang)}
    table.index = [labels.get(i, i) for i in table.index]
    table.columns = [str(c) for c in table.columns]
    return table.reset_index(names=HEADERS_JA["source"] if lang == "ja" else "source")


def prefectures_frame(run: RunData) -> pd.DataFrame:
    m = facts.region_measures(run)
    if m.empty:
        return m
    costs = facts.region_costs(run).drop(columns=["cost_myen_per_yr", "cost_yen_per_t"])
    return m.merge(costs, on=["region_id", "period"], how="left")


def write_workbook(run: RunData, path: str | Path, lang: str = "en") -> Path:
    """Write the workbook (see the module docstring)."""
    path = Path(path)
    frames = {"summary": summary_rows(run, lang), "prefectures": with_names(run, prefectures_frame(run), lang)}
    for key in ("facilities", "flows", "regions", "metals", "costs", "nodes"):
        frames[key] = with_names(run, run.table(key), lang)
    frames["emissions"] = emissions_pivot(run, lang)
    frames.update({name: with_names(run, run.table(name), lang) for name in EXTRA_TABLES})
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for key in EXCEL_SHEETS:
            df = frames[key]
            name = (SHEETS[key].get(lang) if key in SHEETS else key)[:31]
            shown = df.rename(columns=lambda c: _header(c, lang))
            shown.to_excel(xl, sheet_name=name, index=False)
            _style(xl.book[name], list(df.columns), summary=(key == "summary"))
    return path


def _header(column: str, lang: str) -> str:
    if lang != "ja":
        return column
    return HEADERS_JA.get(column, column)


def _style(sheet, columns: list[str], summary: bool = False) -> None:
    """Formats, widths, frozen header and autofilter."""
    from openpyxl.styles import Font

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for j, column in enumerate(columns, start=1):
        fmt = _format(column)
        letter = sheet.cell(row=1, column=j).column_letter
        cells = [c[0] for c in sheet.iter_rows(min_row=2, min_col=j, max_col=j)]
        if fmt:
            for c in cells:
                if isinstance(c.value, (int, float)):
                    c.number_format = fmt
        width = max([len(str(sheet.cell(row=1, column=j).value or ""))]
                    + [len(str(c.value)) for c in cells[:200] if c.value is not None])
        sheet.column_dimensions[letter].width = min(max(9, width + 2), 48)
    if summary:  # the value column's format follows each row's unit
        for row in sheet.iter_rows(min_row=2):
            value, unit = row[3], row[4].value
            if isinstance(value.value, (int, float)):
                value.number_format = ("0.00%" if unit == "%" else "#,##0.0" if unit in ("Myen", "百万円") else
                                       "#,##0" if str(unit).startswith("t") else "#,##0.##")
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
