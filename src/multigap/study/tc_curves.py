"""The Tc curves and map of the study (SPEC §9 items 7-9), as xarray Datasets.

:func:`tc_eta_data` (Tc versus eta for several g, with the anti-resonance), :func:`tc_g_data`
(Tc versus g at fixed eta, the anti-resonant side included, with the minimum over eta < 0)
and :func:`tc_map_data` (the Tc(eta, g) map with its refined maximum); re-exported by
:mod:`multigap.study.figures`, whose conventions they follow (units, NaN below the floor).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from multigap.study._datasets import (
    FloatArray,
    _attrs,
    _eta_coord,
    _g_coord,
    _grid,
    _lambda,
    _tc_eta_g,
    _tc_vars,
    _var,
)

if TYPE_CHECKING:
    from multigap.model import Model


# ------------------------------------------------------------------------------ 7. Tc(eta)
def tc_eta_data(
    model: Model, g: ArrayLike | None = None, eta: ArrayLike | None = None
) -> xr.Dataset:
    """Tc versus eta for several couplings g (figure 7), with the anti-resonance located.

    Parameters
    ----------
    model : Model
    g : array_like, optional
        Couplings (default 0.10, 0.15, ..., 0.45, 0.49).
    eta : array_like, optional
        Lifshitz parameters (default 601 points on [-1, 2]).

    Returns
    -------
    xarray.Dataset
        ``tc`` (g, eta) in K with NaN below the floor, ``below_floor``; ``antiresonance_eta`` and
        ``antiresonance_tc`` (g): the interior minimum of Tc over eta < 0 (the Fano-Feshbach
        anti-resonance; NaN when Tc is below the floor there or the minimum is at an end).
    """
    from multigap.pairing.tc import critical_temperatures

    g_a = _grid("g", np.r_[np.arange(0.10, 0.46, 0.05), 0.49] if g is None else g)
    eta_a = _grid("eta", np.linspace(-1.0, 2.0, 601) if eta is None else eta)
    tc = np.asarray(critical_temperatures(model, eta_a[None, :], g_a[:, None]), dtype=float)
    a_eta = np.full(g_a.size, np.nan)
    a_tc = np.full(g_a.size, np.nan)
    neg = np.flatnonzero(eta_a < 0.0)
    if neg.size >= 3:
        for j in range(g_a.size):
            seg = tc[j, neg]
            if np.all(seg > 0.0):
                k = int(np.argmin(seg))
                if 0 < k < seg.size - 1:
                    a_eta[j], a_tc[j] = eta_a[neg[k]], seg[k]
    return xr.Dataset(
        {
            **_tc_vars(tc, ("g", "eta")),
            "antiresonance_eta": _var("g", a_eta, "1", "eta of the Tc minimum at eta < 0"),
            "antiresonance_tc": _var("g", a_tc, "K", "Tc at the anti-resonance minimum"),
        },
        coords={
            "g": _g_coord(g_a),
            "eta": _eta_coord(eta_a),
            "lambda": _var("g", _lambda(g_a), "1", "lambda = g / (1 - g)"),
        },
        attrs={**_attrs(model, "tc_eta", g=g_a, eta=eta_a), **_axis_attrs(model)},
    )


def _axis_attrs(model: Model) -> dict[str, Any]:
    """t_floor, Delta_E and E_L of the resonant subband (the mu - E_L axis, meV) and the rule."""
    sb = model.subbands
    r = model.resonant_band
    return {
        "t_floor": model.numerics.t_floor,
        "width": float(sb.width(r)),
        "edge": float(sb.edge(r)),
        "tc_convention": str(model.chemical_potential),
    }


def _parabolic_min(x: FloatArray, y: FloatArray) -> tuple[float, float]:
    """Interior minimum of y(x) on a uniform grid refined by the parabola through 3 points.

    NaN, NaN when the grid minimum lies at an end or y is not finite there.
    """
    k = int(np.argmin(y))
    if not (0 < k < y.size - 1) or not np.all(np.isfinite(y[k - 1 : k + 2])):
        return math.nan, math.nan
    y0, y1, y2 = y[k - 1], y[k], y[k + 1]
    den = y0 - 2.0 * y1 + y2
    if den <= 0.0:
        return float(x[k]), float(y1)
    t = 0.5 * (y0 - y2) / den  # in (-1/2, 1/2) grid steps from x[k]
    h = float(x[k + 1] - x[k])
    return float(x[k] + t * h), float(y1 - 0.25 * (y0 - y2) * t)


# ------------------------------------------------------------------------------ 8. Tc(g)
def tc_g_data(
    model: Model,
    eta: ArrayLike | None = None,
    g: ArrayLike | None = None,
    *,
    n_antiresonance: int = 51,
) -> xr.Dataset:
    """Tc versus g at fixed eta values (figure 8; the study's figure 9), with the anti-resonance.

    Parameters
    ----------
    model : Model
    eta : array_like, optional
        Fixed Lifshitz parameters (default -1, -0.75, -0.5, -0.25, 0, 0.5, 1, 1.5, 2: the
        anti-resonant side -1 < eta < 0 and beyond).
    g : array_like, optional
        Couplings (default 79 points on [0.10, 0.49]).
    n_antiresonance : int
        Points of the uniform eta grid on [-1, 0] on which, at each g, the minimum of Tc over
        eta < 0 (the Fano-Feshbach anti-resonance) is located (grid minimum refined by a
        parabola through its neighbours; 0 to skip).

    Returns
    -------
    xarray.Dataset
        ``tc`` (eta, g) in K, NaN below the floor; ``below_floor``; coordinate ``lambda`` (g);
        ``antiresonance_eta``, ``antiresonance_tc`` (g): where and how low the minimum is (NaN
        where it is at an end of [-1, 0] or Tc is below the floor there). Attributes
        ``width``, ``edge`` (meV), ``t_floor``, ``tc_convention``.
    """
    from multigap.pairing.tc import critical_temperatures

    eta_a = _grid(
        "eta", np.array([-1.0, -0.75, -0.5, -0.25, 0, 0.5, 1, 1.5, 2]) if eta is None else eta
    )
    g_a = _grid("g", np.linspace(0.10, 0.49, 79) if g is None else g)
    tc = np.asarray(critical_temperatures(model, eta_a[:, None], g_a[None, :]), dtype=float)
    attrs = {
        **_attrs(model, "tc_g", eta=eta_a, g=g_a, n_antiresonance=n_antiresonance),
        **_axis_attrs(model),
    }
    ds = _tc_eta_g(tc, eta_a, g_a, attrs)
    a_eta = np.full(g_a.size, np.nan)
    a_tc = np.full(g_a.size, np.nan)
    if n_antiresonance:
        e_neg = np.linspace(-1.0, 0.0, int(n_antiresonance))
        t_neg = np.asarray(critical_temperatures(model, e_neg[:, None], g_a[None, :]), dtype=float)
        for j in range(g_a.size):
            if np.all(t_neg[:, j] > 0.0):  # refined in log Tc (Tc spans decades there)
                a_eta[j], log_tc = _parabolic_min(e_neg, np.log(t_neg[:, j]))
                a_tc[j] = math.exp(log_tc) if math.isfinite(log_tc) else math.nan
    ds["antiresonance_eta"] = _var("g", a_eta, "1", "eta of the Tc minimum over -1 < eta < 0")
    ds["antiresonance_tc"] = _var("g", a_tc, "K", "Tc at the anti-resonance minimum")
    return ds


# ------------------------------------------------------------------------------ 9. map
def tc_map_data(
    model: Model, eta: ArrayLike | None = None, g: ArrayLike | None = None, *, refine: bool = True
) -> xr.Dataset:
    """Tc(eta, g) on a grid (figure 9) with the location and value of its maximum.

    Parameters
    ----------
    model : Model
    eta : array_like, optional
        Default 201 points on [0, 2].
    g : array_like, optional
        Default 40 points on [0.10, 0.49].
    refine : bool
        Refine the grid maximum by a bounded Nelder-Mead search in (eta, g) inside the grid.

    Returns
    -------
    xarray.Dataset
        ``tc`` (eta, g) in K (NaN below the floor), ``below_floor``; attributes ``tc_max``,
        ``eta_max``, ``g_max``, ``lambda_max`` (refined when ``refine``) and ``tc_max_grid``.
    """
    from scipy.optimize import minimize

    from multigap.pairing.tc import critical_temperatures

    eta_a = _grid("eta", np.linspace(0.0, 2.0, 201) if eta is None else eta)
    g_a = _grid("g", np.linspace(0.10, 0.49, 40) if g is None else g)
    tc = np.asarray(critical_temperatures(model, eta_a[:, None], g_a[None, :]), dtype=float)
    i, j = np.unravel_index(int(np.argmax(tc)), tc.shape)
    best = (float(tc[i, j]), float(eta_a[i]), float(g_a[j]))
    attrs = _attrs(model, "tc_map", eta=eta_a, g=g_a, refine=refine)
    attrs["tc_max_grid"] = best[0]
    if refine and best[0] > 0.0 and eta_a.size > 1 and g_a.size > 1:
        lo = np.array([eta_a.min(), g_a.min()])
        hi = np.array([eta_a.max(), g_a.max()])

        def neg_tc(x: FloatArray) -> float:
            x = np.clip(x, lo, hi)
            return -float(critical_temperatures(model, x[0], x[1]))

        res = minimize(
            neg_tc,
            np.array(best[1:]),
            method="Nelder-Mead",
            bounds=list(zip(lo, hi, strict=True)),
            options={"xatol": 1e-4, "fatol": 1e-4, "maxfev": 200},
        )
        if -res.fun > best[0]:
            x = np.clip(res.x, lo, hi)
            best = (float(-res.fun), float(x[0]), float(x[1]))
    attrs.update(
        tc_max=best[0], eta_max=best[1], g_max=best[2], lambda_max=best[2] / (1.0 - best[2])
    )
    attrs["t_floor"] = model.numerics.t_floor
    return _tc_eta_g(tc, eta_a, g_a, attrs)
