"""Command line: ``netopt solve | validate | scenarios | map | report | prefecture | calibrate | docs``, and the
study commands ``netopt study run | report | list``, ``netopt compare``, ``netopt evaluate`` (netopt/studies/cli.py).

Errors in the input are printed as ``file:line: column: problem (got value)`` with exit
code 2 and nothing written; a bad option, ``--set`` or usage is one line, also exit code 2, before
any work; an existing run folder is not replaced without ``--overwrite``, a folder that is not a
run never, and a folder another run is writing not until it is done (exit code 1). Unexpected
failures print one line (``--debug`` shows the traceback).
"""

from __future__ import annotations

import functools
import importlib
import logging
import math
import sys
from pathlib import Path
from typing import Optional

import typer

from netopt.instance.io import load_instance
from netopt.instance.validate import InstanceError, OverrideError, Problem, condensed
from netopt.results.store import OutputExists, OutputRefused, check_run_folder, check_target, run_folder_lock

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
            for line in condensed(e.problems):
                _echo_err(f"netopt: {line}")
            raise typer.Exit(EXIT_INPUT) from None
        except InstanceError as e:
            _echo_err(f"netopt: the instance has {len(e.problems)} problem(s):")
            for line in condensed(e.problems):
                _echo_err(f"  {line}")
            raise typer.Exit(EXIT_INPUT) from None
        except UsageProblem as e:
            _echo_err(f"netopt: {e}")
            raise typer.Exit(EXIT_INPUT) from None
        except OutputRefused as e:  # a --out that is not a place for a run: a usage problem
            _echo_err(f"netopt: {e}")
            raise typer.Exit(EXIT_INPUT) from None
        except OutputExists as e:  # a run already there, or another run writing it
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


class UsageProblem(Exception):
    """A command-line value that cannot be used; the message is one line."""


def check_solve_options(time_limit, mip_gap, threads, seed, out: Optional[Path], overwrite: bool) -> None:
    """Every option of ``solve``, before any work."""
    if time_limit is not None and not (math.isfinite(time_limit) and 0 < time_limit <= 1e7):
        raise UsageProblem(f"--time-limit must be a number of seconds above 0 (got {time_limit:g})")
    if mip_gap is not None and not (math.isfinite(mip_gap) and 0 <= mip_gap < 1):
        raise UsageProblem(f"--mip-gap is a relative gap in [0, 1), e.g. 0.01 for 1 % (got {mip_gap:g})")
    if threads is not None and not 0 <= threads <= 1024:
        raise UsageProblem(f"--threads must be 0 (HiGHS decides) or a number of threads up to 1024 (got {threads})")
    if seed is not None and not 0 <= seed <= 2**31 - 1:
        raise UsageProblem(f"--seed must be a whole number from 0 to {2**31 - 1} (got {seed})")
    if out is not None:
        check_target(out, overwrite)


