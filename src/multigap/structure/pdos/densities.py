"""Band energies and electron densities (T = 0 exact, finite T from a table).

Part of :mod:`multigap.structure.pdos`: E_n(kz) by safeguarded Newton on f(E) = cos(kz d),
the T = 0 density by quadrature independent of the DOS tables, and the finite-temperature
density and chemical potential from a :class:`~multigap.structure.pdos.tables.ProjectedDOS`
(exact for the piecewise-linear table). Units: meV, 1/nm^2 (both spins), K.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from multigap import validation as check
from multigap.constants import KB
from multigap.structure.pdos.closed_forms import (
    _SHORT_SEGMENT,
    LatticeLike,
    _Edges,
    _edges,
    _finite_array,
    _legendre,
)
from multigap.structure.pdos.tables import ProjectedDOS

FloatArray = NDArray[np.float64]

__all__ = [
    "band_energy",
    "chemical_potential_at_temperature",
    "density",
    "density_at_temperature",
]


# ============================================================================ band energies
def band_energy(lattice: LatticeLike, n_bands: int, kz: ArrayLike) -> FloatArray:
    """Exact E_n(kz) of every band at arbitrary wavevectors.

    Solves f(E) = cos(kz d) inside [bottom_n, top_n] (f monotone there) by Newton's method
    safeguarded by bisection, vectorised over ``kz``.

    Parameters
    ----------
    lattice : LatticeLike
    n_bands : int
        Number of subbands (>= 1).
    kz : array_like
        Wavevectors, 1/nm (any; E_n is even and 2 pi/d periodic).

    Returns
    -------
    ndarray, shape (n_bands, *kz.shape)
        Energies, meV, to ~1e-13 relative.
    """
    k = _finite_array("kz", kz)
    edges = _edges(lattice, n_bands)
    return _band_energy(lattice, edges, np.cos(k * edges.period))


def _band_energy(lattice: LatticeLike, edges: _Edges, c: FloatArray) -> FloatArray:
    """E_n with f(E_n) = c for every band, shape (n_bands, *c.shape)."""
    nb = edges.bottom.size
    shape = (nb, *c.shape)
    a = np.broadcast_to(edges.bottom.reshape((nb,) + (1,) * c.ndim), shape)
    b = np.broadcast_to(edges.top.reshape((nb,) + (1,) * c.ndim), shape)
    sig = np.broadcast_to(edges.sign_bottom.reshape((nb,) + (1,) * c.ndim), shape)
    target = np.broadcast_to(np.clip(c, -1.0, 1.0), shape)
    # g(E) = sig (f(E) - c) falls from >= 0 at the bottom to <= 0 at the top
    lo, hi = a.copy(), b.copy()
    x = a + (b - a) * 0.5 * (1.0 - sig * target)  # exact for a cosine band
    tol = 2e-15 * np.maximum(np.abs(b), b - a)
    for _ in range(200):
        f, fp = lattice.characteristic(x)
        g = sig * (np.asarray(f) - target)
        gp = sig * np.asarray(fp)
        lo = np.where(g > 0.0, x, lo)
        hi = np.where(g > 0.0, hi, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - g / gp
        ok = np.isfinite(newton) & (newton > lo) & (newton < hi)
        x_new = np.where(ok, newton, 0.5 * (lo + hi))
        x_new = np.where(g == 0.0, x, x_new)
        done = (np.abs(x_new - x) <= tol) | (hi - lo <= tol)
        x = x_new
        if np.all(done):
            break
    x = np.where(target == sig, a, x)  # exact edges
    return np.where(target == -sig, b, x)


# ============================================================================ densities
def density(
    lattice: LatticeLike, n_bands: int, mu: ArrayLike, *, quadrature_order: int = 96
) -> FloatArray:
    """Electron density at T = 0, both spins, electrons per nm^2.

        n(mu) = 2 sum_n int_BZ dkz/(2 pi) (1/pi) sqrt((mu - E_n(kz)) / C_x) theta(mu - E_n)

    (kx integrated in closed form: the occupied kx interval has length 2 sqrt((mu-E)/C_x)).
    Computed independently of the DOS: Gauss-Legendre in kz after q = q_F sin(phi) (q the
    distance from the band bottom in kz, q_F the Fermi point), which makes the square-root
    edge at the Fermi point smooth; E_n(kz) by root solving (:func:`band_energy`).

    Parameters
    ----------
    lattice : LatticeLike
    n_bands : int
        Subbands counted (>= 1).
    mu : array_like
        Chemical potential, meV.
    quadrature_order : int
        Nodes in phi (default 96; 1e-10 relative away from band tops, 1e-6 within 1e-6 meV
        above a top).

    Returns
    -------
    ndarray, shape mu.shape
        Density, 1/nm^2.
    """
    m = _finite_array("mu", mu)
    order = check.integer("quadrature_order", quadrature_order, 4)
    edges = _edges(lattice, n_bands)
    d = edges.period
    x, w = _legendre(order)
    phi = 0.25 * math.pi * (x + 1.0)
    wphi = 0.25 * math.pi * w
    flat = m.ravel()
    total = np.zeros(flat.size)
    for n in range(edges.bottom.size):
        a, b = edges.bottom[n], edges.top[n]
        occ = flat > a
        if not np.any(occ):
            continue
        mu_n = flat[occ]
        f_mu, _ = lattice.characteristic(np.minimum(mu_n, b))
        k_mu = np.arccos(np.clip(np.asarray(f_mu, dtype=float), -1.0, 1.0)) / d
        k_bottom = 0.0 if edges.sign_bottom[n] > 0 else math.pi / d
        q_f = np.where(mu_n >= b, math.pi / d, np.abs(k_mu - k_bottom))
        q = q_f[:, None] * np.sin(phi)
        kz = np.abs(k_bottom - q)
        energy = _band_energy(lattice, _one_band(edges, n), np.cos(kz * d))[0]
        integrand = np.sqrt(np.maximum(mu_n[:, None] - energy, 0.0)) * np.cos(phi)
        # 2 spins * 2 sides (+-q) * (1/2pi) * (1/pi) / sqrt(C_x)
        total[occ] += (2.0 / (math.pi**2 * math.sqrt(edges.c_x))) * q_f * (integrand @ wphi)
    return total.reshape(m.shape)


def _one_band(edges: _Edges, n: int) -> _Edges:
    sl = slice(n, n + 1)
    return _Edges(
        edges.bottom[sl],
        edges.top[sl],
        edges.sign_bottom[sl],
        edges.sign_top[sl],
        edges.slope_bottom[sl],
        edges.slope_top[sl],
        edges.period,
        edges.c_x,
    )


def _fermi_antiderivatives(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """F0(x) = int dx/(1+e^x) and F1(x) = int x dx/(1+e^x), stable for all real x.

    F0 = -ln(1 + e^-x). F1 = -x ln(1 + e^-x) + Li2(-e^-x) for x >= 0 and
    x^2/2 - x ln(1 + e^x) - Li2(-e^x) - pi^2/6 for x < 0 (continuous at 0), with
    Li2(z) = spence(1 - z) (scipy's convention).
    """
    f0 = -np.logaddexp(0.0, -x)
    ex = np.exp(-np.abs(x))  # e^{-|x|} <= 1
    pos = -x * np.log1p(ex) + special.spence(1.0 + ex)
    neg = 0.5 * x * x - x * np.log1p(ex) - special.spence(1.0 + ex) - math.pi**2 / 6.0
    return f0, np.where(x >= 0.0, pos, neg)


def density_at_temperature(
    table: ProjectedDOS, mu: ArrayLike, temperature: ArrayLike
) -> FloatArray:
    """Electron density (both spins, 1/nm^2) with the Fermi function, from a DOS table.

        n(mu, T) = 2 int deps N(eps) / (1 + exp((eps - mu)/k_B T)),   N = sum_n rho_{n,0}

    integrated exactly for the piecewise-linear table: on each segment
    int f = k_B T [F0], int (eps - mu) f = (k_B T)^2 [F1] (:func:`_fermi_antiderivatives`,
    dilogarithm), so the result is accurate from T = 0 (the step, exact) through 1e-5 K to
    1000 K with no temperature-dependent grid. Segments more than 40 k_B T away from mu use
    the T = 0 value (error < e^-40); segments shorter than k_B T / 2 use 4-point
    Gauss-Legendre (exact to 1e-11). Beyond the end of the table the DOS is continued by its
    last value (keep e_max - mu >> k_B T).

    Parameters
    ----------
    table : ProjectedDOS
        The tabulated DOS (only s = 0 is used); the subbands it holds are those counted.
    mu : array_like
        Chemical potential, meV (<= the end of the table).
    temperature : array_like
        Temperature, K (>= 0). Broadcast against ``mu``.

    Returns
    -------
    ndarray
        Density, electrons per nm^2, shape of the broadcast of ``mu`` and ``temperature``.
    """
    m = _finite_array("mu", mu)
    temp = _finite_array("temperature", temperature)
    if np.any(temp < 0.0):
        raise ValueError(f"temperature must be >= 0 K, got {temp.min()!r}")
    e = table.energy
    if np.any(m > e[-1]):
        raise ValueError(f"mu must be <= {e[-1]:.6g} meV (the end of the table), got {m.max()!r}")
    mb, tb = np.broadcast_arrays(m, temp)
    mu_f = mb.ravel()[:, None]
    kt = (KB * tb.ravel())[:, None]
    r = table.total
    e0, e1 = e[:-1], e[1:]
    r0, r1 = r[:-1], r[1:]
    h = e1 - e0
    seg = h > 0.0
    e0, e1, r0, r1, h = e0[seg], e1[seg], r0[seg], r1[seg], h[seg]
    slope = (r1 - r0) / h
    # T = 0: int_{e0}^{min(e1, mu)} r
    top = np.clip(mu_f, e0, e1)
    cold = (top - e0) * (r0 + 0.5 * slope * (top - e0))
    with np.errstate(divide="ignore", invalid="ignore"):
        x0 = (e0 - mu_f) / kt
        x1 = (e1 - mu_f) / kt
    near = (kt > 0.0) & (x0 < 40.0) & (x1 > -40.0)
    if np.any(near):
        rows, cols = np.nonzero(near)
        kk = kt[rows, 0]
        mm = mu_f[rows, 0]
        a0, b0 = x0[rows, cols], x1[rows, cols]
        sl = slope[cols]
        short = (b0 - a0) < _SHORT_SEGMENT
        warm = np.empty(a0.size)
        # long segments: closed form (no cancellation when x1 - x0 is not small)
        lng = ~short
        g0a, g1a = _fermi_antiderivatives(a0[lng])
        g0b, g1b = _fermi_antiderivatives(b0[lng])
        level = r0[cols][lng] + sl[lng] * (mm[lng] - e0[cols][lng])  # r at eps = mu
        kl = kk[lng]
        warm[lng] = level * kl * (g0b - g0a) + sl[lng] * kl * kl * (g1b - g1a)
        # short segments (e.g. the clusters at band edges): the differences of F0, F1 would
        # cancel; r f is smooth on them, 4-point Gauss-Legendre is exact to ((x1-x0)/2)^8
        if np.any(short):
            xg, wg = _legendre(4)
            lo_e, hi_e = e0[cols][short], e1[cols][short]
            half = 0.5 * (hi_e - lo_e)
            nodes = (lo_e + hi_e)[:, None] * 0.5 + half[:, None] * xg
            rr = r0[cols][short][:, None] + sl[short][:, None] * (nodes - lo_e[:, None])
            occ = special.expit(-(nodes - mm[short][:, None]) / kk[short][:, None])
            warm[short] = half * ((rr * occ) @ wg)
        cold[rows, cols] = warm
    n = 2.0 * cold.sum(axis=1)
    # tail beyond the table, DOS continued by its last value
    kt_flat = kt[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(
            kt_flat > 0.0, kt_flat * np.logaddexp(0.0, (mu_f[:, 0] - e[-1]) / kt_flat), 0.0
        )
    n += 2.0 * r[-1] * tail
    return n.reshape(mb.shape)


def chemical_potential_at_temperature(
    table: ProjectedDOS, electrons: float, temperature: float, *, xtol: float = 1e-10
) -> float:
    """Chemical potential (meV) at which the table holds ``electrons`` per nm^2 at ``temperature``.

    Bracketed root (Brent) of :func:`density_at_temperature`, which rises monotonically with mu.

    Parameters
    ----------
    table : ProjectedDOS
    electrons : float
        Density, electrons per nm^2 (both spins, > 0).
    temperature : float
        K (>= 0).
    xtol : float
        Absolute tolerance on mu, meV.
    """
    from scipy.optimize import brentq

    target = check.positive("electrons", electrons, "1/nm^2")
    temp = check.non_negative("temperature", temperature, "K")
    e = table.energy

    def resid(x: float) -> float:
        return float(density_at_temperature(table, x, temp)) - target

    hi = float(e[-1])
    if resid(hi) < 0.0:
        raise ValueError(
            f"electrons must be < {target + 0.0 - resid(hi):.6g} 1/nm^2 (the table holds no more "
            f"below its end {hi:.6g} meV at {temp} K), got {electrons!r}"
        )
    lo = float(e[0]) - 1.0 - 50.0 * KB * temp
    while resid(lo) > 0.0:
        lo -= 10.0 * (1.0 + KB * temp)
    return float(brentq(resid, lo, hi, xtol=xtol, rtol=1e-15))
