"""Window moments of a batch at fixed (mu, wc), evaluated at many temperatures.

The Tc search evaluates the window moments X_{n,s}(mu, T, wc) of
:mod:`multigap.pairing.kernel` at a handful of temperatures for the same (mu, wc). Everything
of the segment geometry -- which nodes the window covers, the clipped segment ends, the hat
fractions -- and the far-segment moments (|xi| >= 40 T, where K = 1/(2|xi|) does not depend
on T) are prepared once (:class:`Window`); an evaluation at T recomputes only the segments
within 40 T of the Fermi level, and returns with X its exact slope dX/d ln T (the derivative
kernel -sech^2(xi/2T)/(4T) on the same segments, one product with the table for both).

The arithmetic is that of :func:`multigap.pairing.kernel._local_weights` (same formulas, same
regimes), so the moments agree with :func:`multigap.pairing.kernel.window_moments` to rounding
(tests/pairing/unit/test_kernel.py).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from multigap.pairing.kernel import (
    _FAR,
    _atanhc_minus_one,
    _near_moments,
    _window_span,
    window_segments,
)

__all__ = ["Window", "moments_and_slopes"]

FloatArray = NDArray[np.float64]

#: segments below this length are left out of the 1/h of the hat weights (their moments are
#: ~h and ~h^3: their share of every weight is below 1e-200)
_TINY = 1e-200
#: points per product with the table (their node spans are merged)
_ROWS = 8


class Window:
    """T-independent part of the window integrals for flat (P,) arrays mu, wc (meV).

    Parameters
    ----------
    energy : ndarray (N,)
        Table nodes, meV (non-decreasing; unchecked).
    mu, wc : ndarray (P,)
        Chemical potential and cut-off, meV (finite, wc >= 0; unchecked).
    """

    def __init__(self, energy: FloatArray, mu: FloatArray, wc: FloatArray) -> None:
        self.energy = energy
        lo, k = _window_span(energy, mu, wc)
        _, xl, xr, a, b, h, act, half, c, absc = window_segments(energy, mu, wc, lo, k)
        r = np.divide(half, absc, out=np.zeros_like(half), where=act & (absc > half))
        inv_h = np.divide(1.0, h, out=np.zeros_like(h), where=act & (h > _TINY))
        self.lo, self.k = lo, k
        self.a, self.b = a, b
        self.dist0 = np.where(act, np.maximum(absc - half, 0.0), np.inf)
        self.frac_l = np.where(act, (xr - c) * inv_h, 0.0)
        self.frac_r = np.where(act, (c - xl) * inv_h, 0.0)
        self.inv_h = inv_h
        # far moments (K = 1/(2|xi|)): J0 = atanh(r), J1c = -sign(c) half (atanh(r)/r - 1)
        self.J0 = np.where(act, np.arctanh(r), 0.0)
        self.J1c = np.where(act, np.copysign(half, -c) * _atanhc_minus_one(r), 0.0)

    def take(self, idx: NDArray[np.intp]) -> Window:
        """The window of a sub-batch."""
        out = object.__new__(Window)
        out.energy, out.k = self.energy, self.k
        for name in ("lo", "a", "b", "dist0", "frac_l", "frac_r", "inv_h", "J0", "J1c"):
            setattr(out, name, getattr(self, name)[idx])
        return out

    def weights(self, T: FloatArray, rows: slice = slice(None)) -> FloatArray:
        """Node weights (2, p, k+1) of nodes lo .. lo+k of the points ``rows``: X and
        dX/d ln T (T = k_B T of those points, meV)."""
        dist0 = self.dist0[rows]
        near = dist0 < (2.0 * _FAR) * T[:, None]
        J0, J1c = self.J0[rows], self.J1c[rows]
        D0 = np.zeros_like(J0)
        D1c = np.zeros_like(J0)
        if np.any(near):
            J0, J1c = J0.copy(), J1c.copy()
            Tn = np.broadcast_to(T[:, None], near.shape)[near]
            j0, j1c, d0, d1c = _near_moments(self.a[rows][near], self.b[rows][near], Tn, True)
            J0[near], J1c[near], D0[near], D1c[near] = j0, j1c, d0, d1c
        frac_l, frac_r, inv_h = self.frac_l[rows], self.frac_r[rows], self.inv_h[rows]
        out = np.zeros((2, J0.shape[0], J0.shape[1] + 1))
        j1h = J1c * inv_h
        out[0, :, :-1] = frac_l * J0 - j1h
        out[0, :, 1:] += frac_r * J0 + j1h
        d1h = D1c * inv_h
        out[1, :, :-1] = d1h - frac_l * D0
        out[1, :, 1:] -= frac_r * D0 + d1h
        return out

    def moments(self, table: FloatArray, T: FloatArray) -> tuple[FloatArray, FloatArray]:
        """X (P, M) and dX/d ln T (P, M) of the node-major ``table`` (N, M) at k_B T (P,).

        ``_ROWS`` points at a time (cache-sized temporaries): their weights, placed on the
        span of nodes they cover, times that slice of the table (points sorted by mu keep
        the spans short).
        """
        P, k = self.lo.size, self.k
        if P == 1:
            loc = self.weights(T)
            rows = table[int(self.lo[0]) : int(self.lo[0]) + k + 1]
            return (loc[0] @ rows)[None, :], (loc[1] @ rows)[None, :]
        out = np.empty((2, P, table.shape[1]))
        offsets = np.arange(k + 1)[None, :]
        for i in range(0, P, _ROWS):
            sl = slice(i, min(P, i + _ROWS))
            loc = self.weights(T[sl], sl)
            lo = self.lo[sl]
            start = int(lo.min())
            stop = int(lo.max()) + k + 1
            m = lo.size
            dense = np.zeros((2, m, stop - start))
            cols = np.broadcast_to((lo - start)[:, None] + offsets, (2, m, k + 1))
            np.put_along_axis(dense, cols, loc, axis=2)
            out[:, sl] = (dense.reshape(2 * m, stop - start) @ table[start:stop]).reshape(2, m, -1)
        return out[0], out[1]


def moments_and_slopes(
    energy: FloatArray, table: FloatArray, mu: FloatArray, T: FloatArray, wc: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """X (P, M) and dX/d ln T for flat (P,) inputs (unchecked), in mu-sorted blocks."""
    P = mu.size
    X = np.zeros((P, table.shape[1]))
    dX = np.zeros_like(X)
    if P == 0:
        return X, dX
    order = np.argsort(mu, kind="stable")
    _, k_all = _window_span(energy, mu, wc)
    step = max(_ROWS, 16 * 16384 // (k_all + 1))
    for i in range(0, P, step):
        sel = order[i : i + step]
        X[sel], dX[sel] = Window(energy, mu[sel], wc[sel]).moments(table, T[sel])
    return X, dX
