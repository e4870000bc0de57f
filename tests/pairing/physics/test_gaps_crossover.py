"""The 2D mean-field BCS-BEC crossover of one free band, in multigap's window convention.

One free 2D band (the empty lattice, V = 0, one subband: DOS N0 from its bottom at 0, far
below its top at C (pi/d)^2 = 1504 meV) with coupling g, a fixed cut-off wc and I = 1. The gap
is constant and, with the window |xi| < wc around the renormalised mu cut by the band bottom
(energies mu + xi >= 0; Miyake 1983, Randeria, Duan, Shieh, PRL 62, 981 (1989), here with the
window instead of a two-body bound state),

    gap:      2 / g = asinh(wc / Delta) + asinh(m / Delta),          m = min(mu, wc) > -wc,
    density:  n / (2 N0) = E_F   (the normal-state T = 0 density at mu0 = E_F)
              = mu                                                    for mu >= wc,
              = (wc + mu - sqrt(wc^2 + Delta^2) + sqrt(mu^2 + Delta^2)) / 2   for mu < wc,

(electrons below the window, energies in [0, mu - wc], are fully occupied; inside it the
occupation is (1 - xi/E)/2). For E_F > wc the density equation gives mu = E_F exactly and
Delta = wc / sinh(1/g); for E_F < wc mu drops (below 0 at strong coupling: the BEC side).
These are solved below by nested Brent root searches -- no multigap code -- and compared
with zero_temperature_gaps through the public API.

The model is used as it is: its superposition integrals at V = 0 are exact (I = 1, only the
q = q' = 0 cosine mode, C_00 = 1), which the fixture checks to 1e-12 first.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import optimize

import multigap as mg

WC = 10.0  # meV, fixed cut-off


def exact_overlaps(model: Any) -> Any:
    """The model, after checking I^{nn'} = 1 at V = 0: C_{qq'} = delta_q0 delta_q'0 to 1e-12."""
    C = np.asarray(model.geometry.overlaps.modes)
    exact = np.zeros_like(C)
    exact[:, :, 0, 0] = 1.0
    assert np.max(np.abs(C - exact)) < 1e-12
    return model


@pytest.fixture(scope="module")
def free() -> Any:
    lat = mg.Superlattice(0.25, 0.25, height=0.0)
    return exact_overlaps(mg.Model(lat, omega0=WC, n_bands=1, resonant_band=1, cutoff="fixed"))


def gap_of_mu(mu: float, g: float) -> float:
    """Delta from 2/g = asinh(wc/Delta) + asinh(min(mu, wc)/Delta) (mu > -wc)."""
    m = min(mu, WC)

    def f(log_d: float) -> float:
        d = math.exp(log_d)
        return math.asinh(WC / d) + math.asinh(m / d) - 2.0 / g

    return math.exp(optimize.brentq(f, -80.0, 10.0, xtol=1e-15, rtol=1e-15))


def crossover(e_f: float, g: float) -> tuple[float, float]:
    """(Delta, mu) at fixed density n = 2 N0 E_F."""
    if e_f >= WC:
        return gap_of_mu(e_f, g), e_f

    def density(mu: float) -> float:
        d = gap_of_mu(mu, g)
        return 0.5 * (WC + mu - math.hypot(WC, d) + math.hypot(mu, d)) - e_f

    # below mu = -wc e^{-2/g} the gap equation has no solution (its sum of asinh is at most
    # ln(wc/|mu|) for mu < 0)
    mu_min = -WC * math.exp(-2.0 / g) * (1.0 - 1e-9)
    mu = optimize.brentq(density, mu_min, WC, xtol=1e-15, rtol=1e-15)
    return gap_of_mu(mu, g), mu


def test_reference_limits() -> None:
    """The reference itself: weak coupling deep in the band is BCS, wc / sinh(1/g); at strong
    coupling and low density mu < 0 (the BEC side)."""
    d, mu = crossover(50.0, 0.2)
    assert d == pytest.approx(WC / math.sinh(5.0), rel=1e-13) and mu == 50.0
    _, mu_bec = crossover(0.02, 0.45)
    assert mu_bec < 0.0


E_F_OVER_WC = [0.002, 0.02, 0.2, 0.7, 1.0 - 1e-5, 1.0 + 1e-5, 3.0, 10.0]
COUPLINGS = [0.1, 0.2, 0.3, 0.45]


@pytest.mark.parametrize("g", COUPLINGS)
@pytest.mark.parametrize("ratio", E_F_OVER_WC)
def test_crossover_fixed_density(free: Any, ratio: float, g: float) -> None:
    e_f = ratio * WC
    eta = e_f / free.geometry.subbands.width(1)
    res = mg.zero_temperature_gaps(free, eta, g)
    delta, mu = crossover(e_f, g)
    assert res.mu0 == pytest.approx(e_f, rel=1e-12)
    assert res.fermi_gap[0] == pytest.approx(delta, rel=1e-5)
    assert res.gap[0] == pytest.approx(np.full_like(res.gap[0], delta), rel=1e-5)
    assert res.mu == pytest.approx(mu, rel=1e-5, abs=1e-5 * delta)
    assert res.fermi_surface[0] == (mu > 0.0)
    # spectral gap: Delta with a Fermi surface, sqrt(mu^2 + Delta^2) below the band bottom
    spectral = delta if mu > 0.0 else math.hypot(mu, delta)
    assert res.spectral_gap[0] == pytest.approx(spectral, rel=1e-5)
    assert res.mu_rule == "fixed_density"


@pytest.mark.parametrize("g", [0.1, 0.45])
@pytest.mark.parametrize("ratio", [0.002, 0.5, 1.0 - 1e-5, 1.0 + 1e-5, 10.0])
def test_crossover_fixed_mu(free: Any, ratio: float, g: float) -> None:
    e_f = ratio * WC
    eta = e_f / free.geometry.subbands.width(1)
    res = mg.zero_temperature_gaps(free, eta, g, fixed_density=False)
    assert res.mu == res.mu0 and res.mu_rule == "fixed_mu"
    assert res.fermi_gap[0] == pytest.approx(gap_of_mu(e_f, g), rel=1e-5)


def test_both_sides_of_mu_zero(free: Any) -> None:
    """The sampled grid crosses mu = 0: at E_F = 0.002 wc, g = 0.45 mu < 0 (paired below the
    band bottom, no Fermi surface) and at g = 0.1 mu > 0."""
    width = free.geometry.subbands.width(1)
    bec = mg.zero_temperature_gaps(free, 0.02 / width, 0.45)
    bcs = mg.zero_temperature_gaps(free, 0.02 / width, 0.1)
    assert bec.mu < 0.0 and not bec.fermi_surface[0]
    assert bcs.mu > 0.0 and bcs.fermi_surface[0]
