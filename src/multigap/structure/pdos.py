"""Densities of states of the superlattice subbands, projected on cos(s kz d).

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
from multigap.constants import KB, kinetic_coefficient

FloatArray = NDArray[np.float64]

__all__ = [
    "DensityOfStates",
    "FermiContour",
    "LatticeLike",
    "ProjectedDOS",
    "band_energy",
    "chemical_potential_at_temperature",
    "density",
    "density_at_temperature",
    "dos",
    "fermi_contours",
    "projected_dos",
    "projected_dos_values",
]

#: Default Gauss-Legendre order of the regular remainder (theta variable).
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
    gaps alike, and insensitive to a rounding error of the edge itself).
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
        start = np.where(from_a, a, b - ub[near])
        x3, w3 = _legendre(3)
        nodes = start[:, None] + length[:, None] * (0.5 * (x3 + 1.0))
        fn, fpn = lattice.characteristic(nodes)
        slope = 2.0 * np.abs(np.asarray(fn, dtype=float) * np.asarray(fpn, dtype=float))
        omf2[near] = 0.5 * length * (slope @ w3)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ua * ub / omf2  # (u-a)(b-u)/(1-f^2)
        amp = np.abs(fp) * np.sqrt(np.maximum(ratio, 0.0))
    amp = np.where(np.isfinite(amp), amp, 0.0)
    return amp, np.clip(f, -1.0, 1.0)


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


# ============================================================================ the table
@dataclass(frozen=True, eq=False)
class ProjectedDOS:
    """Projected densities of states tabulated on an energy grid (piecewise linear).

    Attributes
    ----------
    energy : ndarray, shape (N,)
        Non-decreasing nodes, meV. A node repeated twice is a jump: the first copy carries the
        left limit, the second the right limit (every band bottom is such a node).
    values : ndarray, shape (n_bands, S, N)
        rho_{n,s} at the nodes, 1/(meV nm^2) per spin (s = 0 .. S-1).
    bottoms, tops : ndarray, shape (n_bands,)
        Band edges, meV.
    mass_x : float
        Mass along the wires (m_e); ``n0`` = m_x/(2 pi hbar^2) follows from it.

    Notes
    -----
    Between nodes rho is the linear interpolant; this is the representation that the kernel
    integrates exactly (``docs/internals.md`` §3). Below ``energy[0]`` (the lowest band bottom)
    rho = 0; above ``energy[-1]`` the table is not defined.
    """

    energy: FloatArray
    values: FloatArray
    bottoms: FloatArray
    tops: FloatArray
    mass_x: float

    def __post_init__(self) -> None:
        e = np.asarray(self.energy, dtype=float)
        v = np.asarray(self.values, dtype=float)
        if e.ndim != 1 or e.size < 2 or np.any(np.diff(e) < 0.0):
            raise ValueError("energy must be a non-decreasing 1D array of at least 2 nodes")
        if v.ndim != 3 or v.shape[2] != e.size:
            raise ValueError(f"values must have shape (n_bands, S, {e.size}), got {v.shape}")
        for arr in (e, v):
            arr.setflags(write=False)
        object.__setattr__(self, "energy", e)
        object.__setattr__(self, "values", v)

    @property
    def n_bands(self) -> int:
        """Number of subbands."""
        return int(self.values.shape[0])

    @property
    def n_harmonics(self) -> int:
        """Number of harmonics S (s = 0 .. S-1)."""
        return int(self.values.shape[1])

    @property
    def n0(self) -> float:
        """N0 = m_x / (2 pi hbar^2) = 1 / (4 pi C_x), 1/(meV nm^2): free 2D DOS per spin."""
        return 1.0 / (4.0 * math.pi * kinetic_coefficient(self.mass_x))

    @property
    def partial(self) -> FloatArray:
        """Partial DOS rho_{n,0} at the nodes, shape (n_bands, N)."""
        return self.values[:, 0, :]

    @property
    def total(self) -> FloatArray:
        """Total DOS sum_n rho_{n,0} at the nodes, shape (N,)."""
        return self.values[:, 0, :].sum(axis=0)

    def interpolate(self, eps: ArrayLike) -> FloatArray:
        """Piecewise-linear rho_{n,s}(eps), shape ``(n_bands, S, *eps.shape)``, 1/(meV nm^2).

        At a jump node the right limit is returned; below the table 0. Energies above the
        last node raise ValueError.
        """
        x = _finite_array("eps", eps)
        flat = x.ravel()
        e = self.energy
        if np.any(flat > e[-1]):
            raise ValueError(
                f"eps must be <= {e[-1]:.6g} meV (the end of the table), got {flat.max()!r}"
            )
        j = np.searchsorted(e, flat, side="right") - 1  # last node <= eps
        below = j < 0
        j = np.clip(j, 0, e.size - 2)
        e0, e1 = e[j], e[j + 1]
        h = e1 - e0
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(h > 0.0, (flat - e0) / h, 0.0)
        t = np.clip(t, 0.0, 1.0)
        v = self.values
        out = (1.0 - t) * v[:, :, j] + t * v[:, :, j + 1]
        out[:, :, below] = 0.0
        return out.reshape(self.n_bands, self.n_harmonics, *x.shape)


def energy_grid(
    bottoms: FloatArray,
    tops: FloatArray,
    e_max: float,
    step: float,
    ratio: float,
    min_spacing: float,
    band_spacing: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Nodes of the table: uniform grid, refined band windows, geometric edge clusters.

    Parameters
    ----------
    bottoms, tops : ndarray, shape (n_bands,)
        Band edges, meV.
    e_max, step, ratio, min_spacing : float
        See :func:`projected_dos`.
    band_spacing : ndarray, shape (n_bands,), optional
        Spacing (meV) of a sub-grid over [bottom_n, top_n + width_n], where the higher
        harmonics oscillate (about s/2 periods across the band): uniform in phi inside the band
        (eps = bottom + width sin^2 phi, spacing ``band_spacing`` at mid-band), uniform above.

    Returns
    -------
    nodes : ndarray
        Sorted unique nodes in [lowest bottom, e_max], band bottoms excluded.
    jumps : ndarray
        The band bottoms inside the range (each becomes a repeated node).

    Notes
    -----
    Clusters: offsets min_spacing * ratio^k up to step / (ratio - 1), where the geometric
    spacing reaches the uniform one, on both sides of every top and above every bottom.
    """
    lo = float(np.min(bottoms))
    n_uniform = max(math.ceil((e_max - lo) / step), 1)
    nodes = [np.linspace(lo, e_max, n_uniform + 1)]
    reach = step / (ratio - 1.0)
    n_geo = max(math.ceil(math.log(max(reach / min_spacing, 1.0)) / math.log(ratio)), 0) + 1
    offsets = min_spacing * ratio ** np.arange(n_geo)
    for b in tops:
        nodes += [b - offsets, b + offsets]
    for a in bottoms:
        nodes.append(a + offsets)
    if band_spacing is not None:
        for a, b, h in zip(bottoms, tops, band_spacing, strict=True):
            if h < step:
                width = b - a
                # inside: eps = a + width sin^2(phi), phi uniform (the phase s kz d of the
                # harmonics grows like sqrt(eps - a) and sqrt(b - eps) at the edges)
                n_in = math.ceil(0.5 * math.pi * width / h) + 1
                phi = np.linspace(0.0, 0.5 * math.pi, n_in)
                nodes.append(a + width * np.sin(phi) ** 2)
                nodes.append(b + np.linspace(0.0, width, math.ceil(width / h) + 1))
    grid = np.concatenate(nodes)
    grid = grid[(grid > lo) & (grid <= e_max)]
    inside = bottoms[(bottoms >= lo) & (bottoms <= e_max)]
    grid = np.unique(np.concatenate(([lo], grid)))
    grid = grid[~np.isin(grid, inside)]
    # never on a band top (rho = +-inf there): keep only the cluster's own nodes near it
    near_top = np.min(np.abs(grid[:, None] - tops[None, :]), axis=1) < 0.5 * min_spacing
    return grid[~near_top], np.sort(inside)


