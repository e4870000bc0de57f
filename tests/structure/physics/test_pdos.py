"""Physics checks of the projected densities of states (multigap.pdos).

Every test compares with an exact or analytic result: the empty lattice (V = 0, folded free
electrons, closed form f = cos(sqrt(E/C_z) d)), a cosine (tight-binding) band, the step and the
saddle-point logarithm from band curvatures measured independently on E_n(kz), brute-force
adaptive quadrature of the kz integral, and the independent density integral.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, special

from multigap.constants import HBAR2_2ME, KB
from multigap.structure import pdos
from multigap.structure.lattice import Superlattice

# ---------------------------------------------------------------------------- model lattices


class EmptyLattice:
    """V = 0: f(E) = cos(sqrt(E/C_z) d) in closed form; band n spans C_z (pi/d)^2 [(n-1)^2, n^2]."""

    def __init__(self, period: float = 1.4, mass_x: float = 1.0, mass_z: float = 1.0) -> None:
        self.period = period
        self.mass_x = mass_x
        self.mass_z = mass_z
        self.c_z = HBAR2_2ME / mass_z

    def characteristic(self, energy):
        e = np.asarray(energy, dtype=float)
        k = np.sqrt(np.maximum(e, 0.0) / self.c_z)
        x = k * self.period
        safe = np.where(e > 0.0, e, 1.0)
        df = np.where(
            e > 0.0,
            -np.sin(x) * self.period / (2.0 * np.sqrt(safe * self.c_z)),
            -(self.period**2) / (2.0 * self.c_z),
        )
        return np.cos(x), df

    def band_edges(self, n_bands):
        unit = self.c_z * (math.pi / self.period) ** 2
        n = np.arange(n_bands, dtype=float)
        return n**2 * unit, (n + 1) ** 2 * unit


class CosineBand:
    """One tight-binding band E(kz) = e0 - 2 t cos(kz d): f(E) = (e0 - E)/(2t) exactly."""

    def __init__(self, e0: float, hop: float, period: float = 1.4, mass_x: float = 1.0) -> None:
        self.e0, self.hop, self.period, self.mass_x = e0, hop, period, mass_x

    def characteristic(self, energy):
        e = np.asarray(energy, dtype=float)
        return (self.e0 - e) / (2.0 * self.hop), np.full(e.shape, -1.0 / (2.0 * self.hop))

    def band_edges(self, n_bands):
        assert n_bands == 1
        return np.array([self.e0 - 2 * self.hop]), np.array([self.e0 + 2 * self.hop])


N0 = 1.0 / (4.0 * math.pi * HBAR2_2ME)  # m_x = 1


@pytest.fixture(scope="module")
def kp() -> Superlattice:
    """A realistic Kronig-Penney superlattice (three open gaps, widths 6.5, 47, 274 meV)."""
    return Superlattice.from_width(well=0.85, barrier=0.55, width=274.0, band=3)


def energy_of(lat: Superlattice, n: int, kz: np.ndarray) -> np.ndarray:
    """E_n(kz) from Superlattice.energy_in_band (bisection, independent of pdos), polished by
    two Newton steps on f(E) = cos(kz d): near a Fermi point eps - E_n is tiny and the
    bisection's 1e-13 meV would show."""
    c = np.cos(np.asarray(kz, dtype=float) * lat.period)
    e = lat.energy_in_band(n, c)
    for _ in range(2):
        f, fp = lat.characteristic(e)
        step = np.where(fp != 0.0, (f - c) / np.where(fp != 0.0, fp, 1.0), 0.0)
        e = np.where(np.abs(step) < 1e-9, e - step, e)
    return e


def curvature(lat: Superlattice, n: int, k0: float) -> float:
    """|d^2E/dkz^2|/2 at kz = k0 (0 or pi/d) by Richardson-extrapolated differences."""
    e0 = float(energy_of(lat, n, np.array(k0)))

    def c(h: float) -> float:
        return abs(float(energy_of(lat, n, np.array(k0 + h))) - e0) / h**2

    h = 2e-3 / lat.period
    return (4.0 * c(h / 2) - c(h)) / 3.0


