"""How good the plan is, for the report: the solve's numbers and which early builds the gap can overturn."""

from __future__ import annotations

from netopt.catalogue import KIND_OF_BLOCK
from netopt.results.store import RunData
from netopt.views.i18n import Text
from netopt.views.labels import kind_label
from netopt.views.style import esc

VERDICTS = {"within the gap": Text("ギャップ内（同程度の代替案あり）", "within the gap"),
            "not overturned by one change": Text("単一の変更では覆らない", "not overturned by one change"),
            "unknown (no bound)": Text("不明（下界なし）", "unknown (no bound)")}
ROWS = (("objective_myen", Text("総費用（割引後）", "total cost, discounted")),
        ("reference_cost_myen", Text("全量新規採掘の場合の費用（基準）", "all-virgin reference")),
        ("controllable_cost_myen", Text("制御可能費用（総費用 − 基準）", "controllable cost (total - reference)")),
        ("bound_myen", Text("下界", "bound")),
        ("gap_abs_myen", Text("ギャップ", "gap")),
        ("gap_target_myen", Text("目標ギャップ", "target gap")))


def quality_section(run: RunData) -> str:
    """A table of the solve's numbers (Myen) and one of the first build periods' builds with their verdicts."""
    s = run.summary
    head = Text("計画の確かさ", "How certain the plan is")
    rows = "".join(f"<tr><td>{label}</td><td>{_myen(s.get(key))}</td></tr>" for key, label in ROWS)
    out = [f"<h2>{head}</h2><table class='data'><tr><th>{Text('項目', 'item')}</th>"
           f"<th>{Text('百万円', 'Myen')}</th></tr>{rows}</table>"]
    certainty = s.get("certainty") or {}
    builds = certainty.get("builds") or []
    if builds:
        cells = "".join(
            f"<tr><td>{kind_label(KIND_OF_BLOCK[b['block']].kind) if b['block'] in KIND_OF_BLOCK else esc(b['block'])}"
            f"</td><td>{esc(b['site'])}</td><td>{esc(b['size'])}</td><td>{b['period']}</td>"
            f"<td>{esc(b['alternative'])}</td><td>{b['extra_cost_myen']:,.0f}</td>"
            f"<td>{VERDICTS.get(b['verdict'], Text(b['verdict'], b['verdict']))}</td></tr>" for b in builds)
        cols = (Text("種類", "kind"), Text("地点", "site"), Text("規模", "size"), Text("期間", "period"),
                Text("最安の単一変更", "cheapest single change"), Text("追加費用（百万円）", "extra cost (Myen)"),
                Text("判定", "verdict"))
        out.append(f"<div class='note'>{Text(_NOTE_JA, esc(certainty.get('note', '')))}</div>"
                   f"<table class='data'><tr>{''.join(f'<th>{c}</th>' for c in cols)}</tr>{cells}</table>")
    return "".join(out)


_NOTE_JA = ("最初の建設期間の各施設について、他の施設をすべて固定したときの最も安い単一の変更（建設しない、"
            "一期早める・遅らせる、別の規模）と、その追加費用がギャップを超えるかどうか（局所探索による）。"
            "どの施設も確実とは証明されていません。")


def _myen(x) -> str:
    return "-" if x is None else f"{float(x):,.0f}"
