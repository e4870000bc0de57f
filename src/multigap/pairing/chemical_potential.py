"""Chemical potential mu(T) at fixed electron density, for the Tc search (SPEC §5).

The density comes from the same projected-DOS table as the kernel
(:func:`multigap.structure.pdos.density_at_temperature`, exact for the piecewise-linear
table), so that mu(T -> 0) = mu0 exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from multigap.constants import KB

__all__ = ["fixed_density"]

FloatArray = NDArray[np.float64]
MuOfT = Callable[[FloatArray, NDArray[np.intp]], FloatArray]


def fixed_density(table: Any, mu0: FloatArray, xtol: float = 1e-10) -> MuOfT:
    """mu(T) holding the electron density at its T = 0 value at mu0 (SPEC §5 "fixed_density").

    The density comes from the same projected-DOS table as the kernel
    (``pdos.density_at_temperature``, exact for the piecewise-linear table), so that
    mu(T -> 0) = mu0 exactly. The density rises monotonically with mu; each call solves all
    requested points at once (bracket, then Anderson-Bjorck regula falsi to ``xtol`` meV).
    """
    from multigap.structure.pdos import density_at_temperature

    e_end = float(table.energy[-1])
    target = np.asarray(density_at_temperature(table, mu0, 0.0), dtype=float).reshape(-1)
    if np.any(target <= 0.0):
        i = int(np.argmin(target))
        raise ValueError(
            f'chemical_potential="fixed_density" needs electrons at T = 0; mu0 = {mu0[i]:.6g} '
            "meV lies below every subband"
        )
    dos0 = 2.0 * np.interp(mu0, table.energy, table.total)  # both spins, 1/(meV nm^2)
    slope0 = np.maximum(dos0, 1e-3 * 2.0 * float(table.n0))

    def mu_of_T(T_meV: FloatArray, idx: NDArray[np.intp]) -> FloatArray:
        T_K = np.broadcast_to(np.asarray(T_meV, dtype=float) / KB, idx.shape).copy()
        tgt, m0, sl = target[idx], mu0[idx], slope0[idx]

        def f(m: FloatArray, sel: NDArray[np.intp]) -> FloatArray:
            return np.asarray(density_at_temperature(table, m, T_K[sel]), dtype=float) - tgt[sel]

        every = np.arange(idx.size)
        f0 = f(m0, every)
        lo, hi = m0.copy(), m0.copy()
        flo, fhi = f0.copy(), f0.copy()
        step = np.maximum(np.abs(f0) / sl, 1e-9) * 1.5 + 1e-6
        for _ in range(200):
            need = np.flatnonzero(~((flo <= 0.0) & (fhi >= 0.0)))
            if need.size == 0:
                break
            up = fhi[need] < 0.0  # density too low: move the upper end up
            trial = np.where(up, hi[need] + step[need], lo[need] - step[need])
            trial = np.minimum(trial, e_end)
            ft = f(trial, need)
            lo[need] = np.where(up, hi[need], trial)
            flo[need] = np.where(up, fhi[need], ft)
            hi[need] = np.where(up, trial, hi[need])
            fhi[need] = np.where(up, ft, fhi[need])
            step[need] *= 2.0
        else:
            raise ValueError("fixed_density: could not bracket mu(T) (table too short?)")
        side = np.zeros(idx.size, dtype=np.int8)
        for _ in range(200):
            p = np.flatnonzero((hi - lo > xtol) & (flo != 0.0) & (fhi != 0.0))
            if p.size == 0:
                break
            a, b, fa, fb = lo[p], hi[p], flo[p], fhi[p]
            with np.errstate(divide="ignore", invalid="ignore"):
                c = a - fa * (b - a) / (fb - fa)
            c = np.where((c > a) & (c < b), c, 0.5 * (a + b))
            c = np.where(c - a < 0.25 * xtol, a + 0.5 * xtol, c)
            c = np.where(b - c < 0.25 * xtol, b - 0.5 * xtol, c)
            fc = f(c, p)
            neg = fc < 0.0
            # Anderson-Bjorck scaling of the end kept twice
            m_hi = np.where(fa != 0.0, 1.0 - fc / np.where(fa != 0.0, fa, 1.0), 0.5)
            m_lo = np.where(fb != 0.0, 1.0 - fc / np.where(fb != 0.0, fb, 1.0), 0.5)
            fhi[p] = np.where(neg & (side[p] == -1), fb * np.where(m_hi > 0, m_hi, 0.5), fb)
            flo[p] = np.where(~neg & (side[p] == 1), fa * np.where(m_lo > 0, m_lo, 0.5), fa)
            lo[p] = np.where(neg, c, a)
            flo[p] = np.where(neg, fc, flo[p])
            hi[p] = np.where(neg, hi[p], c)
            fhi[p] = np.where(neg, fhi[p], fc)
            side[p] = np.where(neg, -1, 1)
        res: FloatArray = np.where(flo == 0.0, lo, np.where(fhi == 0.0, hi, 0.5 * (lo + hi)))
        return res

    return mu_of_T
