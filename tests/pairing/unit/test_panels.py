"""The panel window moments of the Tc search (pairing/panels.py) against the exact ones.

References: :func:`multigap.pairing.kernel.window_moments` (every table segment integrated in
closed form; itself tested against adaptive quadrature in test_kernel.py), the BCS closed form
F(wc/2T) of a constant DOS, the exact integral of a piecewise-linear table, and central
differences in ln T for the slopes.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from multigap.pairing.kernel import tanh_integral, window_moments
from multigap.pairing.panels import PanelTables

ONE_GROUP = np.array([[0, 4]], dtype=np.int64)


def _random_table(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """300 random nodes on [-50, 50] meV, a geometric cluster down to 1e-6 meV at 3 meV (a
    singularity's), and a jump; four random columns."""
    rng = np.random.default_rng(seed)
    e = np.sort(np.concatenate([rng.uniform(-50.0, 50.0, 300), 3.0 + 1e-6 * 1.3 ** np.arange(40)]))
    e = np.insert(e, 150, e[150])  # a jump node
    return e, rng.normal(size=(e.size, 4))


def _slope_exact(e: np.ndarray, tab: np.ndarray, mu: float, T: float, wc: float) -> np.ndarray:
    """dX/d ln T = -int_{-wc}^{wc} sech^2(xi/2T)/(4T) rho(mu + xi) dxi, every segment in closed
    form ([tanh t / 2] and T [t tanh t - ln cosh t]) or 5-point Gauss (kernel._near_moments)."""
    from multigap.pairing.kernel import _near_moments

    xl, xr = e[:-1] - mu, e[1:] - mu
    a, b = np.clip(xl, -wc, wc), np.clip(xr, -wc, wc)
    ok = (b > a) & (xr > xl)
    a, b, xl, xr = a[ok], b[ok], xl[ok], xr[ok]
    _, _, D0, D1c = _near_moments(a, b, np.full(a.size, T), slopes=True)
    h, c = xr - xl, 0.5 * (a + b)
    wl = D1c / h - (xr - c) / h * D0
    wr = -((c - xl) / h * D0 + D1c / h)
    idx = np.flatnonzero(ok)
    return wl @ tab[idx] + wr @ tab[idx + 1]


def _slope_fd(e: np.ndarray, tab: np.ndarray, mu: np.ndarray, T: np.ndarray, wc: np.ndarray):
    h = 1e-5
    up = window_moments(e, tab, mu, T * math.exp(h), wc)
    down = window_moments(e, tab, mu, T * math.exp(-h), wc)
    return (up - down) / (2.0 * h)


@pytest.mark.parametrize("T", [1e-6, 0.05, 1.0, 7.0, 60.0])
def test_panel_moments_match_exact_moments_and_slopes(T: float) -> None:
    """Windows inside the table, meeting the cluster, shorter than one panel, running off
    either end of the table: X to 1e-12 of the largest moment, dX/d ln T to 1e-6 of a central
    difference (the difference's own error)."""
    e, tab = _random_table(3)
    pt = PanelTables(e, tab)
    mu = np.array([-7.0, 0.3, 3.0 + 2e-6, 12.0, 2.5, -49.0, 48.5, 3.0])
    wc = np.array([20.0, 5.0, 9.0, 30.0, 0.5, 10.0, 4.0, 1.0])
    Tv = np.full(mu.size, T)
    ref = window_moments(e, tab, mu, Tv, wc)
    X, dX = pt.moments(mu, Tv, wc[:, None], ONE_GROUP)
    assert np.max(np.abs(X - ref)) < 1e-12 * np.abs(ref).max()
    fd = _slope_fd(e, tab, mu, Tv, wc)
    assert np.max(np.abs(dX - fd)) < 1e-6 * max(1.0, np.abs(fd).max())


def test_column_groups_use_their_own_cutoffs() -> None:
    """Two column groups with two cut-offs give each group's single-cut-off moments."""
    e, tab = _random_table(5)
    pt = PanelTables(e, tab)
    mu = np.array([-3.0, 10.0])
    T = np.array([0.4, 2.0])
    wc = np.array([[12.0, 25.0], [7.0, 3.0]])
    X, dX = pt.moments(mu, T, wc, np.array([[0, 1], [1, 4]], dtype=np.int64))
    for g, (c0, c1) in enumerate(((0, 1), (1, 4))):
        ref, dref = pt.moments(mu, T, wc[:, g : g + 1], ONE_GROUP)
        assert np.array_equal(X[:, c0:c1], ref[:, c0:c1])
        assert np.array_equal(dX[:, c0:c1], dref[:, c0:c1])


def test_constant_dos_gives_the_bcs_susceptibility() -> None:
    """rho = 1 on [-500, 500] meV: X = F(wc / 2T) exactly, dX/d ln T = -tanh(wc/2T)."""
    e = np.linspace(-500.0, 500.0, 1001)
    pt = PanelTables(e, np.ones((e.size, 4)))
    T = np.array([1e-5, 0.01, 0.3, 5.0, 40.0, 200.0])
    mu = np.array([0.0, 13.7, -101.3, 1.0, 0.0, 0.2])
    wc = np.full(T.size, 150.0)
    X, dX = pt.moments(mu, T, wc[:, None], ONE_GROUP)
    exact = tanh_integral(wc / (2.0 * T))
    assert np.max(np.abs(X[:, 0] - exact) / exact) < 1e-13
    assert np.max(np.abs(dX[:, 0] + np.tanh(wc / (2.0 * T)))) < 1e-12


def _table_integral(
    e: np.ndarray, tab: np.ndarray, lo: float, hi: float, first: bool = False
) -> np.ndarray:
    """int_lo^hi rho (``first``: rho eps) of the piecewise-linear table, segment by segment in
    closed form (L (r0 + r1)/2, and L (r0 (2 x0 + x1) + r1 (x0 + 2 x1)) / 6)."""
    total = np.zeros(tab.shape[1])
    for i in range(e.size - 1):
        h = e[i + 1] - e[i]
        x0, x1 = max(e[i], lo), min(e[i + 1], hi)
        if h <= 0.0 or x1 <= x0:
            continue
        r0 = tab[i] + (x0 - e[i]) / h * (tab[i + 1] - tab[i])
        r1 = tab[i] + (x1 - e[i]) / h * (tab[i + 1] - tab[i])
        if first:
            total += (x1 - x0) * (r0 * (2 * x0 + x1) + r1 * (x0 + 2 * x1)) / 6.0
        else:
            total += 0.5 * (x1 - x0) * (r0 + r1)
    return total


def test_panel_weights_integrate_the_table_exactly() -> None:
    """sum_m Y_{p,m} = int_panel rho (the l_m sum to 1) for every panel of every level, and
    sum_m Y x_m = int_panel rho eps (they integrate polynomials times rho exactly)."""
    e, tab = _random_table(7)
    pt = PanelTables(e, tab)
    for level in range(pt.offsets.size - 1):
        width = pt.width * 2**level
        rows = pt.Y[pt.offsets[level] : pt.offsets[level + 1]]
        for j in range(rows.shape[0]):
            lo, hi = pt.origin + j * width, pt.origin + (j + 1) * width
            exact = _table_integral(e, tab, lo, hi)
            assert np.allclose(rows[j].sum(axis=0), exact, rtol=1e-12, atol=1e-12)
    # first moment on one coarse panel: int rho (eps - centre) from the table's own segments
    rows = pt.Y[pt.offsets[3] : pt.offsets[4]]
    lo, hi = pt.origin, pt.origin + 8 * pt.width
    x = 0.5 * (lo + hi) + 0.5 * (hi - lo) * pt.nodes
    ref = _table_integral(e, tab, lo, hi, first=True)
    assert np.allclose(x @ rows[0], ref, rtol=1e-12, atol=1e-11)


@cache
def _preset_tables(name: str):  # the KernelTables of a shipped preset
    import multigap as mg
    from multigap.pairing.tc import _tables_of

    return _tables_of(mg.preset(name))


@pytest.mark.parametrize("name", ["A", "B"])
def test_preset_tables_panel_moments_match_exact(name: str) -> None:
    """The shipped geometries (~10^4 nodes, clusters at every DOS singularity): random windows,
    mu on table nodes (inside clusters) included, T from 1e-9 (the default floor, 1e-5 K) to 60
    meV. The claim of the panels module: X to 1e-12 of the largest moment, dX/d ln T to 1e-11
    of the largest slope."""
    from multigap.pairing.kernel import _moments_flat

    t = _preset_tables(name)
    rng = np.random.default_rng(11)
    e = t.energy
    mu = np.concatenate([rng.uniform(e[0] + 50, e[-1] - 300, 12), e[rng.integers(200, 9000, 6)]])
    wc = rng.uniform(60.0, 250.0, mu.size)
    wc[:2] = 1.5  # windows inside one panel
    cols = np.array([[0, t.table.shape[1]]], dtype=np.int64)
    for T in (1e-9, 1e-6, 0.02, 0.9, 4.0, 19.0, 60.0):
        Tv = np.full(mu.size, T)
        X, dX = t.panels.moments(mu, Tv, wc[:, None], cols)
        ref = _moments_flat(e, t.table, mu, Tv, wc)
        assert np.max(np.abs(X - ref)) < 1e-12 * np.abs(ref).max()
        exact = np.stack([_slope_exact(e, t.table, m, T, w) for m, w in zip(mu, wc, strict=True)])
        assert np.max(np.abs(dX - exact)) < 1e-11 * np.abs(exact).max()
        if T == 4.0:  # the exact slope itself against a central difference
            fd = _slope_fd(e, t.table, mu, Tv, wc)
            assert np.max(np.abs(exact - fd)) < 1e-6 * np.abs(fd).max()


def test_long_tables_get_wider_panels_not_more_memory() -> None:
    """A table 100 eV long with 69 columns (a preset's): the finest panels widen so that the
    weights stay below 64 MiB, and the moments are still the exact ones, to 1e-12 of
    int K |rho| (white-noise columns cancel: their moments are far below that scale)."""
    rng = np.random.default_rng(2)
    e = np.sort(np.concatenate([rng.uniform(0.0, 1e5, 3000), [0.0, 1e5]]))
    tab = rng.normal(size=(e.size, 69))
    pt = PanelTables(e, tab)
    assert pt.Y.nbytes <= 64 * 2**20
    assert pt.width > 2.0
    mu = np.array([500.0, 5e4, 9.9e4])
    wc = np.array([300.0, 2e4, 800.0])
    for T in (1e-3, 10.0, 300.0):
        Tv = np.full(mu.size, T)
        X, _ = pt.moments(mu, Tv, wc[:, None], np.array([[0, 69]], dtype=np.int64))
        ref = window_moments(e, tab, mu, Tv, wc)
        scale = window_moments(e, np.abs(tab), mu, Tv, wc)
        assert np.all(np.abs(X - ref) < 1e-12 * scale)
