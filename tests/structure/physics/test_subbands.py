"""Band structure against closed forms and an independent finite-difference diagonalisation."""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np
import pytest
import scipy.linalg
from scipy.optimize import brentq

import multigap as mg
from multigap.constants import HBAR2_2ME, kinetic_coefficient
from multigap.structure.edges import ResolutionError
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


# ---------------------------------------------------------------------------------------------
# Tall barriers: narrow bands against a 60-digit evaluation of the Kronig-Penney relation and
# against the isolated-well (tight-binding) asymptotics; unresolvable bands are refused.

getcontext().prec = 60
_TINY = Decimal(10) ** -70


def _dec_pi() -> Decimal:
    def atan_inv(x: int) -> Decimal:
        x2 = Decimal(x) ** 2
        term = 1 / Decimal(x)
        total, k, sign = term, 1, -1
        while True:
            term /= x2
            add = term / (2 * k + 1)
            if add < _TINY:
                return total
            total += sign * add
            sign, k = -sign, k + 1

    return 16 * atan_inv(5) - 4 * atan_inv(239)  # Machin


_PI = _dec_pi()


def _dec_cos_sin(x: Decimal) -> tuple[Decimal, Decimal]:
    y = x - (x / (2 * _PI)).to_integral_value() * 2 * _PI
    c, s, term, k = Decimal(0), Decimal(0), Decimal(1), 0
    while k < 6 or abs(term) > _TINY:
        if k % 4 == 0:
            c += term
        elif k % 4 == 1:
            s += term
        elif k % 4 == 2:
            c -= term
        else:
            s -= term
        k += 1
        term = term * y / k
    return c, s


def kp_decimal(lat: mg.Superlattice, energy: float | Decimal) -> Decimal:
    """The Kronig-Penney half trace for the exact binary inputs of ``lat``, in 60 digits."""
    e = Decimal(energy)
    c = Decimal(kinetic_coefficient(lat.mass_z))
    L, W, V = Decimal(lat.well), Decimal(lat.barrier), Decimal(lat.height)
    a = (e / c).sqrt()
    ca, sa = _dec_cos_sin(a * L)
    if e > V:  # above the barrier: b = i b'
        bp = ((e - V) / c).sqrt()
        cb, sb = _dec_cos_sin(bp * W)
        return ca * cb - (a * a + bp * bp) / (2 * a * bp) * sa * sb
    b = ((V - e) / c).sqrt()
    ep = (b * W).exp()
    ch, sh = (ep + 1 / ep) / 2, (ep - 1 / ep) / 2
    return ca * ch + (b * b - a * a) / (2 * a * b) * sa * sh


def _dec_root(fun, guess: float, scale: float) -> Decimal:
    """Root of ``fun`` near ``guess``: widen a bracket until the sign changes, then bisect."""
    g, h = Decimal(guess), Decimal(scale) * Decimal("1e-9")
    for _ in range(40):
        lo, hi = g - h, g + h
        if (fun(lo) > 0) != (fun(hi) > 0):
            f_lo = fun(lo)
            for _ in range(160):
                mid = (lo + hi) / 2
                f_mid = fun(mid)
                if (f_mid > 0) == (f_lo > 0):
                    lo, f_lo = mid, f_mid
                else:
                    hi = mid
            return (lo + hi) / 2
        h *= 4
    raise AssertionError(f"no root near {guess}")


def reference_edges(lat: mg.Superlattice, n: int, bottom: float, top: float):
    """Bottom and top of band ``n`` (1-based) from the 60-digit relation f(E) = +-1."""
    s = 1 if n % 2 == 1 else -1
    w = top - bottom
    rb = _dec_root(lambda x: kp_decimal(lat, x) - s, bottom, w)
    rt = _dec_root(lambda x: kp_decimal(lat, x) + s, top, w)
    return rb, rt


def _tallest_resolved(well: float, barrier: float, n_bands: int) -> float:
    """Largest barrier height (meV) whose lowest bands are still resolved (bisection)."""
    lo, hi = 1e3, 1e6
    for _ in range(30):
        mid = float(np.sqrt(lo * hi))
        try:
            mg.Superlattice(well, barrier, mid).band_edges(n_bands)
            lo = mid
        except ResolutionError:
            hi = mid
    return lo


@pytest.mark.parametrize("well, barrier", [(0.85, 0.55), (0.3, 1.5), (2.0, 0.2)])
def test_narrow_band_widths_match_high_precision_kronig_penney(well, barrier):
    """Every width returned, up to the tallest resolved barrier, is right to 1e-6 relative."""
    v_top = _tallest_resolved(well, barrier, 3)
    worst = 0.0
    for height in [*np.geomspace(2e3, v_top, 5), v_top]:
        lat = mg.Superlattice(well, barrier, float(height))
        bottoms, tops = lat.band_edges(3)
        for n in range(3):
            rb, rt = reference_edges(lat, n + 1, bottoms[n], tops[n])
            err = abs(float((Decimal(tops[n] - bottoms[n]) - (rt - rb)) / (rt - rb)))
            worst = max(worst, err)
    assert worst < 1e-6
    # just above the limit the lowest band is refused, naming the limit
    with pytest.raises(ResolutionError, match="resolution limit"):
        mg.Superlattice(well, barrier, v_top * 1.01).band_edges(3)


