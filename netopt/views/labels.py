"""Words for people, in Japanese and English, keyed by catalogue entries and result-table values.

The English labels of facility kinds and legs live in :mod:`netopt.catalogue`; their Japanese ones,
and the words that belong to the views (flow layers, node roles, cost categories, emission sources,
stages, statuses, the status banner), are here. Every function returns a :class:`~netopt.views.i18n.Text`.
"""

from __future__ import annotations

from netopt.catalogue import FACILITY_KINDS, LEGS
from netopt.views.i18n import Text, bi_html, same
from netopt.views.style import esc

KIND_JA = {"hub": "回収・診断拠点", "pretreatment": "ブラックマス工場（前処理）", "refinery": "製錬所（金属回収）"}
KIND_LABELS = {k.kind: Text(KIND_JA.get(k.kind, k.label), k.label) for k in FACILITY_KINDS}
LEG_JA = {
    "collect": "回収", "reuse": "リユース向け販売", "hub_to_pretreatment": "拠点からブラックマス工場へ",
    "import_pack": "輸入電池パック（港から工場へ）", "pretreatment_to_refinery": "ブラックマスを製錬所へ",
    "export_black_mass": "ブラックマスを輸出港へ", "import_black_mass": "輸入ブラックマス（港から製錬所へ）",
    "refinery_to_demand": "金属を需要先へ", "export_metal": "金属を輸出港へ", "import_market": "海上輸入",
    "export_market": "海上輸出",
}
LEG_LABELS = {leg.name: Text(LEG_JA.get(leg.name, leg.label), leg.label) for leg in LEGS}
LEG_LAYER = {leg.name: leg.layer for leg in LEGS}

FLOW_LAYERS = {  # the map's flow layers (catalogue Leg.layer), in legend order
    "collect": Text("電池パック: 地域から回収拠点へ", "Packs: regions to hubs"),
    "hub_to_pretreatment": Text("電池パック: 拠点からブラックマス工場へ", "Packs: hubs to pre-treatment"),
    "black_mass": Text("ブラックマスを製錬所へ", "Black mass to refineries"),
    "metal": Text("金属を需要先へ", "Metal to demand"),
    "trade": Text("輸出入（港・海上）", "Imports and exports (ports, sea)"),
    "reuse": Text("リユース向け電池パック", "Packs sold for reuse"),
}
NODE_ROLES = {  # nodes that are not facilities
    "port": Text("港湾（輸出入）", "Port (trade)"),
    "demand": Text("金属の需要先（電池セル・正極材工場）", "Metal demand (cell / cathode plants)"),
    "market": Text("海外市場", "Overseas market"),
    "sea_port": Text("国内航路の港（RoRo船・フェリー）", "Port of a domestic sea route (RoRo, ferry)"),
    "region": Text("都道府県", "Prefecture"),
}
STAGES = {"pack": Text("電池パック", "packs"), "black_mass": Text("ブラックマス", "black mass"),
          "metal": Text("金属", "metal")}
MODES = {"road": Text("陸路", "road"), "sea": Text("海路", "sea")}
COST_CATEGORIES = {
    "transport": Text("輸送", "transport"), "retention": Text("国内保持の奨励金", "retention incentives"),
    "unprocessed_penalty": Text("未処理パック（ペナルティ）", "unprocessed packs (penalty)"),
    "fixed": Text("固定費（設備）", "fixed (capacity)"), "processing": Text("処理費", "processing"),
    "reuse_revenue": Text("リユース売上", "reuse revenue"), "virgin_metal": Text("新規採掘金属", "virgin metal"),
    "unmet_penalty": Text("未充足需要（ペナルティ）", "unmet demand (penalty)"), "imports": Text("輸入", "imports"),
    "export_revenue": Text("輸出収入", "export revenue"), "carbon": Text("炭素価格", "carbon price"),
    "recycled_content_penalty": Text("再生材比率の不足（ペナルティ）", "recycled-content shortfall (penalty)"),
    "carbon_cap_penalty": Text("CO2上限超過（ペナルティ）", "CO2 cap excess (penalty)"),
}
EMISSION_SOURCES = {
    "transport": Text("輸送（陸路・国内海路）", "transport (road, domestic sea)"),
    "process_hub": Text("工程: 回収・診断拠点", "process: hubs"),
    "process_pretreatment": Text("工程: ブラックマス工場", "process: pre-treatment"),
    "process_refinery": Text("工程: 製錬所", "process: refineries"),
    "sea": Text("輸出入の海上輸送", "sea legs of imports and exports"),
}
STATUS = {"optimal": Text("最適", "optimal"), "time_limit": Text("時間制限で停止", "time limit"),
          "infeasible": Text("実行不可能", "infeasible"), "unbounded": Text("非有界", "unbounded"),
          "interrupted": Text("中断", "interrupted"), "not_proven": Text("未証明", "not proven")}


