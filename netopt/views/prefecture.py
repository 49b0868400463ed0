"""``netopt prefecture RUN_DIR CODE_OR_NAME``: a printable A4 fact sheet of one prefecture, in Japanese and English.

One self-contained HTML file per prefecture (no script but the language switch, no network): the sheet
of :mod:`netopt.views.factsheet` with the prefecture's outline and its facilities, the run's status,
and, given a second run (``--compare RUN_B``), what changes for it. ``--all`` writes the 47 pages and an
index. Printing gives one A4 portrait page per sheet (two for long ones), in the language shown.
"""

from __future__ import annotations

from pathlib import Path

from netopt.results.store import RunData, read_run
from netopt.views import facts
from netopt.views.factsheet import SHEET_CSS, sheet_html
from netopt.views.i18n import FONT_STACK, LANG_CSS, SWITCH_JS, T, Text, head_script, page_language, switch_html
from netopt.views.prefectures import ATTRIBUTION, find_region, jis_code
from netopt.views.style import esc, fmt_t

PAGE_CSS = f"""
body {{ font: 12px/1.4 {FONT_STACK}; color: #222; margin: 0 auto; max-width: 190mm; padding: 10px 14px; }}
header.netopt-top {{ display: flex; justify-content: space-between; align-items: center; gap: 8px;
  border-bottom: 2px solid #1f4e79; padding-bottom: 4px; margin-bottom: 6px; }}
header.netopt-top .brand {{ font-weight: 700; color: #1f4e79; }}
footer {{ color: #666; font-size: 10px; border-top: 1px solid #ccc; margin-top: 10px; padding-top: 4px; }}
table.netopt-index {{ border-collapse: collapse; width: 100%; font-size: 12px; }}
table.netopt-index td, table.netopt-index th {{ border-bottom: 1px solid #e2e2e2; padding: 2px 6px;
  text-align: right; }}
table.netopt-index td:first-child, table.netopt-index th:first-child {{ text-align: left; }}
@page {{ size: A4 portrait; margin: 10mm; }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 10px; }}
  .netopt-facts {{ font-size: 9px; }} .netopt-sheet h3 {{ break-after: avoid; }}
  table {{ break-inside: auto; }} tr {{ break-inside: avoid; }}
  a {{ color: inherit; text-decoration: none; }}
}}
"""


def region_nodes(run: RunData):
    nodes = run.table("nodes")
    regions = nodes[nodes["role"] == "region"] if "role" in nodes else nodes
    out = regions.rename(columns={"node_id": "region_id"})
    if "name_en" not in out:
        out = out.assign(name_en=out.get("name", out["region_id"]))
    if "name_ja" not in out:
        out = out.assign(name_ja=out["name_en"])
    return out


def resolve(run: RunData, code_or_name: str) -> str:
    """The region id a user means, or ValueError listing what exists."""
    regions = region_nodes(run)
    found = find_region(code_or_name, regions)
    if found is None:
        known = ", ".join(f"{r.region_id} {r.name_ja}" for r in regions.head(5).itertuples())
        raise ValueError(f"no region {code_or_name!r} in {run.folder}; give a code (JP47, 47) or a name "
                         f"(沖縄, Okinawa), e.g. {known}, ...")
    return found


def page_html(run: RunData, region: str, compare: RunData | None = None, lang: str | None = None,
              index_link: bool = False) -> str:
    """The whole A4 page of one region."""
    lang = page_language(run.summary, lang)
    name = facts.name_of(run, region)
    title = Text(f"{name.ja} — {T['title_prefecture'].ja}", f"{name.en} — {T['title_prefecture'].en}")
    back = f'<a href="index.html">{Text("一覧へ", "index")}</a> ' if index_link else ""
    return (f'<!DOCTYPE html><html lang="{lang}" data-lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title.get(lang))}</title>{head_script(lang, title)}"
            f"<style>{LANG_CSS}{SHEET_CSS}{PAGE_CSS}</style></head><body>"
            f'<header class="netopt-top"><span class="brand">netopt</span><span>{back}{switch_html()}</span></header>'
            f"{sheet_html(run, region, compare=compare, outline=True)}"
            f"<footer>{ATTRIBUTION} &middot; {esc(run.folder or '')}</footer>"
            f"<script>{SWITCH_JS}</script></body></html>")


