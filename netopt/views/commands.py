"""The view commands: ``netopt map``, ``netopt report`` and ``netopt prefecture``.

:func:`register` adds them to the main typer app of :mod:`netopt.cli` with its error handler, its run-folder
check (whole, readable, one instance when compared) and its usage error, as the study commands are added.
"""

from __future__ import annotations

from pathlib import Path

import typer

EXIT_INPUT = 2


def _echo_err(msg: str) -> None:
    typer.echo(msg, err=True)


def register(app: typer.Typer, handle_errors, debug_opt, check_runs, usage_problem) -> None:
    """Add map, report and prefecture to ``app``."""
    DebugOpt = debug_opt  # noqa: N806 - the name the commands use, as in netopt.cli
    UsageProblem = usage_problem  # noqa: N806
    _check_runs = check_runs

    LangOpt = typer.Option(None, "--lang", help="Language the page opens in: ja or en (default: the instance's "
                           "meta.language; every page has a switch).")

    def _check_lang(lang: str | None) -> None:
        if lang is not None and lang not in ("ja", "en"):
            raise UsageProblem(f"unknown language {lang!r}; choose ja or en")

    @app.command("map")
    @handle_errors
    def map_(
        result_dir: Path | None = typer.Argument(None, help="Run folder written by 'netopt solve'."),
        measure: str = typer.Option("leaked", "--measure", "-m",
                                    help="Prefecture colours the page opens with (all are in the page): eol, "
                                         "collected, leaked, retained, unprocessed, reused, cost, cost_per_t or "
                                         "marginal."),
        out: Path | None = typer.Option(None, "--out", "-o",
                                           help="HTML file (default maps/<instance>-<scenario>.html)."),
        tiles: str | None = typer.Option(None, "--tiles", help="Optional tile URL template ({z}/{x}/{y}); by "
                                            "default none, so the map opens with no network."),
        compare: tuple[Path, Path] | None = typer.Option(None, "--compare", help="Two run folders A B: map what "
                                                            "changes from A to B instead of one run."),
        lang: str | None = LangOpt,
        debug: bool = DebugOpt,
    ):
        """Draw a run (or the differences between two runs) as a self-contained, bilingual HTML map."""
        from netopt.views.maps.build import MEASURES, write_map
        from netopt.views.maps.compare import write_compare
        from netopt.views.maps.page import compare_target, default_target

        if measure not in MEASURES:
            _echo_err(f"netopt: unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
            raise typer.Exit(EXIT_INPUT)
        _check_lang(lang)
        folders = list(compare) if compare else [result_dir]
        if (result_dir is None) == (not compare):
            _echo_err("netopt: give either RESULT_DIR or --compare A B")
            raise typer.Exit(EXIT_INPUT)
        _check_runs(folders, compare=bool(compare))
        if out is not None and out.is_dir():
            raise UsageProblem(f"--out {out} is a folder; give the HTML file to write")
        try:
            if compare:
                a, b = compare
                path = write_compare(a, b, out or compare_target(a, b), measure=measure, tiles=tiles, lang=lang)
            else:
                path = write_map(result_dir, out or default_target(result_dir), measure=measure, tiles=tiles, lang=lang)
        except ValueError as e:  # e.g. a run that holds no plan, or two runs without a common period
            _echo_err(f"netopt: {e}")
            raise typer.Exit(EXIT_INPUT) from None
        typer.echo(f"map: {path} ({path.stat().st_size / 1e6:.1f} MB)")

    @app.command()
    @handle_errors
    def report(
        result_dir: Path = typer.Argument(..., help="Run folder written by 'netopt solve'."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Folder for report.html and results.xlsx "
                                           "(default: the run folder)."),
        lang: str | None = LangOpt,
        debug: bool = DebugOpt,
    ):
        """Write report.html (KPIs, Sankey, costs, self-sufficiency, facilities) and results.xlsx for a run."""
        from netopt.views.report import write_report

        _check_lang(lang)
        _check_runs([result_dir])
        html, xlsx = write_report(result_dir, out, lang=lang)
        typer.echo(f"report: {html}\nworkbook: {xlsx}")

    @app.command()
    @handle_errors
    def prefecture(
        result_dir: Path = typer.Argument(..., help="Run folder written by 'netopt solve'."),
        code_or_name: str | None = typer.Argument(None, help="Prefecture: code (JP47, 47) or name (沖縄, Okinawa)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Folder for the pages (default "
                                           "<run>/prefectures)."),
        compare: Path | None = typer.Option(None, "--compare", help="A second run folder B: what changes for the "
                                               "prefecture from this run (A) to B."),
        all_: bool = typer.Option(False, "--all", help="Every prefecture (47 pages) and index.html."),
        lang: str | None = LangOpt,
        debug: bool = DebugOpt,
    ):
        """Write a printable A4 fact sheet of a prefecture (or of all 47, with an index), in Japanese and English."""
        from netopt.views.prefecture import write_all, write_prefecture

        _check_lang(lang)
        if all_ == (code_or_name is not None):
            raise UsageProblem("give either a prefecture (code or name) or --all")
        _check_runs([result_dir, *([compare] if compare else [])], compare=bool(compare))
        if out is not None and out.exists() and not out.is_dir():
            raise UsageProblem(f"--out {out} is a file; give the folder for the pages")
        try:
            if all_:
                paths = write_all(result_dir, out, compare=compare, lang=lang)
                typer.echo(f"prefecture sheets: {len(paths) - 1} pages and {paths[-1]}")
            else:
                typer.echo(f"prefecture sheet: {write_prefecture(result_dir, code_or_name, out, compare, lang=lang)}")
        except ValueError as e:
            _echo_err(f"netopt: {e}")
            raise typer.Exit(EXIT_INPUT) from None
