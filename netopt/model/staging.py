"""Which integer decisions form which stage of the solver's relax-and-fix start.

:func:`build_stage` is handed to :func:`netopt.solve.solve` as ``stage_of``: the builds of each
period form one stage, solved in period order (see :func:`netopt.solve.relax_and_fix`), so that
each stage decides what must stand when its period begins, knowing the later periods only by
their LP relaxation.
"""

from __future__ import annotations


def build_period(var) -> int | None:
    """The period of a build decision, else None."""
    parent = var.parent_component()
    return var.index()[-1] if parent.local_name == "build" else None


def build_stage(var) -> int | None:
    """Stage of a build decision in the solver's relax-and-fix start (its period), else None."""
    return build_period(var)
