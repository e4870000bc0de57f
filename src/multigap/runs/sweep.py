"""Sweeps over the (eta, g) plane: batched, parallel, resumable, with progress.

:func:`sweep` evaluates registered *quantities* on every point of an (eta, g) grid and returns
an :class:`xarray.Dataset` with dimensions ``(eta, g)`` (plus e.g. ``band`` for per-band
outputs), ``units`` and ``long_name`` on every variable and coordinate, and in its attributes
the model configuration (JSON), the package version, the numerical grids (JSON) and the
quantities.

A *quantity* (:class:`Quantity`) is a name, the output variables it produces
(:class:`Output`: name, units, long_name, dtype, extra dimensions) and a batched function
``fn(model, eta, g) -> {output name: array}`` taking 1-D arrays of equal length. The built-in
ones (solvers imported on first use, so a missing solver gives a clear error at sweep time):

==========  ==============================================================================
"tc"        ``tc`` (K, NaN below the temperature floor), ``below_floor`` (bool), ``mu``
            (meV, chemical potential at Tc)
"gaps"      ``fermi_gap`` and ``spectral_gap`` (meV, per band), ``mu_renormalised`` (meV),
            ``gap_converged`` (bool; False with NaN gaps where the solver did not converge),
            ``gap_ratio`` = 2 Delta_n / k_B Tc (per band; the Fermi gap, or the spectral gap
            where mu is below the band); all at fixed density, over the fixed-density Tc
            (variable attributes ``mu_rule``, ``gap_definition``)
"isotope"   ``alpha`` = -d ln Tc / d ln M
==========  ==============================================================================

:func:`register_quantity` adds others. Work is cut into batches of grid points (C order over
(eta, g), fixed by the grid and ``batch_size`` only, so every executor and every resumed run
evaluates exactly the same batches and gives bitwise the same numbers) and run by
:func:`multigap.executors.run_batches`; results stream into a :class:`multigap.store.SweepStore`.
Nothing in this module is physics.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import numbers
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray

from multigap.pairing import gaps as gap_solver
from multigap.pairing import tc as tc_solver
from multigap.runs.executors import ProcessPool, run_batches
from multigap.runs.store import SweepStore

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

FloatArray = NDArray[np.float64]
BatchFn = Callable[[Any, FloatArray, FloatArray], Mapping[str, ArrayLike]]
CoordsFn = Callable[[Any], Mapping[str, tuple[ArrayLike, Mapping[str, str]]]]

#: Dimensions of every sweep.
DIMS = ("eta", "g")

_COORD_ATTRS = {
    "eta": {"units": "1", "long_name": "Lifshitz parameter eta = (mu - E_L) / Delta_E"},
    "g": {"units": "1", "long_name": "reduced resonant coupling g = lambda / (1 + lambda)"},
}


# ------------------------------------------------------------------------------ quantities
@dataclasses.dataclass(frozen=True)
class Output:
    """One output variable of a quantity.

    Parameters
    ----------
    name : str
        Variable name in the Dataset.
    units : str
        ``units`` attribute ("1" for dimensionless).
    long_name : str
        ``long_name`` attribute.
    dtype : {"float64", "bool"}
        Float outputs are NaN where not computed; boolean ones False.
    dims : tuple of str
        Extra trailing dimensions after (eta, g), e.g. ``("band",)``; their coordinates come
        from the quantity's ``coords``.
    attrs : tuple of (str, str)
        Further variable attributes (e.g. ``("mu_rule", "fixed_density")``).
    """

    name: str
    units: str
    long_name: str
    dtype: str = "float64"
    dims: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"output name must be an identifier, got {self.name!r}")
        if self.dtype not in ("float64", "bool"):
            raise ValueError(f"output dtype must be 'float64' or 'bool', got {self.dtype!r}")
        if set(self.dims) & set(DIMS):
            raise ValueError(f"extra dims of {self.name!r} must not repeat {DIMS}")


@dataclasses.dataclass(frozen=True)
class Quantity:
    """A batched computable of a sweep.

    Parameters
    ----------
    name : str
        Registry key (``quantities=("tc",)``).
    outputs : tuple of Output
        The variables ``fn`` returns.
    fn : callable
        ``fn(model, eta, g) -> {output name: array of shape (B, *extra)}`` with ``eta``, ``g``
        1-D float arrays of length B. Must be picklable (a module-level function) to run in
        worker processes.
    coords : callable, optional
        ``coords(model) -> {dim: (values, attrs)}`` for the extra dimensions of the outputs.
    description : str
        One line for listings.
    """

    name: str
    outputs: tuple[Output, ...]
    fn: BatchFn
    coords: CoordsFn | None = None
    description: str = ""

    def __post_init__(self) -> None:
        names = [o.name for o in self.outputs]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"quantity {self.name!r} needs distinct outputs, got {names}")
        extra = {d for o in self.outputs for d in o.dims}
        if extra and self.coords is None:
            raise ValueError(
                f"quantity {self.name!r} has extra dims {sorted(extra)} but no coords function"
            )


_REGISTRY: dict[str, Quantity] = {}


def register_quantity(quantity: Quantity, *, replace: bool = False) -> Quantity:
    """Add ``quantity`` to the registry (``replace=True`` to redefine a name); returns it."""
    if not isinstance(quantity, Quantity):
        raise TypeError(f"expected a Quantity, got {type(quantity).__name__}")
    if quantity.name in _REGISTRY and not replace and _REGISTRY[quantity.name] != quantity:
        raise ValueError(
            f"quantity {quantity.name!r} is already registered (pass replace=True to redefine)"
        )
    _REGISTRY[quantity.name] = quantity
    return quantity


def get_quantity(name: str | Quantity) -> Quantity:
    """The registered quantity ``name`` (a :class:`Quantity` is returned as is)."""
    if isinstance(name, Quantity):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown quantity {name!r}; choose from {', '.join(sorted(_REGISTRY))}"
        ) from None


def available_quantities() -> tuple[str, ...]:
    """Names of the registered quantities."""
    return tuple(sorted(_REGISTRY))


def _resolve_quantities(quantities: str | Quantity | Iterable[str | Quantity]) -> list[Quantity]:
    items = [quantities] if isinstance(quantities, (str, Quantity)) else list(quantities)
    qs = [get_quantity(q) for q in items]
    if not qs:
        raise ValueError("give at least one quantity")
    names = [q.name for q in qs]
    if len(set(names)) != len(names):
        raise ValueError(f"quantities repeat: {names}")
    seen: dict[str, str] = {}
    for q in qs:
        for o in q.outputs:
            if o.name in seen:
                raise ValueError(
                    f"quantities {seen[o.name]!r} and {q.name!r} both produce {o.name!r}"
                )
            seen[o.name] = q.name
    return qs


# ------------------------------------------------------------------ built-in quantities
def _tc_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    tc_mod = tc_solver
    *_, batch = tc_mod._solve_model(model, eta, g)  # carries the below-floor flag and mu at Tc
    below = np.asarray(batch.below_floor, dtype=bool)
    tc = np.where(below, np.nan, np.asarray(batch.tc, dtype=float))
    return {"tc": tc, "below_floor": below, "mu": batch.mu}


def _isotope_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    tc_mod = tc_solver
    return {"alpha": tc_mod.isotope_coefficients(model, eta, g)}


def _gaps_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    """T = 0 gaps (fixed density) point by point, ratios over the fixed-density Tc."""
    gaps = gap_solver
    from multigap.constants import KB

    n = eta.size
    nb = int(model.n_bands)
    fermi = np.full((n, nb), np.nan)
    spectral = np.full((n, nb), np.nan)
    has_fs = np.zeros((n, nb), dtype=bool)
    mu = np.full(n, np.nan)
    conv = np.zeros(n, dtype=bool)
    for i in range(n):
        try:
            r = gaps.zero_temperature_gaps(model, eta=float(eta[i]), g=float(g[i]))
        except gaps.GapConvergenceError:  # no number it does not trust: NaN, flagged
            continue
        fermi[i] = np.asarray(r.fermi_gap, dtype=float)
        spectral[i] = np.asarray(r.spectral_gap, dtype=float)
        has_fs[i] = np.asarray(r.fermi_surface, dtype=bool)
        mu[i] = float(r.mu)
        conv[i] = bool(r.converged)
    # one convention per number: fixed-density gaps over the fixed-density Tc
    tc = np.asarray(
        tc_solver.critical_temperatures(model, eta, g, chemical_potential=_GAP_RULE), dtype=float
    )
    gap = np.where(has_fs, np.abs(fermi), spectral)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 2.0 * gap / (KB * tc[:, None])
    ratio = np.where(np.isfinite(tc[:, None]) & (tc[:, None] > 0.0), ratio, np.nan)
    return {
        "fermi_gap": fermi,
        "spectral_gap": spectral,
        "mu_renormalised": mu,
        "gap_converged": conv,
        "gap_ratio": ratio,
    }


_GAP_RULE = "fixed_density"
_GAP_ATTRS = (("mu_rule", _GAP_RULE),)


def _band_coords(model: Any) -> dict[str, tuple[ArrayLike, Mapping[str, str]]]:
    return {
        "band": (
            np.arange(1, int(model.n_bands) + 1),
            {"units": "1", "long_name": "subband index (1-based)"},
        )
    }


register_quantity(
    Quantity(
        "tc",
        (
            Output("tc", "K", "critical temperature (NaN below the temperature floor)"),
            Output(
                "below_floor",
                "1",
                "Lambda(T_floor) < 1: no superconductivity above the floor",
                dtype="bool",
            ),
            Output("mu", "meV", "chemical potential at Tc"),
        ),
        _tc_fn,
        description="critical temperature (multigap.tc)",
    )
)
register_quantity(
    Quantity(
        "gaps",
        (
            Output(
                "fermi_gap",
                "meV",
                "zero-temperature gap averaged over the Fermi surface (fixed density)",
                dims=("band",),
                attrs=(*_GAP_ATTRS, ("gap_definition", "Fermi-surface average of Delta_n(kz)")),
            ),
            Output(
                "spectral_gap",
                "meV",
                "zero-temperature spectral gap min_k E_n(k) (fixed density)",
                dims=("band",),
                attrs=(*_GAP_ATTRS, ("gap_definition", "min over k of sqrt(xi^2 + Delta^2)")),
            ),
            Output(
                "mu_renormalised",
                "meV",
                "chemical potential at T = 0 (fixed density)",
                attrs=_GAP_ATTRS,
            ),
            Output("gap_converged", "1", "gap equation converged", dtype="bool"),
            Output(
                "gap_ratio",
                "1",
                "2 Delta_n / (k_B Tc), gaps and Tc both at fixed density",
                dims=("band",),
                attrs=(
                    *_GAP_ATTRS,
                    ("tc_mu_rule", _GAP_RULE),
                    ("gap_definition", gap_solver.RATIO_GAP_DEFINITION),
                ),
            ),
        ),
        _gaps_fn,
        coords=_band_coords,
        description="zero-temperature gaps and gap ratios (multigap.gaps, multigap.tc)",
    )
)
register_quantity(
    Quantity(
        "isotope",
        (Output("alpha", "1", "isotope coefficient alpha = -d ln Tc / d ln M"),),
        _isotope_fn,
        description="isotope coefficient (multigap.tc)",
    )
)


# ------------------------------------------------------------------------------ metadata
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


def _grid(name: str, values: ArrayLike) -> FloatArray:
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
    eta_a, g_a = _grid("eta", eta), _grid("g", g)
    qs = _resolve_quantities(quantities)
    coords: dict[str, xr.Variable] = {
        "eta": xr.Variable("eta", eta_a, dict(_COORD_ATTRS["eta"])),
        "g": xr.Variable("g", g_a, dict(_COORD_ATTRS["g"])),
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


# ----------------------------------------------------------------------------- batching
def default_batch_size(n_points: int) -> int:
    """Points per batch: about 64 batches, between 32 and 256 points each.

    Depends on the grid size only (never on the executor), so that every run of the same sweep
    cuts the same batches.
    """
    return int(min(256, max(32, math.ceil(int(n_points) / 64))))


def _evaluate(
    quantities: Sequence[Quantity], model: Any, eta: FloatArray, g: FloatArray
) -> dict[str, NDArray[Any]]:
    """Run every quantity on one batch; check and type its outputs (runs on workers)."""
    out: dict[str, NDArray[Any]] = {}
    for q in quantities:
        res = q.fn(model, eta, g)
        for o in q.outputs:
            if o.name not in res:
                raise ValueError(f"quantity {q.name!r} did not return output {o.name!r}")
            val = np.asarray(res[o.name], dtype=o.dtype)
            if val.ndim != 1 + len(o.dims) or val.shape[0] != eta.size:
                raise ValueError(
                    f"quantity {q.name!r} returned {o.name!r} with shape {val.shape} for "
                    f"{eta.size} points (expected {eta.size} x {len(o.dims)} extra dims)"
                )
            out[o.name] = val
    return out


def _touch_geometry(model: Any) -> None:
    """Compute the model's cached geometry here, so it is pickled with the model."""
    if "geometry" in dir(type(model)):
        _ = model.geometry


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
        other parameters is refused (:class:`multigap.store.StoreMismatchError`).
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
    On Ctrl-C, a lost worker or an error in a batch, the completed batches are flushed to the
    store before the exception propagates; a SIGKILL loses at most the batches of the last
    ``checkpoint_interval`` seconds. The store file is always a complete, valid netCDF.
    """
    from tqdm.auto import tqdm

    qs = _resolve_quantities(quantities)
    eta_a, g_a = _grid("eta", eta), _grid("g", g)
    n = eta_a.size * g_a.size
    if batch_size is None:
        size = default_batch_size(n)
    elif isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        size = int(batch_size)
    else:
        raise TypeError(f"batch_size must be an int, got {batch_size!r}")
    template = sweep_template(model, eta_a, g_a, qs)
    results = SweepStore(template, DIMS, store, interval=checkpoint_interval)
    done = results.computed.reshape(-1)
    index: list[NDArray[np.intp]] = []
    for start in range(0, n, size):
        idx = np.arange(start, min(start + size, n), dtype=np.intp)
        idx = idx[~done[idx]]
        if idx.size:
            index.append(idx)
    if index:
        _touch_geometry(model)
        ee, gg = np.meshgrid(eta_a, g_a, indexing="ij")
        ef, gf = ee.reshape(-1), gg.reshape(-1)
        batches = [(ef[idx], gf[idx]) for idx in index]
        task = functools.partial(_evaluate, tuple(qs))
        bar = tqdm(
            total=n,
            initial=int(done.sum()),
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
        except BaseException:
            results.flush(force=True)
            raise
    return results.finish()


# ------------------------------------------------------------------------- adaptive maps
def _never(point: Any) -> float:  # pragma: no cover - the learner is driven by ask/tell
    raise RuntimeError("adaptive_map evaluates points in batches, not through the learner")


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
        As in :func:`sweep`; each round of points the learner asks for runs as batches there.
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
        The form of :func:`sweep` on the grid: every float output linearly interpolated on the
        Delaunay triangulation of the samples (in coordinates scaled to the unit square),
        boolean outputs taken from the nearest sample; plus the raw samples on a ``sample``
        dimension (``sample_eta``, ``sample_g`` and ``sample_<output>``) and an ``adaptive``
        attribute (JSON: quantity, driving output, npoints, bounds, final loss).
    """
    try:
        import adaptive
    except ImportError:
        raise RuntimeError(
            "adaptive_map needs the optional package 'adaptive': pip install 'multigap[adaptive]'"
        ) from None
    from scipy.interpolate import LinearNDInterpolator, NearestNDInterpolator
    from tqdm.auto import tqdm

    q = get_quantity(quantity)
    if isinstance(npoints, bool) or not isinstance(npoints, (int, np.integer)) or npoints < 4:
        raise ValueError(f"npoints must be an int >= 4, got {npoints!r}")
    bounds = []
    for name, b in (("eta_bounds", eta_bounds), ("g_bounds", g_bounds)):
        lo, hi = (float(x) for x in b)
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"{name} must be (low, high) with low < high, got {b!r}")
        bounds.append((lo, hi))
    floats = [o for o in q.outputs if o.dtype == "float64"]
    if output is None:
        if not floats:
            raise ValueError(f"quantity {q.name!r} has no float output to drive the learner")
        drive = floats[0].name
    elif output in {o.name for o in floats}:
        drive = output
    else:
        raise ValueError(
            f"output must be a float output of {q.name!r}: {', '.join(o.name for o in floats)}"
        )
    per_round = int(points_per_round) if points_per_round else max(4, int(npoints) // 10)
    n_eta, n_g = (int(x) for x in grid)
    if n_eta < 2 or n_g < 2:
        raise ValueError(f"grid must have at least 2 x 2 points, got {grid!r}")

    owned = (
        isinstance(executor, numbers.Integral)
        and not isinstance(executor, bool)
        and int(executor) > 1
    )
    if executor == "processes" or owned:
        executor = ProcessPool(None if executor == "processes" else int(executor))
        owned = True
    learner = adaptive.Learner2D(_never, bounds=bounds)
    task = functools.partial(_evaluate, (q,))
    pts: list[tuple[float, float]] = []
    values: dict[str, list[NDArray[Any]]] = {o.name: [] for o in q.outputs}
    _touch_geometry(model)
    try:
        with tqdm(
            total=int(npoints), unit="pt", desc=f"adaptive {q.name}", disable=not progress
        ) as bar:
            while len(pts) < npoints:
                asked, _ = learner.ask(min(per_round, int(npoints) - len(pts)))
                asked = [(float(a), float(b)) for a, b in asked]
                if not asked:
                    break
                arr = np.asarray(asked, dtype=float)
                chunks = np.array_split(np.arange(len(asked)), max(1, math.ceil(len(asked) / 64)))
                got: dict[int, dict[str, NDArray[Any]]] = dict(
                    run_batches(executor, model, task, [(arr[c, 0], arr[c, 1]) for c in chunks])
                )
                res = {
                    name: np.concatenate([got[k][name] for k in range(len(chunks))])
                    for name in values
                }
                learner.tell_many(asked, [float(v) for v in np.nan_to_num(res[drive], nan=0.0)])
                pts.extend(asked)
                for name in values:
                    values[name].append(res[name])
                bar.update(len(asked))
    finally:
        if owned:
            executor.shutdown(wait=True, cancel_futures=True)

    eta_a = np.linspace(*bounds[0], n_eta)
    g_a = np.linspace(*bounds[1], n_g)
    ds = sweep_template(model, eta_a, g_a, (q,))
    samples = np.asarray(pts, dtype=float)
    origin = np.array([bounds[0][0], bounds[1][0]])
    span = np.array([bounds[0][1] - bounds[0][0], bounds[1][1] - bounds[1][0]])
    scaled = (samples - origin) / span
    ee, gg = np.meshgrid(eta_a, g_a, indexing="ij")
    target = (np.stack([ee.ravel(), gg.ravel()], axis=-1) - origin) / span
    for o in q.outputs:
        v = np.concatenate(values[o.name])
        if o.dtype == "float64":
            grid_v = LinearNDInterpolator(scaled, v.reshape(len(pts), -1))(target)
        else:
            grid_v = NearestNDInterpolator(scaled, v.reshape(len(pts), -1))(target)
        ds[o.name].values[...] = np.asarray(grid_v, dtype=o.dtype).reshape(ds[o.name].shape)
        ds[f"sample_{o.name}"] = xr.Variable(
            ("sample", *o.dims),
            v,
            {"units": o.units, "long_name": f"{o.long_name} (adaptive samples)"},
        )
    ds["sample_eta"] = xr.Variable("sample", samples[:, 0], dict(_COORD_ATTRS["eta"]))
    ds["sample_g"] = xr.Variable("sample", samples[:, 1], dict(_COORD_ATTRS["g"]))
    ds.attrs["adaptive"] = json.dumps(
        {
            "quantity": q.name,
            "output": drive,
            "npoints": len(pts),
            "eta_bounds": list(bounds[0]),
            "g_bounds": list(bounds[1]),
            "loss": float(learner.loss()),
            "interpolation": "linear on the Delaunay triangulation of the scaled samples",
        },
        sort_keys=True,
    )
    return ds


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
