"""Sea legs: arcs between land masses that no road joins go through sea ports, priced and counted by mode.

The Okinawa case is checked against a hand calculation made from the instance tables (figures as read
there, rounded as a person would); the rules (routing, dropping, several crossings) on small cases.
"""

from __future__ import annotations

import pandas as pd
import pytest

from netopt.api import load, run
from netopt.model.arcs import SeaNetwork, _port_paths, great_circle_km
from netopt.model.inputs import prepare
from tests.helpers import JAPAN, edit_csv


@pytest.fixture(scope="module")
def japan_arcs() -> pd.DataFrame:
    return prepare(load(JAPAN)).arcs


def test_okinawa_packs_to_kagoshima_go_by_sea_as_calculated_by_hand(japan_arcs):
    """JP47 (Naha, prefectural office) -> HUB-JP46 (Kagoshima), packs.

    transport.csv, pack: Y3,522/t handling, Y48.9/t-km, DG premium 0.3, 0.216 kg CO2/t-km; road factor 1.3.
    sea_tariff.csv, pack: Y5,000/t handling, Y33.3/t-km, DG premium 0.3, 0.043 kg CO2/t-km.
    sea_routes.csv: SEA-NAHA - SEA-KAGOSHIMA 735 km (A-Line ferry track).
    Road: office -> Naha port 2.9 km and Kagoshima port -> hub 4.3 km great circle, x 1.3 = 3.8 + 5.6 = 9.4 km.
    Cost = 3,522 + 5,000 + 48.9 x 9.4 x 1.3 + 33.3 x 735 x 1.3 = 3,522 + 5,000 + 598 + 31,818 = Y40,938/t.
    CO2 = 0.216 x 9.4 + 0.043 x 735 = 2.0 + 31.6 = 33.6 kg/t.
    The road line it replaces: 1.3 x 657 km = 854 km, Y57,837/t, 184.6 kg CO2/t (across the sea).
    """
    arc = japan_arcs[(japan_arcs["from_id"] == "JP47") & (japan_arcs["to_id"] == "HUB-JP46")].iloc[0]
    assert arc["mode"] == "sea" and arc["via"] == "SEA-NAHA~SEA-KAGOSHIMA"
    assert arc["sea_km"] == 735
    assert arc["distance_km"] - arc["sea_km"] == pytest.approx(9.4, abs=0.1)
    hand = 3522 + 5000 + 48.9 * 9.4 * 1.3 + 33.3 * 735 * 1.3
    assert hand == pytest.approx(40938, abs=1)
    assert arc["cost_myen_per_t"] * 1e6 == pytest.approx(hand, abs=10)  # 9.4 km is rounded: +/- 0.05 km x Y64
    assert arc["co2_t_per_t"] * 1000 == pytest.approx(0.216 * 9.4 + 0.043 * 735, abs=0.05)
    road = 3522 + 48.9 * 1.3 * great_circle_km(26.2124, 127.681, 31.5602, 130.5581) * 1.3
    assert road == pytest.approx(57837, abs=5) and arc["cost_myen_per_t"] * 1e6 < road


def test_no_road_line_leaves_okinawa_or_hokkaido(japan_arcs):
    nodes = prepare(load(JAPAN)).nodes
    land = pd.concat(nodes.values()).drop_duplicates("id").set_index("id")["landmass"]
    crossing = japan_arcs["from_id"].map(land) != japan_arcs["to_id"].map(land)
    assert crossing.sum() > 0
    assert (japan_arcs.loc[crossing, "mode"] == "sea").all()
    assert (japan_arcs.loc[~crossing, "mode"] == "road").all()
    okinawa = japan_arcs[(japan_arcs["from_id"] == "JP47") & (japan_arcs["to_id"] != "HUB-JP47")]
    assert len(okinawa) > 0 and set(okinawa["mode"]) == {"sea"}
    assert (japan_arcs.loc[crossing, "sea_km"] > 0).all() and (japan_arcs.loc[~crossing, "sea_km"] == 0).all()


