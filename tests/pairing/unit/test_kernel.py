"""Unit tests of the window integrals (kernel.py) and the coupling rules (pairing.py).

Every expected number is an independent closed form or an adaptive quadrature, never a
value read off the code.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import IntegrationWarning, quad
from scipy.special import exp1

from multigap.constants import EULER_GAMMA, HBAR2_2ME
from multigap.pairing import couplings
from multigap.pairing.kernel import (
    LOG_4EG_OVER_PI,
    chi_moments,
    free_2d_dos,
    tanh_integral,
    window_moments,
    window_weights,
)

# ----------------------------------------------------------------------------- references


def f_reference(x: float) -> float:
    """F(x) = int_0^x tanh t / t dt independently: adaptive quadrature for |x| < 1, and for
    |x| >= 1 the convergent series F = ln x + ln(4 e^gamma/pi) + 2 sum (-1)^(k-1) E1(2 k x)
    (from 1 - tanh t = 2 sum (-1)^(k-1) e^(-2kt))."""
    ax = abs(x)
    if ax < 1.0:
        val = quad(lambda t: math.tanh(t) / t if t else 1.0, 0.0, ax, epsabs=1e-17, epsrel=2e-14)[0]
    else:
        k = np.arange(1, 200)
        val = (
            math.log(ax)
            + math.log(4.0 / math.pi)
            + EULER_GAMMA
            + 2.0 * math.fsum((-1.0) ** (k - 1) * exp1(2.0 * k * ax))
        )
    return math.copysign(val, x)


def kernel_K(xi: float, T: float) -> float:
    t = xi / (2.0 * T)
    return (math.tanh(t) / t if t != 0.0 else 1.0) / (4.0 * T)


def window_reference(e: np.ndarray, rho: np.ndarray, mu: float, T: float, wc: float) -> float:
    """int_{-wc}^{wc} tanh(xi/2T)/(2 xi) rho(mu + xi) dxi segment by segment with quad, the
    linear rho of each segment written out, break points at 0 and a few T."""
    total = 0.0
    for k in range(e.size - 1):
        lo, hi = e[k] - mu, e[k + 1] - mu
        if hi <= lo:
            continue
        a, b = max(lo, -wc), min(hi, wc)
        if b <= a:
            continue
        r0, r1 = rho[k], rho[k + 1]

        def f(xi: float, lo: float = lo, hi: float = hi, r0: float = r0, r1: float = r1) -> float:
            return kernel_K(xi, T) * (r0 + (r1 - r0) * (xi - lo) / (hi - lo))

        brk = sorted(
            {p for p in (0.0, -2 * T, 2 * T, -20 * T, 20 * T, -200 * T, 200 * T) if a < p < b}
        )
        edges = [a, *brk, b]
        for c, d in itertools.pairwise(edges):
            with warnings.catch_warnings():  # quad's roundoff notice at 1e-15 absolute
                warnings.simplefilter("ignore", IntegrationWarning)
                total += quad(f, c, d, epsabs=1e-15, epsrel=1e-12, limit=200)[0]
    return total


# ----------------------------------------------------------------------------- F(x)


@pytest.mark.parametrize(
    "x", [0.0, 1e-9, 1e-4, 0.1, 0.5, 0.99, 1.0, 1.5, 2.7, 5.0, 9.99, 13.0, 19.99, 20.0, 20.01]
)
def test_tanh_integral_matches_reference(x: float) -> None:
    assert tanh_integral(x) == pytest.approx(f_reference(x), abs=1e-13, rel=0)
    assert tanh_integral(-x) == pytest.approx(-f_reference(x), abs=1e-13, rel=0)


def test_tanh_integral_dense_and_asymptote() -> None:
    xs = np.linspace(0.0, 25.0, 501)
    ref = np.array([f_reference(x) for x in xs])
    assert np.max(np.abs(tanh_integral(xs) - ref)) < 1e-13
    big = np.array([20.5, 1e3, 1e10, 1e300])
    assert np.allclose(tanh_integral(big), np.log(big) + LOG_4EG_OVER_PI, rtol=0, atol=1e-15)
    assert pytest.approx(math.log(4 * math.exp(EULER_GAMMA) / math.pi)) == LOG_4EG_OVER_PI


def test_tanh_integral_shape_and_oddness() -> None:
    x = np.linspace(-30, 30, 24).reshape(2, 3, 4)
    y = tanh_integral(x)
    assert y.shape == x.shape
    assert np.array_equal(y, -tanh_integral(-x))
    assert np.all(np.diff(tanh_integral(np.linspace(0, 40, 4001))) > 0)


# ----------------------------------------------------------------------------- weights


@st.composite
def piecewise_tables(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, float, float, float]:
    n = draw(st.integers(2, 10))
    e = np.sort(np.array(draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n))))
    if n >= 4 and draw(st.booleans()):
        j = draw(st.integers(1, n - 2))
        e[j + 1] = e[j]  # a jump
    rho = np.array(draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n)))
    mu = draw(st.floats(-6, 6))
    T = 10.0 ** draw(st.floats(-7, 2))
    wc = draw(st.floats(0.0, 8.0))
    return e, rho, mu, T, wc


@settings(max_examples=120, deadline=None)
@given(piecewise_tables())
def test_window_weights_match_quadrature(case: tuple) -> None:
    e, rho, mu, T, wc = case
    w = window_weights(e, mu, T, wc)
    got = float(w @ rho)
    ref = window_reference(e, rho, mu, T, wc)
    scale = float(window_weights(e, mu, T, wc) @ np.abs(rho)) + 1e-300
    assert abs(got - ref) <= 1e-10 * scale + 1e-14


def test_weights_nonnegative_and_zero_outside() -> None:
    e = np.linspace(0, 100, 101)
    w = window_weights(e, 50.3, 0.7, 10.0)
    assert np.all(w >= 0)
    assert np.all(w[(e < 50.3 - 11) | (e > 50.3 + 11)] == 0)
    assert np.all(window_weights(e, 500.0, 1.0, 10.0) == 0)  # window off the table
    assert np.all(window_weights(e, 50.0, 1.0, 0.0) == 0)  # empty window


def clustered_grid() -> np.ndarray:
    """Uniform 1 meV grid plus geometric clusters (1e-8 meV, ratio 1.25) and jumps at three
    'band edges', like the projected-DOS tables."""
    base = np.arange(0.0, 2001.0, 1.0)
    extra = []
    for edge in (400.123456, 1000.3, 1300.77):
        d = 1e-8 * 1.25 ** np.arange(90)
        d = d[d < 2]
        extra += [*(edge - d), *(edge + d), edge, edge]
    return np.sort(np.concatenate([base, extra]))


@pytest.mark.parametrize("T", [1e-7, 1e-4, 0.01, 0.3, 3.0, 30.0, 100.0])
@pytest.mark.parametrize("mu", [1000.3, 1000.3 + 1e-7, 999.9, 1300.77 - 1e-5, 731.4])
def test_bcs_integral_and_linear_exactness(T: float, mu: float) -> None:
    """rho = 1 gives the BCS integral int_0^wc tanh(xi/2T)/xi = F(wc/2T); rho linear in eps
    gives (mu - c) F(wc/2T) (the odd part integrates to zero), on a strongly clustered grid."""
    e = clustered_grid()
    for wc in (0.5, 37.0, 330.0):
        w = window_weights(e, mu, T, wc)
        F = float(tanh_integral(wc / (2 * T)))
        assert w.sum() == pytest.approx(F, rel=1e-13)
        assert float(w @ (e - mu)) == pytest.approx(0.0, abs=1e-12 * wc)
        assert float(w @ (e - 250.0)) == pytest.approx((mu - 250.0) * F, rel=1e-12)


def test_weights_broadcast_batch() -> None:
    e = clustered_grid()[::7]
    mu = np.array([[500.0], [1000.3], [1500.0]])
    T = np.array([1e-5, 0.1, 1.0, 20.0])
    w = window_weights(e, mu, T, 100.0)
    assert w.shape == (3, 4, e.size)
    for i in range(3):
        for j in range(4):
            assert np.allclose(w[i, j], window_weights(e, mu[i, 0], T[j], 100.0), atol=0)
    tab = np.random.default_rng(0).normal(size=(e.size, 5))
    assert np.allclose(window_moments(e, tab, mu, T, 100.0), w @ tab, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"T_meV": 0.0},
        {"T_meV": -1.0},
        {"T_meV": float("nan")},
        {"mu": float("nan")},
        {"wc": -1.0},
        {"wc": float("inf")},
    ],
)
def test_weights_reject_bad_input(kwargs: dict) -> None:
    args = {"energy_nodes": np.linspace(0, 10, 11), "mu": 5.0, "T_meV": 1.0, "wc": 2.0}
    args.update(kwargs)
    with pytest.raises(ValueError):
        window_weights(**args)


def test_weights_reject_bad_nodes() -> None:
    with pytest.raises(ValueError, match="non-decreasing"):
        window_weights(np.array([0.0, 2.0, 1.0]), 1.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        window_weights(np.array([1.0]), 1.0, 1.0, 1.0)


# ----------------------------------------------------------------------------- chi moments


class FreeBandTable:
    """rho_{1,s}(eps) = N0 J0(s d sqrt(eps/C)) theta(eps) of a free 2D band (m = 1), exact
    while the Fermi circle fits in the zone (eps < C (pi/d)^2)."""

    def __init__(self, d: float = 1.4, S: int = 5) -> None:
        from scipy.special import j0

        self.n0 = free_2d_dos(1.0)
        top = HBAR2_2ME * (math.pi / d) ** 2
        eps = np.linspace(0.0, top, 4001)
        self.energy = np.concatenate([[-1.0, 0.0], eps])
        vals = np.zeros((1, S, self.energy.size))
        for s in range(S):
            vals[0, s, 2:] = self.n0 * j0(s * d * np.sqrt(eps / HBAR2_2ME))
        self.values = vals


def test_chi_moments_free_band_is_bcs() -> None:
    table = FreeBandTable()
    mu, wc = 100.0, 20.0
    T = np.array([1e-6, 0.01, 1.0, 10.0])
    X = chi_moments(table, mu, T, wc)
    assert X.shape == (4, 1, 5)
    assert np.allclose(X[:, 0, 0], tanh_integral(wc / (2 * T)), rtol=1e-13)


def test_chi_moments_per_band_and_n0() -> None:
    table = FreeBandTable()
    two = type("T2", (), {})()
    two.energy = table.energy
    two.values = np.concatenate([table.values, 0.5 * table.values])
    X = chi_moments(
        two, [90.0, 100.0], 0.5, np.array([[10.0, 20.0], [20.0, 5.0]]), n0=table.n0, per_band=True
    )
    assert X.shape == (2, 2, 5)
    one = chi_moments(table, 90.0, 0.5, 20.0)
    assert np.allclose(X[0, 1], 0.5 * one[0], rtol=1e-14)
    with pytest.raises(ValueError, match="N0"):
        chi_moments(two, 90.0, 0.5, 10.0)


# ----------------------------------------------------------------------------- pairing rules


def test_geometric_rule() -> None:
    G = couplings.coupling_matrix(3, 3, 0.3)
    expect = np.sqrt(np.outer([0.1, 0.1, 0.3], [0.1, 0.1, 0.3]))
    assert np.allclose(G, expect, rtol=1e-15)
    assert G[0, 1] == pytest.approx(0.1) and G[2, 2] == pytest.approx(0.3)


def test_constant_and_matrix_rules() -> None:
    G = couplings.coupling_matrix(3, 2, 0.4, interband="constant", interband_value=-0.02)
    assert np.allclose(np.diag(G), [0.1, 0.4, 0.1])
    assert np.allclose(G[~np.eye(3, dtype=bool)], -0.02)
    user = [[0.2, 0.05, 0.01], [0.05, 0.15, 0.02], [0.01, 0.02, 9.9]]
    G = couplings.coupling_matrix(3, 3, 0.25, interband="matrix", coupling_matrix=user)
    expect = np.array(user)
    expect[2, 2] = 0.25  # the (r, r) element is replaced by g
    assert np.array_equal(G, expect)


def test_coupling_matrices_vectorised() -> None:
    g = np.array([[0.1, 0.2], [0.3, 0.49]])
    G = couplings.coupling_matrices(3, 3, g)
    assert G.shape == (2, 2, 3, 3)
    assert np.allclose(G[1, 0], couplings.coupling_matrix(3, 3, 0.3))


@pytest.mark.parametrize("g", [0.5, 0.7, -0.01, float("nan"), float("inf")])
def test_g_out_of_range_is_named(g: float) -> None:
    with pytest.raises(ValueError, match=r"g must (lie in \[0, 0.5\)|be finite)"):
        couplings.coupling_matrix(3, 3, g)
    with pytest.raises(ValueError, match="g must"):
        couplings.cutoff_energy(330.0, g)


def test_matrix_rule_validation() -> None:
    with pytest.raises(ValueError, match="symmetric"):
        couplings.coupling_matrix(2, 1, 0.2, interband="matrix", coupling_matrix=[[0, 1], [2, 0]])
    with pytest.raises(ValueError, match="finite"):
        couplings.coupling_matrix(
            2, 1, 0.2, interband="matrix", coupling_matrix=[[0, math.nan], [math.nan, 0]]
        )
    with pytest.raises(ValueError, match="2 x 2"):
        couplings.coupling_matrix(2, 1, 0.2, interband="matrix", coupling_matrix=[[0.1]])
    with pytest.raises(ValueError, match="interband_value"):
        couplings.coupling_matrix(2, 1, 0.2, interband="constant")
    with pytest.raises(ValueError, match="resonant_band"):
        couplings.coupling_matrix(2, 3, 0.2)
    with pytest.raises(ValueError, match="interband"):
        couplings.coupling_matrix(2, 1, 0.2, interband="harmonic")


def test_cutoff_rules() -> None:
    assert couplings.cutoff_energy(330.0, 0.3) == pytest.approx(330.0 * math.sqrt(0.4))
    assert couplings.cutoff_energy(330.0, 0.3, rule="fixed") == 330.0
    wc = couplings.cutoff_energy(330.0, 0.25, band_omega0=[100.0, 200.0, 300.0])
    assert np.allclose(wc, np.array([100.0, 200.0, 300.0]) * math.sqrt(0.5))
    wcs = couplings.cutoff_energies(225.0, [0.0, 0.25, 0.49], scale=2.0)
    assert np.allclose(wcs, 450.0 * np.sqrt(1 - 2 * np.array([0.0, 0.25, 0.49])))
    assert couplings.lambda_from_g(0.25) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="omega0"):
        couplings.cutoff_energy(-1.0, 0.2)
    with pytest.raises(ValueError, match="cutoff"):
        couplings.cutoff_energy(100.0, 0.2, rule="debye")