def _well_level_and_slope(lat: mg.Superlattice, guess: float) -> tuple[float, float]:
    """Isolated-well level E0 (root of g = cos aL + (b^2 - a^2)/(2ab) sin aL) and g'(E0)."""
    c = kinetic_coefficient(lat.mass_z)

    def g(e):
        a, b = np.sqrt(e / c), np.sqrt((lat.height - e) / c)
        return np.cos(a * lat.well) + (b * b - a * a) / (2 * a * b) * np.sin(a * lat.well)

    e0 = brentq(g, guess - 20.0, guess + 20.0, xtol=1e-13)
    h = 1e-3
    return e0, (g(e0 + h) - g(e0 - h)) / (2 * h)


@pytest.mark.parametrize("height", [1.5e4, 2.5e4, 3.5e4])
def test_tall_barrier_gives_tight_binding_bands_of_isolated_wells(height):
    """V -> infinity: centres -> isolated-well levels E0, width -> 4 t, t = 1/(e^{bW} |g'(E0)|).

    For large b W the closed form is f = e^{bW} g(E) / 2 + O(e^{-bW}): cos(kz d) is linear in E
    across a narrow band, E(kz) = E0 - 2 t cos(kz d) (sign by parity), with corrections of
    relative order e^{-2 b W} and (width / level spacing)^2.
    """
    lat = mg.Superlattice(WELL, BARRIER, height)
    bottoms, tops = lat.band_edges(3)
    levels = finite_well_levels(height, WELL, 3)
    c = kinetic_coefficient(lat.mass_z)
    for n in range(3):
        e0, slope = _well_level_and_slope(lat, levels[n])
        b = np.sqrt((height - e0) / c)
        t = 1.0 / (np.exp(b * BARRIER) * abs(slope))
        assert tops[n] - bottoms[n] == pytest.approx(4 * t, rel=1e-6)
        assert 0.5 * (bottoms[n] + tops[n]) == pytest.approx(e0, abs=1e-3 * t)


def test_narrow_band_energies_are_consistent_with_the_width():
    """On a band of width ~1e-5 meV the kz grid energies match the 60-digit relation to 1e-6 w."""
    lat = mg.Superlattice(WELL, BARRIER, 3.5e4)
    sb = lat.subbands(3, n_kz=9)
    d = lat.period
    for n in range(3):
        w = sb.width(n + 1)
        assert w < 1e-3
        assert np.all(np.diff(sb.energy[n]) * (1 if n % 2 == 0 else -1) > 0)  # monotone
        for j in (1, 4, 7):
            target = Decimal(float(np.cos(sb.kz[j] * d)))
            ref = _dec_root(lambda x, t=target: kp_decimal(lat, x) - t, sb.energy[n, j], w)
            assert abs(float(Decimal(sb.energy[n, j]) - ref)) < 1e-6 * w


def test_unresolvable_bands_are_refused_everywhere():
    """A tall barrier (widths ~1e-15 meV, below double precision) is refused, never garbage."""
    lat = mg.Superlattice(WELL, BARRIER, 2e5)
    with pytest.raises(ResolutionError, match=r"subband 1 .* below the resolution limit"):
        lat.band_edges(3)
    with pytest.raises(ResolutionError, match="resolution limit"):
        lat.subbands(3)
    with pytest.raises(ValueError, match=r"width must .* double precision"):
        mg.Superlattice.from_width(WELL, BARRIER, 1e-12)
    model = mg.preset("A").with_(lattice=lat)
    with pytest.raises(ResolutionError):
        _ = model.geometry
    # an opacity beyond the float range (cosh overflows) is refused the same way
    with pytest.raises(ResolutionError, match="overflows"):
        mg.Superlattice(WELL, 10.0, 1e6).band_edges(1)


def test_from_width_reaches_narrow_resolved_widths():
    """from_width solves down to the narrowest resolved widths, exactly (1e-9) as in the middle."""
    lat = mg.Superlattice.from_width(WELL, BARRIER, 1e-3, band=3)
    bottoms, tops = lat.band_edges(3)
    assert tops[2] - bottoms[2] == pytest.approx(1e-3, rel=1e-9)
    rb, rt = reference_edges(lat, 3, bottoms[2], tops[2])
    assert float(rt - rb) == pytest.approx(1e-3, rel=1e-6)