# ---------------------------------------------------------------------------- V = 0


@pytest.mark.parametrize("mass_z", [1.0, 0.6])
def test_empty_lattice_band1_is_bessel(mass_z: float) -> None:
    """Band 1 below its top: rho_{1,s} = J0(s d sqrt(eps/C_z)) / (4 pi sqrt(C_x C_z)).

    int_{-k0}^{k0} cos(s d k) dk / sqrt(k0^2 - k^2) = pi J0(s d k0), k0 = sqrt(eps/C_z); with
    m_x = m_z the prefactor is N0.
    """
    lat = EmptyLattice(mass_z=mass_z)
    top = lat.band_edges(1)[1][0]
    eps = np.concatenate((np.linspace(0.01, top * (1 - 1e-9), 41), [1e-6, top - 1e-7]))
    vals = pdos.projected_dos_values(lat, eps, 1, 19)[0]
    s = np.arange(19)[:, None]
    exact = special.j0(s * lat.period * np.sqrt(eps / lat.c_z)) / (
        4 * math.pi * math.sqrt(HBAR2_2ME * lat.c_z)
    )
    np.testing.assert_allclose(vals, exact, rtol=0, atol=1e-7 * N0)
    if mass_z == 1.0:
        np.testing.assert_allclose(vals[0], N0, rtol=1e-9)


def test_empty_lattice_bands_sum_to_free_electrons() -> None:
    """Folded free electrons: sum_n rho_{n,s} = N0 J0(s d sqrt(eps/C_z)) below the last top."""
    lat = EmptyLattice()
    tops = lat.band_edges(4)[1]
    eps = np.concatenate((np.linspace(1.0, tops[-1] - 1.0, 97), tops[:-1] + 1e-6, tops[:-1] - 1e-6))
    vals = pdos.projected_dos_values(lat, eps, 4, 13).sum(axis=0)
    s = np.arange(13)[:, None]
    exact = N0 * special.j0(s * lat.period * np.sqrt(eps / lat.c_z))
    np.testing.assert_allclose(vals, exact, rtol=0, atol=2e-7 * N0)


def test_kronig_penney_at_zero_height_is_free() -> None:
    """The transfer-matrix Superlattice at V = 0 (closed gaps) gives the free 2D DOS N0."""
    lat = Superlattice(well=0.85, barrier=0.55, height=0.0)
    tops = lat.band_edges(3)[1]
    eps = np.linspace(1.0, tops[-1] - 1.0, 51)
    total = pdos.dos(lat, eps, 3).total
    np.testing.assert_allclose(total, N0, rtol=1e-6)


def test_empty_lattice_density_is_free_electron_gas() -> None:
    """n(mu) = 2 N0 mu for free 2D electrons (V = 0, m_x = m_z), from the kz integral."""
    lat = EmptyLattice()
    tops = lat.band_edges(3)[1]
    mu = np.array([0.5, 30.0, tops[0], tops[0] + 1e-3, 250.0, tops[2] - 1.0])
    np.testing.assert_allclose(pdos.density(lat, 3, mu), 2 * N0 * mu, rtol=1e-9)


# ---------------------------------------------------------------------------- cosine band


@pytest.mark.parametrize("eps_rel", [0.01, 0.3, 0.9, 0.999999, 1.000001, 1.5, 20.0])
def test_cosine_band_is_elliptic(eps_rel: float) -> None:
    """E = e0 - 2t cos(kz d): rho_0 = 2K(m)/sqrt(b-a) (a<eps<b) or 2K(m)/sqrt(eps-a), times P."""
    lat = CosineBand(e0=100.0, hop=10.0)
    a, b = 80.0, 120.0
    eps = a + eps_rel * (b - a)
    p = 1.0 / (2 * math.pi**2 * lat.period * math.sqrt(HBAR2_2ME))
    if eps < b:
        exact = p * 2 * special.ellipk((eps - a) / (b - a)) / math.sqrt(b - a)
    else:
        exact = p * 2 * special.ellipk((b - a) / (eps - a)) / math.sqrt(eps - a)
    got = pdos.projected_dos_values(lat, [eps], 1)[0, 0, 0]
    assert got == pytest.approx(exact, rel=1e-8)