def projected_dos(
    lattice: LatticeLike,
    n_bands: int,
    n_harmonics: int,
    e_max: float,
    *,
    step: float = 1.0,
    ratio: float = 1.05,
    min_spacing: float = 1e-8,
    nodes_per_harmonic: int = 32,
    quadrature_order: int = DEFAULT_QUADRATURE,
) -> ProjectedDOS:
    """Tabulate rho_{n,s}(eps) for eps from the lowest band bottom to ``e_max``.

    Parameters
    ----------
    lattice : LatticeLike
        The superlattice.
    n_bands : int
        Subbands (>= 1).
    n_harmonics : int
        Harmonics S (>= 1): s = 0 .. S-1 (the kernel with Q cosine modes needs S = 2Q - 1).
    e_max : float
        Upper end of the table, meV (> the lowest band bottom).
    step : float
        Spacing of the uniform part of the grid, meV (default 1.0); the error of the linear
        interpolation of smooth parts is ~ step^2 rho''/8.
    ratio : float
        Ratio of the geometric clusters at the band edges (> 1, default 1.05): the error of the
        linear interpolation of the logarithm at a band top is ~ C (ln ratio)^2 / 8 with C the
        coefficient of the logarithm (3e-4 C at 1.05, 6e-3 C at 1.25).
    min_spacing : float
        Offset of the clusters' innermost nodes from the edge, meV (default 1e-8 meV, far below
        k_B T_floor = 8.6e-7 meV).
    nodes_per_harmonic : int
        Refinement of narrow bands: over [bottom_n, top_n + width_n] the spacing is at most
        width_n / (nodes_per_harmonic * n_harmonics) (default 32), since rho_{n,s} oscillates
        about s/2 times across the band.
    quadrature_order : int
        Gauss-Legendre order of the exact evaluation at the nodes (default 64).

    Notes
    -----
    Measured with the defaults for preset A (3 bands, 19 harmonics, e_max = 3500 meV; 11 800
    nodes, ~0.15 s): piecewise-linear vs exact values at random energies (band interiors, edge
    clusters down to 1e-8 meV) |error| <= 3.6e-4 N0 for s = 0 (1.6e-4 relative) and <= 7e-4 N0
    up to s = 18; the T = 0 density from the table is within 1.2e-5 of :func:`density`.
    With ratio = 1.25: 6.8e-3 N0 (1e-3 relative) and 2.4e-5. (tests/physics/test_pdos.py)

    Returns
    -------
    ProjectedDOS
        Nodes and values; each band bottom is a jump node (left limit 0, right limit the
        exact step P pi T_s(f(a)) sqrt(|f'(a)|/2)).
    """
    n_bands = check.integer("n_bands", n_bands, 1)
    n_harmonics = check.integer("n_harmonics", n_harmonics, 1)
    step = check.positive("step", step, "meV")
    ratio = check.in_range("ratio", ratio, 1.0, 100.0, low_open=True)
    min_spacing = check.positive("min_spacing", min_spacing, "meV")
    nodes_per_harmonic = check.integer("nodes_per_harmonic", nodes_per_harmonic, 1)
    quadrature_order = check.integer("quadrature_order", quadrature_order, 4)
    e_max = check.finite("e_max", e_max)
    edges = _edges(lattice, n_bands)
    lowest = float(edges.bottom.min())
    if e_max <= lowest:
        raise ValueError(f"e_max must be > the lowest band bottom {lowest:.6g} meV, got {e_max!r}")
    band_spacing = (edges.top - edges.bottom) / (nodes_per_harmonic * n_harmonics)
    grid, jumps = energy_grid(
        edges.bottom, edges.top, e_max, step, ratio, min_spacing, band_spacing
    )
    base = _values(lattice, edges, grid, n_harmonics, quadrature_order)
    # insert each bottom twice: left limit (value at a: 0 for its own band), right limit
    at = _values(lattice, edges, jumps, n_harmonics, quadrature_order)
    steps = _step_values(edges, n_harmonics)
    right = at.copy()
    for k, a in enumerate(jumps):
        n = int(np.argmin(np.abs(edges.bottom - a)))
        right[n, :, k] += steps[n]
    energy = np.concatenate((grid, jumps, jumps))
    values = np.concatenate((base, at, right), axis=2)
    # stable sort: the left copy precedes the right copy
    order = np.argsort(energy, kind="stable")
    return ProjectedDOS(
        energy=energy[order],
        values=values[:, :, order],
        bottoms=edges.bottom,
        tops=edges.top,
        mass_x=float(lattice.mass_x),
    )


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


