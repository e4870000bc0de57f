"""The response sweep quantities (multigap.runs.response_quantities) match the direct calls."""

from __future__ import annotations

import numpy as np
import pytest

import multigap as mg
from multigap.runs import sweep as sweep_mod


def test_registered() -> None:
    for name in ("bkt", "stiffness", "jump", "crossover"):
        assert name in sweep_mod.available_quantities()


def test_sweep_matches_direct_calls() -> None:
    lat = mg.Superlattice(well=0.25, barrier=0.25, height=0.0)
    free = mg.Model(lat, omega0=10.0, n_bands=1, resonant_band=1, cutoff="fixed")
    ds = mg.sweep(free, eta=[0.05], g=[0.3], quantities=("bkt", "stiffness", "crossover"))
    assert float(ds.tbkt[0, 0]) == pytest.approx(mg.bkt_temperature(free, 0.05, 0.3), rel=1e-12)
    J = mg.superfluid_stiffness(free, 0.05, 0.3)
    assert ds.stiffness_xx.values[0, 0] == pytest.approx(J.bands_xx, rel=1e-12)
    p = mg.pair_size(free, 0.05, 0.3)
    assert ds.kf_xi.values[0, 0] == pytest.approx(p.kf_xi, rel=1e-12)
    assert ds.pair_size.attrs["units"] == "nm"
    assert np.all(np.isfinite(ds.condensate_fraction.values))
