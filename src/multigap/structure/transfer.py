"""Half trace of the one-period transfer matrix at real energies, compiled (numba).

For a cell of layers (thickness t_l, potential V_l) the transfer matrix of (psi, dpsi/dz) is
M = A_N ... A_1 with

    A_l = [[c, s], [-k2 s, c]],   k2 = (E - V_l) / C_z,
    c = cos(sqrt(k2) t_l),  s = sin(sqrt(k2) t_l) / sqrt(k2)   (cosh, sinh for k2 < 0),

entire functions of k2 (R. de L. Kronig and W. G. Penney, Proc. R. Soc. A 130, 499 (1931)).
:func:`half_trace` returns f(E) = (M11 + M22) / 2 and df/dE in real arithmetic, the derivative
carried through the product by the product rule with

    dc/dk2 = -t s / 2,   ds/dk2 = (t c - s) / (2 k2),

and the Taylor series of c, s and ds/dk2 in y = k2 t^2 for |y| < 0.1 (no cancellation at a
layer's classical turning point E = V_l; the truncation error there is below 1e-17 relative).
For two layers the product is written out (Kronig-Penney: f = ca cb - (ka2 + kb2) sa sb / 2).
It is the same function as the complex-step evaluation of
:meth:`multigap.Superlattice.characteristic_complex_step` (the pure-numpy path) to rounding,
except at and near a turning point, where the complex step loses digits in df/dE (relative
error ~ eps / |k2 t^2|; exactly at E = V_l it is wrong) and this path does not: against a
60-digit series evaluation both f and df/dE are within 1e3 eps of the size of the terms
(tests/structure/unit/test_transfer.py, which also compares the two paths). Measured: about
40 ns per energy for a two-layer cell, against ~400 ns for the numpy complex step.
:func:`bisect_level` is the bisection of :meth:`multigap.Superlattice.energy_in_band`,
compiled (bit for bit the numpy iteration).

Without numba :data:`COMPILED` is False and :meth:`multigap.Superlattice.characteristic` falls
back to the complex-step path.

Units: energies meV, lengths nm, C_z = hbar^2 / (2 m_z) in meV nm^2.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

__all__ = ["COMPILED", "SERIES_LIMIT", "bisect_level", "half_trace", "njit", "point"]

#: Below this |k2 t^2| the layer entries are taken from their Taylor series.
SERIES_LIMIT = 0.1

numba: Any
try:  # numba is a dependency; without it the package still works (numpy complex step)
    import numba
except ImportError:  # pragma: no cover
    numba = None
COMPILED = numba is not None


def njit(**options: Any) -> Any:
    """numba's ``njit(**options)``, or the identity without numba (the kernels run as Python)."""
    if numba is None:  # pragma: no cover
        return lambda fun: fun
    return numba.njit(**options)


#: Taylor coefficients in y = k2 t^2 of c, s / t and (ds/dk2) / t^3 (|y| < SERIES_LIMIT).
_COS = tuple((-1.0) ** n / math.factorial(2 * n) for n in range(8))
_SIN = tuple((-1.0) ** n / math.factorial(2 * n + 1) for n in range(8))
_DSIN = tuple((-1.0) ** (n + 1) * (n + 1) / math.factorial(2 * n + 3) for n in range(8))


@njit(cache=True)
def _horner(coef: tuple[float, ...], y: float) -> float:  # pragma: no cover - compiled
    acc = 0.0
    for k in range(len(coef) - 1, -1, -1):
        acc = acc * y + coef[k]
    return acc


@njit(cache=True)
def _layer(t: float, k2: float) -> tuple[float, float, float]:  # pragma: no cover - compiled
    """c, s and ds/dk2 of one layer of thickness ``t`` at ``k2`` (see the module notes)."""
    y = k2 * t * t
    if abs(y) < SERIES_LIMIT:
        return _horner(_COS, y), t * _horner(_SIN, y), t * t * t * _horner(_DSIN, y)
    if k2 > 0.0:
        q = np.sqrt(k2)
        c = np.cos(q * t)
        s = np.sin(q * t) / q
    else:
        q = np.sqrt(-k2)
        x = q * t
        if x > 1.0:  # one exponential: cosh, sinh to 2 eps (no cancellation above x = 1)
            ex = np.exp(x)
            rx = 1.0 / ex
            c = 0.5 * (ex + rx)
            s = 0.5 * (ex - rx) / q
        else:
            c = np.cosh(x)
            s = np.sinh(x) / q
    return c, s, (t * c - s) / (2.0 * k2)


@njit(cache=True)
def _two_layers(
    thick: FloatArray, pot: FloatArray, inv_cz: float, e: float
) -> tuple[float, float]:  # pragma: no cover - compiled
    """Kronig-Penney: f = ca cb - (ka2 + kb2) sa sb / 2 and its derivative (two layers)."""
    ta, tb = thick[0], thick[1]
    ka2, kb2 = (e - pot[0]) * inv_cz, (e - pot[1]) * inv_cz
    ca, sa, dsa = _layer(ta, ka2)
    cb, sb, dsb = _layer(tb, kb2)
    half = 0.5 * (ka2 + kb2)
    f = ca * cb - half * (sa * sb)
    df = -0.5 * (ta * sa * cb + tb * ca * sb) - sa * sb - half * (dsa * sb + sa * dsb)
    return f, df * inv_cz