# ============================================================================ public DOS
@dataclass(frozen=True, eq=False)
class DensityOfStates:
    """Total and partial densities of states at given energies (per spin, per area).

    Attributes
    ----------
    energy : ndarray
        Energies, meV (the shape given).
    partial : ndarray, shape (n_bands, *energy.shape)
        N_n(eps) = rho_{n,0}(eps) of every subband, 1/(meV nm^2).
    total : ndarray, shape energy.shape
        N(eps) = sum_n N_n(eps), 1/(meV nm^2).
    bottoms, tops : ndarray, shape (n_bands,)
        Band edges, meV (E_L and E_T of each subband), polished to rounding by Newton steps on
        f(E) = +-1 (open gaps).
    n0 : float
        Free 2D DOS per spin m_x/(2 pi hbar^2), 1/(meV nm^2), for normalised plots.
    """

    energy: FloatArray
    partial: FloatArray
    total: FloatArray
    bottoms: FloatArray
    tops: FloatArray
    n0: float


def _resolve_source(source: Any, n_bands: int | None) -> tuple[LatticeLike, int]:
    """(lattice, n_bands) from a lattice, a Subbands-like or a Model-like object."""
    if hasattr(source, "characteristic") and hasattr(source, "band_edges"):
        if n_bands is None:
            raise ValueError("n_bands must be given (an integer >= 1) when passing a lattice")
        return source, check.integer("n_bands", n_bands, 1)
    lattice = getattr(source, "lattice", None)
    if lattice is None or not hasattr(lattice, "characteristic"):
        raise ValueError(
            "source must be a Superlattice, Subbands or Model (something with a lattice), "
            f"got {type(source).__name__}"
        )
    own = getattr(source, "n_bands", None)
    if own is None:
        own = np.size(getattr(source, "bottoms", ()))
    count = check.integer("n_bands", own if n_bands is None else n_bands, 1)
    return lattice, count


