"""The empty result Dataset of a sweep and its metadata (configuration, version, grids)."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from multigap.runs.quantities import COORD_ATTRS, DIMS, FloatArray, Quantity, resolve_quantities

__all__ = ["as_grid", "model_config", "sweep_template", "touch_geometry"]


def _plain(value: Any) -> Any:
    """JSON-ready copy (numpy arrays and scalars become lists and numbers)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def model_config(model: Any) -> dict[str, Any]:
    """The model's configuration as plain data (``model.to_dict()``, else its dataclass fields)."""
    to_dict = getattr(model, "to_dict", None)
    if callable(to_dict):
        cfg = to_dict()
    elif dataclasses.is_dataclass(model) and not isinstance(model, type):
        cfg = {f.name: getattr(model, f.name) for f in dataclasses.fields(model)}
        cfg = {
            k: dataclasses.asdict(v)
            if dataclasses.is_dataclass(v) and not isinstance(v, type)
            else v
            for k, v in cfg.items()
        }
    else:
        raise TypeError(
            f"cannot record the configuration of a {type(model).__name__}: give the model a "
            f"to_dict() method or make it a dataclass"
        )
    return dict(_plain(cfg))


def _grids(model: Any) -> dict[str, Any]:
    num = getattr(model, "numerics", None)
    if num is None:
        return {}
    if dataclasses.is_dataclass(num) and not isinstance(num, type):
        return dict(_plain(dataclasses.asdict(num)))
    return {"numerics": repr(num)}


def _version() -> str:
    from multigap import __version__

    return str(__version__)


def as_grid(name: str, values: ArrayLike) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {values!r}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a number or a 1-D array, got shape {arr.shape}")
    arr = np.atleast_1d(arr)
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a non-empty array of finite numbers, got {values!r}")
    return arr


def sweep_template(
    model: Any, eta: ArrayLike, g: ArrayLike, quantities: Iterable[str | Quantity]
) -> xr.Dataset:
    """The empty result Dataset of a sweep (NaN / False everywhere) with all metadata."""
    eta_a, g_a = as_grid("eta", eta), as_grid("g", g)
    qs = resolve_quantities(quantities)
    coords: dict[str, xr.Variable] = {
        "eta": xr.Variable("eta", eta_a, dict(COORD_ATTRS["eta"])),
        "g": xr.Variable("g", g_a, dict(COORD_ATTRS["g"])),
    }
    for q in qs:
        if q.coords is None:
            continue
        for dim, (values, attrs) in q.coords(model).items():
            coords.setdefault(dim, xr.Variable(dim, np.asarray(values), dict(attrs)))
    data: dict[str, xr.Variable] = {}
    for q in qs:
        for o in q.outputs:
            missing = [d for d in o.dims if d not in coords]
            if missing:
                raise ValueError(f"quantity {q.name!r} gives no coordinate for {missing}")
            shape = (eta_a.size, g_a.size, *(coords[d].size for d in o.dims))
            fill = np.nan if o.dtype == "float64" else False
            data[o.name] = xr.Variable(
                (*DIMS, *o.dims),
                np.full(shape, fill, dtype=o.dtype),
                {"units": o.units, "long_name": o.long_name, "quantity": q.name, **dict(o.attrs)},
            )
    attrs = {
        "model": str(getattr(model, "name", type(model).__name__)),
        "config": json.dumps(model_config(model), sort_keys=True),
        "multigap_version": _version(),
        "grids": json.dumps(_grids(model), sort_keys=True),
        "quantities": ",".join(q.name for q in qs),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def touch_geometry(model: Any) -> None:
    """Compute the model's cached geometry here, so it is pickled with the model."""
    if "geometry" in dir(type(model)):
        _ = model.geometry
