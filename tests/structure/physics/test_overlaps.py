"""Superposition integrals: plane-wave limit, symmetry, parity and the cosine modes."""

from __future__ import annotations

import numpy as np
import pytest

import multigap as mg
from multigap.structure.subbands import bloch_densities


@pytest.fixture(scope="module")
def lattice_a() -> mg.Superlattice:
    return mg.Superlattice.from_width(0.85, 0.55, 274.0, band=3)


def test_plane_waves_give_one():
    sb = mg.Superlattice(0.85, 0.55, 0.0).subbands(3, n_kz=9)
    ov = mg.overlaps(sb)
    # interior kz: the free states are single plane waves (the zone ends are degenerate)
    np.testing.assert_allclose(ov.values[:, :, 1:-1, 1:-1], 1.0, atol=1e-12)


def test_symmetric_under_exchange(lattice_a):
    ov = mg.overlaps(lattice_a.subbands(3, n_kz=9))
    np.testing.assert_allclose(ov.values, ov.values.transpose(1, 0, 3, 2), rtol=1e-13)
    assert not np.allclose(ov.values, 1.0)  # a real barrier makes the overlaps nontrivial


def test_cosine_modes_reproduce_direct_integrals_off_grid(lattice_a):
    num = mg.Numerics()
    sb = lattice_a.subbands(3, n_kz=num.n_kz)
    ov = mg.overlaps(sb, n_modes=num.n_modes)
    d = lattice_a.period
    rng = np.random.default_rng(1)
    kz = rng.uniform(-np.pi / d, np.pi / d, 5)  # negative kz too: I is even
    kzp = rng.uniform(-np.pi / d, np.pi / d, 4)
    dens_a = bloch_densities(lattice_a, sb.energy_at(kz), kz, 32)
    dens_b = bloch_densities(lattice_a, sb.energy_at(kzp), kzp, 32)
    w = dens_a[1]
    direct = d * np.einsum("niz,mjz,z->nmij", dens_a[2], dens_b[2], w)
    np.testing.assert_allclose(ov.evaluate(kz, kzp), direct, rtol=1e-6)


def test_modes_decay(lattice_a):
    """The cosine modes dropped by the default grid are small (< 3e-7) and fall exponentially."""
    q = mg.Numerics().n_modes
    ov = mg.overlaps(lattice_a.subbands(3, n_kz=65), n_modes=33)
    assert np.abs(ov.modes[..., q:, :]).max() < 3e-7
    assert np.abs(ov.modes[..., :, q:]).max() < 3e-7
    assert np.abs(ov.modes[..., q + 8 :, :]).max() < 1e-3 * np.abs(ov.modes[..., q:, :]).max()


def test_bad_mode_count(lattice_a):
    sb = lattice_a.subbands(3, n_kz=5)
    with pytest.raises(ValueError, match="n_modes"):
        mg.overlaps(sb, n_modes=6)


@pytest.mark.parametrize("n_bands", [1, 3, 5])
def test_empty_lattice_overlaps_are_exactly_one_at_default_grids(n_bands):
    """V = 0: I^{nn'} = 1 everywhere, zone ends included, and the cosine fit is C = delta_q0.

    At the zone ends the free bands touch (M = +-1) and the state that continues the band is a
    running wave of uniform density 1/d; a standing wave there would give I = 3/2.
    """
    num = mg.Numerics()
    lat = mg.Superlattice(0.85, 0.55, 0.0)
    sb = lat.subbands(n_bands, n_kz=num.n_kz, n_z=num.n_z)
    np.testing.assert_allclose(sb.density * lat.period, 1.0, rtol=0, atol=1e-10)
    ov = mg.overlaps(sb, num.n_modes)
    np.testing.assert_allclose(ov.values, 1.0, rtol=0, atol=1e-10)
    expected = np.zeros_like(ov.modes)
    expected[:, :, 0, 0] = 1.0
    np.testing.assert_allclose(ov.modes, expected, rtol=0, atol=1e-10)
    kz = np.linspace(-np.pi / lat.period, np.pi / lat.period, 7)
    np.testing.assert_allclose(ov.evaluate(kz, kz), 1.0, rtol=0, atol=1e-10)


def test_empty_lattice_modes_reach_the_pairing_layer():
    """The cosine modes the pairing kernel reads (Model.geometry) are exactly delta_q0 at V = 0."""
    model = mg.preset("A").with_(lattice=mg.Superlattice(0.85, 0.55, 0.0))
    modes = model.geometry.overlaps.modes
    assert abs(modes[:, :, 0, 0] - 1.0).max() < 1e-10
    rest = modes.copy()
    rest[:, :, 0, 0] = 0.0
    assert abs(rest).max() < 1e-10


def test_weak_barrier_zone_end_states_are_standing_waves():
    """V -> 0+: an open gap at kz = pi/d makes standing waves, I^{11} = 3/2, I^{12} = 1/2 there.

    (cos^2 and sin^2 densities: d int (2/d)^2 cos^4 = 3/2, d int (2/d)^2 cos^2 sin^2 = 1/2.) The
    degenerate-state rule of V = 0 must not fire on an open gap, however small.
    """
    lat = mg.Superlattice(0.85, 0.55, 1e-3)
    ov = mg.overlaps(lat.subbands(2, n_kz=9))
    assert ov.values[0, 0, -1, -1] == pytest.approx(1.5, abs=1e-4)
    assert ov.values[0, 1, -1, -1] == pytest.approx(0.5, abs=1e-4)
    np.testing.assert_allclose(ov.values[:, :, 1:-1, 1:-1], 1.0, atol=1e-4)


