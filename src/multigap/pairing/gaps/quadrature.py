"""The 2D (kz, kx) quadrature of the gap and density equations at one (a, mu).

Imports only numpy, scipy and the set-up object of :mod:`multigap.pairing.gaps.problem`; knows
nothing of the solver. See the package docstring for the equations.

kz integrals are done in the band energy u = E_n(kz) on the half zone [0, pi/d] (times 2), with
dkz = |f'(u)| du / (d sqrt(1 - f(u)^2)) and cos(q kz d) = T_q(f(u)) (f: half trace of the
transfer matrix; explicit, no root finding). Each band [a, b] is cut at mu, mu +- wc and at
graded levels mu +- s r^k (:func:`make_plan`); only u < mu + wc contributes. The integrand has
square-root singularities at the *ends* of these segments -- 1/sqrt(u - a) above a band bottom,
1/sqrt(b - u) below a band top, sqrt(p - u) below each level p (the kx window edges, the Fermi
point) -- and near-singularities wherever a segment end lies a small distance delta from a band
edge (e.g. mu - wc just above a bottom), or a level lies a small distance delta above a band
top (its sqrt(p - u) reaches into the band). A segment whose length L exceeds (r_e - 1) delta
is therefore cut further at the geometric points s -+ delta r_e^k toward the nearby singular
point s (r_e = 4): every sub-segment
then lies at least a third of its length from the edge, where Gauss-Legendre converges
geometrically whatever delta is, and the
sub-segment that ends at the original level keeps a node clustering (u = u0 + L sin(pi t / 2))
for the square root there. Segments far from band edges use u = u0 + L sin^2(pi t / 2), which
makes the square roots at both ends smooth. kx integrals: kx = kx_c + s_k sinh(v) centred on the
Fermi point, Gauss-Legendre in v on each side (the normal occupation jumps there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

__all__ = [
    "Eval",
    "Nodes",
    "Plan",
    "Setup",
    "evaluate",
    "kz_nodes",
    "legendre01",
    "make_plan",
    "normal_density",
]

FloatArray = NDArray[np.float64]

#: Largest ratio between consecutive graded levels around mu.
_GRADING = 4.0
#: Most graded levels per side around mu.
_MAX_LEVELS = 14
#: Geometric ratio of the cuts toward a nearby band edge.
_EDGE_RATIO = 4.0
#: Most cuts toward one band edge (4^60 covers any distance in double precision).
_MAX_EDGE_CUTS = 60

# node maps on [0, 1]: 0 both ends clustered (sin^2), 1 none (linear), 2 upper end (sin),
# 3 lower end (1 - cos)
_BOTH, _LINEAR, _UPPER, _LOWER = 0, 1, 2, 3


@lru_cache(maxsize=32)
def legendre01(order: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on [0, 1] (read-only)."""
    x, w = np.polynomial.legendre.leggauss(order)
    x, w = 0.5 * (x + 1.0), 0.5 * w
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


@lru_cache(maxsize=32)
def _maps(order: int) -> tuple[FloatArray, FloatArray]:
    """Node positions s(t) in [0, 1] and weights ds/dt w(t) of the four maps, shape (4, M)."""
    t, w = legendre01(order)
    h = 0.5 * math.pi * t
    s = np.stack([np.sin(h) ** 2, t, np.sin(h), 1.0 - np.cos(h)])
    ds = np.stack(
        [
            0.5 * math.pi * np.sin(2.0 * h),
            np.ones_like(t),
            0.5 * math.pi * np.cos(h),
            0.5 * math.pi * np.sin(h),
        ]
    )
    sw = ds * w[None, :]
    s.setflags(write=False)
    sw.setflags(write=False)
    return s, sw


@dataclass(frozen=True, eq=False)
class Setup:
    """Everything of one solve that does not change with (a, mu)."""

    lattice: Any
    bottoms: FloatArray  # (nb,) meV
    tops: FloatArray
    c_x: float  # hbar^2 / 2 m_x, meV nm^2
    n0: float  # 1 / (4 pi C_x), 1/(meV nm^2)
    period: float
    wc: FloatArray  # (nb,) meV
    A: FloatArray  # (nb Q, nb Q): g_{nn'} C^{nn'}_{qq'}
    n_bands: int
    n_modes: int
    kt: float  # k_B T, meV
    kz_order: int
    kx_order: int


