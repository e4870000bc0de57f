"""Closed forms of the projected DOS: band-edge data, elliptic integrals, exact values.

Part of :mod:`multigap.structure.pdos` (which re-exports every name); this module holds the
exact evaluation at arbitrary energies that the tables interpolate.

Densities of states of the superlattice subbands, projected on cos(s kz d).

The cos-projected density of states of subband n (per spin, per unit area, 1/(meV nm^2)) is

    rho_{n,s}(eps) = int_BZ dkz/(2 pi) cos(s kz d) / (2 pi sqrt(C_x (eps - E_n(kz))))
                     theta(eps - E_n(kz)),              C_x = hbar^2 / (2 m_x),

(the kx integral done in closed form). s = 0 is the partial DOS N_n(eps) of subband n
(SPEC §2); s > 0 are the moments that the finite-rank pairing kernel needs
(``docs/internals.md`` §2-3).

Method (exact at the singularities, no fine grid)
-------------------------------------------------
Inside band n, c = cos(kz d) = f(u) with f the half trace of the one-period transfer matrix
(:meth:`multigap.Superlattice.characteristic`) and u = E_n(kz) the band energy. Over one half
zone (times 2) the change of variables kz -> u gives dkz = |f'(u)| du / (d sqrt(1 - f(u)^2)) and
cos(s kz d) = T_s(f(u)) (Chebyshev polynomial), hence

    rho_{n,s}(eps) = P int_a^{min(eps, b)} du  S_s(u) / sqrt((u - a) (b - u) (eps - u)),
    P = 1 / (2 pi^2 d sqrt(C_x)),
    S_s(u) = |f'(u)| T_s(f(u)) sqrt((u - a) (b - u) / (1 - f(u)^2)),

with a, b the band bottom and top (simple zeros of 1 - f^2 when the gaps are open). S_s is
smooth; its value at the top is S_s(b) = T_s(f(b)) sqrt(|f'(b)| (b - a) / 2), from
1 - f^2 ~ 2 |f'(b)| (b - u). Splitting S_s = S_s(b) + (S_s - S_s(b)), the first part is the
complete elliptic integral (Byrd & Friedman, *Handbook of Elliptic Integrals*, 1971, 233.00
and 236.00)

    int_a^eps du / sqrt((u-a)(b-u)(eps-u)) = 2 K(m) / sqrt(b - a),  m = (eps-a)/(b-a),  a < eps < b
    int_a^b   du / sqrt((u-a)(b-u)(eps-u)) = 2 K(m) / sqrt(eps - a), m = (b-a)/(eps-a),  eps > b

which carries the logarithm of the saddle point (van Hove singularity, type-II Lifshitz point)
exactly: rho ~ -P S_s(b)/sqrt(b - a) ln|eps - b|. The remainder is regular; after
u = a + (upper - a) sin^2(theta) every endpoint singularity is removed and Gauss-Legendre in
theta converges spectrally. At eps -> a+ the result tends to the exact step
P pi T_s(f(a)) sqrt(|f'(a)|/2) = cos(s kz_a d) / (4 pi sqrt(C_x c2)) (E ~ a + c2 (kz - kz_a)^2).
Closed gaps (f'(b) = 0, e.g. V = 0) give S_s(b) = 0 and S_s ~ sqrt(b - u), which the
substitution also makes smooth.

Units: energies meV, lengths nm, wavevectors 1/nm, DOS 1/(meV nm^2) per spin, densities
electrons/nm^2 (both spins), temperatures K.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from multigap import validation as check
from multigap.constants import kinetic_coefficient

FloatArray = NDArray[np.float64]

__all__ = ["DEFAULT_QUADRATURE", "LatticeLike", "projected_dos_values"]

DEFAULT_QUADRATURE = 64
#: Below this value 1 - f^2 is integrated from the nearer band edge instead of taken from f
#: (whose rounding near +-1 would then cost more than 1e-12 relative).
_EDGE_LEVEL = 1e-4
#: |f'(edge)| * band width below which a gap counts as closed.
_CLOSED_GAP = 1e-10
#: Segments shorter than this (in units of k_B T) are integrated against the Fermi function
#: by Gauss-Legendre instead of the closed form, whose differences would cancel.
_SHORT_SEGMENT = 0.5
#: Energies per block in the vectorised evaluation (bounds the temporary arrays).
_BLOCK = 4096
#: Near-edge points per band side from which 1 - f^2 uses an interpolant of 2 |f f'| (exact to
#: rounding, :func:`_edge_interpolant`), and its number of Chebyshev points.
_EDGE_INTERP_MIN = 64
_EDGE_INTERP_ORDER = 10


class LatticeLike(Protocol):
    """What this module needs of a superlattice (``multigap.Superlattice`` satisfies it)."""

    @property
    def period(self) -> float:  # nm
        ...

    @property
    def mass_x(self) -> float:  # m_e
        ...

    def characteristic(self, energy: FloatArray, /) -> tuple[Any, Any]:
        """(f, df/dE) of the one-period transfer matrix at ``energy`` (meV)."""
        ...

    def band_edges(self, n_bands: int, /) -> tuple[Any, Any]:
        """(bottoms, tops), each (n_bands,), meV."""
        ...


# ============================================================================ band-edge data
@dataclass(frozen=True)
class _Edges:
    """Band-edge data of ``n_bands`` subbands (arrays of shape (n_bands,))."""

    bottom: FloatArray  # a, meV
    top: FloatArray  # b, meV
    sign_bottom: FloatArray  # f(a) = +-1
    sign_top: FloatArray  # f(b) = +-1
    slope_bottom: FloatArray  # |f'(a)|, 1/meV
    slope_top: FloatArray  # |f'(b)|, 1/meV
    period: float  # d, nm
    c_x: float  # hbar^2 / 2 m_x, meV nm^2

    @property
    def prefactor(self) -> float:
        """P = 1 / (2 pi^2 d sqrt(C_x)) (the u integral adds meV^-1/2: rho in 1/(meV nm^2))."""
        return 1.0 / (2.0 * math.pi**2 * self.period * math.sqrt(self.c_x))


def _edges(lattice: LatticeLike, n_bands: int) -> _Edges:
    n_bands = check.integer("n_bands", n_bands, 1)
    bottoms, tops = lattice.band_edges(n_bands)
    a = np.array(bottoms, dtype=float).reshape(n_bands)
    b = np.array(tops, dtype=float).reshape(n_bands)
    if not np.all(b > a):
        raise ValueError(f"band tops must lie above band bottoms, got bottoms {a}, tops {b}")
    a = _polish_edge(lattice, a, b - a)
    b = _polish_edge(lattice, b, b - a)
    fa, dfa = lattice.characteristic(a)
    fb, dfb = lattice.characteristic(b)
    d = check.positive("lattice.period", float(lattice.period), "nm")
    m_x = check.positive("lattice.mass_x", float(lattice.mass_x), "m_e")
    return _Edges(
        bottom=a,
        top=b,
        sign_bottom=np.where(np.asarray(fa) >= 0.0, 1.0, -1.0),
        sign_top=np.where(np.asarray(fb) >= 0.0, 1.0, -1.0),
        slope_bottom=_open_slope(dfa, b - a),
        slope_top=_open_slope(dfb, b - a),
        period=d,
        c_x=kinetic_coefficient(m_x),
    )


def _open_slope(dfde: Any, width: FloatArray) -> FloatArray:
    """|f'| at an edge, set to 0 for a closed gap.

    A gap Delta next to a band of width W gives |f'| W ~ Delta / W; below 1e-10 the gap is
    closed to rounding (V = 0 gives |f'| W ~ 1e-15 instead of 0), and its square root would
    otherwise leave a spurious step and logarithm of relative size 1e-7.
    """
    slope = np.abs(np.asarray(dfde, dtype=float))
    return np.where(slope * width < _CLOSED_GAP, 0.0, slope)


def _polish_edge(lattice: LatticeLike, edge: FloatArray, width: FloatArray) -> FloatArray:
    """Newton steps on f(E) = +-1 at open-gap edges (|f'| > 0): the edge to rounding.

    Steps larger than 1e-6 of the band width are refused (closed or nearly closed gaps,
    where the given edge is kept).
    """
    x = edge.copy()
    for _ in range(3):
        f, fp = lattice.characteristic(x)
        f = np.asarray(f, dtype=float)
        fp = np.asarray(fp, dtype=float)
        target = np.where(f >= 0.0, 1.0, -1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            dx = (f - target) / fp
        ok = np.isfinite(dx) & (np.abs(dx) < 1e-6 * width)
        x = np.where(ok, x - dx, x)
    return x


@lru_cache(maxsize=16)
def _legendre(order: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on [-1, 1] (read-only, cached)."""
    x, w = np.polynomial.legendre.leggauss(order)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


def _theta_rule(n_quad: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on [0, pi/2]."""
    x, w = _legendre(n_quad)
    return 0.25 * math.pi * (x + 1.0), 0.25 * math.pi * w


def _chebyshev_stack(c: FloatArray, n_harmonics: int) -> FloatArray:
    """T_s(c) for s = 0 .. n_harmonics - 1, stacked on a new leading axis (|c| <= 1)."""
    out = np.empty((n_harmonics, *c.shape))
    out[0] = 1.0
    if n_harmonics > 1:
        out[1] = c
    for s in range(2, n_harmonics):
        out[s] = 2.0 * c * out[s - 1] - out[s - 2]
    return out


def _amplitude(
    lattice: LatticeLike, edges: _Edges, n: int, ua: FloatArray, ub: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """|f'(u)| sqrt((u-a)(b-u)/(1-f^2)) and clipped f(u) at u = a + ua (ua, ub = u-a, b-u).

    Where 1 - f^2 < ``_EDGE_LEVEL`` (near an edge) it is not taken from f, whose rounding near
    +-1 would dominate, but integrated from the nearer edge: 1 - f(u)^2 = int 2 |f f'| dv over
    [a, u] or [u, b] by 3-point Gauss-Legendre (exact to (distance/width)^6, for open and closed
    gaps alike, and insensitive to a rounding error of the edge itself); see
    :func:`_edge_integral` for how 2 |f f'| at the nodes is obtained.
    """
    a = float(edges.bottom[n])
    b = float(edges.top[n])
    f, fp = lattice.characteristic(a + ua)
    f = np.asarray(f, dtype=float)
    fp = np.asarray(fp, dtype=float)
    omf2 = (1.0 - f) * (1.0 + f)
    near = omf2 < _EDGE_LEVEL
    if np.any(near):
        from_a = (ua <= ub)[near]
        length = np.where(from_a, ua[near], ub[near])
        omf2[near] = _edge_integral(lattice, a, b, from_a, length)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ua * ub / omf2  # (u-a)(b-u)/(1-f^2)
        amp = np.abs(fp) * np.sqrt(np.maximum(ratio, 0.0))
    amp = np.where(np.isfinite(amp), amp, 0.0)
    return amp, np.clip(f, -1.0, 1.0)


def _edge_integral(
    lattice: LatticeLike, a: float, b: float, from_a: NDArray[np.bool_], length: FloatArray
) -> FloatArray:
    """1 - f^2 = int 2 |f f'| over [a, a + length] (from_a) or [b - length, b], 3-point GL.

    On a side with at least :data:`_EDGE_INTERP_MIN` points, 2 |f f'| at their Gauss nodes is
    taken from its Chebyshev interpolant on [0, the farthest node] (:func:`_edge_interpolant`)
    where that is exact to rounding, instead of evaluating f at every node.
    """
    x3, w3 = _legendre(3)
    h3 = 0.5 * (x3 + 1.0)
    out = np.empty(length.size)
    for side in (True, False):
        sel = from_a == side
        if not np.any(sel):
            continue
        dist = length[sel, None] * (h3 if side else 1.0 - h3)  # nodes' distance from the edge
        slope = None
        if dist.shape[0] >= _EDGE_INTERP_MIN:
            slope = _edge_interpolant(lattice, a if side else b, 1.0 if side else -1.0, dist)
        if slope is None:
            start = a if side else b - length[sel]
            nodes = np.asarray(start)[..., None] + length[sel, None] * h3
            fn, fpn = lattice.characteristic(nodes)
            slope = 2.0 * np.abs(np.asarray(fn, dtype=float) * np.asarray(fpn, dtype=float))
        out[sel] = 0.5 * length[sel] * (slope @ w3)
    return out


def _edge_interpolant(
    lattice: LatticeLike, edge: float, sign: float, dist: FloatArray
) -> FloatArray | None:
    """2 |f f'| at ``edge + sign * dist`` from a Chebyshev fit, or None.

    The Chebyshev series through the :data:`_EDGE_INTERP_ORDER` Chebyshev points of
    [0, max(dist)], truncated after degree 3 (the least-squares fit of those points), is used
    where that is exact to the rounding of f itself: the dropped coefficients below 1e-13 of
    the first (they are the ~1e-15 rounding noise of the evaluations; a smooth function's
    true ones decay like (distance / band width)^k), and 2 |f f'| within a factor 2 of constant
    there (an open gap, whose near-edge range is ~1e-4 of the band), so that the relative
    error is ~1e-14 at every distance, the edge included. Otherwise None (closed or nearly
    closed gaps: every node is evaluated).
    """
    top = float(dist.max())
    if not top > 0.0:
        return None
    k = np.arange(_EDGE_INTERP_ORDER)
    theta = (2.0 * k + 1.0) * math.pi / (2.0 * _EDGE_INTERP_ORDER)
    x = 0.5 * top * (1.0 + np.cos(theta))
    fk, fpk = lattice.characteristic(edge + sign * x)
    g = 2.0 * np.abs(np.asarray(fk, dtype=float) * np.asarray(fpk, dtype=float))
    if not (np.all(np.isfinite(g)) and g.min() >= 0.5 * g.max() > 0.0):
        return None
    coef = (2.0 / _EDGE_INTERP_ORDER) * (np.cos(np.outer(k, theta)) @ g)
    coef[0] *= 0.5
    if np.max(np.abs(coef[4:])) > 1e-13 * abs(coef[0]):
        return None
    return np.asarray(np.polynomial.chebyshev.chebval(2.0 * dist / top - 1.0, coef[:4]))


def _top_slope(
    lattice: LatticeLike, edges: _Edges, n: int, s_top: FloatArray, n_harmonics: int
) -> FloatArray:
    """dS_s/du at the band top (one-sided differences), or 0 where S is not smooth there.

    Subtracting S_s(b) + S_s'(b) (u - b) leaves a remainder ~ (b - u)^2, whose quadrature no
    longer feels the near-singularity of eps -> b. The subtraction is exact whatever the value
    used, so an estimate suffices; with a closed gap S ~ sqrt(b - u) has no slope, the two
    estimates below disagree and the slope is set to 0 (S / sqrt(b - u) is then smooth anyway).
    """
    width = float(edges.top[n] - edges.bottom[n])
    h = 1e-4 * width
    dist = h * np.array([1.0, 2.0, 4.0])
    amp, fc = _amplitude(lattice, edges, n, width - dist, dist)
    val = _chebyshev_stack(fc, n_harmonics) * amp  # (S, 3): S_s(b - h), S_s(b - 2h), S_s(b - 4h)
    d1 = (3.0 * s_top - 4.0 * val[:, 0] + val[:, 1]) / (2.0 * h)
    d2 = (3.0 * s_top - 4.0 * val[:, 1] + val[:, 2]) / (4.0 * h)
    if not abs(d1[0] - d2[0]) <= 1e-3 * abs(d1[0]) + 1e-12 * abs(s_top[0]) / width:
        return np.zeros(n_harmonics)
    return np.asarray(d1, dtype=float)


def _closed_top_limit(lattice: LatticeLike, edges: _Edges, n: int, n_harmonics: int) -> FloatArray:
    """R_s(b) = lim S_s(u) / sqrt(b - u) at a closed-gap top (quadratic extrapolation).

    As for the slope, any value keeps the result exact; a good one makes the remainder smooth.
    """
    width = float(edges.top[n] - edges.bottom[n])
    dist = 1e-3 * width * np.array([1.0, 2.0, 3.0])
    amp, fc = _amplitude(lattice, edges, n, width - dist, dist)
    r = _chebyshev_stack(fc, n_harmonics) * amp / np.sqrt(dist)
    return np.asarray(3.0 * r[:, 0] - 3.0 * r[:, 1] + r[:, 2], dtype=float)


def _band_values(
    lattice: LatticeLike,
    edges: _Edges,
    n: int,
    eps: FloatArray,
    n_harmonics: int,
    n_quad: int,
) -> FloatArray:
    """rho_{n,s}(eps) / P for one band (0-based n), shape (n_harmonics, eps.size).

    S_s(u) = S_s(b) + S_s'(b) (u - b) + R_s(u): the first two terms are integrated in closed
    form (K and E of modulus m, Byrd & Friedman 233.00, 233.01, 236.00, 236.01), R_s by
    Gauss-Legendre in theta.
    """
    a, b = float(edges.bottom[n]), float(edges.top[n])
    width = b - a
    harm = np.arange(n_harmonics)
    s_top = edges.sign_top[n] ** harm * math.sqrt(edges.slope_top[n] * width / 2.0)  # S_s(b)
    slope = _top_slope(lattice, edges, n, s_top, n_harmonics)  # S_s'(b)
    t, w = _theta_rule(n_quad)
    sin2, cos2 = np.sin(t) ** 2, np.cos(t) ** 2
    out = np.zeros((n_harmonics, eps.size))

    # ---- eps > b (and eps = b): nodes independent of eps -> one matrix product
    above = eps >= b
    if np.any(above):
        e2 = eps[above]
        ub = width * cos2
        amp, fc = _amplitude(lattice, edges, n, width * sin2, ub)
        values = _chebyshev_stack(fc, n_harmonics) * amp  # S_s(u_j), (S, Q)
        weight = 2.0 * w / np.sqrt((e2 - b)[:, None] + ub)  # (N2, Q)
        if edges.slope_top[n] == 0.0:
            # closed gap: S = sqrt(b - u) R with R smooth; R(b) is integrated in closed form,
            # int_a^b du / sqrt((u - a)(eps - u)) = 2 arctan(sqrt((b - a)/(eps - b)))
            r_top = _closed_top_limit(lattice, edges, n, n_harmonics)
            root = np.sqrt(ub)
            rem = ((values / root - r_top[:, None]) * root) @ weight.T
            arc = 2.0 * np.arctan2(math.sqrt(width), np.sqrt(e2 - b))
            out[:, above] = rem + r_top[:, None] * arc[None, :]
        else:
            integrand = values - s_top[:, None] + slope[:, None] * ub
            rem = integrand @ weight.T
            p1 = (e2 - b) / (e2 - a)  # 1 - m
            m = width / (e2 - a)
            with np.errstate(divide="ignore"):
                k = special.ellipkm1(p1)
            kfac = 2.0 * k / np.sqrt(e2 - a)
            # int (u - b) du / sqrt(...) = -2 sqrt(eps - a) (E(m) - (1 - m) K(m))
            efac = -2.0 * np.sqrt(e2 - a) * (special.ellipe(m) - _times(p1, k))
            out[:, above] = rem + _times(s_top[:, None], kfac[None, :]) + slope[:, None] * efac
    # ---- a < eps < b: nodes u = a + (eps - a) sin^2 theta
    inside = (eps > a) & (eps < b)
    if np.any(inside):
        e1 = eps[inside]
        p = (e1 - a)[:, None]
        q = (b - e1)[:, None]
        ua = p * sin2
        ub = q + p * cos2
        amp, fc = _amplitude(lattice, edges, n, ua, ub)
        weight = 2.0 * w / np.sqrt(ub)  # (N1, Q)
        cheb = _chebyshev_stack(fc, n_harmonics)  # (S, N1, Q)
        # sum_q w (T_s amp - S_s(b) + S_s'(b) ub), without (S, N1, Q) temporaries
        rem = (
            np.einsum("snq,nq->sn", cheb, amp * weight, optimize=True)
            - s_top[:, None] * weight.sum(axis=1)[None, :]
            + slope[:, None] * (ub * weight).sum(axis=1)[None, :]
        )
        kfac = 2.0 * special.ellipkm1((b - e1) / width) / math.sqrt(width)
        # int (u - b) du / sqrt(...) = -2 sqrt(b - a) E(m), m = (eps - a)/(b - a)
        efac = -2.0 * math.sqrt(width) * special.ellipe((e1 - a) / width)
        out[:, inside] = rem + s_top[:, None] * kfac[None, :] + slope[:, None] * efac[None, :]
    return out


def _times(x: FloatArray, y: FloatArray) -> FloatArray:
    """x * y with 0 * inf = 0 (a closed gap has no logarithm)."""
    with np.errstate(invalid="ignore"):
        return np.where(x == 0.0, 0.0, x * y)


def _step_values(edges: _Edges, n_harmonics: int) -> FloatArray:
    """rho_{n,s}(a_n+): the step at every band bottom, shape (n_bands, n_harmonics)."""
    harm = np.arange(n_harmonics)
    return (
        edges.prefactor
        * math.pi
        * edges.sign_bottom[:, None] ** harm[None, :]
        * np.sqrt(edges.slope_bottom / 2.0)[:, None]
    )


def _values(
    lattice: LatticeLike, edges: _Edges, eps: FloatArray, n_harmonics: int, n_quad: int
) -> FloatArray:
    nb = edges.bottom.size
    out = np.empty((nb, n_harmonics, eps.size))
    for n in range(nb):  # bands: a handful; energies and nodes are vectorised
        for start in range(0, eps.size, _BLOCK):
            sl = slice(start, start + _BLOCK)
            out[n, :, sl] = _band_values(lattice, edges, n, eps[sl], n_harmonics, n_quad)
    return out * edges.prefactor


def projected_dos_values(
    lattice: LatticeLike,
    energy: ArrayLike,
    n_bands: int,
    n_harmonics: int = 1,
    *,
    quadrature_order: int = DEFAULT_QUADRATURE,
) -> FloatArray:
    """Exact projected DOS rho_{n,s}(eps) at arbitrary energies (not interpolated).

    Parameters
    ----------
    lattice : LatticeLike
        The superlattice (``characteristic``, ``band_edges``, ``period``, ``mass_x``).
    energy : array_like
        Energies eps, meV (finite).
    n_bands : int
        Number of subbands (>= 1), lowest first.
    n_harmonics : int
        Harmonics s = 0 .. n_harmonics - 1 (>= 1).
    quadrature_order : int
        Gauss-Legendre order of the regular remainder (default 64: 1e-10 relative for the
        presets up to s = 18).

    Returns
    -------
    ndarray, shape (n_bands, n_harmonics, *energy.shape)
        rho_{n,s}(eps) in 1/(meV nm^2), per spin. Zero at and below the band bottom (the left
        limit of the step); +-inf exactly at a band top with an open gap.

    Notes
    -----
    Method in the module docstring; formulas: the elliptic integrals of Byrd & Friedman
    (1971) 233.00, 236.00 and the change of variables c = cos(kz d) = f(E).
    """
    n_harmonics = check.integer("n_harmonics", n_harmonics, 1)
    quadrature_order = check.integer("quadrature_order", quadrature_order, 4)
    eps = _finite_array("energy", energy)
    edges = _edges(lattice, n_bands)
    vals = _values(lattice, edges, eps.ravel(), n_harmonics, quadrature_order)
    return vals.reshape(edges.bottom.size, n_harmonics, *eps.shape)


def _finite_array(name: str, value: ArrayLike) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be real numbers, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].ravel()[0]
        raise ValueError(f"{name} must be finite, got {bad!r}")
    return arr
