r"""Calibration of the supply model against the JRI white paper (2025-10-21).

The white paper estimates, cumulatively to 2024, that about 110,000 EVs became
"used" in Japan, about 94,000 of them (>80 %) were exported, and that about
4,300 t of "lithium, cobalt, nickel etc." left with them. Those are battery
electric cars: the trade statistics the export count rests on (HS 8703.80)
hold BEVs only, so the comparison uses the model's BEVs.

For every historical year the report gives the model's used BEVs, the BEVs
exported (= trade statistics where they exist, less any excess over the used
cars of the year; the 2017 share before 2017), the exported share, and the metal
inside the exported packs: :math:`\sum_c exported_{c,y} \times metal_c` with the
per-vehicle metal of cohort :math:`c` from its archetype mix and BatPaC intensities.
Metal is reported as strict Li+Ni+Co and with Mn, because the release does not
say whether Mn is counted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from netopt.supply.inputs import load_inputs
from netopt.supply.write import run

WHITE_PAPER_YEAR = 2024


def calibration_report(folder: str | Path = "instances/japan", inputs: dict[str, pd.DataFrame] | None = None,
                       result: dict[str, pd.DataFrame] | None = None, last_year: int = WHITE_PAPER_YEAR,
                       powertrain: str = "BEV") -> pd.DataFrame:
    """Historical used and exported EVs and exported metal, by year, with cumulative columns.

    Pass ``inputs`` (from :func:`netopt.supply.inputs.load_inputs`) and optionally a ``result``
    of :func:`netopt.supply.write.run`; otherwise both are read/run from ``folder``. The white
    paper figures are attached to the frame as ``df.attrs["white_paper"]`` (item -> value).
    """
    inputs = inputs if inputs is not None else load_inputs(folder)
    result = result if result is not None else run(inputs, last_year=last_year)
    flows = result["flows"].query("powertrain == @powertrain and year <= @last_year")
    veh = flows.groupby("year")[["used_veh", "exported_veh"]].sum()
    mat = result["materials"].query("powertrain == @powertrain and route == 'exported' and year <= @last_year")
    metals = mat.groupby("year")[["pack_t", "li_t", "ni_t", "co_t", "mn_t"]].sum()
    df = veh.join(metals).fillna(0.0)
    trade = inputs["exports_history"].query("powertrain == @powertrain").set_index("year")["exported_veh"]
    df["trade_statistics_veh"] = trade.reindex(df.index)
    df["export_share"] = df["exported_veh"] / df["used_veh"].where(df["used_veh"] > 0)
    df["li_ni_co_t"] = df[["li_t", "ni_t", "co_t"]].sum(axis=1)
    df["li_ni_co_mn_t"] = df["li_ni_co_t"] + df["mn_t"]
    for col in ("used_veh", "exported_veh", "li_ni_co_t", "li_ni_co_mn_t"):
        df[f"cum_{col}"] = df[col].cumsum()
    df["cum_export_share"] = df["cum_exported_veh"] / df["cum_used_veh"].where(df["cum_used_veh"] > 0)
    df = df.reset_index()
    df.attrs["white_paper"] = inputs["white_paper"].set_index("item")["value"].to_dict()
    return df


def comparison(df: pd.DataFrame) -> pd.DataFrame:
    """Cumulative model figures at the last year next to the white paper's, with the relative gap."""
    last = df.iloc[-1]
    wp = df.attrs["white_paper"]
    rows = [
        ("used EVs generated in Japan (veh)", last["cum_used_veh"], wp["used_generated_cum_2024"]),
        ("used EVs exported (veh)", last["cum_exported_veh"], wp["exported_cum_2024"]),
        ("exported share of used EVs (-)", last["cum_export_share"], wp["export_share_cum_2024"]),
        ("metal exported, Li+Ni+Co (t)", last["cum_li_ni_co_t"], wp["metals_exported_cum_2024"]),
        ("metal exported, Li+Ni+Co+Mn (t)", last["cum_li_ni_co_mn_t"], wp["metals_exported_cum_2024"]),
    ]
    out = pd.DataFrame(rows, columns=["item", "model", "white_paper"])
    out["model_over_white_paper"] = out["model"] / out["white_paper"]
    return out


def format_report(df: pd.DataFrame) -> str:
    """Plain-text report: the annual table, then the cumulative comparison with the white paper."""
    cols = {"year": "year", "used_veh": "used", "trade_statistics_veh": "trade stat.", "exported_veh": "exported",
            "export_share": "share", "li_t": "Li t", "ni_t": "Ni t", "co_t": "Co t", "mn_t": "Mn t",
            "cum_used_veh": "cum used", "cum_exported_veh": "cum exp.", "cum_li_ni_co_t": "cum LiNiCo t",
            "cum_li_ni_co_mn_t": "cum +Mn t"}
    table = df[list(cols)].rename(columns=cols)
    fmt = {c: "{:,.0f}".format for c in table.columns if c not in ("year", "share")}
    fmt["share"] = lambda v: "" if pd.isna(v) else f"{v:.2f}"
    fmt["trade stat."] = lambda v: "" if pd.isna(v) else f"{v:,.0f}"
    lines = ["Used BEVs generated and exported, and metal inside the exported packs (model vs trade statistics)",
             table.to_string(index=False, formatters=fmt), "",
             f"Cumulative to {int(df['year'].iloc[-1])}: model vs JRI white paper (2025-10-21)"]
    comp = comparison(df)
    for _, r in comp.iterrows():
        share = "share" in r["item"]
        m = f"{r['model']:.2f}" if share else f"{r['model']:,.0f}"
        w = f">{r['white_paper']:.2f}" if share else f"{r['white_paper']:,.0f}"
        lines.append(f"  {r['item']:<36} model {m:>9}   white paper {w:>9}   ratio {r['model_over_white_paper']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = argv[0] if argv else "instances/japan"
    print(format_report(calibration_report(folder)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
