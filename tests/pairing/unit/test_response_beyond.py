"""The 'beyond the study' datasets (multigap.study.beyond) and their figures."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

import multigap as mg
from multigap import plot_response
from multigap.study import beyond


@pytest.fixture(scope="module")
def free() -> Any:
    lat = mg.Superlattice(well=0.25, barrier=0.25, height=0.0)
    return mg.Model(lat, omega0=10.0, n_bands=1, resonant_band=1, cutoff="fixed", name="free")


def test_datasets_and_figures(free: Any) -> None:
    etas = [0.01, 0.05]
    bkt = beyond.bkt_along_dome(free, 0.3, etas)
    assert np.all(bkt.tbkt < bkt.tc) and bkt.tc.attrs["units"] == "K"
    assert float(bkt.tbkt[1]) == pytest.approx(mg.bkt_temperature(free, 0.05, 0.3), rel=1e-12)
    curves = beyond.temperature_curves(free, 0.05, 0.3, n_temps=4)
    assert curves.stiffness_xx.dims == ("T", "band")
    assert float(curves.stiffness_xx[-1, 0]) == 0.0  # 1.3 Tc: normal
    spec = beyond.spectra(free, 0.3, etas=[0.05], energy=np.linspace(-2, 2, 9))
    assert spec.total.shape == (1, 9) and spec.attrs["mu_convention"] == "fixed_density"
    cross = beyond.crossover_map(free, 0.3, etas)
    assert np.all(np.diff(cross.kf_xi[:, 0].values) > 0)  # deeper band: more BCS-like
    figs = [
        plot_response.plot_bkt({"free": bkt}),
        plot_response.plot_temperature_curves(curves),
        plot_response.plot_spectra(spec),
        plot_response.plot_crossover(cross),
    ]
    assert all(isinstance(f, Figure) for f in figs)


def test_dome_top_of_preset_a() -> None:
    eta, g, tc = beyond.dome_top(mg.preset("A"), quick=True)
    assert 0.8 < eta < 1.1 and 0.38 < g < 0.45 and tc > 200.0
