"""Which integer decisions form which stage of the solver's relax-and-fix start.

:func:`build_stage` is handed to :func:`netopt.solve.solve` as ``stage_of``; the solver sorts
the stages and solves them in turn (see :func:`netopt.solve._relax_and_fix`).
"""

from __future__ import annotations

from netopt.catalogue import KIND_OF_BLOCK

FIRST_STAGE_KIND = "refinery"


def build_period(var) -> int | None:
    """The period of a build decision, else None."""
    parent = var.parent_component()
    return var.index()[-1] if parent.local_name == "build" else None


def build_stage(var) -> tuple[int, int] | None:
    """Stage of a build decision in the solver's relax-and-fix start, else None.

    Refineries, the costliest plants, form the first stage, all periods at once: that stage
    is a relaxation of the whole model whose bound counts their fixed costs in whole plants
    (see :func:`netopt.solve._relax_and_fix`). The other kinds follow period by period.
    """
    period = build_period(var)
    if period is None:
        return None
    kind = KIND_OF_BLOCK[var.parent_block().local_name].kind
    return (0, 0) if kind == FIRST_STAGE_KIND else (1, period)