def dos(
    source: Any,
    energy: ArrayLike,
    n_bands: int | None = None,
    *,
    quadrature_order: int = DEFAULT_QUADRATURE,
) -> DensityOfStates:
    """Total and partial densities of states at arbitrary energies (exact, not interpolated).

        N_n(eps) = int_BZ dkz/(2 pi) 1/(2 pi sqrt(C_x (eps - E_n(kz)))) theta(eps - E_n(kz))

    per spin and per area (SPEC §2), with the step at each band bottom and the logarithm at
    each band top exact (method: module docstring).

    Parameters
    ----------
    source : Superlattice, Subbands or Model
        Where the subbands come from (Subbands and Model bring their own ``n_bands``).
    energy : array_like
        Energies, meV (finite).
    n_bands : int, optional
        Number of subbands; required for a lattice, overrides the source's otherwise.
    quadrature_order : int
        Gauss-Legendre order of the regular remainder (default 64).

    Returns
    -------
    DensityOfStates
        ``total`` and ``partial`` in 1/(meV nm^2) per spin. At a band bottom the value is the
        left limit (0 for that band); exactly at a band top with an open gap, +inf.
    """
    lattice, count = _resolve_source(source, n_bands)
    eps = _finite_array("energy", energy)
    order = check.integer("quadrature_order", quadrature_order, 4)
    edges = _edges(lattice, count)
    vals = _values(lattice, edges, eps.ravel(), 1, order).reshape(count, 1, *eps.shape)
    partial = vals[:, 0]
    return DensityOfStates(
        energy=eps,
        partial=partial,
        total=partial.sum(axis=0),
        bottoms=edges.bottom,
        tops=edges.top,
        n0=1.0 / (4.0 * math.pi * kinetic_coefficient(float(lattice.mass_x))),
    )


