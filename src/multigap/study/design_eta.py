"""The eta search inside one design structure: coarse-to-fine grid and parabolic refinement.

Part of :mod:`multigap.study.design` (step 1 of its method). :func:`grid_tc` solves Tc on an
eta grid only where the grid's maximum can be, :func:`refine_max` refines the best grid point
to a given tolerance from the three grid values around it. Both take Tc as a function (they
know nothing of the model); ``tests/study/unit/test_design_search.py`` checks them against the
full grid and the bounded Brent search they replace.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

__all__ = ["COARSE_STRIDE", "grid_tc", "refine_max"]

#: Stride of the coarse eta grid of one structure (the fine grid follows around its best point).
COARSE_STRIDE = 4


def grid_tc(tc_of: Callable[[FloatArray], Any], grid: FloatArray) -> FloatArray:
    """Tc on ``grid`` where needed for its maximum: coarse first, then fine around the best.

    Tc is solved on every :data:`COARSE_STRIDE`-th point (and the last); if that coarse
    sequence is unimodal (non-decreasing, then non-increasing) and positive somewhere, the
    fine points between the coarse neighbours of its best point are added, else every point.
    For a Tc unimodal on the grid the largest value found is the grid's largest (its maximum
    lies between the coarse neighbours of the coarse maximum); the points not solved are NaN.
    """
    n = grid.size
    tc = np.full(n, np.nan)
    if n <= 3 * COARSE_STRIDE:
        tc[:] = np.asarray(tc_of(grid), dtype=float)
        return tc
    coarse = np.unique(np.append(np.arange(0, n, COARSE_STRIDE), n - 1))
    c = np.asarray(tc_of(grid[coarse]), dtype=float)
    tc[coarse] = c
    k = int(np.argmax(c))
    steps = np.diff(c)
    if c[k] > 0.0 and np.all(steps[:k] >= 0.0) and np.all(steps[k:] <= 0.0):
        a, b = coarse[max(k - 1, 0)], coarse[min(k + 1, coarse.size - 1)]
        todo = np.arange(a + 1, b)
        todo = todo[np.isnan(tc[todo])]
    else:
        todo = np.flatnonzero(np.isnan(tc))
    if todo.size:
        tc[todo] = np.asarray(tc_of(grid[todo]), dtype=float)
    return tc


def refine_max(
    fun: Callable[[float], float], x3: FloatArray, f3: FloatArray, xatol: float, max_eval: int = 40
) -> tuple[float, float]:
    """Maximum of ``fun`` bracketed by x3[0] < x3[1] < x3[2] with f3[1] >= f3[0], f3[2].

    Safeguarded successive parabolic interpolation on the bracket [a, b] around the best point
    m: the vertex of the parabola through (a, m, b), a golden-section step into the larger side
    where the vertex falls outside the bracket, and steps of at least ``xatol / 2`` (towards
    the larger side); it stops once both sides of the bracket are within ``xatol`` of m, so a
    unimodal maximum lies within ``xatol`` of the point returned (the tolerance of the bounded
    Brent search it replaces; for a smooth maximum about four evaluations instead of Brent's
    six to eight). Returns the best (x, fun(x)) evaluated.
    """
    (a, m, b), (fa, fm, fb) = (float(v) for v in x3), (float(v) for v in f3)
    for _ in range(max_eval):
        if max(m - a, b - m) <= xatol:
            break
        p, q = (m - a) * (fm - fb), (m - b) * (fm - fa)
        den = 2.0 * (p - q)
        u = m - ((m - a) * p - (m - b) * q) / den if den != 0.0 else math.nan
        wide = (b - m) if b - m > m - a else (a - m)  # the larger side, signed
        if not a < u < b:
            u = m + 0.381966 * wide
        if abs(u - m) < 0.5 * xatol:
            u = m + math.copysign(0.5 * xatol, wide)
        fu = fun(u)
        if fu > fm:
            a, b = (m, b) if u > m else (a, m)
            fa, fb = (fm, fb) if u > m else (fa, fm)
            m, fm = u, fu
        elif u > m:
            b, fb = u, fu
        else:
            a, fa = u, fu
    return m, fm
