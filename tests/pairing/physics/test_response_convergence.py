"""Convergence of the response quadratures' defaults (16 nodes per kz piece, 32 per kx piece):
each quantity against doubled orders on the presets, at points with a Fermi crossing, a band
top inside the window (eta = 1.5) and mu below the resonant bottom (eta = -0.1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import multigap as mg
from multigap.pairing.response import crossover, quadrature, spectra, stiffness, thermo

DOUBLE = {"kz_order": 2 * quadrature.KZ_ORDER, "kx_order": 2 * quadrature.KX_ORDER}


@pytest.fixture(scope="module")
def preset_a() -> Any:
    return mg.preset("A")


@pytest.mark.parametrize(("eta", "T"), [(0.95, 0.0), (1.5, 0.0), (-0.1, 0.0), (0.95, 120.0)])
def test_stiffness_converged(preset_a: Any, eta: float, T: float) -> None:
    gaps = (
        mg.zero_temperature_gaps(preset_a, eta, 0.45)
        if T == 0
        else mg.gaps_at_temperature(preset_a, eta, 0.45, T)
    )
    jx, jz = stiffness.stiffness_of(preset_a, gaps)
    jx2, jz2 = stiffness.stiffness_of(preset_a, gaps, **DOUBLE)
    assert jx == pytest.approx(jx2, rel=1e-8)
    assert jz == pytest.approx(jz2, rel=1e-8)


@pytest.mark.parametrize("T", [60.0, 200.0, 300.0])
def test_entropy_converged(preset_a: Any, T: float) -> None:
    gaps = mg.gaps_at_temperature(preset_a, 0.95, 0.41, T)
    s = thermo.entropy_of(preset_a, gaps)
    assert s == pytest.approx(thermo.entropy_of(preset_a, gaps, **DOUBLE), rel=1e-9)


@pytest.mark.parametrize("eta", [0.95, -0.1])
def test_crossover_converged(preset_a: Any, eta: float) -> None:
    gaps = mg.zero_temperature_gaps(preset_a, eta, 0.45)
    n, n0 = crossover.band_densities(preset_a, gaps)
    n2, n02 = crossover.band_densities(preset_a, gaps, **DOUBLE)
    assert n == pytest.approx(n2, rel=1e-9)
    assert n0 == pytest.approx(n02, rel=1e-8)
    p = crossover.pair_size_of(preset_a, gaps)
    assert p.bands == pytest.approx(
        crossover.pair_size_of(preset_a, gaps, **DOUBLE).bands, rel=1e-5
    )


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_spectrum_converged(preset_a: Any, gamma: float) -> None:
    gaps = mg.zero_temperature_gaps(preset_a, 0.95, 0.41)
    om = np.array([-60.0, -20.0, 14.7, 30.0, 38.0, 100.0])
    a = spectra.dos_of(preset_a, gaps, om, gamma)
    b = spectra.dos_of(preset_a, gaps, om, gamma, kz_order=2 * quadrature.KZ_ORDER)
    assert a == pytest.approx(b, rel=1e-6, abs=1e-12)
