"""Tunnelling DOS against closed forms (SPEC §11).

One band at constant DOS: N_s/N_n = |E|/sqrt(E^2 - Delta^2) (sharp) and Dynes' form with
broadening; the normal-state reference is the exact DOS of multigap.dos; states are conserved
over the window; the coherence peaks sit at each subband's gap.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import Any

import numpy as np
import pytest

import multigap as mg
from multigap.pairing.response import spectra

WC = 10.0


@pytest.fixture(scope="module")
def free() -> Any:
    lat = mg.Superlattice(well=0.85, barrier=0.55, height=0.0)
    return mg.Model(lat, omega0=WC, n_bands=1, resonant_band=1, cutoff="fixed")


@pytest.fixture(scope="module")
def free_gaps(free: Any) -> Any:
    return mg.zero_temperature_gaps(free, 0.5, 0.25)


def test_one_band_is_bcs(free: Any, free_gaps: Any) -> None:
    D = float(free_gaps.fermi_gap[0])
    om = np.array([-8.0, -2.0, -1.01, -0.5, 0.0, 0.9, 1.01, 1.05, 1.5, 3.0, 20.0]) * D
    res = mg.tunneling_dos(free, 0.5, 0.25, om, gaps=free_gaps)
    a = np.abs(om)
    bcs = np.where(a > D, a / np.sqrt(np.maximum(a * a - D * D, 1e-300)), 0.0)
    # Delta(kz) is constant to 3e-5 here (I = 1 + O(1e-4) at V = 0)
    assert res.total == pytest.approx(bcs, rel=2e-5, abs=1e-12)
    assert res.normal == pytest.approx(1.0, rel=1e-8)
    assert res.energy == pytest.approx(om)
    assert res.mu_convention == "fixed_density"


def test_dynes_broadening(free: Any, free_gaps: Any) -> None:
    D = float(free_gaps.fermi_gap[0])
    gam = 0.05 * D
    om = np.array([0.0, 0.5, 1.0, 1.1, 2.0, 5.0]) * D
    res = mg.tunneling_dos(free, 0.5, 0.25, om, broadening=gam, gaps=free_gaps)
    z = om + 1j * gam
    dynes = np.abs(np.real(z / np.sqrt(z * z - D * D)))
    # Dynes' closed form assumes an infinite band: the Lorentzian tails lost beyond the band
    # edges, Gamma/(pi E_F) ~ 1e-4, are the same in the normal state and are taken out with it
    assert 0.0 < 1.0 - res.normal[0] < 2.0 * gam / (np.pi * 96.0)
    assert res.total - (res.normal - 1.0) == pytest.approx(dynes, rel=2e-5, abs=1e-6)
    # Gamma -> 0 joins the sharp spectrum
    om2 = np.array([-3.0, 1.2, 4.0]) * D
    tiny = mg.tunneling_dos(free, 0.5, 0.25, om2, broadening=1e-7 * D, gaps=free_gaps)
    sharp = mg.tunneling_dos(free, 0.5, 0.25, om2, gaps=free_gaps)
    assert tiny.total == pytest.approx(sharp.total, rel=1e-5)


@pytest.fixture(scope="module")
def preset_a() -> Any:
    return mg.preset("A")


def test_normal_reference_is_the_exact_dos(preset_a: Any) -> None:
    gaps = mg.zero_temperature_gaps(preset_a, 0.95, 0.41)
    om = np.array([-150.0, -60.0, 0.0, 40.0, 139.0, 200.0])
    res = mg.tunneling_dos(preset_a, 0.95, 0.41, om, gaps=gaps)
    exact = mg.dos(preset_a, gaps.mu + om)
    assert res.normal_bands * res.normal_dos == pytest.approx(exact.partial, rel=1e-7)


@pytest.mark.parametrize("n_bands", [1, 2])
def test_states_are_conserved_sharp(n_bands: int) -> None:
    """int (N_s,n - N_n,n) d omega = 0 per band over a window containing the quasiparticle band
    (Gamma = 0). Subbands of the empty lattice (gaps constant in kz to 1e-4): one free band, and
    two with mu where both are occupied. The gaps are made exactly constant in kz (the sum rule
    holds for any gap function), so that omega = sqrt(Delta_n^2 + t^2) removes the square root
    of the coherence peak; Gauss-Legendre on pieces between the window edges."""
    lat = mg.Superlattice(well=0.85, barrier=0.55, height=0.0)
    model = mg.Model(lat, omega0=WC, n_bands=n_bands, resonant_band=n_bands, cutoff="fixed")
    solved = mg.zero_temperature_gaps(model, 0.5 if n_bands == 1 else 0.3, 0.3)
    flat = np.zeros_like(solved.coefficients)
    flat[:, 0] = solved.coefficients[:, 0]
    gaps = replace(solved, coefficients=flat)
    x, w = np.polynomial.legendre.leggauss(64)

    def rule(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        return 0.5 * (hi - lo) * x + 0.5 * (hi + lo), 0.5 * (hi - lo) * w

    for n in range(n_bands):
        d = float(flat[n, 0])
        top = float(np.hypot(WC, d)) + 2.0
        cuts = [0.0, np.sqrt(WC**2 - d**2), WC, np.sqrt(top**2 - d**2)]
        t, wt = map(np.concatenate, zip(*[rule(a, b) for a, b in pairwise(cuts)], strict=True))
        om = np.sqrt(d * d + t * t)
        o, wo = rule(0.0, top)
        sc_total = sum(spectra.dos_of(model, gaps, s * om)[n] @ (wt * t / om) for s in (1, -1))
        nn_total = sum(spectra.dos_of(model, gaps, s * o, normal=True)[n] @ wo for s in (1, -1))
        # one band: 1e-7 measured; the second subband of the two-band lattice (Fermi crossing at
        # a zone-boundary band bottom) misses 1e-5 of its window states (open: see the report)
        assert abs(sc_total - nn_total) < (1e-6 if n_bands == 1 else 2e-5) * nn_total


def test_coherence_peaks_at_each_gap(preset_a: Any) -> None:
    gaps = mg.zero_temperature_gaps(preset_a, 0.95, 0.41)
    om = np.linspace(5.0, 50.0, 181)
    res = mg.tunneling_dos(preset_a, 0.95, 0.41, om, broadening=0.3, gaps=gaps)
    for n in range(preset_a.n_bands):
        # the peak lies among the gap values of the subband (Delta_n(kz) varies along kz; the
        # Fermi-surface average of gaps.fermi_gap is one of them)
        peak = om[int(np.argmax(res.bands[n]))]
        lo, hi = np.min(np.abs(gaps.gap[n])), np.max(np.abs(gaps.gap[n]))
        assert lo - 0.5 <= gaps.fermi_gap[n] <= hi + 0.5
        assert lo - 0.5 <= peak <= hi + 0.5
        below = om < 0.8 * np.min(np.abs(gaps.gap[n]))
        assert np.all(res.bands[n][below] < 0.1 * res.normal_bands[n][0])
    assert res.bands.sum(axis=0) == pytest.approx(res.total, rel=1e-12)


def test_subband_without_fermi_surface_gaps_at_the_band_edge(preset_a: Any) -> None:
    """mu below the resonant bottom (eta < 0): its gap edge is sqrt((E_L - mu)^2 + Delta^2)."""
    gaps = mg.zero_temperature_gaps(preset_a, -0.15, 0.45)
    assert not gaps.fermi_surface[2]
    edge = preset_a.subbands.edge(3) - gaps.mu
    d = float(gaps.fermi_gap[2])  # the gap at the band-bottom kz
    e_g = float(np.hypot(edge, d))
    om = e_g * np.array([0.98, 1.02])
    res = mg.tunneling_dos(preset_a, -0.15, 0.45, om, gaps=gaps)
    assert res.bands[2, 0] == 0.0 and res.bands[2, 1] > 0.0
