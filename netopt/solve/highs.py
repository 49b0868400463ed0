"""The model as HiGHS sees it, and one HiGHS call that a wall-clock guard or Ctrl-C can stop.

The model is compiled with Pyomo's ``LinearStandardFormCompiler`` and passed to HiGHS in one
``passModel`` call (0.4-0.6x the time of Pyomo's default HiGHS interface, see ``benchmarks/``).
The objective is passed less the model's ``reference_cost`` (an offset), so that every objective,
bound and relative gap HiGHS reports is on the controllable cost.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible_or_unbounded",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
    highspy.HighsModelStatus.kSolutionLimit: "node_limit",  # HiGHS reports mip_max_nodes as a solution limit
    highspy.HighsModelStatus.kInterrupt: "interrupted",
}


@dataclass
class Compiled:
    """The standard form of a model, its HighsLp and which columns are integer.

    The model's bound rows (``m.bound_rows``: valid rows that only tighten the relaxation) are the last
    rows of ``form`` and are not in ``lp``: :func:`use_bound_rows` adds them for the bound steps, so that
    the steps that follow the relaxation to a plan see the model without them, row for row.
    """

    form: object
    lp: highspy.HighsLp
    integer: np.ndarray
    reference: float  # Myen, subtracted from the objective HiGHS sees
    bound_rows: sp.csr_matrix | None = None  # their coefficients, one row each
    bound_lower: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bound_upper: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def size(self) -> dict[str, int]:
        return {"variables": int(self.lp.num_col_), "constraints": len(self.form.rows),
                "nonzeros": int(self.form.A.nnz), "integers": int(self.integer.sum())}


def compile_model(model: pyo.ConcreteModel) -> Compiled:
    """Column-wise HighsLp of ``model``: rows typed -1 (>=), 0 (=), 1 (<=); objective less the reference;
    the bound rows moved to the end of ``form`` and kept out of the HighsLp."""
    form = LinearStandardFormCompiler().write(model, mixed_form=True)
    tagged = {id(c) for c in getattr(model, "bound_rows", [])}
    is_bound = np.array([id(r.constraint.parent_component()) in tagged for r in form.rows], dtype=bool)
    order = np.concatenate([np.flatnonzero(~is_bound), np.flatnonzero(is_bound)]).astype(int)
    form.rows = [form.rows[i] for i in order]
    form.A = form.A.tocsr()[order]
    kinds = np.array([r.bound_type for r in form.rows], dtype=int)
    rhs = np.asarray(form.rhs, dtype=float)[order]
    form.rhs = rhs
    lower = np.where(kinds <= 0, rhs, -highspy.kHighsInf)
    upper = np.where(kinds >= 0, rhs, highspy.kHighsInf)
    n_main = int((~is_bound).sum())
    A = form.A[:n_main].tocsc()
    n_cols = form.A.shape[1]
    integer = np.array([v.is_integer() or v.is_binary() for v in form.columns], dtype=bool)
    reference = float(getattr(model, "reference_cost", 0.0) or 0.0)

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_main
    lp.col_cost_ = np.asarray(form.c.todense()).ravel() if n_cols else np.zeros(0)
    lp.offset_ = (float(form.c_offset[0]) if len(form.c_offset) else 0.0) - reference
    lp.col_lower_ = np.array([_bound(v.lb, -1) for v in form.columns], dtype=float)
    lp.col_upper_ = np.array([_bound(v.ub, 1) for v in form.columns], dtype=float)
    lp.row_lower_ = lower[:n_main]
    lp.row_upper_ = upper[:n_main]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    return Compiled(form, lp, integer, reference, form.A[n_main:], lower[n_main:], upper[n_main:])


def _bound(value, sign: int) -> float:
    return sign * highspy.kHighsInf if value is None else float(value)


def new_highs(compiled: Compiled, threads: int, seed: int, log_file: str | Path | None) -> highspy.Highs:
    """One HiGHS object for every call of a solve, so that its log covers them all."""
    h = quiet_highs()
    h.setOptionValue("output_flag", bool(log_file))
    h.setOptionValue("log_to_console", False)
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        h.setOptionValue("log_file", str(log_file))
    h.setOptionValue("random_seed", int(seed))
    if threads:
        h.setOptionValue("threads", int(threads))
    watch_stop_requests(h)
    h.passModel(compiled.lp)  # without the bound rows: the bound steps add them
    return h


@dataclass
class StopRequest:
    """Whether the running HiGHS call should stop (set by :func:`run` on Ctrl-C)."""

    requested: bool = False

    def answer(self, event) -> None:
        # Stated at every check, also False: HiGHS 1.16 keeps an interrupt it was once given, so with
        # highspy's own HandleUserInterrupt every later call on the object (the fixed LP after a Ctrl-C)
        # stopped at its first check.
        event.interrupt(self.requested)


def watch_stop_requests(h: highspy.Highs) -> None:
    """Let :func:`run` stop a call of ``h``: HiGHS asks ``h.stop_request`` in simplex, IPM and MIP."""
    h.stop_request = StopRequest()
    for callback in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
        callback.subscribe(h.stop_request.answer)


def quiet_highs() -> highspy.Highs:
    """``highspy.Highs()`` without the banner it prints on standard output (the CLI's output is for people)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


@dataclass
class Control:
    """What may stop a solve: the wall-clock guard and Ctrl-C."""

    time_limit: float
    started: float = field(default_factory=time.perf_counter)
    interrupted: bool = False
    timed_out: bool = False

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def remaining(self) -> float:
        return self.time_limit - self.elapsed()

    @property
    def stopped(self) -> bool:
        return self.interrupted or self.timed_out


class Aborted(KeyboardInterrupt):
    """A second Ctrl-C: stop at once, keep nothing."""


def run(h: highspy.Highs, control: Control) -> str:
    """One HiGHS call within what is left of the guard; returns its status name.

    A first Ctrl-C asks HiGHS to stop (its incumbent stays); a second raises :class:`Aborted`.
    """
    # HiGHS compares its time_limit with its own run time, summed over every call on the object
    h.setOptionValue("time_limit", h.getRunTime() + max(0.01, control.remaining()))
    h.stop_request.requested = False
    thread = h.startSolve()
    while True:
        try:
            done, _ = h.wait(0.1)
            if done:
                break
        except KeyboardInterrupt:
            h.stop_request.requested = True
            if control.interrupted:
                raise Aborted() from None
            control.interrupted = True
    thread.join()
    status = STATUS.get(h.getModelStatus(), "error")
    if status == "time_limit":
        control.timed_out = True
    return status


def solution_values(h: highspy.Highs) -> np.ndarray | None:
    """The call's primal values, if it has a feasible point."""
    if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
        return None
    return np.asarray(h.getSolution().col_value, dtype=float)


def mip_bound(h: highspy.Highs) -> float | None:
    bound = h.getInfo().mip_dual_bound
    return float(bound) if math.isfinite(bound) else None


def set_integrality(h: highspy.Highs, columns: np.ndarray, integer: bool) -> None:
    if len(columns):
        kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        h.changeColsIntegrality(len(columns), columns.astype(np.int32), np.full(len(columns), kind))


def release_integers(h: highspy.Highs, compiled: Compiled, integer: bool) -> None:
    """Every integer column back within its own bounds (a step before held them), integer or relaxed."""
    columns = np.flatnonzero(compiled.integer)
    set_bounds(h, columns, np.asarray(compiled.lp.col_lower_)[columns], np.asarray(compiled.lp.col_upper_)[columns])
    set_integrality(h, columns, integer)


def use_bound_rows(h: highspy.Highs, compiled: Compiled, on: bool) -> None:
    """The model's bound rows (valid rows that only tighten the relaxation, ``m.bound_rows``) added after
    the model's other rows, or deleted again (nothing if they already are, or are not, there)."""
    rows, n_main = compiled.bound_rows, int(compiled.lp.num_row_)
    if rows is None or rows.shape[0] == 0 or (h.getNumRow() > n_main) == on:
        return
    if on:
        h.addRows(rows.shape[0], compiled.bound_lower, compiled.bound_upper, rows.nnz, rows.indptr.astype(np.int32),
                  rows.indices.astype(np.int32), rows.data.astype(float))
    else:
        h.deleteRows(rows.shape[0], np.arange(n_main, n_main + rows.shape[0], dtype=np.int32))


def set_bounds(h: highspy.Highs, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    if len(columns):
        h.changeColsBounds(len(columns), columns.astype(np.int32), lower.astype(float), upper.astype(float))


def start_from(h: highspy.Highs, values: np.ndarray) -> None:
    start = highspy.HighsSolution()
    start.col_value = list(values)
    start.value_valid = True
    h.setSolution(start)


def load_values(compiled: Compiled, values: np.ndarray) -> None:
    """Write ``values`` into the model's variables (integers rounded)."""
    for var, val, is_int in zip(compiled.form.columns, values, compiled.integer):
        var.set_value(float(round(val)) if is_int else float(val), skip_validation=True)
    for var, expr in getattr(compiled.form, "eliminated_vars", []) or []:
        var.set_value(pyo.value(expr), skip_validation=True)


def row_duals(h: highspy.Highs, compiled: Compiled) -> dict:
    duals = np.asarray(h.getSolution().row_dual)
    return {row.constraint: float(y) for row, y in zip(compiled.form.rows, duals)}
