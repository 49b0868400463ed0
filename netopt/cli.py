"""Command line: ``netopt solve | validate | scenarios | map | report | calibrate | docs``, and the study
commands ``netopt study run | report | list``, ``netopt compare``, ``netopt evaluate`` (netopt/studies/cli.py).

Errors in the input are printed as ``file:line: column: problem (got value)`` with exit
code 2 and nothing written; a bad ``--set`` or solve option is one line, also exit code 2; an
existing run folder is not replaced without ``--overwrite`` (exit code 1). Unexpected failures
print one line (``--debug`` shows the traceback).
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Optional

import typer

from netopt.instance.io import load_instance
from netopt.instance.validate import InstanceError, OverrideError, Problem
from netopt.results.store import OutputExists, check_target

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Plan Japan's EV-battery recycling network: collection hubs, black-mass plants, refineries, "
                       "imports and exports, at minimum cost.")

EXIT_INPUT = 2
EXIT_OUTPUT = 1
EXIT_INTERNAL = 3


def _echo_err(msg: str) -> None:
    typer.echo(msg, err=True)


def handle_errors(func):
    """Turn known failures into clear messages and exit codes instead of tracebacks."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        debug = kwargs.get("debug", False)
        try:
            return func(*args, **kwargs)
        except OverrideError as e:
            for p in e.problems:
                _echo_err(f"netopt: {p}")
            raise typer.Exit(EXIT_INPUT) from None
        except InstanceError as e:
            _echo_err(f"netopt: the instance has {len(e.problems)} problem(s):")
            for p in e.problems:
                _echo_err(f"  {p}")
            raise typer.Exit(EXIT_INPUT) from None
        except OutputExists as e:
            _echo_err(f"netopt: {e}")
            raise typer.Exit(EXIT_OUTPUT) from None
        except typer.Exit:
            raise
        except Exception as e:  # noqa: BLE001 - last line of defence for users
            if debug:
                raise
            _echo_err(f"netopt: internal error: {type(e).__name__}: {e}\n"
                      "  run again with --debug for the traceback, and please report it")
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper


def _instance_path(instance: Optional[Path]) -> Path:
    from netopt.api import default_instance

    return instance if instance is not None else default_instance()


DebugOpt = typer.Option(False, "--debug", help="Show tracebacks of unexpected errors.")


