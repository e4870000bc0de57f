"""Band structure against closed forms and an independent finite-difference diagonalisation."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
from scipy.optimize import brentq

import multigap as mg
from multigap.constants import HBAR2_2ME
from multigap.structure.subbands import bloch_densities

WELL, BARRIER = 0.85, 0.55


def finite_difference_bands(lat: mg.Superlattice, kz: float, n: int, points: int = 2800):
    """Lowest n eigenpairs of the Bloch Hamiltonian on a uniform grid (interfaces mid-cell)."""
    d = lat.period
    h = d / points
    z = (np.arange(points) + 0.5) * h
    c = HBAR2_2ME / lat.mass_z
    diag = 2 * c / h**2 + lat.potential(z)
    ham = np.diag(diag.astype(complex)) + np.diag(np.full(points - 1, -c / h**2 + 0j), 1)
    ham += np.diag(np.full(points - 1, -c / h**2 + 0j), -1)
    phase = np.exp(1j * kz * d)
    ham[-1, 0] = -c / h**2 * phase
    ham[0, -1] = -c / h**2 * np.conj(phase)
    e, v = scipy.linalg.eigh(ham, subset_by_index=[0, n - 1])
    return e, z, np.abs(v) ** 2 / h


@pytest.fixture(scope="module")
def lattice_a() -> mg.Superlattice:
    return mg.Superlattice.from_width(WELL, BARRIER, 274.0, band=3)


def test_closed_form_equals_transfer_matrix(lattice_a):
    e = np.linspace(0.5, 6000.0, 4001)  # below and above the barrier
    f, _ = lattice_a.characteristic(e)
    np.testing.assert_allclose(f, lattice_a.kronig_penney(e), rtol=1e-9, atol=1e-9)


def test_derivative_of_characteristic_is_exact(lattice_a):
    e = np.linspace(10.0, 5000.0, 50)
    _, df = lattice_a.characteristic(e)
    h = 1e-4
    numeric = (lattice_a.characteristic(e + h)[0] - lattice_a.characteristic(e - h)[0]) / (2 * h)
    np.testing.assert_allclose(df, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kz_frac", [0.0, 0.37, 1.0])
def test_transfer_matrix_equals_finite_differences(lattice_a, kz_frac):
    d = lattice_a.period
    kz = kz_frac * np.pi / d
    sb = lattice_a.subbands(n_bands=4, n_kz=5)
    exact = sb.energy_at(np.array([kz]))[:, 0]
    fd, _, _ = finite_difference_bands(lattice_a, kz, 4)
    assert np.max(np.abs(exact - fd)) < 0.1  # meV, SPEC §10


def test_bloch_densities_match_finite_differences(lattice_a):
    d = lattice_a.period
    kz = 0.37 * np.pi / d
    e = lattice_a.subbands(3, n_kz=5).energy_at(np.array([kz]))
    z, w, dens = bloch_densities(lattice_a, e, np.array([kz]), 32)
    _, zf, vf = finite_difference_bands(lattice_a, kz, 3)
    for n in range(3):
        ref = np.interp(z, zf, vf[:, n], period=d)
        np.testing.assert_allclose(dens[n, 0], ref, rtol=0, atol=2e-3 * ref.max())
    np.testing.assert_allclose(dens @ w, 1.0, rtol=1e-13)


def test_bloch_densities_even_in_kz(lattice_a):
    kz = np.array([0.2, 0.9, 1.7])
    e = lattice_a.subbands(3, n_kz=5).energy_at(kz)
    _, _, plus = bloch_densities(lattice_a, e, kz, 24)
    _, _, minus = bloch_densities(lattice_a, e, -kz, 24)
    np.testing.assert_allclose(plus, minus, rtol=1e-10, atol=1e-12)


def test_empty_lattice_gives_folded_free_electron_bands():
    lat = mg.Superlattice(WELL, BARRIER, 0.0)
    d = lat.period
    kz = np.linspace(0.05, 0.95, 7) * np.pi / d
    sb = lat.subbands(4, n_kz=5)
    g = 2 * np.pi / d * np.arange(-3, 4)
    free = np.sort(HBAR2_2ME * (kz[None, :] + g[:, None]) ** 2, axis=0)[:4]
    np.testing.assert_allclose(sb.energy_at(kz), free, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(sb.bottoms, HBAR2_2ME * (np.pi / d * np.arange(4)) ** 2, atol=1e-8)


def test_vanishing_barrier_width_gives_free_electrons_of_the_well_period():
    lat = mg.Superlattice(WELL, 1e-7, 2000.0)
    bottoms, tops = lat.band_edges(3)
    free = HBAR2_2ME * (np.pi / WELL * np.arange(4)) ** 2
    np.testing.assert_allclose(bottoms, free[:3], atol=0.05)
    np.testing.assert_allclose(tops, free[1:], atol=0.05)


def finite_well_levels(depth: float, width: float, n: int) -> np.ndarray:
    """Bound states of an isolated square well (even and odd transcendental equations)."""
    c = HBAR2_2ME

    def even(e):
        a, b = np.sqrt(e / c), np.sqrt((depth - e) / c)
        return a * np.sin(a * width / 2) - b * np.cos(a * width / 2)

    def odd(e):
        a, b = np.sqrt(e / c), np.sqrt((depth - e) / c)
        return a * np.cos(a * width / 2) + b * np.sin(a * width / 2)

    grid = np.linspace(1e-6, depth - 1e-6, 200001)
    roots = []
    for fun in (even, odd):
        vals = fun(grid)
        for i in np.nonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))[0]:
            r = brentq(fun, grid[i], grid[i + 1], xtol=1e-12)
            if abs(fun(r)) < 1e-6 * (1 + abs(vals[i])):
                roots.append(r)
    return np.sort(roots)[:n]


def test_high_barrier_gives_isolated_well_levels():
    depth = 30000.0
    lat = mg.Superlattice(WELL, BARRIER, depth)
    bottoms, tops = lat.band_edges(3)
    assert np.all(tops - bottoms < 1e-2)  # meV: tunnelling is negligible
    levels = finite_well_levels(depth, WELL, 3)
    np.testing.assert_allclose(0.5 * (bottoms + tops), levels, atol=1e-2)


def test_from_width_round_trips(lattice_a):
    sb = lattice_a.subbands(3, n_kz=9)
    assert sb.width(3) == pytest.approx(274.0, rel=1e-9)
    again = mg.Superlattice(WELL, BARRIER, lattice_a.height).band_edges(3)
    assert again[1][2] - again[0][2] == pytest.approx(274.0, rel=1e-9)
    lat_b = mg.Superlattice.from_width(WELL, BARRIER, 145.0, band=3)
    assert lat_b.height > lattice_a.height  # narrower band, higher barrier
    assert lat_b.subbands(3, n_kz=5).width(3) == pytest.approx(145.0, rel=1e-9)


def test_band_energies_are_monotone_on_the_half_zone(lattice_a):
    sb = lattice_a.subbands(4, n_kz=33)
    steps = np.diff(sb.energy, axis=1)
    for n in range(4):
        sign = 1 if n % 2 == 0 else -1  # odd bands rise from kz = 0, even bands fall
        assert np.all(sign * steps[n] > 0)
    np.testing.assert_allclose(sb.energy.min(axis=1), sb.bottoms)
    np.testing.assert_allclose(sb.energy.max(axis=1), sb.tops)


def test_eta_mu_conversion(lattice_a):
    sb = lattice_a.subbands(3, n_kz=5)
    assert sb.mu_from_eta(0.0, 3) == pytest.approx(sb.edge(3))
    assert sb.mu_from_eta(1.0, 3) == pytest.approx(sb.top(3))
    eta = np.array([-1.0, 0.3, 2.0])
    np.testing.assert_allclose(sb.eta_from_mu(sb.mu_from_eta(eta, 3), 3), eta)


def test_z_grid_converged(lattice_a):
    """The default n_z = 32 nodes per layer integrate the overlaps to 1e-10."""
    coarse = mg.overlaps(lattice_a.subbands(3, n_kz=9, n_z=32))
    fine = mg.overlaps(lattice_a.subbands(3, n_kz=9, n_z=64))
    np.testing.assert_allclose(coarse.values, fine.values, rtol=1e-10)
