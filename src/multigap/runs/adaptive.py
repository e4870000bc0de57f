"""Adaptive maps: sample a quantity with ``adaptive.Learner2D`` and interpolate it on a grid.

:func:`adaptive_map` asks the learner for points in rounds, evaluates each round as batches
on any executor (:func:`multigap.runs.executors.run_batches`), and puts the samples on a
regular (eta, g) grid in the form of :func:`multigap.runs.sweep.sweep`. Needs the optional
``adaptive`` package (``pip install 'multigap[adaptive]'``). Nothing here is physics.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from multigap.runs.executors import ProcessPool, run_batches
from multigap.runs.quantities import COORD_ATTRS, Quantity, evaluate, get_quantity
from multigap.runs.template import sweep_template, touch_geometry

__all__ = ["adaptive_map"]

Bounds = list[tuple[float, float]]
Samples = tuple[list[tuple[float, float]], dict[str, list[NDArray[Any]]]]


def _never(point: Any) -> float:  # pragma: no cover - the learner is driven by ask/tell
    raise RuntimeError("adaptive_map evaluates points in batches, not through the learner")


def _check_bounds(eta_bounds: tuple[float, float], g_bounds: tuple[float, float]) -> Bounds:
    bounds = []
    for name, b in (("eta_bounds", eta_bounds), ("g_bounds", g_bounds)):
        lo, hi = (float(x) for x in b)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"{name} must be (low, high) with low < high, got {b!r}")
        bounds.append((lo, hi))
    return bounds


def _driving_output(q: Quantity, output: str | None) -> str:
    """The float output of ``q`` that drives the learner (default: its first float output)."""
    floats = [o for o in q.outputs if o.dtype == "float64"]
    if output is None:
        if not floats:
            raise ValueError(f"quantity {q.name!r} has no float output to drive the learner")
        return floats[0].name
    if output in {o.name for o in floats}:
        return output
    raise ValueError(
        f"output must be a float output of {q.name!r}: {', '.join(o.name for o in floats)}"
    )


def _own_executor(executor: Any) -> tuple[Any, bool]:
    """One pool for every round when the caller asked for local processes (closed by us)."""
    if executor == "processes":
        return ProcessPool(), True
    if (
        isinstance(executor, numbers.Integral)
        and not isinstance(executor, bool)
        and int(executor) > 1
    ):
        return ProcessPool(int(executor)), True
    return executor, False


def _evaluate_round(
    executor: Any, model: Any, task: Callable[..., Any], asked: list[tuple[float, float]]
) -> dict[str, NDArray[Any]]:
    """Every output at the asked points, in their order (batches of at most 64 points)."""
    arr = np.asarray(asked, dtype=float)
    chunks = np.array_split(np.arange(len(asked)), max(1, math.ceil(len(asked) / 64)))
    got = dict(run_batches(executor, model, task, [(arr[c, 0], arr[c, 1]) for c in chunks]))
    return {name: np.concatenate([got[k][name] for k in range(len(chunks))]) for name in got[0]}


def _sample(
    learner: Any,
    model: Any,
    q: Quantity,
    drive: str,
    npoints: int,
    per_round: int,
    executor: Any,
    progress: bool,
) -> Samples:
    """Ask, evaluate, tell until ``npoints`` are sampled; the points and every output."""
    from tqdm.auto import tqdm

    task = functools.partial(evaluate, (q,))
    pts: list[tuple[float, float]] = []
    values: dict[str, list[NDArray[Any]]] = {o.name: [] for o in q.outputs}
    with tqdm(total=npoints, unit="pt", desc=f"adaptive {q.name}", disable=not progress) as bar:
        while len(pts) < npoints:
            asked, _ = learner.ask(min(per_round, npoints - len(pts)))
            asked = [(float(a), float(b)) for a, b in asked]
            if not asked:
                break
            res = _evaluate_round(executor, model, task, asked)
            learner.tell_many(asked, [float(v) for v in np.nan_to_num(res[drive], nan=0.0)])
            pts.extend(asked)
            for name in values:
                values[name].append(res[name])
            bar.update(len(asked))
    return pts, values


def _on_grid(
    model: Any, q: Quantity, bounds: Bounds, grid: tuple[int, int], samples: Samples
) -> xr.Dataset:
    """The samples interpolated on the grid, plus the raw samples on a ``sample`` dimension."""
    from scipy.interpolate import LinearNDInterpolator, NearestNDInterpolator

    pts, values = samples
    eta_a = np.linspace(*bounds[0], grid[0])
    g_a = np.linspace(*bounds[1], grid[1])
    ds = sweep_template(model, eta_a, g_a, (q,))
    at = np.asarray(pts, dtype=float)
    origin = np.array([bounds[0][0], bounds[1][0]])
    span = np.array([bounds[0][1] - bounds[0][0], bounds[1][1] - bounds[1][0]])
    scaled = (at - origin) / span
    ee, gg = np.meshgrid(eta_a, g_a, indexing="ij")
    target = (np.stack([ee.ravel(), gg.ravel()], axis=-1) - origin) / span
    for o in q.outputs:
        v = np.concatenate(values[o.name])
        interp = LinearNDInterpolator if o.dtype == "float64" else NearestNDInterpolator
        grid_v = interp(scaled, v.reshape(len(pts), -1))(target)
        ds[o.name].values[...] = np.asarray(grid_v, dtype=o.dtype).reshape(ds[o.name].shape)
        ds[f"sample_{o.name}"] = xr.Variable(
            ("sample", *o.dims),
            v,
            {"units": o.units, "long_name": f"{o.long_name} (adaptive samples)"},
        )
    ds["sample_eta"] = xr.Variable("sample", at[:, 0], dict(COORD_ATTRS["eta"]))
    ds["sample_g"] = xr.Variable("sample", at[:, 1], dict(COORD_ATTRS["g"]))
    return ds


def adaptive_map(
    model: Any,
    eta_bounds: tuple[float, float],
    g_bounds: tuple[float, float],
    quantity: str | Quantity = "tc",
    npoints: int = 200,
    executor: Any = None,
    *,
    output: str | None = None,
    grid: tuple[int, int] = (101, 50),
    points_per_round: int | None = None,
    progress: bool = True,
) -> xr.Dataset:
    """Sample a quantity adaptively with ``adaptive.Learner2D`` and interpolate it on a grid.

    Needs the optional ``adaptive`` package (``pip install 'multigap[adaptive]'``).

    Parameters
    ----------
    model : multigap.Model
    eta_bounds, g_bounds : (float, float)
        The rectangle sampled.
    quantity : str or Quantity
        What is computed at every sampled point (all of its outputs are kept).
    npoints : int
        Points sampled in total (>= 4).
    executor
        As in :func:`multigap.runs.sweep.sweep`; each round of points the learner asks for
        runs as batches there.
    output : str, optional
        The float output that drives the learner (default: the quantity's first float
        output); NaN values (e.g. Tc below the floor) are given to the learner as 0.
    grid : (int, int)
        Points of the regular (eta, g) grid of the returned Dataset.
    points_per_round : int, optional
        Points asked of the learner at once (default max(4, npoints // 10)): larger rounds
        parallelise better, smaller ones adapt more finely.
    progress : bool
        tqdm bar over the sampled points.

    Returns
    -------
    xarray.Dataset
        The form of :func:`multigap.runs.sweep.sweep` on the grid: every float output linearly
        interpolated on the Delaunay triangulation of the samples (in coordinates scaled to the
        unit square), boolean outputs taken from the nearest sample; plus the raw samples on a
        ``sample`` dimension (``sample_eta``, ``sample_g`` and ``sample_<output>``) and an
        ``adaptive`` attribute (JSON: quantity, driving output, npoints, bounds, final loss).
    """
    try:
        import adaptive
    except ImportError:
        raise RuntimeError(
            "adaptive_map needs the optional package 'adaptive': pip install 'multigap[adaptive]'"
        ) from None
    q = get_quantity(quantity)
    if isinstance(npoints, bool) or not isinstance(npoints, (int, np.integer)) or npoints < 4:
        raise ValueError(f"npoints must be an int >= 4, got {npoints!r}")
    bounds = _check_bounds(eta_bounds, g_bounds)
    drive = _driving_output(q, output)
    per_round = int(points_per_round) if points_per_round else max(4, int(npoints) // 10)
    n_eta, n_g = (int(x) for x in grid)
    if n_eta < 2 or n_g < 2:
        raise ValueError(f"grid must have at least 2 x 2 points, got {grid!r}")

    learner = adaptive.Learner2D(_never, bounds=bounds)
    touch_geometry(model)
    executor, owned = _own_executor(executor)
    try:
        samples = _sample(learner, model, q, drive, int(npoints), per_round, executor, progress)
    finally:
        if owned:
            executor.shutdown(wait=True, cancel_futures=True)
    ds = _on_grid(model, q, bounds, (n_eta, n_g), samples)
    ds.attrs["adaptive"] = json.dumps(
        {
            "quantity": q.name,
            "output": drive,
            "npoints": len(samples[0]),
            "eta_bounds": list(bounds[0]),
            "g_bounds": list(bounds[1]),
            "loss": float(learner.loss()),
            "interpolation": "linear on the Delaunay triangulation of the scaled samples",
        },
        sort_keys=True,
    )
    return ds
