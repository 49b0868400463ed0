"""The study commands: ``netopt study run | report | list``, ``netopt compare`` and ``netopt evaluate``.

:func:`register` adds them to the main typer app of :mod:`netopt.cli`, with its error handler.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

EXIT_INPUT, EXIT_OUTPUT, EXIT_INTERRUPTED = 2, 1, 130


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def register(app: typer.Typer, handle_errors, debug_opt) -> None:
    study_app = typer.Typer(add_completion=False, no_args_is_help=True,
                            help="Studies: many runs of one instance asked one question (compare, regret, sweep, "
                                 "tornado, breakeven, montecarlo, robust, pareto, whynot), on Dask.")
    app.add_typer(study_app, name="study")

    @study_app.command("run")
    @handle_errors
    def study_run(
        study: Path = typer.Argument(..., help="Study file, e.g. instances/japan/studies/tornado.toml."),
        workers: int | None = typer.Option(None, "--workers", "-w", help="Local Dask workers, one solver thread "
                                              "each (default: one per core; 0 = in this process, no cluster)."),
        scheduler: str | None = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler, "
                                                "e.g. tcp://10.0.0.5:8786 (its workers need the instance folder "
                                                "at the same path)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Study folder (default "
                                           "results/<instance>/studies/<study>)."),
        max_runs: int | None = typer.Option(None, "--max-runs", help="Stop after this many new runs (resume "
                                               "later with the same command)."),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="Show the progress bar."),
        report_: bool = typer.Option(True, "--report/--no-report", help="Also write study_report.html and "
                                     "study.xlsx."),
        debug: bool = debug_opt,
    ):
        """Run a study (runs already done in its folder are skipped), then write its report."""
        from netopt.studies import StudyMismatch, run_study
        from netopt.studies.runner import StudyInterrupted

        try:
            folder = run_study(study, out, workers=workers, scheduler=scheduler, progress=progress,
                               max_runs=max_runs)
        except StudyInterrupted as e:
            _err(f"netopt: {e}; run the same command again to resume (finished runs are kept)")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (StudyMismatch, ValueError) as e:
            _err(f"netopt: {e}")
            raise typer.Exit(EXIT_INPUT) from None
        result = json.loads((folder / "result.json").read_text())
        s = result["stats"]
        typer.echo(f"study {result['study']} ({result['kind']}): {result['runs']} runs, {result['failed']} failed; "
                   f"{s['executed']} run now ({s.get('stale', 0)} of them again: made by other netopt code), "
                   f"{s['skipped']} done before; {s['wall_seconds']:,.1f} s")
        for key, value in _headline(result).items():
            typer.echo(f"  {key}: {value}")
        typer.echo(f"results: {folder}")
        if report_:
            from netopt.studies.report import write_study_report

            html, xlsx = write_study_report(folder)
            typer.echo(f"report: {html}\nworkbook: {xlsx}")
        if result["failed"]:
            raise typer.Exit(EXIT_OUTPUT)

    @study_app.command("report")
    @handle_errors
    def study_report(
        folder: Path = typer.Argument(..., help="Study folder written by 'netopt study run'."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Folder for study_report.html and study.xlsx "
                                           "(default: the study folder)."),
        debug: bool = debug_opt,
    ):
        """Write study_report.html (offline) and study.xlsx for a study folder."""
        from netopt.studies.report import NotAStudy, write_study_report

        try:
            html, xlsx = write_study_report(folder, out)
        except NotAStudy as e:
            _err(f"netopt: {e}")
            raise typer.Exit(EXIT_INPUT) from None
        typer.echo(f"report: {html}\nworkbook: {xlsx}")

    @study_app.command("list")
    @handle_errors
    def study_list(instance: Path | None = typer.Argument(None, help="Instance folder (default: the bundled "
                                                                          "Japan instance)."), debug: bool = debug_opt):
        """List the study files of an instance (its studies/ folder)."""
        import tomllib

        from netopt.api import default_instance

        folder = (instance or default_instance()) / "studies"
        files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
        if not files:
            typer.echo(f"no studies in {folder}")
        for f in files:
            meta = tomllib.loads(f.read_text(encoding="utf-8")).get("study", {})
            typer.echo(f"{f.name:<28} {meta.get('kind', '?'):<11} {meta.get('description', '')}")

    @app.command()
    @handle_errors
    def compare(
        runs: list[Path] = typer.Argument(..., help="Two or more run folders."),
        reference: Path | None = typer.Option(None, "--reference", "-r", help="The run the others are compared "
                                                 "with (default: the first)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Also write the tables, study_report.html and "
                                           "study.xlsx to this folder."),
        debug: bool = debug_opt,
    ):
        """Compare runs: costs, builds, self-sufficiency, leaked metal, trade, CO2, slack; each difference against
        the reference marked resolved only when it exceeds the sum of the two runs' gaps."""
        from netopt.results.store import check_run_folder, read_run
        from netopt.studies.compare import compare_runs

        folders = list(runs) + ([reference] if reference is not None and reference not in runs else [])
        data = {}
        damaged = [line for f in folders for line in check_run_folder(f)]  # format, tables whole (issue 10)
        for line in damaged[:10]:
            _err(f"netopt: {line}")
        if damaged:
            raise typer.Exit(EXIT_INPUT)
        for f in folders:
            run = read_run(f)
            label = _label(run, f, data)
            data[label] = run
        instances = {r.summary.get("instance") for r in data.values()}
        if len(instances) > 1:
            _err(f"netopt: the runs are of different instances ({', '.join(sorted(map(str, instances)))}): compare "
                 "runs of one instance")
            raise typer.Exit(EXIT_INPUT)
        ref_label = next((k for k, r in data.items() if reference is not None and r.folder == reference), None)
        with_plan = {k: r for k, r in data.items() if r.summary.get("objective_myen") is not None and r.tables}
        for k in set(data) - set(with_plan):
            _err(f"netopt: {k} holds no plan ({data[k].summary.get('status')}); left out")
        try:
            result = compare_runs(with_plan, ref_label)
        except ValueError as e:
            _err(f"netopt: {e}")
            raise typer.Exit(EXIT_INPUT) from None
        _print_comparison(result)
        if out is not None:
            from netopt.studies.report import write_study_report

            out.mkdir(parents=True, exist_ok=True)
            for name, df in result.tables.items():
                df.to_csv(out / f"{name}.csv", index=False)
            body = {"study": "compare", "kind": "compare", "description": "netopt compare " + " ".join(map(str, runs)),
                    "tables": sorted(result.tables), "notes": result.notes, "runs": len(data), "failed": 0,
                    "stats": {}}
            (out / "result.json").write_text(json.dumps(body, indent=2, default=str) + "\n")
            html, xlsx = write_study_report(out)
            typer.echo(f"tables: {out}\nreport: {html}\nworkbook: {xlsx}")

    @app.command()
    @handle_errors
    def evaluate(
        plan: Path = typer.Argument(..., help="Run folder of the plan whose builds are fixed."),
        scenario: str = typer.Option(..., "--scenario", "-s", help="Scenario to evaluate the plan under ('a+b')."),
        instance: Path | None = typer.Option(None, "--instance", help="Instance folder (default: the plan's)."),
        set_: list[str] | None = typer.Option(None, "--set", help="Override a setting, KEY=VALUE (repeatable)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Result folder (default "
                                           "results/<instance>/<scenario>-with-<plan scenario>-plan)."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing result folder."),
        debug: bool = debug_opt,
    ):
        """Fix every build of a plan and re-solve the flows under another scenario (an LP)."""
        from netopt.api import run as solve_run
        from netopt.instance.overrides import parse_assignment
        from netopt.model.fixing import DecisionError
        from netopt.results.store import check_target, read_run
        from netopt.studies.evaluate import evaluate_spec

        if not (plan / "summary.json").exists():
            _err(f"netopt: {plan} is not a run folder (no summary.json)")
            raise typer.Exit(EXIT_INPUT)
        plan_run = read_run(plan)
        if plan_run.summary.get("objective_myen") is None:
            _err(f"netopt: {plan} holds no plan ({plan_run.summary.get('status')})")
            raise typer.Exit(EXIT_INPUT)
        spec = evaluate_spec(plan_run, scenario, instance, tuple(parse_assignment(t) for t in set_ or []))
        inst = spec.load()
        own = plan_run.summary.get("scenario", "plan")
        target = out or Path("results") / inst.name / f"{inst.scenario}-with-{own}-plan"
        check_target(target, overwrite)
        try:
            result = solve_run(inst)
        except DecisionError as e:
            _err(f"netopt: the plan cannot be evaluated under {scenario}: {e}")
            raise typer.Exit(EXIT_INPUT) from None
        written = result.write(target, overwrite=overwrite)
        s = result.results.summary
        typer.echo(f"plan of {own} ({len(spec.decisions[0].builds)} builds) under {inst.scenario}: "
                   f"{result.solved.describe()}")
        if s.get("objective_myen") is not None:
            typer.echo(f"  the plan's own objective under {own}: {plan_run.summary['objective_myen']:,.1f} Myen")
        typer.echo(f"results: {written}")
        if not result.solved.has_solution:
            raise typer.Exit(EXIT_OUTPUT)


def _label(run, folder: Path, taken: dict) -> str:
    label = str(run.summary.get("scenario") or folder.name)
    return label if label not in taken else f"{label} ({folder})"


def _headline(result: dict) -> dict:
    notes = result.get("notes", {})
    keys = ("result", "bracket", "least_max_regret_plan", "RP_myen", "VSS_myen", "EVPI_myen", "points_on_front",
            "monotone", "near_equal", "order", "with_plan", "objective_differences")
    return {k: notes[k] for k in keys if k in notes}


def _print_comparison(result) -> None:
    import pandas as pd

    t = result.tables
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:,.2f}".format):
        typer.echo(f"reference: {result.notes['reference']}")
        for run, d in result.notes["objective_differences"].items():
            typer.echo(f"  {run}: {d['difference_myen']:+,.1f} Myen against the reference ({d['verdict']}; "
                       f"tolerance {d['tolerance_myen']:,.1f} Myen)")
        costs = t["costs"]
        costs = costs[(costs.drop(columns=["item", "unit"]).abs().sum(axis=1) > 1e-9) | (costs["item"] == "gap_abs")]
        sections = [("cost (discounted Myen)", costs.drop(columns=["unit"])), ("builds", t["builds"]),
                    ("self-sufficiency (share of demand)", t["self_sufficiency"]),
                    ("leaked metal", t["leakage"]), ("trade (t/yr)", t["trade"]), ("CO2", t["co2"]),
                    ("slack", t["slack"])]
        for title, df in sections:
            typer.echo(f"\n{title}")
            typer.echo(df.to_string(index=False) if not df.empty else "  (none)")