def test_flat_band_is_one_dimensional() -> None:
    """A flat band (width -> 0) has the 1D form 1 / (2 pi d sqrt(C_x (eps - E_n)))."""
    lat = CosineBand(e0=500.0, hop=1e-4)
    eps = np.array([500.1, 501.0, 550.0, 900.0])
    exact = 1.0 / (2 * math.pi * lat.period * np.sqrt(HBAR2_2ME * (eps - 500.0)))
    got = pdos.dos(lat, eps, 1).partial[0]
    np.testing.assert_allclose(got, exact, rtol=1e-6)


def test_isolated_wells_band_is_one_dimensional() -> None:
    """Kronig-Penney with a high barrier: the lowest subband is flat and 1D-like above it."""
    lat = Superlattice(well=0.85, barrier=0.55, height=20000.0)
    a, b = lat.band_edges(1)
    width = float(b[0] - a[0])
    assert width < 1e-2  # meV: isolated wells
    centre = 0.5 * float(a[0] + b[0])
    eps = centre + np.array([5.0, 50.0, 500.0])
    exact = 1.0 / (2 * math.pi * lat.period * np.sqrt(HBAR2_2ME * (eps - centre)))
    got = pdos.dos(lat, eps, 1).partial[0]
    # corrections ~ (width / (eps - centre))^2
    np.testing.assert_allclose(got, exact, rtol=1e-5)


# ---------------------------------------------------------------------------- edges


@pytest.mark.parametrize("n", [1, 2, 3])
def test_step_at_band_bottom(kp: Superlattice, n: int) -> None:
    """Jump at E_L = 1/(4 pi sqrt(C_x c2)), c2 the curvature E ~ E_L + c2 kz^2 (measured on E(kz)).

    Harmonic s multiplies it by cos(s kz_bottom d) = (+-1)^s.
    """
    d = kp.period
    k_bottom = 0.0 if n % 2 else math.pi / d
    c2 = curvature(kp, n, k_bottom) if n % 2 else curvature_minus(kp, n)
    step = 1.0 / (4 * math.pi * math.sqrt(HBAR2_2ME * c2))
    table = pdos.projected_dos(kp, 3, 5, kp.band_edges(3)[0][n - 1] + 5.0, step=1.0)
    a = table.bottoms[n - 1]  # the edge polished by Newton steps on f(E) = +-1
    assert a == pytest.approx(kp.band_edges(3)[0][n - 1], abs=1e-9)
    idx = np.nonzero(table.energy == a)[0]
    assert idx.size == 2  # a jump node
    left, right = table.values[n - 1, :, idx[0]], table.values[n - 1, :, idx[1]]
    sign = (1.0 if n % 2 else -1.0) ** np.arange(5)
    np.testing.assert_allclose(left, 0.0, atol=0)
    np.testing.assert_allclose(right, sign * step, rtol=2e-5)
    # the exact evaluation tends to the same limit from above
    just_above = pdos.projected_dos_values(kp, [a + 1e-9], 3, 5)[n - 1, :, 0]
    np.testing.assert_allclose(just_above, right, rtol=1e-6)


def curvature_minus(lat: Superlattice, n: int) -> float:
    """Curvature at kz = pi/d approached from inside the zone."""
    d = lat.period
    e0 = float(energy_of(lat, n, np.array(math.pi / d)))

    def c(h: float) -> float:
        return abs(float(energy_of(lat, n, np.array(math.pi / d - h))) - e0) / h**2

    h = 2e-3 / d
    return (4.0 * c(h / 2) - c(h)) / 3.0


