"""Shared pieces of the figure datasets: attributes, coordinates, units, the Tc variables.

Private to :mod:`multigap.study.figures` and :mod:`multigap.study.tc_curves` (names start with
an underscore; :func:`version` is public and re-exported by :mod:`multigap.study.figures`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from multigap.model import Model

FloatArray = NDArray[np.float64]


def version() -> str:
    """The installed package version (stored in every dataset)."""
    from multigap import __version__

    return str(__version__)


def _attrs(model: Model | Sequence[Model], figure: str, **grids: Any) -> dict[str, Any]:
    """Dataset attributes: config JSON, version, figure name and grids."""
    if isinstance(model, Sequence):
        config = json.dumps({m.name: m.to_dict() for m in model}, sort_keys=True)
        name = ",".join(m.name for m in model)
    else:
        config = model.to_json()
        name = model.name
    return {
        "figure": figure,
        "model": name,
        "config": config,
        "multigap_version": version(),
        "grids": json.dumps(_plain(grids), sort_keys=True),
    }


def _plain(value: Any) -> Any:
    """JSON-ready copy of grid descriptions (arrays become lists)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [float(x) for x in value.ravel()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def _grid(name: str, values: ArrayLike) -> FloatArray:
    arr = np.atleast_1d(np.asarray(values, dtype=float)).ravel()
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a non-empty array of finite numbers, got {values!r}")
    return arr


def _var(
    dims: str | tuple[str, ...], data: ArrayLike, units: str, long_name: str, **attrs: Any
) -> xr.Variable:
    return xr.Variable(dims, np.asarray(data), {"units": units, "long_name": long_name, **attrs})


def _eta_coord(eta: FloatArray, dim: str = "eta") -> xr.Variable:
    return _var(dim, eta, "1", "Lifshitz parameter eta = (mu - E_L) / Delta_E")


def _g_coord(g: FloatArray, dim: str = "g") -> xr.Variable:
    return _var(dim, g, "1", "reduced resonant coupling g = lambda / (1 + lambda)")


def _lambda(g: FloatArray) -> FloatArray:
    res: FloatArray = g / (1.0 - g)
    return res


def _tc_vars(tc: FloatArray, dims: tuple[str, ...]) -> dict[str, xr.Variable]:
    """``tc`` (NaN below the floor) and the explicit ``below_floor`` flag."""
    below = tc <= 0.0
    return {
        "tc": _var(
            dims,
            np.where(below, np.nan, tc),
            "K",
            "critical temperature (NaN: no superconductivity above the floor)",
        ),
        "below_floor": _var(dims, below, "1", "Lambda(t_floor) < 1: Tc below the floor"),
    }


def _tc_eta_g(tc: FloatArray, eta: FloatArray, g: FloatArray, attrs: dict[str, Any]) -> xr.Dataset:
    """Tc (and below_floor) on an (eta, g) grid with the eta, g and lambda coordinates."""
    return xr.Dataset(
        _tc_vars(tc, ("eta", "g")),
        coords={
            "eta": _eta_coord(eta),
            "g": _g_coord(g),
            "lambda": _var("g", _lambda(g), "1", "lambda = g / (1 - g)"),
        },
        attrs=attrs,
    )