def _lookup(table: dict, key) -> Text:
    return table.get(key) or same(str(key))


def kind_label(kind: str) -> Text:
    return _lookup(KIND_LABELS, kind)


def leg_label(leg: str) -> Text:
    return _lookup(LEG_LABELS, leg)


def stage_label(stage) -> Text:
    return Text("", "") if stage is None or stage != stage else _lookup(STAGES, str(stage))


def cost_label(category: str) -> Text:
    return _lookup(COST_CATEGORIES, category)


def emission_label(source: str) -> Text:
    return _lookup(EMISSION_SOURCES, source)


def status_label(status) -> Text:
    return _lookup(STATUS, status)


def gap_words(summary: dict) -> tuple[str, str]:
    """(ja, en): the gap in Myen and as a share of the controllable cost, or 'unknown'."""
    gap = summary.get("gap_abs_myen")
    if gap is None or gap != gap:
        return "不明", "unknown"
    share = summary.get("gap_controllable")
    pct = "" if share is None or share != share else f" ({100 * float(share):.1f} %)"
    return (f"{float(gap):,.0f} 百万円（制御可能費用比{pct.strip() or ' 不明'}）",
            f"{float(gap):,.0f} Myen{pct and ' =' + pct[1:-1] + ' of the controllable cost'}")


def status_banner(summary: dict) -> str:
    """Red banner (HTML, both languages) when the plan is not proven optimal ('' otherwise)."""
    if summary.get("proven_optimal", False):
        return ""
    gap_ja, gap_en = gap_words(summary)
    status = str(summary.get("status", "?"))
    note = str(summary.get("note", "")).removeprefix("NOT PROVEN OPTIMAL:").strip()
    why_ja = {"time_limit": "時間制限で停止しました。", "interrupted": "利用者が中断しました。",
              "not_proven": "探索は終了しましたが、下界で目標ギャップを証明できていません。"}.get(
        status, f"ソルバーの状態: {status}。")
    note_ja = f"{why_ja}得られた最良の計画を示します（下界とのギャップ {gap_ja}）。"
    ja = (f"最適性は証明されていません &mdash; 状態: {esc(status_label(status).ja)}、ギャップ: {esc(gap_ja)}"
          f"<br><span style='font-weight:400'>{esc(note_ja)}</span>")
    en = (f"NOT PROVEN OPTIMAL &mdash; status: {esc(status)}, gap: {esc(gap_en)}"
          f"<br><span style='font-weight:400'>{esc(note)}</span>")
    return bi_html(ja, en)


def status_note(summary: dict) -> Text:
    """summary.json's note in both languages."""
    en = str(summary.get("note", ""))
    gap_ja, _ = gap_words(summary)
    status = str(summary.get("status", "?"))
    ref, ctrl = summary.get("reference_cost_myen"), summary.get("controllable_cost_myen")
    costs = "" if ref is None or ctrl is None else (
        f"全量を新規採掘金属で賄う場合の費用 {float(ref):,.0f} 百万円に対し、計画が変えられる費用（制御可能費用）は "
        f"{float(ctrl):+,.0f} 百万円。")
    if en.startswith("NO PLAN"):
        ja = f"計画なし: ソルバーの状態 {status}。実行可能な計画は見つかりませんでした。"
    elif status == "optimal":
        ja = f"目標ギャップの範囲で最適（ギャップ {gap_ja}）。" + costs
    else:
        ja = f"最適性は証明されていません: 状態 {status}、得られた最良の計画、下界とのギャップ {gap_ja}。" + costs
    return Text(ja, en)