@pytest.mark.parametrize("n", [1, 2, 3])
def test_logarithm_at_band_top_is_the_saddle_point(kp: Superlattice, n: int) -> None:
    """Near E_T, rho_{n,s} ~ -C_s ln|eps - E_T| with the saddle-point coefficient

        C_s = cos(s kz_top d) / (4 pi^2 sqrt(C_x c2')),  E ~ E_T - c2' (kz - kz_top)^2,

    the same on both sides (van Hove saddle of eps = C_x kx^2 + E_n(kz)).
    """
    d = kp.period
    top_at_zero = n % 2 == 0
    c2 = curvature(kp, n, 0.0) if top_at_zero else curvature_minus(kp, n)
    s = np.arange(7)
    coeff = (1.0 if top_at_zero else -1.0) ** s / (4 * math.pi**2 * math.sqrt(HBAR2_2ME * c2))
    b = pdos.dos(kp, [0.0], 3).tops[n - 1]  # polished to rounding (lattice: ~1e-13 meV)
    for side in (-1.0, 1.0):
        d1, d2 = 1e-6, 1e-8
        v = pdos.projected_dos_values(kp, [b + side * d1, b + side * d2], 3, 7)[n - 1]
        measured = (v[:, 1] - v[:, 0]) / math.log(d1 / d2)
        np.testing.assert_allclose(measured, coeff, rtol=2e-5, atol=1e-9 * N0)
    assert d > 0


# ---------------------------------------------------------------------------- brute force


def brute_force(lat: Superlattice, n: int, s: int, eps: float) -> float:
    """rho_{n,s}(eps) by scipy.integrate.quad of the kz integral, q = q_F sin(phi) around the
    band bottom (smooth integrand at the Fermi point); E_n(kz) by Brent's method on f(E) =
    cos(kz d) polished by a Newton step (independent of pdos)."""
    d = lat.period
    bottoms, tops = lat.band_edges(n)
    a, b = float(bottoms[n - 1]), float(tops[n - 1])
    k_bottom = 0.0 if n % 2 else math.pi / d

    def f_and_slope(e: float) -> tuple[float, float]:
        f, fp = lat.characteristic(np.array(e))
        return float(f), float(fp)

    def energy(kz: float) -> float:
        c = math.cos(kz * d)
        lo_val, hi_val = f_and_slope(a)[0] - c, f_and_slope(b)[0] - c
        if lo_val * hi_val > 0:
            return a if abs(lo_val) < abs(hi_val) else b
        e = optimize.brentq(lambda x: f_and_slope(x)[0] - c, a, b, xtol=1e-14, rtol=1e-15)
        f, fp = f_and_slope(e)
        return e - (f - c) / fp if fp != 0.0 and abs((f - c) / fp) < 1e-9 else e

    if eps >= b:
        q_f = math.pi / d
    else:
        k_f = math.acos(min(max(f_and_slope(eps)[0], -1.0), 1.0)) / d
        q_f = abs(k_f - k_bottom)

    def g(phi: float) -> float:
        q = q_f * math.sin(phi)
        kz = abs(k_bottom - q)
        gap = eps - energy(kz)
        return math.cos(s * kz * d) / math.sqrt(gap) * q_f * math.cos(phi) if gap > 0 else 0.0

    val, _ = integrate.quad(g, 0.0, math.pi / 2, limit=200, epsabs=0.0, epsrel=1e-10)
    return val * 2 / (2 * math.pi) / (2 * math.pi * math.sqrt(HBAR2_2ME))


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(1, 3),
    s=st.integers(0, 18),
    where=st.floats(0.02, 0.98) | st.floats(1.02, 3.0),
)
def test_matches_brute_force_quadrature(n: int, s: int, where: float) -> None:
    """Exact evaluation = adaptive quadrature of the kz integral at random energies.

    (Within ~1 % of the band width from a band bottom the kz reference itself loses digits:
    eps - E_n(kz) near the Fermi point is a difference of nearly equal energies.)
    """
    lat = Superlattice.from_width(well=0.85, barrier=0.55, width=274.0, band=3)
    a, b = (x[n - 1] for x in lat.band_edges(3))
    eps = a + where * (b - a)
    got = pdos.projected_dos_values(lat, [eps], 3, s + 1)[n - 1, s, 0]
    ref = brute_force(lat, n, s, eps)
    assert got == pytest.approx(ref, abs=1e-8 * N0)


