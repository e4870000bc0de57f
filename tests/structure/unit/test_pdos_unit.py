"""Unit tests of the projected-DOS machinery (multigap.pdos): input checks, the table's jump
encoding and interpolation, the energy grid, the Fermi antiderivatives, band energies and
Fermi contours."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from multigap.constants import HBAR2_2ME
from multigap.structure import pdos
from multigap.structure.lattice import Superlattice


@pytest.fixture(scope="module")
def lat() -> Superlattice:
    return Superlattice(well=0.85, barrier=0.55, height=800.0)


@pytest.fixture(scope="module")
def table(lat: Superlattice) -> pdos.ProjectedDOS:
    return pdos.projected_dos(lat, 3, 5, 1500.0)


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda lat: pdos.projected_dos_values(lat, [np.nan], 3), "energy"),
        (lambda lat: pdos.projected_dos_values(lat, [100.0], 0), "n_bands"),
        (lambda lat: pdos.projected_dos_values(lat, [100.0], 3, 0), "n_harmonics"),
        (lambda lat: pdos.projected_dos(lat, 3, 0, 1000.0), "n_harmonics"),
        (lambda lat: pdos.projected_dos(lat, 0, 3, 1000.0), "n_bands"),
        (lambda lat: pdos.projected_dos(lat, 3, 3, 1.0), "e_max"),
        (lambda lat: pdos.projected_dos(lat, 3, 3, np.inf), "e_max"),
        (lambda lat: pdos.projected_dos(lat, 3, 3, 1000.0, step=-1.0), "step"),
        (lambda lat: pdos.projected_dos(lat, 3, 3, 1000.0, ratio=1.0), "ratio"),
        (lambda lat: pdos.projected_dos(lat, 3, 3, 1000.0, min_spacing=0.0), "min_spacing"),
        (lambda lat: pdos.dos(lat, [float("nan")], 3), "energy"),
        (lambda lat: pdos.dos(lat, [100.0]), "n_bands"),
        (lambda lat: pdos.density(lat, 3, np.nan), "mu"),
        (lambda lat: pdos.density(lat, 0, 100.0), "n_bands"),
        (lambda lat: pdos.fermi_contours(lat, np.nan, 3), "mu"),
        (lambda lat: pdos.band_energy(lat, 2, [np.inf]), "kz"),
    ],
)
def test_bad_input_names_the_parameter(lat: Superlattice, call, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        call(lat)


def test_temperature_and_table_range_checks(table: pdos.ProjectedDOS) -> None:
    with pytest.raises(ValueError, match="temperature"):
        pdos.density_at_temperature(table, 500.0, -1.0)
    with pytest.raises(ValueError, match="mu"):
        pdos.density_at_temperature(table, 1e5, 1.0)
    with pytest.raises(ValueError, match="eps"):
        table.interpolate(table.energy[-1] + 1.0)
    with pytest.raises(ValueError, match="electrons"):
        pdos.chemical_potential_at_temperature(table, -1.0, 1.0)
    with pytest.raises(ValueError, match="source"):
        pdos.dos(object(), [1.0])


# ---------------------------------------------------------------------------- the table


def test_table_shapes_and_immutability(table: pdos.ProjectedDOS) -> None:
    assert table.values.shape == (3, 5, table.energy.size)
    assert table.n_bands == 3 and table.n_harmonics == 5
    assert np.all(np.diff(table.energy) >= 0.0)
    assert table.n0 == pytest.approx(1.0 / (4 * math.pi * HBAR2_2ME))
    with pytest.raises(ValueError):
        table.values[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        table.energy[0] = 1.0


def test_band_bottoms_are_jump_nodes(table: pdos.ProjectedDOS) -> None:
    """Each bottom appears exactly twice: left limit 0 for its band, right limit the step."""
    e = table.energy
    repeated = e[1:][np.diff(e) == 0.0]
    np.testing.assert_array_equal(np.sort(repeated), np.sort(table.bottoms))
    for n, a in enumerate(table.bottoms):
        i, j = np.nonzero(e == a)[0]
        assert j == i + 1
        assert np.all(table.values[n, :, i] == 0.0)
        assert table.values[n, 0, j] > 0.0
        # other bands are continuous through the node
        others = [m for m in range(table.n_bands) if m != n]
        np.testing.assert_array_equal(table.values[others, :, i], table.values[others, :, j])
        # interpolation at the node returns the right limit
        np.testing.assert_allclose(table.interpolate(a), table.values[:, :, j])


def test_interpolation_is_piecewise_linear(table: pdos.ProjectedDOS) -> None:
    e, v = table.energy, table.values
    k = int(np.searchsorted(e, 1000.0))
    mid = 0.5 * (e[k] + e[k + 1])
    np.testing.assert_allclose(table.interpolate(mid), 0.5 * (v[:, :, k] + v[:, :, k + 1]))
    np.testing.assert_array_equal(table.interpolate(e[0] - 10.0), 0.0)
    out = table.interpolate(np.array([[500.0, 600.0], [700.0, 800.0]]))
    assert out.shape == (3, 5, 2, 2)


def test_no_node_sits_on_a_band_top(table: pdos.ProjectedDOS) -> None:
    assert np.all(np.isfinite(table.values))
    for b in table.tops:
        assert np.min(np.abs(table.energy - b)) > 0.0


def test_energy_grid_clusters() -> None:
    bottoms, tops = np.array([10.0, 50.0]), np.array([20.0, 80.0])
    grid, jumps = pdos.energy_grid(bottoms, tops, 100.0, 1.0, 1.1, 1e-8)
    np.testing.assert_array_equal(jumps, bottoms)
    assert grid[0] == pytest.approx(10.0 + 1e-8)  # the bottom itself is a jump, not here
    assert np.all(np.diff(grid) > 0.0) and grid[-1] == 100.0
    for b in tops:
        below = grid[grid < b]
        above = grid[grid > b]
        assert b - below.max() == pytest.approx(1e-8)
        assert above.min() - b == pytest.approx(1e-8)
    # geometric: successive offsets grow by the ratio near a top
    offs = np.sort(grid[(grid > 20.0) & (grid < 20.0 + 1e-3)] - 20.0)
    np.testing.assert_allclose(offs[1:] / offs[:-1], 1.1, rtol=1e-6)


def test_table_node_values_are_exact(lat: Superlattice, table: pdos.ProjectedDOS) -> None:
    """Away from the jumps, the table stores the exact values at its nodes."""
    keep = np.concatenate(([True], np.diff(table.energy) > 0.0))
    keep &= np.concatenate((np.diff(table.energy) > 0.0, [True]))
    e = table.energy[keep][::97]
    exact = pdos.projected_dos_values(lat, e, 3, 5)
    # (blocked matrix products round differently: compare on the scale N0)
    np.testing.assert_allclose(
        table.values[:, :, keep][:, :, ::97], exact, rtol=1e-12, atol=1e-13 * table.n0
    )


# ---------------------------------------------------------------------------- Fermi pieces


@settings(max_examples=60, deadline=None)
@given(st.floats(-60.0, 60.0), st.floats(1e-3, 5.0))
def test_fermi_antiderivatives(x0: float, width: float) -> None:
    """F0, F1 differences = quadrature of 1/(1+e^x) and x/(1+e^x)."""
    x1 = x0 + width
    f0, f1 = pdos._fermi_antiderivatives(np.array([x0, x1]))
    q0, _ = integrate.quad(lambda x: special.expit(-x), x0, x1, epsabs=1e-14, epsrel=1e-12)
    q1, _ = integrate.quad(lambda x: x * special.expit(-x), x0, x1, epsabs=1e-14, epsrel=1e-12)
    assert f0[1] - f0[0] == pytest.approx(q0, rel=1e-9, abs=1e-13)
    assert f1[1] - f1[0] == pytest.approx(q1, rel=1e-9, abs=1e-12)


def test_fermi_antiderivatives_continuous_and_far() -> None:
    x = np.array([-1e-12, 0.0, 1e-12, -800.0, 800.0])
    f0, f1 = pdos._fermi_antiderivatives(x)
    assert abs(f1[0] - f1[2]) < 1e-11 and f1[1] == pytest.approx(-(math.pi**2) / 12)
    assert f0[3] == pytest.approx(-800.0) and f0[4] == pytest.approx(0.0, abs=1e-300)
    assert f1[3] == pytest.approx(0.5 * 800.0**2 - math.pi**2 / 6)
    assert np.all(np.isfinite(f1))


def test_density_monotone_in_mu(table: pdos.ProjectedDOS) -> None:
    mu = np.linspace(table.energy[0] - 50.0, 1400.0, 301)
    for t in (0.0, 1e-5, 30.0, 1000.0):
        n = pdos.density_at_temperature(table, mu, t)
        assert np.all(np.diff(n) >= 0.0)


def test_density_broadcasts(table: pdos.ProjectedDOS) -> None:
    n = pdos.density_at_temperature(table, np.array([[500.0], [900.0]]), np.array([0.0, 10.0]))
    assert n.shape == (2, 2)


# ---------------------------------------------------------------------------- bands


def test_band_energy_solves_the_characteristic(lat: Superlattice) -> None:
    kz = np.linspace(-math.pi / lat.period, 2 * math.pi / lat.period, 41)
    e = pdos.band_energy(lat, 3, kz)
    f, _ = lat.characteristic(e)
    np.testing.assert_allclose(f, np.broadcast_to(np.cos(kz * lat.period), e.shape), atol=1e-11)
    bottoms, tops = lat.band_edges(3)
    assert np.all((e >= bottoms[:, None] - 1e-9) & (e <= tops[:, None] + 1e-9))
    ref = np.stack([lat.energy_in_band(n, np.cos(kz * lat.period)) for n in (1, 2, 3)])
    np.testing.assert_allclose(e, ref, atol=1e-9)


def test_dos_accepts_subbands_and_models(lat: Superlattice) -> None:
    eps = np.array([300.0, 700.0])
    ref = pdos.dos(lat, eps, 3)
    sb = lat.subbands(3)
    np.testing.assert_allclose(pdos.dos(sb, eps).partial, ref.partial, rtol=1e-13)
    assert ref.partial.shape == (3, 2)
    np.testing.assert_allclose(ref.total, ref.partial.sum(axis=0))
    assert ref.n0 == pytest.approx(1 / (4 * math.pi * HBAR2_2ME))


# ---------------------------------------------------------------------------- contours


@pytest.mark.parametrize("eta", [-0.5, 0.4, 1.0, 1.6])
def test_fermi_contours_lie_on_the_fermi_surface(lat: Superlattice, eta: float) -> None:
    bottoms, tops = lat.band_edges(3)
    mu = bottoms[2] + eta * (tops[2] - bottoms[2])
    contours = pdos.fermi_contours(lat, mu, 3, n_points=64)
    assert [c.band for c in contours] == [1, 2, 3]
    d = lat.period
    for c in contours:
        expected = "empty" if mu <= bottoms[c.band - 1] else "closed"
        if mu >= tops[c.band - 1]:
            expected = "open"
        assert c.topology == expected
        for curve in c.curves:
            kx, kz = curve[:, 0], curve[:, 1]
            assert np.all(np.abs(kz) <= math.pi / d + 1e-12)
            energy = HBAR2_2ME * kx**2 + pdos.band_energy(lat, 3, kz)[c.band - 1]
            np.testing.assert_allclose(energy, mu, rtol=0, atol=1e-8 * mu)
        if c.topology == "open":
            for curve in c.curves:  # sheets cross the whole zone
                assert curve[0, 1] == pytest.approx(-math.pi / d)
                assert curve[-1, 1] == pytest.approx(math.pi / d)
                assert np.all(np.diff(curve[:, 1]) > 0)
    resonant = contours[2]
    if 0.0 < eta < 1.0:  # band 3 has its bottom at kz = 0: one closed pocket
        (curve,) = resonant.curves
        np.testing.assert_allclose(curve[0], curve[-1], atol=1e-12)