@app.command()
@handle_errors
def solve(
    instance: Optional[Path] = typer.Argument(None, help="Instance folder (default: the bundled Japan instance)."),
    scenario: Optional[str] = typer.Option(None, "--scenario", "-s",
                                           help="Named scenario; 'a+b' applies a then b (default: the instance's)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="Result folder (default results/<instance>/<scenario>)."),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="Override a setting, KEY=VALUE with a dotted key "
                                             "and a TOML value, e.g. policy.carbon_price_yen_per_t_co2=5000 or "
                                             "solve.mip_gap=0.01 (repeatable; applied after the scenario)."),
    time_limit: Optional[float] = typer.Option(None, "--time-limit", help="Seconds before HiGHS stops with its best "
                                               "plan (default: the instance's solve.time_limit, 600)."),
    mip_gap: Optional[float] = typer.Option(None, "--mip-gap", help="Relative MIP gap at which HiGHS stops "
                                            "(default: solve.mip_gap, 0.005)."),
    threads: Optional[int] = typer.Option(None, "--threads", help="HiGHS threads (default: solve.threads, 0 = "
                                          "HiGHS decides)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="HiGHS random seed (default: solve.seed, 0)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing result folder."),
    map_: bool = typer.Option(True, "--map/--no-map", help="Also write maps/<instance>-<scenario>.html."),
    debug: bool = DebugOpt,
):
    """Solve an instance and write its results."""
    from netopt.api import run
    from netopt.instance.overrides import parse_assignment
    from netopt.instance.runspec import RunSpec

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    flags = {"time_limit": time_limit, "mip_gap": mip_gap, "threads": threads}
    spec = RunSpec.make(instance=str(_instance_path(instance)), scenario=scenario,
                        overrides=tuple(parse_assignment(text) for text in set_ or []),
                        solve={k: v for k, v in flags.items() if v is not None}, seed=seed)
    inst = spec.load()
    target = out or Path("results") / inst.name / inst.scenario
    check_target(target, overwrite)
    for line in inst.overrides:
        _echo_err(f"override {line}")
    _echo_err(f"solving {inst.name} / {inst.scenario} ...")
    plan = run(inst)
    written = plan.write(target, overwrite=overwrite)
    s = plan.results.summary
    typer.echo(f"{inst.name} / {inst.scenario}: {plan.solved.describe()}")
    typer.echo(f"  {s['note']}")
    if plan.solved.has_solution:
        _print_kpis(s["kpis"])
    typer.echo(f"results: {written}")
    if map_ and plan.solved.has_solution:
        _write_map(written, Path("maps") / f"{inst.name}-{inst.scenario}.html")
    if not plan.solved.has_solution:
        raise typer.Exit(EXIT_OUTPUT)


def _print_kpis(k: dict) -> None:
    opened = k["facilities_opened"]
    typer.echo(f"  new facilities: {opened['count']} {opened['by_kind']}")
    for metal, series in k["self_sufficiency_share"].items():
        typer.echo(f"  self-sufficiency {metal}: " + ", ".join(f"{p} {100 * v:.0f}%" for p, v in series.items()))
    typer.echo(f"  leaked packs over the horizon: {k['leaked_packs_t_total']:,.0f} t "
               f"({k['leaked_metal_t_total']:,.0f} t of metal)")
    slack = k["slack"]
    if slack["unmet_demand_t_total"] > 1e-6 or slack["unprocessed_packs_t_total"] > 1e-6:
        typer.echo(f"  WARNING slack used: unmet demand {slack['unmet_demand_t_total']:,.1f} t, unprocessed packs "
                   f"{slack['unprocessed_packs_t_total']:,.1f} t "
                   f"(penalty {slack['penalty_discounted_myen']:,.1f} Myen)")


def _write_map(result_dir: Path, target: Path) -> None:
    try:
        from netopt.views.maps.build import write_map
    except ImportError:
        return
    try:
        path = write_map(result_dir, target)
        typer.echo(f"map: {path}")
    except Exception as e:  # noqa: BLE001 - a map failure must not hide a finished solve
        _echo_err(f"netopt: the map could not be drawn ({type(e).__name__}: {e}); the results are written")


@app.command()
@handle_errors
def validate(
    instance: Optional[Path] = typer.Argument(None, help="Instance folder (default: the bundled Japan instance)."),
    scenario: Optional[str] = typer.Option(None, "--scenario", "-s", help="Also check after applying a scenario."),
    debug: bool = DebugOpt,
):
    """Check an instance and report every problem at once (exit code 2 if any)."""
    from netopt.instance.overrides import apply_scenario, describe_scenarios

    instance = _instance_path(instance)
    inst = load_instance(instance)
    names = [scenario] if scenario else ["base", *describe_scenarios(inst)]
    for name in names:
        apply_scenario(inst, name)
    rows = sum(len(df) for df in inst.tables.values())
    typer.echo(f"{instance}: OK ({len(inst.tables)} tables, {rows} rows; scenarios checked: {', '.join(names)})")


@app.command()
@handle_errors
def scenarios(instance: Optional[Path] = typer.Argument(None, help="Instance folder (default: the bundled Japan "
                                                                 "instance)."), debug: bool = DebugOpt):
    """List the named scenarios of an instance."""
    from netopt.instance.overrides import describe_scenarios

    inst = load_instance(_instance_path(instance))
    described = describe_scenarios(inst)
    if not described:
        typer.echo("no named scenarios")
    width = max((len(n) for n in described), default=0)
    for name, text in described.items():
        typer.echo(f"{name:<{width}}  {text}")


@app.command()
@handle_errors
def docs(out: Path = typer.Option(Path("docs/format.md"), "--out", help="Where to write the format reference."),
         debug: bool = DebugOpt):
    """Regenerate the instance and run-folder format reference from the schema and the catalogue."""
    from netopt.tools.docs import format_reference

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(format_reference())
    typer.echo(f"wrote {out}")


@app.command("map")
@handle_errors
def map_(
    result_dir: Optional[Path] = typer.Argument(None, help="Run folder written by 'netopt solve'."),
    measure: str = typer.Option("leaked", "--measure", "-m",
                                help="Prefecture colours: eol (end-of-life supply), leaked, collected or retained."),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="HTML file (default maps/<instance>-<scenario>.html)."),
    tiles: Optional[str] = typer.Option(None, "--tiles", help="Optional tile URL template ({z}/{x}/{y}); by "
                                        "default none, so the map opens with no network."),
    compare: Optional[tuple[Path, Path]] = typer.Option(None, "--compare", help="Two run folders A B: map what "
                                                        "changes from A to B instead of one run."),
    debug: bool = DebugOpt,
):
    """Draw a run (or the differences between two runs) as a self-contained HTML map."""
    from netopt.views.maps.build import MEASURES, write_map
    from netopt.views.maps.compare import write_compare
    from netopt.views.maps.page import compare_target, default_target

    if measure not in MEASURES:
        _echo_err(f"netopt: unknown measure {measure!r}; choose one of {', '.join(MEASURES)}")
        raise typer.Exit(EXIT_INPUT)
    folders = list(compare) if compare else [result_dir]
    if (result_dir is None) == (not compare):
        _echo_err("netopt: give either RESULT_DIR or --compare A B")
        raise typer.Exit(EXIT_INPUT)
    for folder in folders:
        if not (folder / "summary.json").exists():
            _echo_err(f"netopt: {folder} is not a run folder (no summary.json)")
            raise typer.Exit(EXIT_INPUT)
    try:
        if compare:
            a, b = compare
            path = write_compare(a, b, out or compare_target(a, b), measure=measure, tiles=tiles)
        else:
            path = write_map(result_dir, out or default_target(result_dir, measure), measure=measure, tiles=tiles)
    except ValueError as e:  # e.g. a run that holds no plan, or two runs without a common period
        _echo_err(f"netopt: {e}")
        raise typer.Exit(EXIT_INPUT) from None
    typer.echo(f"map: {path} ({path.stat().st_size / 1e6:.1f} MB)")