def _island_toy(folder, routes: str | None) -> None:
    """R3 on an island with a port; one route to the main land mass (or none)."""
    edit_csv(folder, "regions", lambda df: df.assign(landmass=["main", "main", "isle"]))
    (folder / "sea_ports.csv").write_text("port_id,name,lat,lon,landmass\nP-ISLE,Isle port,34.0,134.1,isle\n"
                                          "P-MAIN,Main port,35.0,137.1,main\n")
    (folder / "sea_tariff.csv").write_text("stage,cost_yen_per_t_km,handling_yen_per_t,hazardous_premium_share,"
                                           "co2_kg_per_t_km\npack,20,3000,0.5,0.05\nblack_mass,20,3000,0,0.05\n"
                                           "metal,20,3000,0,0.05\n")
    edit_csv(folder, "transport", lambda df: df.assign(cost_yen_per_t_km=["40", "0", "0"],
                                                       co2_kg_per_t_km=["0.2", "0", "0"]))
    if routes is not None:
        (folder / "sea_routes.csv").write_text("from_port,to_port,sea_km\n" + routes)


def test_a_sea_leg_on_the_toy(toy_copy):
    _island_toy(toy_copy, "P-MAIN,P-ISLE,300\n")  # listed main -> isle: used both ways
    d = prepare(load(toy_copy))
    arc = d.arcs[(d.arcs["from_id"] == "R3") & (d.arcs["to_id"] == "HUB")].iloc[0]
    road = great_circle_km(34.0, 134.0, 34.0, 134.1) + great_circle_km(35.0, 137.1, 35.2, 137.2)  # road factor 1
    assert arc["mode"] == "sea" and arc["via"] == "P-ISLE~P-MAIN" and arc["sea_km"] == 300
    assert arc["distance_km"] == pytest.approx(road + 300)
    # toy handling Y10,000/t once, road Y40/t-km (no premium in the toy's transport.csv), sea Y3,000 + 20 x 1.5/t-km
    assert arc["cost_myen_per_t"] == pytest.approx((10000 + 40 * road + 3000 + 20 * 1.5 * 300) / 1e6)
    assert arc["co2_t_per_t"] == pytest.approx((0.2 * road + 0.05 * 300) / 1000)
    others = d.arcs[(d.arcs["from_id"] != "R3")]
    assert set(others["mode"]) == {"road"}
    plan = run(toy_copy)
    flows = plan.results.flows
    r3 = flows[flows["origin"] == "R3"]
    assert len(r3) and set(r3["mode"]) == {"sea"} and set(r3["via"]) == {"P-ISLE~P-MAIN"}
    nodes = plan.results.nodes
    assert set(nodes.loc[nodes["role"] == "sea_port", "node_id"]) == {"P-ISLE", "P-MAIN"}


def test_an_island_no_route_reaches_is_cut_off(toy_copy):
    _island_toy(toy_copy, None)
    d = prepare(load(toy_copy))
    assert not ((d.arcs["from_id"] == "R3") | (d.arcs["to_id"] == "R3")).any()
    assert set(d.arcs["mode"]) == {"road"}


def test_paths_cross_a_land_mass_by_road_between_two_sea_routes():
    ports = pd.DataFrame({"port_id": ["A", "M1", "M2", "B"], "lat": [30.0, 31.0, 33.0, 34.0],
                          "lon": [130.0, 131.0, 135.0, 136.0], "landmass": ["a", "main", "main", "b"]})
    routes = pd.DataFrame({"from_port": ["A", "M2"], "to_port": ["M1", "B"], "sea_km": [150.0, 160.0]})
    tariff = pd.DataFrame({"stage": ["pack"], "cost_yen_per_t_km": [20.0], "handling_yen_per_t": [3000.0],
                           "hazardous_premium_share": [0.0], "co2_kg_per_t_km": [0.04]})
    road = pd.DataFrame({"stage": ["pack"], "cost_yen_per_t_km": [40.0], "handling_yen_per_t": [2000.0],
                         "hazardous_premium_share": [0.0], "co2_kg_per_t_km": [0.2]})
    cost, km, hops = _port_paths(SeaNetwork(ports, routes, tariff, road), "pack", 1.3)
    inland = 1.3 * great_circle_km(31.0, 131.0, 33.0, 135.0)
    assert hops[0, 3] == "A~M1>M2~B" and hops[3, 0] == "B~M2>M1~A"
    assert km[0, 3, 1] == 310 and km[0, 3, 0] == pytest.approx(inland)
    assert cost[0, 3] == pytest.approx(2 * 3000 + 20 * 310 + 40 * inland)
