"""Condensate fraction and pair size against closed forms (SPEC §11).

Free 2D band in multigap's window convention: n0/n = Delta [atan(wc/Delta) +
atan(min(mu, wc)/Delta)] / (4 E_F) with Delta and mu from the solver (E_F = n/(2 N0)); the pair
size reaches hbar v_F/(2 sqrt 2 Delta) (BCS) and sqrt(2 hbar^2/(3 m E_b)) with E_b = 2|mu| (2D
BEC), evaluated for given (Delta, mu) states (the definition holds for any gap function).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

import multigap as mg
from multigap.constants import kinetic_coefficient
from multigap.pairing.response import crossover

CX = kinetic_coefficient(1.0)
WC = 10.0


@pytest.fixture(scope="module")
def free() -> Any:
    lat = mg.Superlattice(well=0.25, barrier=0.25, height=0.0)
    return mg.Model(lat, omega0=WC, n_bands=1, resonant_band=1, cutoff="fixed")


def flat_state(gaps: Any, delta: float, mu: float) -> Any:
    a = np.zeros_like(gaps.coefficients)
    a[0, 0] = delta
    return replace(gaps, coefficients=a, mu=mu)


@pytest.mark.parametrize(("eta", "g"), [(0.05, 0.25), (0.005, 0.3), (0.001, 0.4), (0.0005, 0.45)])
def test_condensate_fraction_free_band(free: Any, eta: float, g: float) -> None:
    gaps = mg.zero_temperature_gaps(free, eta, g)
    d, mu = float(gaps.coefficients[0, 0]), float(gaps.mu)
    cf = mg.condensate_fraction(free, eta, g)
    e_f = 2.0 * math.pi * CX * float(cf.density[0])  # n = 2 N0 E_F
    assert cf.density[0] == pytest.approx(gaps.target_density, rel=1e-8)
    expected = d * (math.atan(WC / d) + math.atan(min(mu, WC) / d)) / (4.0 * e_f)
    # Delta(kz) constant to 4e-5 (I = 1 + O(1e-4) at V = 0)
    assert cf.bands[0] == pytest.approx(expected, rel=1e-4)
    assert cf.total == pytest.approx(cf.bands[0], rel=1e-12)


def test_condensate_fraction_limits(free: Any) -> None:
    gaps = mg.zero_temperature_gaps(free, 0.05, 0.25)
    bec = crossover.condensate_of(free, flat_state(gaps, 0.01, -5.0))  # mu far below the band
    assert bec.bands[0] == pytest.approx(1.0, abs=1e-5)
    d = 0.05
    bcs = crossover.condensate_of(free, flat_state(gaps, d, 75.0))
    e_f = 2.0 * math.pi * CX * float(bcs.density[0])
    window = d * 2.0 * math.atan(WC / d) / (4.0 * e_f)
    assert bcs.bands[0] == pytest.approx(window, rel=1e-8)
    # -> pi Delta/(4 E_F), up to the window's 2 Delta/(pi wc)
    assert bcs.bands[0] == pytest.approx(math.pi * d / (4.0 * e_f), rel=4.0 * d / (math.pi * WC))


@pytest.mark.parametrize(("mu", "delta"), [(75.0, 0.05), (300.0, 0.2)])
def test_pair_size_bcs_limit(free: Any, mu: float, delta: float) -> None:
    gaps = mg.zero_temperature_gaps(free, 0.05, 0.25)
    ps = crossover.pair_size_of(free, flat_state(gaps, delta, mu))
    hbar_vf = 2.0 * math.sqrt(CX * mu)  # hbar v_F = 2 sqrt(C E_F)
    assert ps.bands[0] == pytest.approx(hbar_vf / (2.0 * math.sqrt(2.0) * delta), rel=2e-4)
    # isotropic up to the tails of phi beyond the zone-boundary energy (1504 meV)
    assert ps.bands_x[0] == pytest.approx(ps.bands_z[0], rel=1e-5)
    assert ps.kf_xi[0] > 100.0


@pytest.mark.parametrize(("mu", "delta"), [(-0.05, 1e-4), (-0.5, 1e-3), (-0.5, 1e-2)])
def test_pair_size_bec_limit(free: Any, mu: float, delta: float) -> None:
    gaps = mg.zero_temperature_gaps(free, 0.05, 0.25)
    ps = crossover.pair_size_of(free, flat_state(gaps, delta, mu))
    e_b = 2.0 * abs(mu)  # mean-field BEC: mu -> -E_b/2
    ref = math.sqrt(4.0 * CX / (3.0 * e_b))  # sqrt(2 hbar^2/(3 m E_b)), hbar^2/m = 2 C
    # corrections: (Delta/mu)^2, and the one-subband zone |kz| < pi/d that cuts the bound
    # state's tail, of order (kappa d/pi)^2 with kappa^2 = |mu|/C
    zone = abs(mu) / CX * (0.5 / math.pi) ** 2
    assert ps.bands[0] == pytest.approx(ref, rel=2.0 * (delta / mu) ** 2 + zone)
    assert ps.kf_xi[0] < 1.0


def test_pair_size_solver_crossover(free: Any) -> None:
    """Along the solver's crossover k_F xi falls monotonically towards the BEC side."""
    values = [mg.pair_size(free, eta, g).kf_xi[0] for eta, g in [(0.05, 0.25), (0.001, 0.4)]]
    assert values[0] > 100.0 > values[1]


def test_presets_every_subband() -> None:
    model = mg.preset("A")
    ps = mg.pair_size(model, 0.95, 0.41)
    cf = mg.condensate_fraction(model, 0.95, 0.41)
    assert ps.bands.shape == (3,) and np.all(np.isfinite(ps.bands)) and np.all(ps.bands > 0)
    assert np.all((cf.bands > 0) & (cf.bands < 1))
    # the resonant subband is the most strongly paired one
    assert ps.kf_xi[2] < ps.kf_xi[:2].min() and cf.bands[2] > cf.bands[:2].max()
    assert cf.density.sum() == pytest.approx(
        float(mg.density(model.lattice, 3, model.mu(0.95))), rel=1e-8
    )