@dataclass(frozen=True, eq=False)
class Plan:
    """Gap scales that fix the graded levels and the kx widths of a quadrature."""

    scale: FloatArray  # (nb,) meV: s = sqrt(Delta_scale^2 + (k_B T)^2)
    levels: FloatArray  # (nb, 2K + 3) energies relative to mu, meV


def make_plan(setup: Setup, gap_scale: FloatArray) -> Plan:
    """Levels mu +- wc, mu, and mu +- s r^k (s .. wc, ratio <= 4) from per-band gap scales."""
    s = np.sqrt(np.asarray(gap_scale, dtype=float) ** 2 + setup.kt**2)
    s = np.maximum(s, 1e-12 * setup.wc)
    wc = setup.wc
    ratio = np.maximum(wc / s, 1.0)
    k = int(np.clip(np.ceil(np.log(ratio.max()) / math.log(_GRADING)), 1, _MAX_LEVELS))
    steps = np.arange(k)[None, :] / k  # 0 .. (k-1)/k
    graded = np.minimum(s[:, None] * ratio[:, None] ** steps, wc[:, None])  # s .. < wc
    levels = np.concatenate(
        [-wc[:, None], -graded[:, ::-1], np.zeros((wc.size, 1)), graded, wc[:, None]], axis=1
    )
    return Plan(s, levels)


def _edge_cuts(p1: float, p2: float, below: float, above: float) -> list[float]:
    """Geometric cuts of (p1, p2) toward the singular points ``below`` <= p1 and ``above`` >= p2
    (a band bottom; a band top, or a level just above the top)."""
    r = _EDGE_RATIO
    cuts: list[float] = []
    d = p1 - below
    if d > 0.0 and p2 - p1 > (r - 1.0) * d:
        x = below + d * r
        for _ in range(_MAX_EDGE_CUTS):
            if x >= p2:
                break
            cuts.append(x)
            x = below + (x - below) * r
    e = above - p2
    if e > 0.0 and p2 - p1 > (r - 1.0) * e:
        y = above - e * r
        for _ in range(_MAX_EDGE_CUTS):
            if y <= p1:
                break
            cuts.append(y)
            y = above - (above - y) * r
    return sorted(set(cuts))


def _band_segments(
    pts: FloatArray, a: float, b: float, beyond: float, mu: float
) -> tuple[FloatArray, FloatArray, NDArray[np.intp]]:
    """Segments (start, length, node map) of one band from its sorted cut points.

    ``beyond`` is the nearest level above the band top (inf if none): its square root
    sqrt(level - u) reaches into the band and is a near-singularity of the segment ending at b.
    The Fermi level mu is one too for a segment ending below it (the kx-integrated kernel has
    its |Delta|-wide structure there, a distance wc above the window edge).
    """
    u0, u1 = pts[:-1], pts[1:]
    keep = u1 > u0
    u0, u1 = u0[keep], u1[keep]
    above = np.where(u1 < b, b, beyond)  # nearest singular point at or above each segment
    above = np.where(u1 < mu, np.minimum(above, mu), above)
    r1 = _EDGE_RATIO - 1.0
    near = ((u0 > a) & (u1 - u0 > r1 * (u0 - a))) | (u1 - u0 > r1 * (above - u1))
    if not np.any(near):
        return u0, u1 - u0, np.zeros(u0.size, dtype=np.intp)
    starts: list[float] = []
    ends: list[float] = []
    codes: list[int] = []
    for p1, p2, up, hit in zip(
        u0.tolist(), u1.tolist(), above.tolist(), near.tolist(), strict=True
    ):
        cuts = _edge_cuts(p1, p2, a, up) if hit else []
        if not cuts:
            starts.append(p1)
            ends.append(p2)
            codes.append(_BOTH)
            continue
        bounds = [p1, *cuts, p2]
        m = len(bounds) - 1
        for j in range(m):
            starts.append(bounds[j])
            ends.append(bounds[j + 1])
            if j == m - 1:
                codes.append(_UPPER)  # the original upper end (a level or a band top)
            elif j == 0 and p1 <= a:
                codes.append(_LOWER)  # a band bottom
            else:
                codes.append(_LINEAR)
    s = np.asarray(starts)
    return s, np.asarray(ends) - s, np.asarray(codes, dtype=np.intp)


