"""Compiled (numba) loops of the panel window integrals (:mod:`multigap.pairing.panels`).

Two jobs, both on the piecewise-linear projected-DOS table ``(energy (N,), table (N, M))``:

* :func:`level0_panels`: the node weights Y_{j,m} = int_{panel j} rho(eps) l_m(eps) deps of the
  finest panels (l_m: the Lagrange basis on the panel's Gauss-Legendre nodes), exactly (Gauss
  quadrature of the degree-n_q polynomial on every piece of a table segment inside a panel);
* :func:`batch_moments`: for each point (mu, T, wc), the window moments X and their slopes
  dX/d ln T -- whole panels through their virtual nodes, the rest segment by segment with the
  exact formulas of :mod:`multigap.pairing.kernel` (far / near-short / near-long regimes).

Every function is a plain loop over scalars: one pass over the window per point, no
temporaries. The arithmetic of the exact segments is that of
``kernel._local_weights`` / ``kernel._near_moments`` (same regimes, same closed forms), written
for scalars; tests/pairing/unit/test_panels.py compares both against the numpy path and against
adaptive quadrature.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from multigap.pairing.kernel import _GL_ORDER, LOG_4EG_OVER_PI, _f_table

#: compile-time constants of the loops: the F(x) Chebyshev table, the Gauss-Legendre rule of
#: the short exact segments
_COEFS = np.ascontiguousarray(_f_table())
_GL_S, _GL_W = np.polynomial.legendre.leggauss(_GL_ORDER)

#: beyond |t| = xi / 2T = _FAR, tanh(t) = sign(t) to 1e-17 (kernel._FAR)
_FAR = 20.0
#: a near segment is "short" below this fraction of its distance to the poles (kernel._SHORT)
_SHORT = 0.1
#: F(x) table: piece width and the split beyond which F = ln x + ln(4 e^gamma / pi)
_F_WIDTH = 0.5
_F_SPLIT = 20.0
#: segments shorter than this carry no weight (kernel / window _TINY)
_TINY = 1e-200
_LN2 = math.log(2.0)


@njit(cache=True)
def _tanh_integral(x: float) -> float:  # pragma: no cover
    """F(x) = int_0^x tanh(t)/t dt (kernel.tanh_integral for one argument)."""
    coefs = _COEFS
    ax = abs(x)
    if ax > _F_SPLIT:
        v = math.log(ax) + LOG_4EG_OVER_PI
    else:
        j = min(int(ax / _F_WIDTH), coefs.shape[0] - 1)
        s = (ax - j * _F_WIDTH) * (2.0 / _F_WIDTH) - 1.0
        b1 = 0.0
        b2 = 0.0
        two_s = 2.0 * s
        for k in range(coefs.shape[1] - 1, 0, -1):
            b1, b2 = coefs[j, k] + two_s * b1 - b2, b1
        v = coefs[j, 0] + s * b1 - b2
    return math.copysign(v, x)


@njit(cache=True)
def _log_cosh(x: float) -> float:  # pragma: no cover
    ax = abs(x)
    if ax < 1e-3:
        xs = ax * ax
        return xs * (0.5 - xs * (1.0 / 12.0 - xs / 45.0))
    return ax + math.log1p(math.exp(-2.0 * ax)) - _LN2


@njit(cache=True)
def _atanhc_minus_one(r: float) -> float:  # pragma: no cover
    if r < 0.01:
        r2 = r * r
        return r2 * (1.0 / 3.0 + r2 * (1.0 / 5.0 + r2 * (1.0 / 7.0 + r2 * (1.0 / 9.0))))
    return math.atanh(r) / r - 1.0


@njit(cache=True)
def _segment(a: float, b: float, T: float) -> tuple[float, float, float, float]:  # pragma: no cover
    """J0, J1c (kernel K) and D0, D1c (kernel D = sech^2(xi/2T)/(4T)) of [a, b], b > a, in xi."""
    half = 0.5 * (b - a)
    c = 0.5 * (a + b)
    absc = abs(c)
    dist0 = max(absc - half, 0.0)
    if dist0 >= 2.0 * _FAR * T:  # far: K = 1/(2|xi|), D = 0
        r = half / absc
        return math.atanh(r), math.copysign(half, -c) * _atanhc_minus_one(r), 0.0, 0.0
    pit = math.pi * T
    if 2.0 * half < _SHORT * math.sqrt(dist0 * dist0 + pit * pit):
        inv2T = 0.5 / T
        j0 = 0.0
        j1 = 0.0
        d0 = 0.0
        d1 = 0.0
        for q in range(_GL_S.size):
            t = (c + _GL_S[q] * half) * inv2T
            th = math.tanh(t)
            k = th / t if t != 0.0 else 1.0
            sech2 = 1.0 - th * th
            wq = _GL_W[q]
            j0 += wq * k
            j1 += wq * _GL_S[q] * k
            d0 += wq * sech2
            d1 += wq * _GL_S[q] * sech2
        scale = 0.5 * inv2T * half
        return scale * j0, scale * half * j1, scale * d0, scale * half * d1
    ta = a / (2.0 * T)
    tb = b / (2.0 * T)
    j0 = 0.5 * (_tanh_integral(tb) - _tanh_integral(ta))
    lca = _log_cosh(ta)
    lcb = _log_cosh(tb)
    tha = math.tanh(ta)
    thb = math.tanh(tb)
    d0 = 0.5 * (thb - tha)
    j1c = T * (lcb - lca) - c * j0
    d1c = T * ((tb * thb - lcb) - (ta * tha - lca)) - c * d0
    return j0, j1c, d0, d1c


@njit(cache=True)
def _exact_range(
    e: np.ndarray,
    table: np.ndarray,
    cols: tuple[int, int],
    mu: float,
    T: float,
    x0: float,
    x1: float,
    X: np.ndarray,
    dX: np.ndarray,
) -> None:  # pragma: no cover
    """Add the exact window integrals of the table segments over energies [x0, x1] (meV) to
    X, dX (columns cols = [c0, c1) of the table)."""
    if x1 <= x0:
        return
    c0, c1 = cols
    n = e.size
    s0 = int(np.searchsorted(e, x0, side="right"))
    s1 = int(np.searchsorted(e, x1, side="left"))
    i0 = min(max(s0 - 1, 0), n - 2)
    i1 = min(max(s1, 1), n - 1)
    lo_x = x0 - mu
    hi_x = x1 - mu
    for i in range(i0, i1):
        xl = e[i] - mu
        xr = e[i + 1] - mu
        h = xr - xl
        if h <= _TINY:
            continue
        a = max(xl, lo_x)
        b = min(xr, hi_x)
        if b <= a:
            continue
        J0, J1c, D0, D1c = _segment(a, b, T)
        c = 0.5 * (a + b)
        fl = (xr - c) / h
        fr = (c - xl) / h
        j1h = J1c / h
        d1h = D1c / h
        wl = fl * J0 - j1h
        wr = fr * J0 + j1h
        dl = d1h - fl * D0
        dr = -(fr * D0 + d1h)
        for col in range(c0, c1):
            yl = table[i, col]
            yr = table[i + 1, col]
            X[col - c0] += wl * yl + wr * yr
            dX[col - c0] += dl * yl + dr * yr


@njit(cache=True)
def _panel(
    Y: np.ndarray,
    row: int,
    centre: float,
    half: float,
    nodes: np.ndarray,
    cols: tuple[int, int],
    mu: float,
    T: float,
    X: np.ndarray,
    dX: np.ndarray,
) -> None:  # pragma: no cover
    """Add one panel through its virtual nodes: sum_m K(x_m - mu) Y_m (and -D for dX)."""
    c0, c1 = cols
    inv2T = 0.5 / T
    for m in range(nodes.size):
        x = (centre - mu) + nodes[m] * half
        t = x * inv2T
        if abs(t) >= _FAR:
            k = 0.5 / abs(x)
            d = 0.0
        else:
            th = math.tanh(t)
            k = th / (2.0 * x) if x != 0.0 else 0.5 * inv2T
            d = (1.0 - th * th) * 0.5 * inv2T
        for col in range(c0, c1):
            y = Y[row, m, col]
            X[col - c0] += k * y
            dX[col - c0] -= d * y


@njit(cache=True)
def _point(
    pan: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    grid: tuple[float, float, float],
    cols: tuple[int, int],
    mu: float,
    T: float,
    wc: float,
    X: np.ndarray,
    dX: np.ndarray,
) -> None:  # pragma: no cover
    """X, dX of columns cols = [c0, c1) at one (mu, T, wc).

    ``pan`` = (energy, table, Y, offsets, nodes) and ``grid`` = (E0, L0, r0) as in
    :func:`batch_moments`. The window [mu - wc, mu + wc] (clipped to the table) is split into
    whole finest panels [E0 + j L0, E0 + (j+1) L0] and two end pieces (exact). Walking the
    panels left to right, each step takes the largest aligned panel (2^l finest ones) that lies
    inside the window and is small against its distance to the kernel's poles at mu +- i pi T
    (r0 * width / 2 <= |centre - mu - i pi T|); a finest panel that fails this is done exactly.
    """
    e, table, Y, offsets, nodes = pan
    E0, L0, r0 = grid
    n_levels = offsets.size - 1
    lo_e = max(mu - wc, e[0])
    hi_e = min(mu + wc, e[e.size - 1])
    if hi_e <= lo_e:
        return
    ja = math.ceil((lo_e - E0) / L0)
    jb = math.floor((hi_e - E0) / L0)
    if jb <= ja:
        _exact_range(e, table, cols, mu, T, lo_e, hi_e, X, dX)
        return
    _exact_range(e, table, cols, mu, T, lo_e, E0 + ja * L0, X, dX)
    _exact_range(e, table, cols, mu, T, E0 + jb * L0, hi_e, X, dX)
    pit2 = (math.pi * T) ** 2
    j = ja
    while j < jb:
        centre = E0 + (j + 0.5) * L0
        if (0.5 * L0 * r0) ** 2 > (centre - mu) ** 2 + pit2:
            _exact_range(e, table, cols, mu, T, E0 + j * L0, E0 + (j + 1) * L0, X, dX)
            j += 1
            continue
        level = 0
        while level + 1 < n_levels:
            step = 1 << (level + 1)
            if j % step != 0 or j + step > jb:
                break
            c2 = E0 + (j + 0.5 * step) * L0
            if (0.5 * L0 * step * r0) ** 2 > (c2 - mu) ** 2 + pit2:
                break
            level += 1
        step = 1 << level
        row = offsets[level] + j // step
        centre = E0 + (j + 0.5 * step) * L0
        _panel(Y, row, centre, 0.5 * L0 * step, nodes, cols, mu, T, X, dX)
        j += step


@njit(cache=True)
def batch_moments(
    pan: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    grid: tuple[float, float, float],
    mu: np.ndarray,
    T: np.ndarray,
    wc: np.ndarray,
    groups: np.ndarray,
    X: np.ndarray,
    dX: np.ndarray,
) -> None:  # pragma: no cover
    """X, dX (P, M) at points (mu, T) (P,), with cut-offs wc (P, G) for the column groups
    ``groups`` (G, 2) = [start, stop) (one group: all columns).

    ``pan`` = (energy (N,), table (N, M), Y (panels, n_q, M), offsets (levels + 1,), nodes
    (n_q,)) and ``grid`` = (E0, L0, r0): the table and its panels (:class:`PanelTables`).
    """
    for p in range(mu.size):
        for g in range(groups.shape[0]):
            c0 = groups[g, 0]
            c1 = groups[g, 1]
            _point(pan, grid, (c0, c1), mu[p], T[p], wc[p, g], X[p, c0:c1], dX[p, c0:c1])


@njit(cache=True)
def level0_panels(
    e: np.ndarray,
    table: np.ndarray,
    E0: float,
    L0: float,
    nodes: np.ndarray,
    gl_s: np.ndarray,
    gl_w: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover
    """out[j, m, :] += int_{panel j} rho(eps) l_m(s(eps)) deps for the finest panels.

    ``nodes`` (n_q,) are the panels' Gauss-Legendre nodes on [-1, 1]; (gl_s, gl_w) a Gauss rule
    exact for degree n_q (the Lagrange polynomial times the linear rho of a segment piece).
    """
    nq = nodes.size
    n0 = out.shape[0]
    M = table.shape[1]
    denom = np.ones(nq)
    for m in range(nq):
        for k in range(nq):
            if k != m:
                denom[m] *= nodes[m] - nodes[k]
    ell = np.empty(nq)
    I0 = np.empty(nq)
    I1 = np.empty(nq)
    half_p = 0.5 * L0
    for i in range(e.size - 1):
        h = e[i + 1] - e[i]
        if h <= 0.0:
            continue
        ja = min(max(math.floor((e[i] - E0) / L0), 0), n0 - 1)
        jb = min(max(math.floor((e[i + 1] - E0) / L0), 0), n0 - 1)
        for j in range(ja, jb + 1):
            p0 = E0 + j * L0
            p1 = E0 + (j + 1) * L0
            x0 = max(e[i], p0)
            x1 = min(e[i + 1], p1)
            if x1 <= x0:
                continue
            centre = 0.5 * (p0 + p1)
            mid = 0.5 * (x0 + x1)
            hw = 0.5 * (x1 - x0)
            I0[:] = 0.0
            I1[:] = 0.0
            for g in range(gl_s.size):
                x = mid + gl_s[g] * hw
                wgt = gl_w[g] * hw
                s = (x - centre) / half_p
                for m in range(nq):
                    v = 1.0
                    for k in range(nq):
                        if k != m:
                            v *= s - nodes[k]
                    ell[m] = v / denom[m]
                t = (x - e[i]) / h
                for m in range(nq):
                    I0[m] += wgt * ell[m] * (1.0 - t)
                    I1[m] += wgt * ell[m] * t
            for m in range(nq):
                for col in range(M):
                    out[j, m, col] += I0[m] * table[i, col] + I1[m] * table[i + 1, col]