def _warn(inst) -> None:
    for line in condensed(inst.warnings):
        _echo_err(f"netopt: {line}")


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
    time_limit: Optional[float] = typer.Option(None, "--time-limit", help="Wall-clock guard in seconds: when hit, "
                                               "the best plan so far is written with status time_limit (default: "
                                               "solve.time_limit, 600)."),
    mip_gap: Optional[float] = typer.Option(None, "--mip-gap", help="Target gap as a share of the controllable cost "
                                            "(default: solve.mip_gap, 0.01; the target is at least "
                                            "solve.mip_gap_abs_myen)."),
    threads: Optional[int] = typer.Option(None, "--threads", help="HiGHS threads (default: solve.threads, 1)."),
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
    check_solve_options(time_limit, mip_gap, threads, seed, out, overwrite)
    flags = {"time_limit": time_limit, "mip_gap": mip_gap, "threads": threads}
    spec = RunSpec.make(instance=str(_instance_path(instance)), scenario=scenario,
                        overrides=tuple(parse_assignment(text) for text in set_ or []),
                        solve={k: v for k, v in flags.items() if v is not None}, seed=seed)
    inst = spec.load()
    target = out or Path("results") / inst.name / inst.scenario
    check_target(target, overwrite)
    _warn(inst)
    for line in inst.overrides:
        _echo_err(f"override {line}")
    with run_folder_lock(target):  # a second run on the same folder is refused now, not after solving
        check_target(target, overwrite)
        _echo_err(f"solving {inst.name} / {inst.scenario} (Ctrl-C once: stop and keep the best plan; twice: abort)")
        plan = run(inst, report=lambda line: _echo_err(f"  {line}"))
        _explain(plan)
        written = plan.write(target, overwrite=overwrite)
    s = plan.results.summary
    typer.echo(f"{inst.name} / {inst.scenario}: {plan.solved.describe()}")
    typer.echo(f"  {s['note']}")
    if plan.solved.has_solution:
        _print_kpis(s["kpis"])
    typer.echo(f"results: {written}")
    if map_ and plan.solved.has_solution:
        _write_map(written, Path("maps") / f"{inst.name}-{inst.scenario}.html")
    if plan.solved.status == "interrupted":
        raise typer.Exit(130)
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
        for line in slack.get("where", [])[:10]:
            typer.echo(f"    {line}")


def _explain(plan) -> None:
    """Where a strict run is infeasible, or an elastic one uses slack (summary["diagnosis"])."""
    findings = plan.results.summary.get("diagnosis") or []
    if findings:
        _echo_err("netopt: " + ("the plan is infeasible" if not plan.solved.has_solution else "slack was used")
                  + "; where and why:")
        for line in findings[:20]:
            _echo_err(f"  {line}")


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
    seen = {str(w) for w in inst.warnings}
    _warn(inst)
    for name in names:
        applied = apply_scenario(inst, name)
        for w in applied.warnings:
            if str(w) not in seen:
                seen.add(str(w))
                _echo_err(f"netopt: {w} [scenario {name}]")
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


# the view commands (netopt map | report | prefecture): netopt/views/commands.py, registered below


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
from netopt.views.commands import register as _register_views  # noqa: E402

_register_views(app, handle_errors, DebugOpt, lambda folders, compare=False: _check_runs(folders, compare),
                UsageProblem)


def _check_runs(folders: list[Path], compare: bool = False) -> None:
    """The run folders a view reads are whole, of a format this netopt reads, and (compared) of one instance."""
    problems = [line for folder in folders for line in check_run_folder(folder)]
    if problems:
        raise UsageProblem("; ".join(problems) if len(problems) == 1 else
                           f"{len(problems)} problems: " + "; ".join(problems[:5]))
    if compare:
        import json

        names = [json.loads((f / "summary.json").read_text()).get("instance") for f in folders]
        if names[0] != names[1]:
            raise UsageProblem(f"{folders[0]} is a run of {names[0]!r} and {folders[1]} of {names[1]!r}: compare two "
                               "runs of the same instance")


def _click_exceptions(name: str) -> tuple[type, ...]:
    """Click's exception ``name`` from typer's vendored click and from click itself, where present."""
    found = []
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def main(argv: list[str] | None = None) -> int:
    """The ``netopt`` command: usage errors are one line (exit code 2), not a framed box."""
    try:
        code = app(args=argv, prog_name="netopt", standalone_mode=False)
    except _click_exceptions("NoArgsIsHelpError") as e:
        typer.echo(e.ctx.get_help() if e.ctx else "netopt --help")
        return 0
    except _click_exceptions("UsageError") as e:
        command = e.ctx.command_path if e.ctx else "netopt"
        message = " ".join(e.format_message().split())
        _echo_err(f"{command}: {message} (see {command} --help)")
        return EXIT_INPUT
    except _click_exceptions("ClickException") as e:
        _echo_err(f"netopt: {' '.join(e.format_message().split())}")
        return e.exit_code
    except typer.Abort:
        _echo_err("netopt: aborted; nothing was written")
        return 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