# ---------------------------------------------------------------------------- density


@pytest.mark.parametrize("eta", [-0.5, 0.3, 1.0 + 1e-6, 2.0])
def test_dos_integrates_to_density(kp: Superlattice, eta: float) -> None:
    """2 int N(eps) deps up to mu (quadrature of the exact DOS) = density(mu) (kz integral)."""
    ref = pdos.dos(kp, [0.0], 3)
    bottoms, tops = ref.bottoms, ref.tops
    mu = bottoms[2] + eta * (tops[2] - bottoms[2])
    marks = sorted(x for x in (*bottoms, *tops) if bottoms[0] < x < mu)
    bounds = [bottoms[0], *marks, mu]

    def total_dos(e: float) -> float:
        value = float(pdos.dos(kp, e, 3).total)
        # quad bisects towards the logarithm at a top until a node rounds onto it (rho = inf
        # there, a point of measure zero)
        return value if math.isfinite(value) else 0.0

    total = 0.0
    for lo, hi in itertools.pairwise(bounds):
        val, _ = integrate.quad(total_dos, lo, hi, limit=200, epsabs=0, epsrel=1e-11)
        total += 2 * val
    assert pdos.density(kp, 3, mu) == pytest.approx(total, rel=1e-9)


def test_table_density_at_zero_temperature(kp: Superlattice) -> None:
    """The exact integral of the piecewise-linear table matches density() to 2e-5."""
    bottoms, tops = kp.band_edges(3)
    table = pdos.projected_dos(kp, 3, 1, 3500.0)
    mu = np.array([bottoms[0] + 3.0, tops[0] + 1e-3, 1220.0, bottoms[2] + 10.0, tops[2], 3000.0])
    got = pdos.density_at_temperature(table, mu, 0.0)
    np.testing.assert_allclose(got, pdos.density(kp, 3, mu), rtol=2e-5)


@pytest.mark.parametrize("temperature", [1e-5, 1.0, 77.0, 300.0, 1000.0])
def test_free_electron_density_at_temperature(temperature: float) -> None:
    """Constant DOS N0 from 0: n = 2 N0 k_B T ln(1 + e^(mu / k_B T)) at every T (exact)."""
    lat = EmptyLattice()
    tops = lat.band_edges(3)[1]
    table = pdos.projected_dos(lat, 3, 1, float(tops[-1]) - 1.0)
    assert table.total[0] == 0.0  # left limit at the lowest bottom
    np.testing.assert_allclose(table.total[1:], N0, rtol=1e-7)  # exactly flat above
    kt = KB * temperature
    mu = np.array([-0.5 * kt, 0.0, 10.0, 150.0, 300.0])
    exact = 2 * N0 * kt * np.logaddexp(0.0, mu / kt)
    got = pdos.density_at_temperature(table, mu, temperature)
    np.testing.assert_allclose(got, exact, rtol=2e-7)


def test_density_at_temperature_equals_quadrature(kp: Superlattice) -> None:
    """Closed-form segment integrals (dilogarithm) = 24-point Gauss-Legendre on every segment
    of the piecewise-linear table (r f is smooth on each), from 1e-3 K to 1000 K."""
    table = pdos.projected_dos(kp, 3, 1, 3500.0)
    bottoms, tops = kp.band_edges(3)
    e, r = table.energy, table.total
    keep = np.diff(e) > 0
    e0, e1, r0, r1 = e[:-1][keep], e[1:][keep], r[:-1][keep], r[1:][keep]
    x, w = np.polynomial.legendre.leggauss(24)
    nodes = 0.5 * (e0 + e1)[:, None] + 0.5 * (e1 - e0)[:, None] * x
    dos_at = r0[:, None] + (r1 - r0)[:, None] * (nodes - e0[:, None]) / (e1 - e0)[:, None]
    cases = [(tops[2] + 0.01, 30.0), (bottoms[2] + 5.0, 300.0), (1230.0, 3.0), (2000.0, 1000.0)]
    for mu, temperature in cases:
        kt = KB * temperature
        occupation = special.expit(-(nodes - mu) / kt)
        ref = 2 * np.sum(0.5 * (e1 - e0) * ((dos_at * occupation) @ w))
        ref += 2 * r[-1] * kt * np.logaddexp(0.0, (mu - e[-1]) / kt)  # documented tail
        got = float(pdos.density_at_temperature(table, mu, temperature))
        assert got == pytest.approx(ref, rel=1e-11)


