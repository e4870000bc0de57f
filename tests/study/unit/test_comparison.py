"""The comparison table: the study's numbers in one table, multigap's computed from the data.

Synthetic datasets (and stand-ins for the solvers) check that every row is computed from what
it is said to be computed from: change the data and the row changes.
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import xarray as xr

import multigap.pairing.gaps as gaps_mod
import multigap.pairing.isotope as isotope_mod
from multigap.constants import KB
from multigap.study import comparison as cmp
from multigap.study.calibration import Calibration, TcMaximum
from multigap.study.statements import STUDY, TOL_STATED

MODEL: Any = SimpleNamespace(resonant_band=3, name="A")
TC_FD = 10.0  # K, the stand-in Tc at fixed density


def fake_data(gap_scale: float = 1.0, tc_max: float = 123.0) -> dict[str, xr.Dataset]:
    eta_map = np.array([0.0, 1.0, 2.0])
    g_map = np.array([0.1, 0.3, 0.4, 0.49])
    tc = np.array([[1.0, 2.0, 3.0, 2.5], [2.0, 4.0, 6.0, 5.0], [1.0, 1.0, 1.0, 1.0]])
    tc_map = xr.Dataset(
        {"tc": (("eta", "g"), tc)},
        coords={"eta": eta_map, "g": g_map},
        attrs={"tc_max": tc_max, "eta_max": 1.01, "g_max": 0.41},
    )
    tc_eta = xr.Dataset(
        {"antiresonance_eta": ("g", np.array([-0.3, -0.45]))}, coords={"g": [0.25, 0.4]}
    )
    eta = np.array([-0.3, 0.0, 0.6, 0.8, 1.0, 1.5])
    gap = gap_scale * np.array(
        [[1.0] * 6, [1.0, 1.0, 2.0, 2.0, 2.0, 1.0], [1.0, 1.0, 4.0, 5.0, 6.0, 2.0]]
    )
    alpha = np.array([0.5, 0.9, 0.2, 0.1, 0.3, 0.4])
    ratio = 2.0 * gap / (KB * TC_FD)
    gaps = xr.Dataset(
        {
            "gap": (("band", "eta"), gap),
            "ratio": (("band", "eta"), ratio),
            "tc_fixed_density": ("eta", np.full(eta.size, TC_FD)),
            "isotope": ("eta", alpha),
        },
        coords={"eta": eta, "band": [1, 2, 3]},
        attrs={"g": 0.25},
    )
    p = np.array([120.0, 160.0, 200.0])
    pressure = xr.Dataset(
        {"eta_path": ("pressure", [0.0, 0.5, 1.0]), "g_path": ("pressure", [0.4, 0.4, 0.4])},
        coords={"pressure": p},
    )
    return {"tc_map": tc_map, "tc_eta": tc_eta, "gaps": gaps, "pressure": pressure}


@pytest.fixture(autouse=True)
def stand_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        gaps_mod,
        "gap_ratios",
        lambda model, eta, g: SimpleNamespace(
            ratio=2.0 * np.array([1.0, 2.0, 3.0]) / (KB * TC_FD),
            fermi_ratio=2.0 * np.array([1.0, 2.0, 2.5]) / (KB * TC_FD),
        ),
    )
    monkeypatch.setattr(
        isotope_mod, "isotope_coefficients", lambda model, eta, g: 2.0 - np.asarray(eta)
    )


def test_study_table_is_complete() -> None:
    keys = {(s.key, s.preset) for s in STUDY}
    assert len(keys) == len(STUDY)  # one statement per row
    measured = set(cmp.measure(MODEL, fake_data()))
    assert {s.key for s in STUDY} == measured  # every statement has a computation
    for s in STUDY:
        assert s.source and s.low <= s.high and s.shown


def test_rows_are_computed_from_the_data() -> None:
    m = cmp.measure(MODEL, fake_data())
    assert m["tc_max"].value == 123.0
    assert m["g_peak"].value == 0.4  # the per-g maximum 3, 6 ... peaks at g = 0.4
    assert m["antiresonance"].value == -0.45  # at the g nearest the study's 0.4
    assert m["anisotropy_top"].value == pytest.approx(1.0)  # flat Tc: its first point, -0.3
    ratio = 2.0 / (KB * TC_FD)
    assert m["ratio_eta0_2"].value == pytest.approx(2.0 * ratio)
    assert m["ratio_eta0_3"].value == pytest.approx(3.0 * ratio)
    assert m["ratio2_mid"].value == pytest.approx((2.0 * ratio, 2.0 * ratio))
    assert m["ratio3_mid"].value == pytest.approx((4.0 * ratio, 5.0 * ratio))  # eta 0.6, 0.8
    assert m["isotope_max_eta"].value == 0.0
    assert m["isotope_min_eta"].value == 0.8
    assert m["h3s_isotope"].value == pytest.approx((2.0, 1.0))
    changed = cmp.measure(MODEL, fake_data(gap_scale=3.0, tc_max=250.0))
    assert changed["ratio3_mid"].value == pytest.approx((12.0 * ratio, 15.0 * ratio))
    assert changed["tc_max"].value == 250.0


def _table(default_tc: float) -> cmp.Comparison:
    cal = Calibration(1.1, 250.0, "A", TcMaximum(250.0, 1.0, 0.4), {"B": TcMaximum(300, 1, 0.4)})
    d = {"A": cmp.measure(MODEL, fake_data(tc_max=default_tc))}
    c = {"A": cmp.measure(MODEL, fake_data(tc_max=250.0))}
    return cmp.assemble(d, c, cal)


def test_verdicts_follow_the_values() -> None:
    low = _table(200.0)
    row = next(r for r in low.rows if r.statement.key == "tc_max" and r.statement.preset == "A")
    assert row.verdict() == "differs" and row.difference() == pytest.approx(-50.0)
    assert row.verdict("calibrated") == "agrees"
    close = _table(250.0 * (1.0 - 0.5 * TOL_STATED))
    row = next(r for r in close.rows if r.statement.key == "tc_max" and r.statement.preset == "A")
    assert row.verdict() == "agrees" and row.difference() == pytest.approx(-6.25)
    b = next(r for r in low.rows if r.statement.preset == "B")
    assert b.verdict() == "not computed"  # no B data given


def test_outputs() -> None:
    t = _table(200.0)
    d = json.loads(t.to_json())
    assert d["coupling_scale"] == 1.1 and len(d["rows"]) == len(STUDY)
    for r in d["rows"]:
        assert {"value", "difference", "verdict", "how"} <= set(r["default"])
        assert r["explanation"]
    md = t.to_markdown()
    assert md.count("\n") == len(STUDY) + 2
    assert "calibrated (×1.1000)" in md
    assert cmp.format_value((1.0, 2.0)) == "1 … 2" and cmp.format_value(math.nan) == "—"
