"""Words for people, keyed by catalogue entries: facility kinds, legs, the map's flow layers, node roles.

The kinds' and legs' own labels live in :mod:`netopt.catalogue`; this module only looks them up
and adds the words that belong to the views (layer names, the status banner).
"""

from __future__ import annotations

from netopt.catalogue import FACILITY_KINDS, LEGS
from netopt.views.style import esc

KIND_LABELS = {k.kind: k.label for k in FACILITY_KINDS}
LEG_LABELS = {leg.name: leg.label for leg in LEGS}
LEG_LAYER = {leg.name: leg.layer for leg in LEGS}

FLOW_LAYERS = {  # the map's flow layers (catalogue Leg.layer), in legend order
    "collect": "Packs: regions to hubs",
    "hub_to_pretreatment": "Packs: hubs to pre-treatment",
    "black_mass": "Black mass to refineries",
    "metal": "Metal to demand",
    "trade": "Imports and exports (ports, sea)",
    "reuse": "Packs sold for reuse",
}
NODE_ROLES = {  # nodes that are not facilities
    "port": "Port",
    "demand": "Metal demand (cell / cathode plants)",
    "market": "Overseas market",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def leg_label(leg: str) -> str:
    return LEG_LABELS.get(leg, leg)


def status_banner(summary: dict) -> str:
    """Red banner text when the plan is not proven optimal ('' otherwise)."""
    if summary.get("proven_optimal", False):
        return ""
    gap = summary.get("gap")
    gap_text = "unknown" if gap is None or gap != gap else f"{100 * float(gap):.2f} %"
    note = str(summary.get("note", "")).removeprefix("NOT PROVEN OPTIMAL:").strip()
    return (f"NOT PROVEN OPTIMAL &mdash; status: {esc(summary.get('status', '?'))}, gap: {gap_text}"
            f"<br><span style='font-weight:400'>{esc(note)}</span>")