def write_prefecture(result_dir: str | Path, code_or_name: str, out_dir: str | Path | None = None,
                     compare: str | Path | None = None, lang: str | None = None) -> Path:
    """Write ``<out>/<region>.html`` (default out: ``<run>/prefectures``); return its path."""
    run = read_run(result_dir)
    other = read_run(compare) if compare else None
    region = resolve(run, code_or_name)
    out = Path(out_dir) if out_dir else run.folder / "prefectures"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{region}.html"
    path.write_text(page_html(run, region, compare=other, lang=lang), encoding="utf-8")
    return path


def write_all(result_dir: str | Path, out_dir: str | Path | None = None, compare: str | Path | None = None,
              lang: str | None = None) -> list[Path]:
    """One page per region and ``index.html``; return the paths (index last)."""
    run = read_run(result_dir)
    other = read_run(compare) if compare else None
    out = Path(out_dir) if out_dir else run.folder / "prefectures"
    out.mkdir(parents=True, exist_ok=True)
    regions = region_nodes(run)
    regions = regions.assign(_code=[jis_code(r) or 99 for r in regions["region_id"]]).sort_values(
        ["_code", "region_id"])
    paths = []
    for rid in regions["region_id"]:
        path = out / f"{rid}.html"
        path.write_text(page_html(run, str(rid), compare=other, lang=lang, index_link=True), encoding="utf-8")
        paths.append(path)
    index = out / "index.html"
    index.write_text(index_html(run, [str(r) for r in regions["region_id"]], lang), encoding="utf-8")
    return [*paths, index]


def index_html(run: RunData, regions: list[str], lang: str | None = None) -> str:
    """A table of every region with its last period's key numbers and a link to its page."""
    lang = page_language(run.summary, lang)
    last = run.periods[-1] if run.periods else None
    m = facts.region_measures(run)
    m = m[m["period"] == last].set_index("region_id") if last is not None else m.set_index("region_id")
    keys = ("eol", "collected", "leaked", "cost_per_t", "marginal")
    head = "".join(f"<th>{facts.MEASURES[k].label}<br><small>{facts.MEASURES[k].unit}</small></th>" for k in keys)
    rows = []
    for rid in regions:
        vals = "".join(f"<td>{_fmt(m, rid, facts.MEASURES[k].column, k)}</td>" for k in keys)
        rows.append(f'<tr><td><a href="{esc(rid)}.html">{facts.name_of(run, rid)}</a> <small>{esc(rid)}</small></td>'
                    f"{vals}</tr>")
    title = Text(f"都道府県シート一覧 — {run.title}", f"Prefecture sheets — {run.title}")
    return (f'<!DOCTYPE html><html lang="{lang}" data-lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{esc(title.get(lang))}</title>{head_script(lang, title)}"
            f"<style>{LANG_CSS}{PAGE_CSS}</style></head><body>"
            f'<header class="netopt-top"><span class="brand">netopt</span>{switch_html()}</header>'
            f"<h1>{title}</h1><p>{Text(f'数値は{last}年の期間（年平均）。', f'Numbers for {last} (annual average).')}"
            "</p>"
            f'<table class="netopt-index"><tr><th></th>{head}</tr>{"".join(rows)}</table>'
            f"<footer>{ATTRIBUTION}</footer><script>{SWITCH_JS}</script></body></html>")


def _fmt(m, rid: str, column: str, key: str) -> str:
    if rid not in m.index or column not in m:
        return "&ndash;"
    v = m.at[rid, column]
    if v is None or v != v:
        return "&ndash;"
    return f"{float(v):,.0f}" if key in ("cost_per_t", "marginal") else fmt_t(v)