def test_state_at_a_closed_gap_continues_the_band():
    """A gap closed by a real barrier (aL = 2 pi, b'W = pi above it): the zone-end density is the
    limit of the band's densities as kz -> pi/d, for both touching bands.
    """
    from multigap.constants import kinetic_coefficient

    well = barrier = 0.7
    c = kinetic_coefficient(1.0)
    height = 3.0 * c * (np.pi / well) ** 2  # (2 pi / L)^2 - (pi / W)^2 = V / c
    lat = mg.Superlattice(well, barrier, height)
    bottoms, tops = lat.band_edges(4)
    e_touch = 4.0 * c * (np.pi / well) ** 2
    n = int(np.argmin(np.abs(tops - e_touch)))  # band whose top touches the next band's bottom
    assert tops[n] == pytest.approx(e_touch, rel=1e-9)
    assert bottoms[n + 1] == pytest.approx(e_touch, rel=1e-9)
    sb = lat.subbands(n + 2, n_kz=9)
    d = lat.period
    kz_near = np.pi / d * (1 - np.array([1e-4, 2e-4]))
    _, _, near = bloch_densities(lat, sb.energy_at(kz_near), kz_near, 32)
    limit = 2 * near[:, 0] - near[:, 1]  # linear extrapolation to kz = pi/d, error O(1e-8)
    for m in (n, n + 1):
        end = sb.density[m, -1 if sb.energy[m, -1] == pytest.approx(e_touch) else 0]
        np.testing.assert_allclose(end, limit[m], rtol=0, atol=1e-6 * limit[m].max())
    assert not np.allclose(limit[n] * d, 1.0, atol=1e-2)  # not a free density: a real test


def _isolated_well_states(depth: float, well: float, n: int):
    """Normalised bound states phi_k(x) (x from the well centre) of one square well, k < n."""
    from scipy.integrate import quad
    from scipy.optimize import brentq

    from multigap.constants import kinetic_coefficient

    c = kinetic_coefficient(1.0)
    states = []
    for k in range(n):
        parity = k % 2  # 0: even (cos), 1: odd (sin)

        def match(e, p=parity):
            a, b = np.sqrt(e / c), np.sqrt((depth - e) / c)
            x = a * well / 2
            return a * np.sin(x) - b * np.cos(x) if p == 0 else a * np.cos(x) + b * np.sin(x)

        # the k-th level lies between the (k)th and (k+1)th infinite-well levels' neighbourhood
        lo = c * (k * np.pi / well) ** 2 + 1e-9
        hi = c * ((k + 1) * np.pi / well) ** 2 - 1e-9
        e = brentq(match, lo, hi, xtol=1e-13)
        a, b = np.sqrt(e / c), np.sqrt((depth - e) / c)
        edge = np.cos(a * well / 2) if parity == 0 else np.sin(a * well / 2)

        def phi(x, a=a, b=b, p=parity, v=edge):
            x = np.asarray(x, dtype=float)
            inside = np.cos(a * x) if p == 0 else np.sin(a * x)
            out = np.sign(x) ** p * v * np.exp(-b * (np.abs(x) - well / 2))
            return np.where(np.abs(x) < well / 2, inside, out)

        norm = quad(lambda x, f=phi: f(x) ** 2, -well / 2, well / 2)[0] + edge**2 / b
        scale = np.sqrt(norm)
        states.append(lambda x, f=phi, s=scale: f(x) / s)
    return states


def test_tall_barrier_overlaps_tend_to_isolated_well_integrals():
    """V -> infinity: I^{nn'}(kz, kz') -> d int phi_n^2 phi_n'^2 dx of the isolated well's
    states, for every kz, kz' (corrections ~ exp(-b W) ~ 2e-8 at V = 40 eV, W = 0.55 nm)."""
    from scipy.integrate import quad

    well, barrier, height = 0.85, 0.55, 4e4
    lat = mg.Superlattice(well, barrier, height)
    ov = mg.overlaps(lat.subbands(3, n_kz=5))
    phis = _isolated_well_states(height, well, 3)
    d = lat.period
    for n in range(3):
        for m in range(3):
            pa, pb = phis[n], phis[m]
            kw = {"points": [-well / 2, well / 2], "limit": 200, "epsabs": 1e-13}
            ref = d * quad(lambda x, f=pa, g=pb: f(x) ** 2 * g(x) ** 2, -3, 3, **kw)[0]
            np.testing.assert_allclose(ov.values[n, m], ref, rtol=2e-7, atol=0)


def test_tall_barrier_densities_keep_the_cell_symmetry():
    """Symmetric cell (well and barrier each symmetric): rho(z) mirrors about each centre to
    1e-8 of the peak even where the forward transfer through the barrier amplifies rounding."""
    lat = mg.Superlattice(0.85, 0.55, 4e4)
    sb = lat.subbands(3, n_kz=5, n_z=32)
    well, bar = sb.density[..., :32], sb.density[..., 32:]
    peak = sb.density.max()
    assert np.abs(well - well[..., ::-1]).max() < 1e-8 * peak
    assert np.abs(bar - bar[..., ::-1]).max() < 1e-8 * peak
