"""Specific heat and its jump against closed forms (SPEC §11).

References: 12/(7 zeta(3)) = 1.426 for one weak-coupling band; the Ginzburg-Landau value of the
same cut-off BCS model, (3/2pi^2) A'^2/B with A' = tanh(wc/2Tc)/Tc and B the Delta^2 coefficient
of its gap equation (scipy quad; it differs from 1.426 by O((Tc/wc)^2)); for two bands at
constant DOS with a rank-one (geometric) coupling, psi_n ∝ sqrt(g_nn) exactly and
Delta C/(gamma Tc) = 1.426 <psi^2>^2/<psi^4>; the normal state C = gamma T (1 + O((T/E_F)^2)).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate

import multigap as mg
from multigap.constants import KB
from multigap.pairing.response import thermo

ZETA3 = 1.2020569031595942
BCS_JUMP = 12.0 / (7.0 * ZETA3)
WC = 10.0


def free_model(n_bands: int = 1) -> Any:
    lat = mg.Superlattice(well=0.85, barrier=0.55, height=0.0)
    return mg.Model(lat, omega0=WC, n_bands=n_bands, resonant_band=n_bands, cutoff="fixed")


def cutoff_bcs_jump(tc: float, wc: float) -> float:
    """GL jump of 1/g = int_0^wc tanh(E/2T)/E (T, wc in meV): (3/2pi^2) A'^2 / B."""

    def dh(x: float) -> float:  # d/dx [tanh(x/2Tc)/x]
        th = math.tanh(x / (2 * tc))
        return (1 - th * th) / (2 * tc * x) - th / (x * x)

    B = integrate.quad(lambda x: -dh(x) / (2 * x), 0, wc, limit=400, epsabs=1e-16, points=[tc])[0]
    a_prime = math.tanh(wc / (2 * tc)) / tc
    return 3.0 / (2.0 * math.pi**2) * a_prime**2 / B


def test_reference_jump_tends_to_bcs() -> None:
    assert cutoff_bcs_jump(1e-4, 10.0) == pytest.approx(BCS_JUMP, rel=1e-6)


@pytest.mark.parametrize("g", [0.2, 0.25])
def test_single_band_jump(g: float) -> None:
    model = free_model()
    res = mg.specific_heat_jump(model, 0.5, g)
    assert res.ratio == pytest.approx(cutoff_bcs_jump(KB * res.tc, WC), rel=1e-4)
    assert res.ratio == pytest.approx(BCS_JUMP, rel=1.5e-3 if g > 0.2 else 2e-4)
    assert res.band_ratio.sum() == pytest.approx(res.ratio, rel=1e-12)
    assert res.mu_convention == "fixed_density"


@pytest.mark.parametrize("g", [0.25, 0.35])
def test_two_band_jump_at_constant_dos(g: float) -> None:
    """V = 0 with two subbands at mu = 2 E_T(1): both partial DOS equal N0/2 there (band 1 as
    (2/pi) asin(sqrt(E_T/E)) N0) and vary by ~3 % across the window."""
    model = free_model(2)
    sb = model.subbands
    eta = (2.0 * sb.top(1) - sb.edge(2)) / sb.width(2)
    res = mg.specific_heat_jump(model, eta, g)
    tcr = mg.tc_result(model, eta, g, chemical_potential="fixed_density")
    N = thermo.normal_dos(model, tcr.mu)
    psi = np.sqrt(np.array([0.1, g]))  # geometric rule: G is rank one
    vec = tcr.leading_eigenvector[:, 0]
    assert vec / vec[0] == pytest.approx(psi / psi[0], rel=1e-5)

    def avg(x: np.ndarray) -> float:
        return float((N * x).sum() / N.sum())

    expected = BCS_JUMP * avg(psi**2) ** 2 / avg(psi**4)
    assert res.ratio == pytest.approx(expected, rel=1e-3)
    assert res.ratio < BCS_JUMP


def test_specific_heat_both_phases() -> None:
    model = free_model()
    g = 0.25
    tc = mg.tc_result(model, 0.5, g, chemical_potential="fixed_density").tc
    temps = np.array([0.2, 0.999, 1.001, 2.0]) * tc
    c = mg.specific_heat(model, 0.5, g, temps)
    ratio = c.value / (c.gamma * c.temperature)
    assert ratio[2:] == pytest.approx(1.0, rel=1e-5)  # normal state: gamma T
    jump = mg.specific_heat_jump(model, 0.5, g)
    # just below Tc: C_s/(gamma T) = 1 + Delta C/(gamma Tc) (to first order in 1 - T/Tc)
    assert ratio[1] == pytest.approx(1.0 + jump.ratio, rel=5e-3)
    # low T: exponentially activated, C_s << gamma T
    assert 0.0 < ratio[0] < 0.05
    assert list(c.superconducting) == [True, True, False, False]
    assert c.bands.sum(axis=0) == pytest.approx(c.value, rel=1e-12)


def test_entropy_zero_at_zero_temperature() -> None:
    model = free_model()
    gaps = mg.zero_temperature_gaps(model, 0.5, 0.25)
    assert np.all(thermo.entropy_of(model, gaps) == 0.0)


def test_normal_entropy_is_sommerfeld() -> None:
    """S_N = gamma T for a constant DOS (exact for |xi| < wc + 40 k_B T inside the band)."""
    model = free_model()
    gaps = mg.gaps_at_temperature(model, 0.5, 0.25, 30.0)  # above Tc: the normal state
    assert not gaps.superconducting
    s = thermo.entropy_of(model, gaps).sum()
    gamma = (2 * math.pi**2 / 3) * KB * thermo.normal_dos(model, gaps.mu).sum()
    assert s == pytest.approx(gamma * 30.0, rel=1e-8)