@app.command()
@handle_errors
def report(
    result_dir: Path = typer.Argument(..., help="Run folder written by 'netopt solve'."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for report.html and results.xlsx "
                                       "(default: the run folder)."),
    debug: bool = DebugOpt,
):
    """Write report.html (KPIs, Sankey, costs, self-sufficiency, facilities) and results.xlsx for a run."""
    from netopt.views.report import write_report

    if not (result_dir / "summary.json").exists():
        _echo_err(f"netopt: {result_dir} is not a run folder (no summary.json)")
        raise typer.Exit(EXIT_INPUT)
    html, xlsx = write_report(result_dir, out)
    typer.echo(f"report: {html}\nworkbook: {xlsx}")


@app.command()
@handle_errors
def calibrate(
    instance: Optional[Path] = typer.Argument(None, help="Instance folder with inputs/ (default: the Japan instance)."),
    debug: bool = DebugOpt,
):
    """Compare the end-of-life supply model with the white paper's historical figures (to 2024)."""
    from netopt.api import REPO_ROOT
    from netopt.supply.calibrate import calibration_report, format_report

    folder = instance or REPO_ROOT / "instances" / "japan"
    if not (Path(folder) / "inputs").is_dir():
        raise InstanceError([Problem(str(folder), None, "inputs/", "no supply-model inputs here; calibrate needs an "
                                     "instance built by python -m netopt.supply, such as instances/japan")])
    typer.echo(format_report(calibration_report(folder)))


# the study commands (netopt study run | report | list, netopt compare, netopt evaluate): netopt/studies/cli.py
from netopt.studies.cli import register as _register_studies  # noqa: E402

_register_studies(app, handle_errors, DebugOpt)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