# ============================================================================ Fermi contours
@dataclass(frozen=True, eq=False)
class FermiContour:
    """The Fermi contour eps_n(kx, kz) = mu of one subband in the (kx, kz) plane.

    Attributes
    ----------
    band : int
        Subband index, 1-based.
    mu : float
        Chemical potential, meV.
    topology : {"empty", "closed", "open"}
        ``"empty"``: mu <= E_L (no Fermi surface, eta < 0); ``"closed"``: E_L < mu < E_T, a
        2D pocket (0 < eta < 1); ``"open"``: mu >= E_T, two open sheets crossing the zone
        (1D-like, eta >= 1; at eta = 1 they touch at the neck).
    curves : tuple of ndarray
        Each of shape (M, 2), columns (kx, kz) in 1/nm, kz in [-pi/d, pi/d]; a closed pocket
        centred at kz = 0 is one closed curve (first point = last), a pocket centred at the zone
        boundary is two halves, open sheets are two curves kx > 0 and kx < 0 ordered in kz.
    """

    band: int
    mu: float
    topology: str
    curves: tuple[FloatArray, ...]


def fermi_contours(
    source: Any, mu: float, n_bands: int | None = None, *, n_points: int = 256
) -> tuple[FermiContour, ...]:
    """Fermi contours eps_n(kx, kz) = mu of every subband over the full zone.

    kx = +-sqrt((mu - E_n(kz)) / C_x) where E_n(kz) <= mu. The curves are parametrised by
    theta with E_n = bottom + (upper - bottom) sin^2(theta) and kz from f(E) = cos(kz d), so
    they are smooth where kx -> 0 (pocket ends) and at the pocket centre.

    Parameters
    ----------
    source : Superlattice, Subbands or Model
    mu : float
        Chemical potential, meV.
    n_bands : int, optional
        Required for a lattice (see :func:`dos`).
    n_points : int
        Points per curve (>= 8, default 256).

    Returns
    -------
    tuple of FermiContour
        One per subband, lowest first.
    """
    lattice, count = _resolve_source(source, n_bands)
    mu = check.finite("mu", mu)
    n_points = check.integer("n_points", n_points, 8)
    edges = _edges(lattice, count)
    d = edges.period
    out = []
    for n in range(count):
        a, b = float(edges.bottom[n]), float(edges.top[n])
        at_zero = edges.sign_bottom[n] > 0  # bottom at kz = 0 (odd bands)
        if mu <= a:
            out.append(FermiContour(n + 1, mu, "empty", ()))
            continue
        upper = min(mu, b)
        if mu < b:
            theta = np.linspace(0.0, 2.0 * math.pi, n_points)
        else:  # half a sheet; mirrored below (kz -> -kz)
            theta = np.linspace(0.0, 0.5 * math.pi, (n_points + 1) // 2 + 1)
        sin2 = np.sin(theta) ** 2
        u = a + (upper - a) * sin2
        f, _ = lattice.characteristic(u)
        k_half = np.arccos(np.clip(np.asarray(f, dtype=float), -1.0, 1.0)) / d  # in [0, pi/d]
        q = k_half if at_zero else math.pi / d - k_half  # distance from the bottom point
        kx_abs = np.sqrt(np.maximum(mu - u, 0.0) / edges.c_x)
        if mu < b:
            kx = np.where(np.cos(theta) >= 0.0, kx_abs, -kx_abs)
            sgn = np.where(np.sin(theta) >= 0.0, 1.0, -1.0)
            if at_zero:
                ring = np.column_stack((kx, sgn * q))
                ring[-1] = ring[0]  # closed exactly (theta = 2 pi is theta = 0)
                curves: tuple[FloatArray, ...] = (ring,)
            else:
                upper_half = np.sin(theta) >= 0.0
                kz = np.where(upper_half, math.pi / d - q, -math.pi / d + q)
                curves = tuple(
                    np.column_stack((kx[mask], kz[mask])) for mask in (upper_half, ~upper_half)
                )
            out.append(FermiContour(n + 1, mu, "closed", curves))
        else:
            kz_all = np.concatenate((-k_half, k_half))
            kz, first = np.unique(kz_all, return_index=True)  # sorted; the kz = 0 copy once
            kxs = np.concatenate((kx_abs, kx_abs))[first]
            curves = (np.column_stack((kxs, kz)), np.column_stack((-kxs, kz)))
            out.append(FermiContour(n + 1, mu, "open", curves))
    return tuple(out)
