"""The pair susceptibility window: exact energy integrals of tanh(xi/2T)/(2 xi).

Every finite-temperature quantity of the linearised gap equation (SPEC §5) reduces, once the
kx and kz integrals are folded into projected densities of states rho_{n,s}(eps)
(``docs/internals.md`` §2), to the one-dimensional window integral

    X_{n,s}(mu, T, wc) = (1/N0) int_{-wc}^{wc} dxi  tanh(xi / 2T) / (2 xi)  rho_{n,s}(mu + xi).

``rho`` is tabulated as a piecewise-linear function of energy, so the integral is done *exactly*
segment by segment: on a segment the integrand is K(xi) (alpha + beta xi) with
K(xi) = tanh(xi/2T)/(2 xi), and

    int K       = [F(xi/2T)] / 2,            F(x) = int_0^x tanh(t)/t dt,
    int K xi    = T [ln cosh(xi/2T)].

The result is a weight per energy node (:func:`window_weights`), so that for every (mu, T, wc)
the moments are one weight vector and one matrix product (:func:`chi_moments`); there is no
temperature-dependent grid, and the result is exact from T = 1e-7 meV to T >> wc.

Numerical care (all three regimes are exact to rounding):

* segments far from the Fermi level (``|xi| >= 40 T``): tanh = sign to 1e-17, and
  ``K = 1/(2|xi|)`` has closed-form moments written with atanh (no cancellation);
* short segments near it (length < 0.1 of the distance to the nearest pole of tanh at
  xi = +-i pi T): 5-point Gauss-Legendre, exact to rounding for such analytic integrands;
* long segments near it: the closed form with F and ln cosh (cancellation at most ~10 eps).

Temperatures here are energies k_B T in meV (argument names ``T_meV``).

References
----------
The folding of the kernel into an energy integral of a density of states is the standard
route of multiband BCS theory: H. Suhl, B. T. Matthias, L. R. Walker, Phys. Rev. Lett. 3, 552
(1959); A. Perali, A. Bianconi, A. Lanzara, N. L. Saini, Solid State Commun. 100, 181 (1996).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.polynomial import chebyshev as _cheb
from numpy.typing import ArrayLike, NDArray

from multigap.constants import EULER_GAMMA, HBAR2_2ME

__all__ = [
    "LOG_4EG_OVER_PI",
    "ProjectedDOSLike",
    "chi_moments",
    "free_2d_dos",
    "tanh_integral",
    "window_moments",
    "window_weights",
]

FloatArray = NDArray[np.float64]

#: ln(4 e^gamma / pi): F(x) = ln x + LOG_4EG_OVER_PI for x -> infinity.
LOG_4EG_OVER_PI: float = math.log(4.0 / math.pi) + EULER_GAMMA

# F(x) table: Chebyshev pieces of width _F_WIDTH on [0, _F_SPLIT], degree _F_DEG.
_F_SPLIT = 20.0
_F_WIDTH = 0.5
_F_DEG = 18
# beyond |t| = _FAR the kernel tanh(t)/t equals sign(t)/t to 1e-17 relative
_FAR = 20.0
# Gauss-Legendre order for short segments, and the "short" criterion
_GL_ORDER = 5
_SHORT = 0.1
# elements per block of (points x segments) processed at once
_CHUNK = 16384
# below this many arguments F(x) sums its Chebyshev series directly (no Clenshaw loop)
_FEW = 256


class ProjectedDOSLike(Protocol):
    """What :func:`chi_moments` needs of a projected-DOS table (see ``pdos.ProjectedDOS``)."""

    @property
    def energy(self) -> Any:  # (N,) meV, non-decreasing; a repeated node is a jump
        ...

    @property
    def values(self) -> Any:  # (n_bands, S, N), 1/(meV nm^2)
        ...


# ----------------------------------------------------------------------------- F(x)
def _tanhc(t: FloatArray) -> FloatArray:
    """tanh(t)/t, exact at t = 0 (tanh(t)/t is correctly rounded for every t != 0)."""
    t = np.asarray(t, dtype=float)
    res: FloatArray = np.divide(np.tanh(t), t, out=np.ones_like(t), where=t != 0.0)
    return res


@lru_cache(maxsize=1)
def _f_table() -> FloatArray:
    """Chebyshev coefficients of F on [j w, (j+1) w], j = 0 .. 20/w - 1 (built once).

    The integrand tanh(t)/t is interpolated at Chebyshev points of each piece (its nearest
    singularity, t = i pi/2, is far from every piece, so degree 18 is exact to rounding) and
    integrated term by term; the pieces are chained by their end values.
    """
    n_pieces = round(_F_SPLIT / _F_WIDTH)
    half = 0.5 * _F_WIDTH
    coefs = np.zeros((n_pieces, _F_DEG + 2))
    start = 0.0
    nodes = np.cos(math.pi * (np.arange(_F_DEG + 1) + 0.5) / (_F_DEG + 1))  # Chebyshev points
    for j in range(n_pieces):
        x0 = j * _F_WIDTH
        c = _cheb.chebfit(nodes, _tanhc(x0 + half * (nodes + 1.0)) * half, _F_DEG)
        ci = _cheb.chebint(c, lbnd=-1.0)
        ci[0] += start
        coefs[j] = ci
        start = float(_cheb.chebval(1.0, ci))
    coefs.setflags(write=False)
    return coefs


def tanh_integral(x: ArrayLike) -> FloatArray:
    """F(x) = int_0^x tanh(t)/t dt, accurate to ~1e-15 absolute for every real x.

    Parameters
    ----------
    x : array_like
        Dimensionless argument (in the gap equation x = xi / (2 k_B T)).

    Returns
    -------
    ndarray
        F(x), odd in x. For ``|x| > 20``, ``F(x) = ln|x| + ln(4 e^gamma / pi)`` (the neglected term
        is ``2 E1(2|x|) < 1e-19``); for ``|x| <= 20`` piecewise Chebyshev series of the integrand
        integrated exactly.

    Notes
    -----
    F(wc/2T) is the BCS pair susceptibility of a constant DOS: the weak-coupling Tc follows
    from g F(wc / 2 k_B Tc) = 1, i.e. Tc = (2 e^gamma/pi) wc exp(-1/g) (Bardeen, Cooper,
    Schrieffer, Phys. Rev. 108, 1175 (1957)).
    """
    xa = np.asarray(x, dtype=float)
    ax = np.abs(xa)
    out = np.empty_like(ax)
    big = ax > _F_SPLIT
    if np.any(big):
        out[big] = np.log(ax[big]) + LOG_4EG_OVER_PI
    small = ~big
    if np.any(small):
        xs = ax[small]
        coefs = _f_table()
        j = np.minimum((xs / _F_WIDTH).astype(np.intp), coefs.shape[0] - 1)
        s = (xs - j * _F_WIDTH) * (2.0 / _F_WIDTH) - 1.0
        c = coefs[j]
        if xs.size <= _FEW:
            # few points: T_k(s) = cos(k arccos s) in one (n, degree) block (a handful of
            # array operations instead of a loop of ~60 over tiny arrays)
            theta = np.arccos(np.clip(s, -1.0, 1.0))
            cheb = np.cos(theta[:, None] * np.arange(c.shape[1])[None, :])
            out[small] = np.einsum("ij,ij->i", c, cheb)
        else:
            # Clenshaw recurrence, vectorised over points
            b1 = np.zeros_like(s)
            b2 = np.zeros_like(s)
            two_s = 2.0 * s
            for k in range(c.shape[1] - 1, 0, -1):
                b1, b2 = c[:, k] + two_s * b1 - b2, b1
            out[small] = c[:, 0] + s * b1 - b2
    res: FloatArray = np.copysign(out, xa)
    return res


def _log_cosh(x: FloatArray) -> FloatArray:
    """ln cosh(x) without overflow."""
    ax = np.abs(x)
    res: FloatArray = ax + np.log1p(np.exp(-2.0 * ax)) - math.log(2.0)
    small = ax < 1e-3
    if np.any(small):
        xs = ax[small] ** 2
        res[small] = xs * (0.5 - xs * (1.0 / 12.0 - xs / 45.0))
    return res


def _atanhc_minus_one(r: FloatArray) -> FloatArray:
    """atanh(r)/r - 1 for 0 <= r < 1: series r^2/3 + r^4/5 + r^6/7 + r^8/9 below r = 0.01
    (truncation < 1e-17 relative), the direct form above it (rounding < 1e-14 relative)."""
    r2 = r * r
    res: FloatArray = r2 * (1.0 / 3.0 + r2 * (1.0 / 5.0 + r2 * (1.0 / 7.0 + r2 * (1.0 / 9.0))))
    big = r >= 0.01
    if np.any(big):
        rb = r[big]
        res[big] = np.arctanh(rb) / rb - 1.0
    return res


# ----------------------------------------------------------------------------- weights
@lru_cache(maxsize=4)
def _gauss_legendre(n: int) -> tuple[FloatArray, FloatArray]:
    s, w = np.polynomial.legendre.leggauss(n)
    return s, w


def _near_moments(
    a: FloatArray, b: FloatArray, T: FloatArray, slopes: bool = False
) -> tuple[FloatArray, ...]:
    """J0 = int_a^b K, J1c = int_a^b K (xi - c), c = (a+b)/2, K = tanh(xi/2T)/(2 xi).

    For segments near the Fermi level (1-D arrays of equal length, b > a, T > 0): 5-point
    Gauss-Legendre where the segment is short compared with the distance to the poles of tanh
    at xi = +-i pi T (relative error < 1e-16), else the closed form with F and ln cosh.

    With ``slopes`` also D0 = int_a^b D, D1c = int_a^b D (xi - c) of the derivative kernel
    D = -T dK/dT = sech^2(xi/2T) / (4T) (closed forms [tanh(t)/2] and
    T [t tanh t - ln cosh t], t = xi/2T, on long segments; the same Gauss-Legendre nodes on
    short ones, with sech^2 = 1 - tanh^2).
    """
    half = 0.5 * (b - a)
    c = 0.5 * (a + b)
    straddle = (a < 0.0) & (b > 0.0)
    dist0 = np.where(straddle, 0.0, np.minimum(np.abs(a), np.abs(b)))
    J0 = np.empty_like(a)
    J1c = np.empty_like(a)
    D0 = np.empty_like(a) if slopes else J0
    D1c = np.empty_like(a) if slopes else J1c
    short = 2.0 * half < _SHORT * np.sqrt(dist0 * dist0 + (math.pi * T) ** 2)
    if np.any(short):
        # nodes along axis 0 so that the node sums are matrix-vector products
        s, w = _gauss_legendre(_GL_ORDER)
        hs, cs, inv2T = half[short], c[short], 0.5 / T[short]
        t = (cs[None, :] + s[:, None] * hs[None, :]) * inv2T[None, :]
        th = np.tanh(t)
        k = np.divide(th, t, out=np.ones_like(t), where=t != 0.0)
        scale = 0.5 * inv2T * hs
        J0[short] = scale * (w @ k)
        J1c[short] = scale * hs * ((w * s) @ k)
        if slopes:
            sech2 = 1.0 - th * th
            D0[short] = scale * (w @ sech2)
            D1c[short] = scale * hs * ((w * s) @ sech2)
    long_ = ~short
    if np.any(long_):
        al, bl, Tl, cl = a[long_], b[long_], T[long_], c[long_]
        ta, tb = al / (2.0 * Tl), bl / (2.0 * Tl)
        ends = np.concatenate((ta, tb))
        f_ends, lc_ends = tanh_integral(ends), _log_cosh(ends)
        j0 = 0.5 * (f_ends[ta.size :] - f_ends[: ta.size])
        lca, lcb = lc_ends[: ta.size], lc_ends[ta.size :]
        J0[long_] = j0
        J1c[long_] = Tl * (lcb - lca) - cl * j0
        if slopes:
            tha, thb = np.tanh(ta), np.tanh(tb)
            d0 = 0.5 * (thb - tha)
            D0[long_] = d0
            D1c[long_] = Tl * ((tb * thb - lcb) - (ta * tha - lca)) - cl * d0
    if slopes:
        return J0, J1c, D0, D1c
    return J0, J1c


def _check_window_args(
    e: FloatArray, mu: ArrayLike, T_meV: ArrayLike, wc: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, tuple[int, ...]]:
    if e.ndim != 1 or e.size < 2:
        raise ValueError(f"energy_nodes must be a 1-D array of >= 2 nodes, got shape {e.shape}")
    if not np.all(np.isfinite(e)) or np.any(np.diff(e) < 0.0):
        raise ValueError("energy_nodes must be finite and non-decreasing")
    mu_b, T_b, wc_b = np.broadcast_arrays(
        np.asarray(mu, dtype=float), np.asarray(T_meV, dtype=float), np.asarray(wc, dtype=float)
    )
    mu_f, T_f, wc_f = (np.ascontiguousarray(v).reshape(-1) for v in (mu_b, T_b, wc_b))
    if not (np.all(np.isfinite(mu_f)) and np.all(np.isfinite(T_f)) and np.all(np.isfinite(wc_f))):
        raise ValueError("window integrals: mu, T_meV and wc must be finite")
    if np.any(T_f <= 0.0):
        raise ValueError(f"window integrals: T_meV must be > 0, got min {T_f.min()!r}")
    if np.any(wc_f < 0.0):
        raise ValueError(f"window integrals: wc must be >= 0, got min {wc_f.min()!r}")
    return mu_f, T_f, wc_f, mu_b.shape


def window_weights(
    energy_nodes: ArrayLike, mu: ArrayLike, T_meV: ArrayLike, wc: ArrayLike
) -> FloatArray:
    """Node weights of the window integral for piecewise-linear densities.

    For every function rho given by its values rho_i at the nodes (piecewise linear between
    them; a node repeated twice is a jump), ``sum_i w_i rho_i`` equals *exactly* (to rounding)

        int_{-wc}^{wc} dxi  tanh(xi / 2T) / (2 xi)  rho(mu + xi).

    Parameters
    ----------
    energy_nodes : array_like, shape (N,)
        Energies eps_i of the table, meV, non-decreasing. Outside [eps_0, eps_{N-1}] rho is
        taken as zero (the window is clipped to the table).
    mu : array_like
        Chemical potential, meV.
    T_meV : array_like
        Temperature as an energy k_B T, meV, > 0 (exact from 1e-7 meV to >> wc).
    wc : array_like
        Half-width of the window (pairing cut-off), meV, >= 0.

    ``mu``, ``T_meV`` and ``wc`` are broadcast together to a shape P.

    Returns
    -------
    ndarray, shape P + (N,)
        Weights, meV^0 (dimensionless per unit of rho's energy: w has units of energy times
        1/energy). Non-negative.

    Notes
    -----
    On each segment [eps_k, eps_k+1] clipped to the window, the hat functions of its two nodes
    are integrated against K(xi) = tanh(xi/2T)/(2 xi) using F(x) = int_0^x tanh t / t dt and
    ln cosh (module docstring). Cost O(N) per (mu, T, wc), no temperature-dependent grid.
    """
    e = np.asarray(energy_nodes, dtype=float)
    if e.ndim != 1 or e.size < 2:
        raise ValueError(f"energy_nodes must be a 1-D array of >= 2 nodes, got shape {e.shape}")
    mu_f, T_f, wc_f, shape = _check_window_args(e, mu, T_meV, wc)
    w = _weights_flat(e, mu_f, T_f, wc_f)
    return w.reshape((*shape, e.size))


def _window_span(e: FloatArray, mu: FloatArray, wc: FloatArray) -> tuple[NDArray[np.intp], int]:
    """First segment index per point and a common count K so that segments lo .. lo+K-1 cover
    every window [mu - wc, mu + wc] (clipped to the table)."""
    n = e.size
    lo = np.searchsorted(e, mu - wc, side="right") - 1
    hi = np.searchsorted(e, mu + wc, side="left")  # segment hi-1 is the last that can meet it
    lo = np.clip(lo, 0, n - 2)
    hi = np.clip(hi, 1, n - 1)
    k = int(max(1, (hi - lo).max()))
    lo = np.minimum(lo, n - 1 - k)
    return lo, k


class Segments(NamedTuple):
    """Table segments of a window in xi = eps - mu (see :func:`window_segments`)."""

    x: FloatArray
    xl: FloatArray
    xr: FloatArray
    a: FloatArray
    b: FloatArray
    h: FloatArray
    act: NDArray[np.bool_]
    half: FloatArray
    c: FloatArray
    absc: FloatArray


def window_segments(
    e: FloatArray, mu: FloatArray, wc: FloatArray, lo: NDArray[np.intp], k: int
) -> Segments:
    """The table segments lo .. lo+k-1 of each point in xi = eps - mu, clipped to [-wc, wc].

    Returns ``(x, xl, xr, a, b, h, act, half, c, absc)``: node offsets x (P, k+1), segment ends
    xl, xr and their clipped ends a, b, widths h, the active mask (a non-empty clipped part),
    the clipped half-width and centre and |centre|, each (P, k).
    """
    x = e[lo[:, None] + np.arange(k + 1)[None, :]] - mu[:, None]  # (P, k+1)
    xl, xr = x[:, :-1], x[:, 1:]
    wcc = wc[:, None]
    a = np.minimum(np.maximum(xl, -wcc), wcc)
    b = np.minimum(np.maximum(xr, -wcc), wcc)
    h = xr - xl
    act = (b > a) & (h > 0.0)
    half = 0.5 * (b - a)
    c = 0.5 * (a + b)
    return Segments(x, xl, xr, a, b, h, act, half, c, np.abs(c))


def _local_weights(
    e: FloatArray, mu: FloatArray, T: FloatArray, wc: FloatArray, lo: NDArray[np.intp], k: int
) -> FloatArray:
    """Weights of nodes lo .. lo+k (P, k+1) from segments lo .. lo+k-1."""
    x, xl, xr, a, b, h, act, half, c, absc = window_segments(e, mu, wc, lo, k)
    # distance of the segment from xi = 0 (zero if it straddles 0)
    dist0 = np.maximum(absc - half, 0.0)
    near = act & (dist0 < (2.0 * _FAR) * T[:, None])
    # far from the Fermi level (min |xi| >= 40 T): K = 1/(2|xi|) to 1e-17, in closed form
    #   J0 = atanh(r), J1c = -sign(c) half (atanh(r)/r - 1), r = half/|c|
    far = act & ~near
    r = np.divide(half, absc, out=np.zeros_like(half), where=far)
    J0 = np.arctanh(r)
    J1c = np.copysign(half, -c) * _atanhc_minus_one(r)
    if np.any(near):
        rows = np.broadcast_to(T[:, None], near.shape)
        j0, j1c = _near_moments(a[near], b[near], rows[near])[:2]
        J0[near] = j0
        J1c[near] = j1c
    # hat fractions (in [0, 1]) and J1c/h: no 1/h that could overflow for denormal segments
    frac_l = np.divide(xr - c, h, out=np.zeros_like(h), where=act)
    frac_r = np.divide(c - xl, h, out=np.zeros_like(h), where=act)
    j1h = np.divide(J1c, h, out=np.zeros_like(h), where=act)
    J0 = np.where(act, J0, 0.0)
    out = np.empty_like(x)
    out[:, :-1] = frac_l * J0 - j1h
    out[:, -1] = 0.0
    out[:, 1:] += frac_r * J0 + j1h
    return out


def _weights_flat(e: FloatArray, mu: FloatArray, T: FloatArray, wc: FloatArray) -> FloatArray:
    """Unchecked core of :func:`window_weights`: flat (P,) inputs, returns (P, N)."""
    n = e.size
    P = mu.size
    out = np.zeros((P, n))
    if P == 0:
        return out
    # points in chunks: the temporaries stay cache-sized (and below the allocator's mmap
    # threshold), which is several times faster than one big slab
    _, k_all = _window_span(e, mu, wc)
    step = max(1, _CHUNK // (k_all + 1))
    for i in range(0, P, step):
        sl = slice(i, min(P, i + step))
        lo, k = _window_span(e, mu[sl], wc[sl])
        loc = _local_weights(e, mu[sl], T[sl], wc[sl], lo, k)
        np.put_along_axis(out[sl], lo[:, None] + np.arange(k + 1)[None, :], loc, axis=1)
    return out


def _moments_flat(
    e: FloatArray, table: FloatArray, mu: FloatArray, T: FloatArray, wc: FloatArray
) -> FloatArray:
    """Unchecked: X[p] = sum_i w_i(mu_p, T_p, wc_p) table[i] for flat (P,) inputs.

    ``table`` is (N, M) (node-major). Points are processed in mu order and in cache-sized
    chunks; each chunk multiplies only the span of nodes its windows cover.
    """
    n = e.size
    P = mu.size
    out = np.zeros((P, table.shape[1]))
    if P == 0:
        return out
    order = np.argsort(mu, kind="stable")
    mu_s, T_s, wc_s = mu[order], T[order], wc[order]
    _, k_all = _window_span(e, mu_s, wc_s)
    step = max(1, _CHUNK // (k_all + 1))
    res = np.empty_like(out)
    for i in range(0, P, step):
        sl = slice(i, min(P, i + step))
        lo, k = _window_span(e, mu_s[sl], wc_s[sl])
        loc = _local_weights(e, mu_s[sl], T_s[sl], wc_s[sl], lo, k)
        start = int(lo.min())
        stop = min(n, int(lo.max()) + k + 1)
        dense = np.zeros((loc.shape[0], stop - start))
        np.put_along_axis(dense, (lo - start)[:, None] + np.arange(k + 1)[None, :], loc, axis=1)
        res[sl] = dense @ table[start:stop]
    out[order] = res
    return out


def window_moments(
    energy_nodes: ArrayLike, table: ArrayLike, mu: ArrayLike, T_meV: ArrayLike, wc: ArrayLike
) -> FloatArray:
    """sum_i w_i(mu, T, wc) table[i, :] without forming the full weight matrix.

    Parameters
    ----------
    energy_nodes : array_like, shape (N,)
        Nodes, meV (as in :func:`window_weights`).
    table : array_like, shape (N, M)
        M piecewise-linear functions tabulated at the nodes (node-major).
    mu, T_meV, wc : array_like
        Chemical potential, k_B T and cut-off, meV; broadcast together to a shape P.

    Returns
    -------
    ndarray, shape P + (M,)
        The window integrals of the M functions (units of ``table``).
    """
    e = np.asarray(energy_nodes, dtype=float)
    tab = np.asarray(table, dtype=float)
    if tab.ndim != 2 or tab.shape[0] != e.size:
        raise ValueError(f"table must have shape (N = {e.size}, M), got {tab.shape}")
    mu_f, T_f, wc_f, shape = _check_window_args(e, mu, T_meV, wc)
    return _moments_flat(e, tab, mu_f, T_f, wc_f).reshape((*shape, tab.shape[1]))


# ----------------------------------------------------------------------------- moments
def free_2d_dos(mass_x: float = 1.0) -> float:
    """N0 = m_x / (2 pi hbar^2) = 1 / (4 pi hbar^2/2m_x), per spin per area, 1/(meV nm^2)."""
    return 1.0 / (4.0 * math.pi * HBAR2_2ME / mass_x)


def _n0_of(pdos: Any, n0: float | None) -> float:
    if n0 is not None:
        return float(n0)
    for name in ("n0", "N0"):
        if hasattr(pdos, name):
            return float(getattr(pdos, name))
    for name in ("mass_x",):
        if hasattr(pdos, name):
            return free_2d_dos(float(getattr(pdos, name)))
    lat = getattr(pdos, "lattice", None)
    if lat is not None and hasattr(lat, "mass_x"):
        return free_2d_dos(float(lat.mass_x))
    raise ValueError(
        "chi_moments needs N0: pass n0= (1/(meV nm^2)) or a table with n0/mass_x/lattice"
    )


def chi_moments(
    pdos: ProjectedDOSLike,
    mu: ArrayLike,
    T_meV: ArrayLike,
    wc: ArrayLike,
    *,
    n0: float | None = None,
    per_band: bool = False,
) -> FloatArray:
    """Window moments X_{n,s} of the projected densities of states.

        X_{n,s}(mu, T, wc) = (1/N0) int_{-wc}^{wc} dxi tanh(xi/2T)/(2 xi) rho_{n,s}(mu + xi)
                           = int_BZ dkz/(2 pi) chi_n(kz; T, mu, wc) cos(s kz d)

    (SPEC §5, ``docs/internals.md`` §3), exact for the piecewise-linear table.

    Parameters
    ----------
    pdos : ProjectedDOS-like
        ``energy`` (N,) meV and ``values`` (n_bands, S, N) in 1/(meV nm^2).
    mu : array_like
        Chemical potential, meV.
    T_meV : array_like
        k_B T, meV.
    wc : array_like
        Cut-off, meV. Broadcast with ``mu`` and ``T_meV``; with ``per_band=True`` it has one
        more trailing axis of length n_bands (one cut-off per band).
    n0 : float, optional
        N0 = m_x/(2 pi hbar^2), 1/(meV nm^2). Default: taken from the table
        (``n0``, ``mass_x`` or ``lattice.mass_x`` attribute).
    per_band : bool
        Whether ``wc`` carries a per-band trailing axis.

    Returns
    -------
    ndarray, shape P + (n_bands, S)
        Dimensionless moments (a single free 2D band gives X_0 = F(wc / 2T) for mu > wc).
    """
    e = np.asarray(pdos.energy, dtype=float)
    vals = np.asarray(pdos.values, dtype=float)
    if vals.ndim != 3 or vals.shape[2] != e.size:
        raise ValueError(
            f"pdos.values must have shape (n_bands, S, N = {e.size}), got {vals.shape}"
        )
    scale = 1.0 / _n0_of(pdos, n0)
    nb, S, _ = vals.shape
    if not per_band:
        table = vals.reshape(nb * S, e.size).T * scale
        X = window_moments(e, table, mu, T_meV, wc)
        return X.reshape((*X.shape[:-1], nb, S))
    wc_a = np.asarray(wc, dtype=float)
    if wc_a.ndim == 0 or wc_a.shape[-1] != nb:
        raise ValueError(f"per_band=True needs wc with a trailing axis of n_bands = {nb}")
    bands = [
        window_moments(e, vals[n].T * scale, mu, T_meV, wc_a[..., n])[..., None, :]
        for n in range(nb)
    ]
    return np.concatenate(bands, axis=-2)
