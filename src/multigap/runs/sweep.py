"""Sweeps over the (eta, g) plane: batched, parallel, resumable, with progress.

:func:`sweep` evaluates registered *quantities* on every point of an (eta, g) grid and returns
an :class:`xarray.Dataset` with dimensions ``(eta, g)`` (plus e.g. ``band`` for per-band
outputs), ``units`` and ``long_name`` on every variable and coordinate, and in its attributes
the model configuration (JSON), the package version, the numerical grids (JSON) and the
quantities.

:func:`register_quantity` adds quantities (:mod:`multigap.runs.quantities`: the registry
and the built-in "tc", "gaps", "isotope"). Work is cut into batches of grid points (C order
over (eta, g), fixed by the grid and ``batch_size`` only, so every executor and every resumed
run evaluates exactly the same batches and gives bitwise the same numbers) and run by
:func:`multigap.runs.executors.run_batches`; results stream into a
:class:`multigap.runs.store.SweepStore` (locked: one writer at a time; checksummed). Adaptive
maps are in :mod:`multigap.runs.adaptive`. Nothing in this module is physics.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from multigap.runs.adaptive import adaptive_map
from multigap.runs.executors import run_batches
from multigap.runs.quantities import (
    DIMS,
    FloatArray,
    Output,
    Quantity,
    available_quantities,
    evaluate,
    get_quantity,
    register_quantity,
    resolve_quantities,
)
from multigap.runs.signals import sigterm_interrupts
from multigap.runs.store import SweepStore
from multigap.runs.template import as_grid, model_config, sweep_template, touch_geometry

__all__ = [
    "DIMS",
    "Output",
    "Quantity",
    "adaptive_map",
    "available_quantities",
    "default_batch_size",
    "get_quantity",
    "model_config",
    "parse_range",
    "register_quantity",
    "sweep",
    "sweep_template",
]


# ----------------------------------------------------------------------------- batching
def default_batch_size(n_points: int) -> int:
    """Points per batch: about 64 batches, between 32 and 256 points each.

    Depends on the grid size only (never on the executor), so that every run of the same sweep
    cuts the same batches.
    """
    return int(min(256, max(32, math.ceil(int(n_points) / 64))))


# ---------------------------------------------------------------------------------- sweep
def sweep(
    model: Any,
    eta: ArrayLike,
    g: ArrayLike,
    quantities: str | Quantity | Iterable[str | Quantity] = ("tc",),
    executor: Any = None,
    store: str | os.PathLike[str] | None = None,
    progress: bool = True,
    batch_size: int | None = None,
    *,
    checkpoint_interval: float = 2.0,
) -> xr.Dataset:
    """Evaluate quantities on the (eta, g) grid; optionally parallel and resumable.

    Parameters
    ----------
    model : multigap.Model
        Any picklable model; its cached ``geometry`` (if it has one) is computed here once and
        shipped with it, once per worker.
    eta : array_like
        Lifshitz parameters (1-D, dimensionless).
    g : array_like
        Reduced resonant couplings (1-D, dimensionless, 0 <= g < 1/2 for the built-in
        quantities).
    quantities : str, Quantity or sequence of them
        Registered names ("tc", "gaps", "isotope", ...) or :class:`Quantity` objects.
    executor : None, "serial", "processes", int, concurrent.futures.Executor or Client
        Where batches run (:func:`multigap.executors.run_batches`): None / "serial" in this
        process; "processes" or an int n >= 2 for that many local worker processes (BLAS
        threads capped per worker); any ``concurrent.futures.Executor``; a Dask
        ``distributed.Client``. Executors passed in are not shut down.
    store : path-like, optional
        netCDF file (h5netcdf) to which results are written as batches complete. Re-running
        the same sweep with the same store computes only the missing points; a store made with
        other parameters is refused (:class:`multigap.runs.store.StoreMismatchError`), and so
        is a store another process is writing (:class:`multigap.runs.store.StoreBusyError`).
    progress : bool
        Show a tqdm progress bar (notebook-aware) advancing per computed point.
    batch_size : int, optional
        Points per batch (default :func:`default_batch_size`). Batches are fixed by the grid and
        this number, so give the same value when resuming.
    checkpoint_interval : float
        Least seconds between two rewrites of the store (default 2; 0: after every batch).

    Returns
    -------
    xarray.Dataset
        Dimensions (eta, g) (plus extra ones such as ``band``); one variable per output with
        ``units`` and ``long_name``; attributes ``model``, ``config`` (JSON), ``multigap_version``,
        ``grids`` (JSON of the numerical grids) and ``quantities`` (comma-separated). The store
        holds exactly this Dataset when the sweep ends.

    Notes
    -----
    On Ctrl-C, SIGTERM (raised as :class:`multigap.runs.signals.Terminated`, a
    KeyboardInterrupt, where SIGTERM had its default action), a lost worker or an error in a
    batch, the completed batches are flushed to the store before the exception propagates; a
    SIGKILL loses at most the batches of the last ``checkpoint_interval`` seconds. The store
    file is always a complete, valid netCDF.
    """
    qs = resolve_quantities(quantities)
    eta_a, g_a = as_grid("eta", eta), as_grid("g", g)
    size = _batch_size(batch_size, eta_a.size * g_a.size)
    template = sweep_template(model, eta_a, g_a, qs)
    results = SweepStore(template, DIMS, store, interval=checkpoint_interval)
    try:
        index = _pending(results.computed.reshape(-1), size)
        if index:
            with sigterm_interrupts():
                _compute(results, executor, model, qs, eta_a, g_a, index, progress)
        return results.finish()
    finally:
        results.close()


def _batch_size(batch_size: int | None, n: int) -> int:
    if batch_size is None:
        return default_batch_size(n)
    if isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        return int(batch_size)
    raise TypeError(f"batch_size must be an int, got {batch_size!r}")


def _pending(done: NDArray[np.bool_], size: int) -> list[NDArray[np.intp]]:
    """The fixed batches of ``size`` points (C order), less the points already computed."""
    index: list[NDArray[np.intp]] = []
    for start in range(0, done.size, size):
        idx = np.arange(start, min(start + size, done.size), dtype=np.intp)
        idx = idx[~done[idx]]
        if idx.size:
            index.append(idx)
    return index


def _compute(
    results: SweepStore,
    executor: Any,
    model: Any,
    qs: list[Quantity],
    eta: FloatArray,
    g: FloatArray,
    index: list[NDArray[np.intp]],
    progress: bool,
) -> None:
    """Run the batches ``index`` into ``results``; on any interruption flush what is done."""
    from tqdm.auto import tqdm

    touch_geometry(model)
    ee, gg = np.meshgrid(eta, g, indexing="ij")
    ef, gf = ee.reshape(-1), gg.reshape(-1)
    batches = [(ef[idx], gf[idx]) for idx in index]
    task = functools.partial(evaluate, tuple(qs))
    bar = tqdm(
        total=results.computed.size,
        initial=int(results.computed.sum()),
        unit="pt",
        desc=f"sweep {','.join(q.name for q in qs)}",
        disable=not progress,
        dynamic_ncols=True,
        smoothing=0.1,
    )
    try:
        with bar:
            for k, values in run_batches(executor, model, task, batches):
                results.write(index[k], values)
                bar.update(index[k].size)
    except BaseException:  # Ctrl-C, SIGTERM, a lost worker, an error in a batch
        results.flush(force=True)
        raise


# ------------------------------------------------------------------------------ CLI helper
def parse_range(text: str, name: str = "range") -> FloatArray:
    """Parse ``"START:STOP:N"``, ``"a,b,c"`` or ``"x"`` into a float array.

    ``START:STOP:N`` is ``numpy.linspace(START, STOP, N)`` (both ends included; N >= 2, or 1
    with START == STOP).

    Raises
    ------
    ValueError
        Naming ``name``, the text and the accepted forms.
    """
    if not isinstance(text, str):
        raise ValueError(f"{name}: expected a string, got {type(text).__name__}")
    t = text.strip()
    forms = "START:STOP:N (N values, both ends included), a list a,b,c or a number"
    if not t:
        raise ValueError(f"{name}: empty; give {forms}")
    if ":" in t:
        parts = [p.strip() for p in t.split(":")]
        if len(parts) != 3:
            raise ValueError(f"{name}: {text!r} is not {forms}")
        try:
            start, stop = float(parts[0]), float(parts[1])
        except ValueError:
            raise ValueError(f"{name}: {text!r}: START and STOP must be numbers") from None
        try:
            n = int(parts[2])
        except ValueError:
            raise ValueError(f"{name}: {text!r}: N must be an integer, got {parts[2]!r}") from None
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise ValueError(f"{name}: {text!r}: START and STOP must be finite")
        if n < 1 or (n == 1 and start != stop):
            raise ValueError(f"{name}: {text!r}: N must be >= 2 (or 1 with START == STOP)")
        return np.linspace(start, stop, n)
    items = [p.strip() for p in t.split(",")]
    if any(not p for p in items):
        raise ValueError(f"{name}: {text!r} has an empty item; give {forms}")
    try:
        arr = np.array([float(p) for p in items], dtype=float)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not {forms}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: {text!r} must give finite numbers")
    return arr
