"""Tc against analytic limits (SPEC §10): BCS, isotope 1/2, decoupled bands, Suhl-Matthias-Walker.

Synthetic projected-DOS tables (constant DOS, or free 2D bands) isolate the Tc machinery from
the band structure; the last tests run the same limits through a real V = 0 lattice. Expected
numbers are closed forms, never values read off the code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multigap.constants import BCS_PREFACTOR, KB
from multigap.pairing import isotope, tc
from multigap.pairing.kernel import free_2d_dos
from multigap.pairing.tc import KernelTables, lambda_of_T, pair_matrices, solve_tc

N0 = free_2d_dos(1.0)


def bcs_tc(wc: float, lam: float) -> float:
    """Weak-coupling BCS: Tc = (2 e^gamma / pi) wc exp(-1/lambda), kelvin for wc in meV."""
    return BCS_PREFACTOR * wc * math.exp(-1.0 / lam) / KB


def flat_arrays(ratios: list[float], e_max: float = 3000.0, Q: int = 1) -> tuple:
    """Constant DOS rho_n = r_n N0 for eps > 0 (a step at 0), s = 0 only; modes C_00 = 1."""
    e = np.concatenate([[-10.0, 0.0], np.arange(0.0, e_max + 0.5, 1.0)])
    nb = len(ratios)
    S = 2 * Q - 1
    values = np.zeros((nb, S, e.size))
    for n, r in enumerate(ratios):
        values[n, 0, 2:] = r * N0
    modes = np.zeros((nb, nb, Q, Q))
    modes[:, :, 0, 0] = 1.0
    return e, values, modes


def flat_tables(ratios: list[float], Q: int = 1) -> KernelTables:
    e, v, c = flat_arrays(ratios, Q=Q)
    return KernelTables.from_arrays(e, v, c, N0)


# ----------------------------------------------------------------------------- fake model
class _Subbands:
    def __init__(self, edge: float, width: float) -> None:
        self._edge, self._width = edge, width

    def edge(self, n: int) -> float:
        return self._edge

    def width(self, n: int) -> float:
        return self._width


class _Table:
    def __init__(self, energy: np.ndarray, values: np.ndarray) -> None:
        self.energy, self.values, self.n0 = energy, values, N0


class _Overlaps:
    def __init__(self, modes: np.ndarray) -> None:
        self.modes = modes


class _Geometry:
    def __init__(self, subbands: Any, overlaps: Any, pdos: Any) -> None:
        self.subbands, self.overlaps, self.pdos = subbands, overlaps, pdos


@dataclass
class _Numerics:
    t_floor: float = 1e-5
    t_ceiling: float = 5000.0


@dataclass
class FakeModel:
    """Duck-typed stand-in for multigap.Model on synthetic tables (mu = E_L + eta * Delta_E
    with E_L = 0, Delta_E = 1000 meV)."""

    geometry: Any
    omega0: float
    n_bands: int = 1
    resonant_band: int = 1
    background_coupling: float = 0.1
    interband: str = "geometric"
    interband_value: float | None = None
    coupling_matrix: Any = None
    coupling_scale: float = 1.0
    cutoff: str = "fixed"
    band_omega0: Any = None
    chemical_potential: str = "fixed_mu"
    numerics: _Numerics = field(default_factory=_Numerics)


def fake_model(ratios: list[float], omega0: float = 20.0, **kw: Any) -> FakeModel:
    e, v, c = flat_arrays(ratios)
    geo = _Geometry(_Subbands(0.0, 1000.0), _Overlaps(c), _Table(e, v))
    return FakeModel(geo, omega0, n_bands=len(ratios), resonant_band=len(ratios), **kw)


# ----------------------------------------------------------------------------- single band


@pytest.mark.parametrize("g", [0.1, 0.15, 0.2, 0.25])
def test_single_band_is_bcs(g: float) -> None:
    """One free 2D band, I = 1, E_F = 1000 meV >> wc = 20 meV: Tc = 1.134 wc exp(-1/g)."""
    t = flat_tables([1.0])
    batch = solve_tc(t, pair_matrices(t, [[[g]]]), [1000.0], [20.0])
    assert batch.tc[0] == pytest.approx(bcs_tc(20.0, g), rel=1e-2)
    # with wc/2Tc > 20 the window integral is exactly ln(1.134 wc / T): agreement to ~1e-9
    assert batch.tc[0] == pytest.approx(bcs_tc(20.0, g), rel=1e-8)
    assert not batch.below_floor[0]


def test_single_band_model_api_bcs_and_isotope() -> None:
    model = fake_model([1.0], omega0=20.0)
    for g in (0.15, 0.2):
        assert tc.critical_temperature(model, 1.0, g) == pytest.approx(bcs_tc(20.0, g), rel=1e-8)
        # alpha = (1/2) d ln Tc / d ln w0 = 1/2 exactly for Tc ∝ wc
        assert isotope.isotope_coefficient(model, 1.0, g) == pytest.approx(0.5, abs=1e-6)
    migdal = fake_model([1.0], omega0=20.0, cutoff="migdal")
    g = 0.2
    wc = 20.0 * math.sqrt(1 - 2 * g)
    assert tc.critical_temperature(migdal, 1.0, g) == pytest.approx(bcs_tc(wc, g), rel=1e-8)
    assert isotope.isotope_coefficient(migdal, 1.0, g) == pytest.approx(0.5, abs=1e-6)


def test_isotope_step_independent() -> None:
    """On a structured DOS (window reaching the band bottom) alpha != 1/2; the default
    central-difference step is converged: halving it changes alpha by < 1e-6."""
    model = fake_model([1.0], omega0=20.0)
    eta = 0.015  # mu = 15 meV < wc: the window meets the band bottom
    a1 = isotope.isotope_coefficient(model, eta, 0.25)
    a2 = isotope.isotope_coefficient(model, eta, 0.25, step=isotope.ISOTOPE_STEP / 2)
    assert abs(a1 - a2) < 1e-6
    assert 0.0 < a1 < 0.5


@pytest.mark.parametrize(("eta", "g"), [(1.0, 0.4), (0.3, 0.3), (-0.2, 0.25)])
def test_tight_tolerance_search_stops_at_rounding_level(eta: float, g: float) -> None:
    """The isotope pair (w0 e^{+-1e-3}, tol = 1e-12): a Newton step below half an ulp of ln T
    must end the search, not send it bisecting the whole bracket (36 evaluations at the dome
    top before the fix). The roots are where Lambda = 1 to the tolerance times the slope
    (|dLambda/d ln T| < 1 here)."""
    import multigap as mg

    model = mg.preset("A")
    scale = np.exp([1e-3, -1e-3])
    _, _, _, _, batch = tc._solve_model(model, [eta, eta], [g, g], scale, tol=1e-12)
    assert batch.evaluations().max() <= 8
    tables = tc._tables_of(model)
    _, _, _, mu, G, wc = tc._points(model, [eta, eta], [g, g], scale)
    lam = lambda_of_T(tables, pair_matrices(tables, G), mu, batch.tc, wc)
    assert np.max(np.abs(lam - 1.0)) < 2e-12


def test_start_changes_the_search_not_the_root() -> None:
    """Tc guesses (option ``start``) from a nearby result: the same roots to the tolerance, in
    at most three evaluations from 1e-3 away; NaN and 0 fall back to the own estimate; a
    guess that cannot be a temperature is refused before any work."""
    import multigap as mg

    model = mg.preset("A")
    eta = np.array([-0.3, 0.2, 0.97, 1.6])
    g = np.array([0.3, 0.3, 0.42, 0.25])
    ref = tc.critical_temperatures(model, eta, g)
    warm = tc.critical_temperatures(model, eta, g, start=ref * 1.001)
    assert np.allclose(warm, ref, rtol=1e-8, atol=0.0)
    res = tc.tc_result(model, 0.97, 0.42, start=float(ref[2]) * 1.001)
    assert len(res.lambda_history) <= 3
    mixed = tc.critical_temperatures(model, eta, g, start=[np.nan, 0.0, ref[2], np.nan])
    assert np.allclose(mixed, ref, rtol=1e-8, atol=0.0)
    for bad in (-1.0, np.inf, [1.0, 2.0]):
        with pytest.raises(ValueError, match="start"):
            tc.critical_temperatures(model, eta, g, start=bad)


def test_tc_result_fields() -> None:
    model = fake_model([1.0], omega0=20.0)
    r = tc.tc_result(model, 1.0, 0.2)
    assert r.tc == pytest.approx(bcs_tc(20.0, 0.2), rel=1e-8)
    assert r.mu == pytest.approx(1000.0) and r.eta == 1.0 and r.g == 0.2
    assert r.lambda_coupling == pytest.approx(0.25)
    assert r.wc == (20.0,)
    assert r.leading_eigenvector is not None
    assert np.allclose(r.leading_eigenvector, [[1.0]])
    T_last, lam_last = r.lambda_history[-1]
    assert lam_last == pytest.approx(1.0, abs=1e-8)
    assert T_last == pytest.approx(r.tc, rel=1e-8)
    # a constant DOS is the BCS case of the weak-coupling start: found at the first evaluation
    assert len(r.lambda_history) <= 2
    below = tc.tc_result(model, 1.0, 0.03)  # BCS Tc ~ 1e-12 K: the floor decides
    assert below.below_floor
    T_floor, lam_floor = below.lambda_history[-1]
    assert T_floor == pytest.approx(1e-5) and lam_floor < 1.0


def test_vectorised_equals_pointwise() -> None:
    model = fake_model([1.0, 0.6], omega0=20.0)
    eta = np.array([0.5, 1.0, 2.0])
    g = np.array([[0.12], [0.2], [0.3]])
    T = tc.critical_temperatures(model, eta, g)
    assert T.shape == (3, 3)
    for i in range(3):
        for j in range(3):
            single = tc.critical_temperature(model, eta[j], g[i, 0])
            assert T[i, j] == pytest.approx(single, rel=1e-9)


# ----------------------------------------------------------------------------- several bands


def test_decoupled_bands_give_the_larger_tc() -> None:
    """Two bands, no interband coupling: Tc = max of the single-band Tcs (lambda_n = g_n r_n)."""
    t = flat_tables([1.0, 2.0])
    G = np.array([[0.3, 0.0], [0.0, 0.1]])
    batch = solve_tc(t, pair_matrices(t, G[None]), [1000.0], [20.0], vectors=True)
    expect = max(bcs_tc(20.0, 0.3 * 1.0), bcs_tc(20.0, 0.1 * 2.0))
    assert batch.tc[0] == pytest.approx(expect, rel=1e-8)
    # the gap lives in band 1 only
    assert batch.vectors is not None
    assert np.allclose(np.abs(batch.vectors[0, :, 0]), [1.0, 0.0], atol=1e-12)


@pytest.mark.parametrize(
    ("g11", "g22", "g12", "r1", "r2"),
    [
        (0.2, 0.1, 0.05, 1.0, 1.5),
        (0.1, 0.1, 0.1, 1.0, 1.0),
        (0.25, 0.05, 0.02, 0.5, 3.0),
        (0.15, 0.12, -0.03, 1.0, 2.0),
    ],
)
def test_suhl_matthias_walker(g11: float, g22: float, g12: float, r1: float, r2: float) -> None:
    """Common cut-off, constant DOS N_n = r_n N0, I = 1: Tc = 1.134 wc exp(-1/lambda_max),
    lambda_max the largest eigenvalue of g_{nn'} N_n'/N0 (Suhl, Matthias, Walker 1959)."""
    t = flat_tables([r1, r2])
    G = np.array([[g11, g12], [g12, g22]])
    lam_max = float(np.max(np.linalg.eigvals(G @ np.diag([r1, r2])).real))
    batch = solve_tc(t, pair_matrices(t, G[None]), [1000.0], [20.0])
    assert batch.tc[0] == pytest.approx(bcs_tc(20.0, lam_max), rel=1e-8)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.05, 0.3),
    st.floats(0.05, 0.3),
    st.floats(0.0, 0.3),
    st.floats(0.3, 3.0),
    st.floats(0.3, 3.0),
    st.floats(5.0, 60.0),
)
def test_interband_coupling_never_lowers_tc(
    g11: float, g22: float, g12: float, r1: float, r2: float, mu: float
) -> None:
    """Positive interband coupling cannot lower Tc (any DOS; here the window may reach the
    band bottom, so the DOS seen by the pairs is not constant)."""
    t = flat_tables([r1, r2])
    G0 = np.array([[g11, 0.0], [0.0, g22]])
    G1 = np.array([[g11, g12], [g12, g22]])
    A = pair_matrices(t, np.stack([G0, G1]))
    b = solve_tc(t, A, [mu, mu], [20.0, 20.0], t_floor=1e-6)
    if b.below_floor[0]:
        return
    assert b.tc[1] >= b.tc[0] * (1 - 1e-9)


# ----------------------------------------------------------------------------- Lambda(T)


@st.composite
def consistent_tables(draw: st.DrawFn) -> tuple[KernelTables, np.ndarray]:
    """Two bands whose rho_{n,s} are cosine moments of a positive distribution over a few kz
    points, rho_{n,s}(eps) = sum_j w_{n,j}(eps) cos(s kz_j d) with w >= 0 piecewise linear,
    and positive semidefinite modes C = B B^T: the chi matrices are Gram matrices, as in the
    physical problem."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    Q, nb, n_kz = 3, 2, 4
    S = 2 * Q - 1
    e = np.sort(rng.uniform(-50.0, 150.0, 40))
    kzd = rng.uniform(0.0, math.pi, n_kz)
    w = rng.uniform(0.0, 2.0, (nb, n_kz, e.size)) * N0
    cos = np.cos(np.arange(S)[:, None] * kzd[None, :])  # (S, n_kz)
    values = np.einsum("sj,njk->nsk", cos, w)
    Bm = rng.normal(size=(nb * Q, nb * Q)) * 0.3
    full = Bm @ Bm.T
    modes = full.reshape(nb, Q, nb, Q).transpose(0, 2, 1, 3)
    gdiag = rng.uniform(0.05, 0.4, nb)
    G = np.sqrt(np.outer(gdiag, gdiag))
    return KernelTables.from_arrays(e, values, modes, N0), G


@settings(max_examples=30, deadline=None)
@given(consistent_tables(), st.floats(0.0, 100.0), st.floats(1.0, 80.0))
def test_lambda_decreases_with_temperature(case: tuple, mu: float, wc: float) -> None:
    t, G = case
    T = np.geomspace(1e-5, 1e3, 60)
    A = np.broadcast_to(pair_matrices(t, G), (T.size, *pair_matrices(t, G).shape))
    lam = lambda_of_T(t, A, np.full(T.size, mu), T, np.full(T.size, wc))
    assert np.all(np.diff(lam) <= 1e-12 * np.max(np.abs(lam)) + 1e-300)
    assert np.all(lam >= -1e-12)


def test_lambda_monotone_on_the_real_geometry_free_band() -> None:
    t = flat_tables([1.0, 0.5])
    G = np.array([[0.2, 0.1], [0.1, 0.15]])
    T = np.geomspace(1e-6, 1e3, 40)
    lam = lambda_of_T(
        t,
        np.repeat(pair_matrices(t, G[None]), T.size, 0),
        np.full(T.size, 10.0),
        T,
        np.full(T.size, 20.0),
    )
    assert np.all(np.diff(lam) < 0)


# ----------------------------------------------------------------------------- flags and errors


def test_below_floor_is_flagged_not_a_number() -> None:
    t = flat_tables([1.0])
    g = 0.03  # BCS Tc ~ 1e-12 K
    b = solve_tc(t, pair_matrices(t, [[[g]]]), [1000.0], [20.0], t_floor=1e-5, vectors=True)
    assert b.below_floor[0] and b.tc[0] == 0.0
    assert b.vectors is not None and np.all(np.isnan(b.vectors[0]))
    model = fake_model([1.0])
    r = tc.tc_result(model, 1.0, g)
    assert r.below_floor and r.tc == 0.0 and r.leading_eigenvector is None
    # a lower floor finds it
    low = tc.critical_temperature(model, 1.0, 0.04, t_floor=1e-9)
    assert low == pytest.approx(bcs_tc(20.0, 0.04), rel=1e-8)
    # mu below every subband: no electrons at all, a clear error (issue: bad input)
    with pytest.raises(ValueError, match="below every subband"):
        tc.critical_temperature(model, -0.5, 0.3)


@pytest.mark.parametrize("g", [0.5, 0.6, -0.1, float("nan")])
def test_bad_coupling_raises(g: float) -> None:
    with pytest.raises(ValueError, match="g must"):
        tc.critical_temperature(fake_model([1.0]), 1.0, g)


def test_bad_options_raise() -> None:
    model = fake_model([1.0])
    with pytest.raises(ValueError, match="t_floor"):
        tc.critical_temperature(model, 1.0, 0.2, t_floor=-1.0)
    with pytest.raises(ValueError, match="t_ceiling"):
        tc.critical_temperature(model, 1.0, 0.2, t_floor=10.0, t_ceiling=1.0)
    with pytest.raises(ValueError, match="eta"):
        tc.critical_temperature(model, float("nan"), 0.2)
    with pytest.raises(ValueError, match="unknown key"):
        tc.critical_temperature(model, 1.0, 0.2, tfloor=1.0)
    with pytest.raises(ValueError, match="T must"):
        tc.pairing_eigenvalue(model, 1.0, 0.2, 0.0)
    with pytest.raises(ValueError, match="beyond the projected-DOS table"):
        tc.critical_temperature(model, 2.999, 0.2)


def test_ceiling_exceeded_raises_with_parameters() -> None:
    model = fake_model([1.0], omega0=20.0)
    with pytest.raises(ValueError, match=r"T_ceiling.*eta=1.*g=0.45"):
        tc.critical_temperature(model, 1.0, 0.45, t_ceiling=10.0)


def test_pairing_eigenvalue_matches_bcs_log() -> None:
    """Lambda(T) = g F(wc/2T) = g ln(1.134 wc / T) for a constant DOS and wc >> T."""
    model = fake_model([1.0], omega0=20.0)
    T = np.array([0.01, 0.1, 1.0])
    lam = tc.pairing_eigenvalue(model, 1.0, 0.2, T)
    assert np.allclose(lam, 0.2 * np.log(BCS_PREFACTOR * 20.0 / (KB * T)), rtol=1e-12)
    assert isinstance(tc.pairing_eigenvalue(model, 1.0, 0.2, 1.0), float)


def test_repulsive_interband_is_well_defined() -> None:
    """Indefinite G o C (repulsive interband): the symmetric-root path gives the SMW result."""
    t = flat_tables([1.0, 1.0])
    G = np.array([[0.1, -0.12], [-0.12, 0.05]])  # indefinite, lambda_max ~ 0.2
    lam_max = float(np.max(np.linalg.eigvalsh(G)))
    b = solve_tc(t, pair_matrices(t, G[None]), [1000.0], [20.0], vectors=True)
    assert b.tc[0] == pytest.approx(bcs_tc(20.0, lam_max), rel=1e-8)


# ----------------------------------------------------------------------------- real lattice


def _real_free_model(omega0: float, n_bands: int = 1) -> Any:
    mg = pytest.importorskip("multigap")
    pytest.importorskip("multigap.structure.pdos")
    lat = mg.Superlattice(well=0.85, barrier=0.55, height=0.0)
    return mg.Model(lat, omega0=omega0, n_bands=n_bands, resonant_band=1, cutoff="fixed")


def test_real_v0_lattice_single_band_is_bcs() -> None:
    """V = 0: band 1 is the free 2D band folded into the zone; below C (pi/d)^2 its partial DOS
    is exactly N0 and I = 1, so with the window inside (mu = E_L + 0.5 Delta_E, wc = 10 meV)
    Tc is BCS, and alpha = 1/2."""
    model = _real_free_model(10.0)
    sb = model.geometry.subbands
    assert sb.edge(1) == pytest.approx(0.0, abs=1e-9)
    for g in (0.2, 0.25):
        assert tc.critical_temperature(model, 0.5, g) == pytest.approx(bcs_tc(10.0, g), rel=1e-2)
        # not better than ~1e-4: at V = 0 bands 1 and 2 are degenerate at the zone boundary,
        # where the Bloch states are standing waves and I != 1 (C_00 = 1 + 1e-4 here)
        assert tc.critical_temperature(model, 0.5, g) == pytest.approx(bcs_tc(10.0, g), rel=1e-3)
    assert isotope.isotope_coefficient(model, 0.5, 0.25) == pytest.approx(0.5, abs=1e-5)