def test_density_is_continuous_in_temperature(kp: Superlattice) -> None:
    """From T = 0 through 1e-5 K to 1 K the density changes smoothly (Sommerfeld ~ T^2)."""
    table = pdos.projected_dos(kp, 3, 1, 3500.0)
    mu = float(kp.band_edges(3)[0][2] + 100.0)
    n0 = float(pdos.density_at_temperature(table, mu, 0.0))
    for t in (1e-5, 1e-2, 1.0):
        assert abs(float(pdos.density_at_temperature(table, mu, t)) / n0 - 1) < 1e-6 * (1 + t * t)


def test_chemical_potential_round_trip(kp: Superlattice) -> None:
    """mu -> n(mu, T) -> mu at 1e-5 K, 100 K and 1000 K."""
    table = pdos.projected_dos(kp, 3, 1, 3500.0)
    mu = float(kp.band_edges(3)[0][2] + 50.0)
    for t in (1e-5, 100.0, 1000.0):
        n = float(pdos.density_at_temperature(table, mu, t))
        assert pdos.chemical_potential_at_temperature(table, n, t) == pytest.approx(mu, abs=1e-8)


# ---------------------------------------------------------------------------- the table


def test_table_converged_against_exact_values(kp: Superlattice) -> None:
    """Default table: piecewise-linear rho vs exact at random energies (band interiors, log
    clusters at tops, steps): |error| < 1e-3 N0 for s = 0 and < 2e-3 N0 up to s = 18."""
    rng = np.random.default_rng(7)
    bottoms, tops = kp.band_edges(3)
    pts = [rng.uniform(bottoms[0], 3400.0, 600)]
    for a, b in zip(bottoms, tops, strict=True):
        pts.append(rng.uniform(a, b + 2 * (b - a), 300))
        pts.append(a + 10 ** rng.uniform(-8, 1, 100))
        pts.append(b + 10 ** rng.uniform(-8, 1, 100))
        pts.append(b - 10 ** rng.uniform(-8, 0.5, 100))
    x = np.concatenate(pts)
    table = pdos.projected_dos(kp, 3, 19, 3500.0)
    err = np.abs(table.interpolate(x) - pdos.projected_dos_values(kp, x, 3, 19))
    assert err[:, 0].max() < 1e-3 * N0
    assert err.max() < 2e-3 * N0


def test_table_defaults_are_converged(kp: Superlattice) -> None:
    """Refining every grid parameter changes the integrated DOS by < 3e-5 relative, and the
    refined table is within 5e-6 of the exact density (T = 0)."""
    coarse = pdos.projected_dos(kp, 3, 1, 3000.0)
    fine = pdos.projected_dos(
        kp, 3, 1, 3000.0, step=0.5, ratio=1.025, min_spacing=1e-10, nodes_per_harmonic=64
    )
    mu = np.array([315.0, 1220.0, 2500.0, 2672.6, 2900.0])
    for t in (0.0, 100.0):
        a = pdos.density_at_temperature(coarse, mu, t)
        b = pdos.density_at_temperature(fine, mu, t)
        np.testing.assert_allclose(a, b, rtol=3e-5)
    exact = pdos.density(kp, 3, mu)
    np.testing.assert_allclose(pdos.density_at_temperature(fine, mu, 0.0), exact, rtol=5e-6)
