"""Helpers shared by the model blocks."""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo


def add_costs(block: pyo.Block, periods: list[int], terms: dict[str, callable]) -> None:
    """Declare ``block.cost[category, period]`` (Myen/yr) from one rule per category.

    Every block ends with this call; the objective weights and sums all of them.
    """
    block.COST_CATEGORY = pyo.Set(initialize=list(terms), ordered=True)
    block.cost = pyo.Expression(block.COST_CATEGORY, periods, rule=lambda b, c, p: terms[c](p))


def group(keys, by) -> dict:
    """Map ``by(key)`` -> list of keys, keeping order."""
    out = defaultdict(list)
    for k in keys:
        out[by(k)].append(k)
    return out


def total(var, keys) -> pyo.Expression:
    """Linear sum of ``var[k]`` over ``keys`` (0 when empty)."""
    return pyo.quicksum((var[k] for k in keys), start=0)


def relation(result):
    """A constraint rule's result, with trivial relations between constants skipped.

    ``0 == 0`` evaluates to ``True`` in Python when no variable takes part (a node no arc
    reaches); such rows carry no information and are not built.
    """
    if isinstance(result, bool):
        if not result:
            raise ValueError("a constraint between constants is violated; the data are inconsistent")
        return pyo.Constraint.Skip
    return result
