"""``netopt study report STUDY_DIR``: a self-contained HTML report and an Excel workbook of a study.

``study_report.html`` holds what the study asked and found (the notes of ``result.json``), the
kind's charts (:mod:`netopt.studies.figures`), its tables and the run index; plotly.js is inlined
once from the installed ``plotly`` package (:mod:`netopt.views.assets`), so it opens with no
network. ``study.xlsx`` has a sheet per table, the index and the notes. Everything is read from
the study folder: its CSV tables, ``result.json``, ``index.csv``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from netopt.studies.figures import FIGURES
from netopt.studies.runner import INDEX
from netopt.views import assets

CSS = """
body { font: 14px/1.45 system-ui, "Segoe UI", "Hiragino Sans", "Meiryo", sans-serif; margin: 24px auto;
  max-width: 1200px; color: #222; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
table.data { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
table.data td, table.data th { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: right;
  white-space: nowrap; }
.wide { overflow-x: auto; max-width: 100%; }
table.data td:first-child, table.data th:first-child { text-align: left; }
.note { color: #555; font-size: 12px; }
.warn { background: #b30000; color: #fff; padding: 8px 12px; border-radius: 6px; }
pre { background: #f6f6f6; padding: 8px; font-size: 12px; white-space: pre-wrap; }
"""
MAX_ROWS = 200


class NotAStudy(Exception):
    pass


def read_study_dir(folder: str | Path) -> tuple[dict, dict[str, pd.DataFrame], pd.DataFrame]:
    """result.json, the kind's tables and the index of a study folder."""
    folder = Path(folder)
    result_file = folder / "result.json"
    if not result_file.exists():
        raise NotAStudy(f"{folder} is not a finished study folder (no result.json); run the study first")
    result = json.loads(result_file.read_text())
    tables = {name: pd.read_csv(folder / f"{name}.csv") for name in result.get("tables", [])
              if (folder / f"{name}.csv").exists() and (folder / f"{name}.csv").stat().st_size > 1}
    index = pd.read_csv(folder / INDEX) if (folder / INDEX).exists() else pd.DataFrame()
    return result, tables, index


def write_study_report(folder: str | Path, out: str | Path | None = None) -> tuple[Path, Path]:
    """Write ``study_report.html`` and ``study.xlsx`` (default: into the study folder)."""
    folder = Path(folder)
    result, tables, index = read_study_dir(folder)
    out = Path(out) if out else folder
    out.mkdir(parents=True, exist_ok=True)
    html = out / "study_report.html"
    html.write_text(report_html(result, tables, index, folder), encoding="utf-8")
    return html, write_workbook(result, tables, index, out / "study.xlsx")


def write_workbook(result: dict, tables: dict, index: pd.DataFrame, path: Path) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame(_flat(result), columns=["key", "value"]).to_excel(xl, sheet_name="study", index=False)
        for name, df in tables.items():
            df.to_excel(xl, sheet_name=name[:31], index=False)
        index.to_excel(xl, sheet_name="index", index=False)
        for sheet in xl.book.worksheets:
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    return path


def _flat(d, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict) and prefix.count(".") < 2:
            rows += _flat(v, key)
        else:
            rows.append((key, v if isinstance(v, int | float | str | type(None)) else json.dumps(v, default=str)))
    return rows


def esc(x) -> str:
    return (str(x).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def _cell(v) -> str:
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        if abs(v) < 1e-9:  # e.g. a gap of -1e-11 Myen: floating-point noise
            return "0"
        if abs(v) >= 1000:
            return f"{v:,.1f}"
        return f"{v:.4g}"
    return esc(v)


def table_html(df: pd.DataFrame, max_rows: int = MAX_ROWS) -> str:
    more = f"<div class='note'>First {max_rows} of {len(df)} rows; all are in the workbook.</div>" \
        if len(df) > max_rows else ""
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in r) + "</tr>"
                   for r in df.head(max_rows).itertuples(index=False))
    return f"{more}<div class='wide'><table class='data'><tr>{head}</tr>{rows}</table></div>"


def notes_html(notes: dict) -> str:
    rows = "".join(f"<tr><td>{esc(k)}</td><td style='text-align:left'>{esc(_short(v))}</td></tr>"
                   for k, v in _flat(notes))
    return f"<table class='data'>{rows}</table>"


def _short(v) -> str:
    text = f"{v:,.6g}" if isinstance(v, float) else str(v)
    return text if len(text) < 400 else text[:400] + " ..."


def report_html(result: dict, tables: dict, index: pd.DataFrame, folder: Path) -> str:
    kind = result.get("kind", "?")
    title = f"netopt study: {result.get('study', '?')} ({kind})"
    failed = int(result.get("failed", 0))
    stats = result.get("stats", {})
    statuses = index["run_status"].fillna("").value_counts().to_dict() if "run_status" in index else {}
    parts = [f"<h1>{esc(title)}</h1>",
             f"<div class='note'>{esc(result.get('description', ''))} Instance {esc(result.get('instance'))}, "
             f"base scenario {esc(result.get('base_scenario') or 'default')}; {result.get('runs', 0)} runs "
             f"({', '.join(f'{v} {esc(k or chr(45))}' for k, v in statuses.items())}), "
             f"{stats.get('wall_seconds', 0):,.0f} s on {stats.get('workers', '?')} workers. Generated "
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC from {esc(folder)}.</div>"]
    if failed:
        parts.append(f"<p class='warn'>{failed} run(s) failed; see the index below (run the study again to retry "
                     "them).</p>")
    not_optimal = [s for s in statuses if s and s != "optimal"]
    if not_optimal:
        parts.append(f"<p class='warn'>Some runs are not proven optimal ({', '.join(map(esc, not_optimal))}): "
                     "their figures hold within their gaps only.</p>")
    parts += ["<h2>Findings</h2>", notes_html(result.get("notes", {}))]
    figures = FIGURES.get(kind, lambda t, n: [])(tables, result.get("notes", {}))
    for name, fig in figures:
        parts.append(f"<div class='figure' id='fig-{esc(name)}'>" + fig.to_html(
            include_plotlyjs=False, full_html=False, config={"displaylogo": False, "responsive": True}) + "</div>")
    for name, df in tables.items():
        parts += [f"<h2>{esc(name)}</h2>", table_html(df)]
    if not index.empty:
        shown = index[[c for c in ("label", "status", "run_status", "objective_myen", "gap_abs_myen", "seconds",
                                   "folder", "error") if c in index]]
        parts += ["<h2>Runs</h2><div class='note'>index.csv: every run of the study by RunSpec id; each folder is an "
                  "ordinary run folder (netopt report and netopt map work on it).</div>", table_html(shown, 500)]
    plotly = assets.script_tag(assets.plotly_js()) if figures else ""
    html = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{CSS}</style>{plotly}</head><body>{''.join(parts)}</body></html>")
    assets.check_offline(html)
    return html