@dataclass(frozen=True, eq=False)
class Nodes:
    """Quadrature nodes in (n, kz) for one mu, flat over bands (band n in ``slices[n]``)."""

    e: FloatArray  # (P,) E_n - mu, meV
    wkz: FloatArray  # (P,) weights of int_0^{pi/d} dkz, 1/nm
    cos: FloatArray  # (P, Q) cos(q kz d)
    band: NDArray[np.intp]  # (P,) band index of each node
    slices: tuple[slice, ...]  # contiguous node range of each band
    onehot: FloatArray  # (nb, P) band membership


def kz_nodes(setup: Setup, plan: Plan, mu: float) -> Nodes:
    """kz (energy) nodes and weights of every band for the levels of ``plan`` around ``mu``."""
    nb = setup.n_bands
    a_all, b_all = setup.bottoms, setup.tops
    s_map, w_map = _maps(setup.kz_order)
    u_parts: list[FloatArray] = []
    w_parts: list[FloatArray] = []
    slices: list[slice] = []
    start = 0
    for n in range(nb):  # n_bands iterations
        a, b = float(a_all[n]), float(b_all[n])
        hi = min(b, mu + float(setup.wc[n]))  # only E_n < mu + wc contributes
        if hi <= a:
            slices.append(slice(start, start))
            continue
        levels = mu + plan.levels[n]
        pts = np.unique(np.clip(np.concatenate(([a, hi], levels)), a, hi))
        over = levels[levels > b]
        beyond = float(over.min()) if (hi == b and over.size) else math.inf
        u0, length, code = _band_segments(pts, a, b, beyond, mu)
        u_parts.append((u0[:, None] + length[:, None] * s_map[code]).reshape(-1))
        w_parts.append((length[:, None] * w_map[code]).reshape(-1))
        slices.append(slice(start, start + u_parts[-1].size))
        start += u_parts[-1].size
    u = np.concatenate(u_parts) if u_parts else np.zeros(0)
    du = np.concatenate(w_parts) if w_parts else np.zeros(0)
    band = np.concatenate(
        [np.full(sl.stop - sl.start, n, dtype=np.intp) for n, sl in enumerate(slices)]
    )
    f, fp = setup.lattice.characteristic(u)
    c = np.clip(np.asarray(f, dtype=float), -1.0, 1.0)
    sin_kd = np.sqrt(np.maximum((1.0 - c) * (1.0 + c), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.abs(np.asarray(fp, dtype=float)) / (setup.period * sin_kd)
    wkz = np.where(np.isfinite(jac), du * jac, 0.0)
    cos = np.cos(np.arccos(c)[:, None] * np.arange(setup.n_modes))  # kz d = arccos f
    onehot = (band[None, :] == np.arange(nb)[:, None]).astype(float)
    return Nodes(u - mu, wkz, cos, band, tuple(slices), onehot)


def normal_density(setup: Setup, nodes: Nodes) -> float:
    """Normal-state T = 0 density (both spins) at the nodes' mu, 1/nm^2:
    (2/pi^2) sum_n int_0^{pi/d} dkz kx_F(kz), kx_F = sqrt(max(mu - E_n, 0) / C_x)."""
    kf = np.sqrt(np.maximum(-nodes.e, 0.0) / setup.c_x)
    return 2.0 / math.pi**2 * float(nodes.wkz @ kf)


@dataclass(frozen=True, eq=False)
class Eval:
    """Residual, densities and (optionally) derivatives at one (a, mu)."""

    residual_gap: FloatArray  # (nb Q,) a - A Y, meV
    delta_n: float  # window part of the density: occupation minus normal T = 0, 1/nm^2
    normal_density: float  # normal-state T = 0 density at mu, 1/nm^2
    B: FloatArray | None  # (nb, Q, Q) dY/da per band
    dn_da: FloatArray | None  # (nb, Q)


def _kx_rule(setup: Setup, plan: Plan, nodes: Nodes) -> tuple[FloatArray, FloatArray, FloatArray]:
    """kx nodes as xi (P, 2I) and weights (P, 2I) of int_0^inf dkx; and kx_F (P,)."""
    c_x = setup.c_x
    e = nodes.e
    wc = setup.wc[nodes.band]
    kc = np.sqrt(np.maximum(-e, 0.0) / c_x)
    k_lo = np.sqrt(np.maximum(-wc - e, 0.0) / c_x)
    k_hi = np.sqrt(np.maximum(wc - e, 0.0) / c_x)
    sk = np.sqrt((np.abs(e) + plan.scale[nodes.band]) / c_x) - kc
    v_lo = np.arcsinh((k_lo - kc) / sk)  # <= 0
    v_hi = np.arcsinh((k_hi - kc) / sk)  # >= 0
    x, w = legendre01(setup.kx_order)
    v = np.concatenate([v_lo[:, None] * x, v_hi[:, None] * x], axis=-1)  # (P, 2I)
    wv = np.concatenate([-v_lo[:, None] * w, v_hi[:, None] * w], axis=-1)
    dk = sk[:, None] * np.sinh(v)
    wkx = wv * sk[:, None] * np.cosh(v)
    xi = np.maximum(e, 0.0)[:, None] + c_x * dk * (2.0 * kc[:, None] + dk)
    return xi, wkx, kc


def evaluate(
    setup: Setup,
    plan: Plan,
    a: FloatArray,
    mu: float,
    *,
    derivatives: bool = False,
    nodes: Nodes | None = None,
) -> Eval:
    """Gap-equation residual a - A Y(a, mu), the window density delta_n and the normal-state
    density n_N(mu) (all vectorised over the nodes of :func:`kz_nodes`)."""
    if nodes is None:
        nodes = kz_nodes(setup, plan, mu)
    kT = setup.kt
    delta = np.einsum("pq,pq->p", nodes.cos, a[nodes.band])  # (P,)
    xi, wkx, kc = _kx_rule(setup, plan, nodes)
    d2 = delta[:, None]
    E = np.maximum(np.sqrt(xi * xi + d2 * d2), 1e-300)
    if kT > 0.0:
        z = E / (2.0 * kT)
        t = np.tanh(z)
        h = t / (2.0 * E)
        em = np.exp(-2.0 * z)
        hp = (4.0 * em / (1.0 + em) ** 2) / (4.0 * kT * E) - t / (2.0 * E * E)  # dh/dE
        fermi = special.expit(-xi / kT)
    else:
        h = 0.5 / E
        hp = -0.5 / (E * E)
        fermi = np.zeros_like(xi)
        fermi[:, : setup.kx_order] = 1.0  # left of the Fermi point (v < 0): xi < 0
    occ = 0.5 - xi * h
    F = np.sum(wkx * d2 * h, axis=-1)  # (P,)  int_0^inf dkx Delta h
    pref = 1.0 / (math.pi**2 * setup.n0)
    wq = nodes.wkz[:, None] * nodes.cos  # (P, Q)
    Y = pref * (nodes.onehot @ (wq * F[:, None]))  # (nb, Q)
    res = a.reshape(-1) - setup.A @ Y.reshape(-1)
    dens = 2.0 / math.pi**2
    dn = dens * float(nodes.wkz @ np.sum(wkx * (occ - fermi), axis=-1))
    n_normal = dens * float(nodes.wkz @ kc)
    B = dn_da = None
    if derivatives:
        dF = np.sum(wkx * (h + d2 * d2 * hp / E), axis=-1)  # d(Delta h)/dDelta
        B = np.zeros((setup.n_bands, setup.n_modes, setup.n_modes))
        for n, sl in enumerate(nodes.slices):  # n_bands blocks
            B[n] = pref * ((wq[sl] * dF[sl, None]).T @ nodes.cos[sl])
        docc = np.sum(wkx * (-xi * hp * d2 / E), axis=-1)
        dn_da = dens * (nodes.onehot @ (wq * docc[:, None]))
    return Eval(res, dn, n_normal, B, dn_da)