@njit(cache=True)
def _layers(
    thick: FloatArray, pot: FloatArray, inv_cz: float, e: float
) -> tuple[float, float]:  # pragma: no cover - compiled
    """f and df/dE of any cell: the product of the layer matrices and its derivative."""
    m11, m12, m21, m22 = 1.0, 0.0, 0.0, 1.0
    d11, d12, d21, d22 = 0.0, 0.0, 0.0, 0.0
    for j in range(thick.size):
        t = thick[j]
        k2 = (e - pot[j]) * inv_cz
        c, s, ds_dk2 = _layer(t, k2)
        a21 = -k2 * s
        dc = -0.5 * t * s * inv_cz
        ds = ds_dk2 * inv_cz
        da21 = -s * inv_cz - k2 * ds
        # (M, dM) <- (A M, dA M + A dM)
        n11, n12 = c * m11 + s * m21, c * m12 + s * m22
        n21, n22 = a21 * m11 + c * m21, a21 * m12 + c * m22
        e11 = dc * m11 + ds * m21 + (c * d11 + s * d21)
        e12 = dc * m12 + ds * m22 + (c * d12 + s * d22)
        e21 = da21 * m11 + dc * m21 + (a21 * d11 + c * d21)
        e22 = da21 * m12 + dc * m22 + (a21 * d12 + c * d22)
        m11, m12, m21, m22 = n11, n12, n21, n22
        d11, d12, d21, d22 = e11, e12, e21, e22
    return 0.5 * (m11 + m22), 0.5 * (d11 + d22)


@njit(cache=True)
def point(
    thick: FloatArray, pot: FloatArray, cz: float, e: float
) -> tuple[float, float]:  # pragma: no cover - compiled
    """f and df/dE of the cell (thick, pot) at one energy ``e`` (for other compiled kernels)."""
    if thick.size == 2:
        return _two_layers(thick, pot, 1.0 / cz, e)
    return _layers(thick, pot, 1.0 / cz, e)


@njit(cache=True)
def _half_trace(
    thick: FloatArray, pot: FloatArray, cz: float, energy: FloatArray, f: FloatArray, df: FloatArray
) -> None:  # pragma: no cover - compiled
    """f and df/dE of the cell (thick, pot) at every energy, written into ``f`` and ``df``."""
    inv_cz = 1.0 / cz
    if thick.size == 2:  # the branch outside the loop: the kernel inlines (~25 % faster)
        for i in range(energy.size):
            f[i], df[i] = _two_layers(thick, pot, inv_cz, energy[i])
    else:
        for i in range(energy.size):
            f[i], df[i] = _layers(thick, pot, inv_cz, energy[i])


@njit(cache=True)
def _bisect_level(
    thick: FloatArray,
    pot: FloatArray,
    cz: float,
    bounds: tuple[float, float, float],
    target: FloatArray,
    out: FloatArray,
) -> None:  # pragma: no cover - compiled
    """Bisection for f(E) = target in [lo, hi], sign = f's sign at lo (see bisect_level)."""
    lo_e, hi_e, sign = bounds
    lo = np.full(target.size, lo_e)
    hi = np.full(target.size, hi_e)
    for _ in range(200):
        done = True
        for i in range(target.size):
            mid = 0.5 * (lo[i] + hi[i])
            f, _ = point(thick, pot, cz, mid)
            if sign * (f - target[i]) > 0.0:
                lo[i] = mid
            else:
                hi[i] = mid
            if not hi[i] - lo[i] <= 2.3e-16 * (abs(lo[i]) + abs(hi[i])):
                done = False
        if done:
            break
    for i in range(target.size):
        out[i] = 0.5 * (lo[i] + hi[i])


def bisect_level(
    thick: FloatArray,
    pot: FloatArray,
    cz: float,
    bounds: tuple[float, float, float],
    target: FloatArray,
) -> FloatArray:
    """E in [lo, hi] with f(E) = target by bisection, all energies together, to the last bit.

    ``bounds`` = (lo, hi, sign): sign * (f - target) decreases from >= 0 at lo to <= 0 at hi.
    The iteration of :meth:`multigap.Superlattice.energy_in_band` (its numpy path), compiled:
    the same midpoints and the same stopping rule (every bracket within 2.3e-16 relative),
    hence the same energies bit for bit.
    """
    t = np.asarray(target, dtype=float)
    out = np.empty(t.size)
    _bisect_level(thick, pot, float(cz), bounds, np.ascontiguousarray(t.reshape(-1)), out)
    return out.reshape(t.shape)


def half_trace(
    thick: FloatArray, pot: FloatArray, cz: float, energy: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Half trace f(E) and df/dE (1/meV) of the cell at real ``energy`` (meV), any shape.

    Parameters
    ----------
    thick, pot : ndarray, shape (n_layers,)
        Layer thicknesses (nm) and potentials (meV), in order along z.
    cz : float
        hbar^2 / (2 m_z), meV nm^2.
    energy : ndarray
        Real energies, meV.

    Returns
    -------
    f, dfdE : ndarray, shape of ``energy``
        Non-finite where the transfer matrix overflows (opaque barriers).
    """
    e = np.asarray(energy, dtype=float)
    flat = np.ascontiguousarray(e.reshape(-1))
    f = np.empty(flat.size)
    df = np.empty(flat.size)
    _half_trace(thick, pot, float(cz), flat, f, df)
    return f.reshape(e.shape), df.reshape(e.shape)
