"""The reproduction's units of work: its grids, the datasets it computes and their cache.

:class:`Grids` (:data:`FULL`, :data:`QUICK`), a :class:`DataStep` per dataset of one model
(:func:`data_steps`), a :class:`FigureStep` per figure drawn from one, the :class:`Outcome` of
each, and :func:`datasets`, which computes some datasets of a model or reads them back from a
folder where a file with the same signature exists. :mod:`multigap.study.reproduce` runs them;
:mod:`multigap.study.report` and :mod:`multigap.study.comparison` read them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import xarray as xr

from multigap.study import figures

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from multigap.model import Model

#: netCDF engine of every file written here.
ENGINE: Literal["h5netcdf"] = "h5netcdf"


@dataclass(frozen=True)
class Grids:
    """Sweep grids of the reproduction (numbers of points).

    Attributes
    ----------
    dos_eta : int
        eta points of the DOS curves on [-1, 2].
    tc_eta : int
        eta points of the Tc(eta) curves on [-1, 2].
    tc_g : int
        g points of the Tc(g) curves on [0.10, 0.49].
    map_eta, map_g : int
        Colour-map grid on [0, 2] x [0.10, 0.49].
    gap_eta : int
        eta points of the gap-ratio / isotope curves on [-0.3, 2].
    pressure_points, pressure_nfev : int
        Samples of the dome summary and most residual evaluations of the path fit.
    """

    dos_eta: int = 1200
    tc_eta: int = 601
    tc_g: int = 79
    map_eta: int = 201
    map_g: int = 79
    gap_eta: int = 47
    pressure_points: int = 25
    pressure_nfev: int = 200


FULL = Grids()
QUICK = Grids(
    dos_eta=300,
    tc_eta=151,
    tc_g=27,
    map_eta=41,
    map_g=14,
    gap_eta=12,
    pressure_points=11,
    pressure_nfev=100,
)
PRESET_NAMES = ("A", "B")


@dataclass(frozen=True)
class DataStep:
    """A dataset: the figures function, its arguments, the models it depends on."""

    name: str
    func: Callable[..., xr.Dataset]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    models: tuple[Model, ...]

    def signature(self) -> str:
        """JSON identifying the result: configuration(s), version, function and grids."""
        return json.dumps(
            {
                "function": self.func.__name__,
                "config": [m.to_dict() for m in self.models],
                "version": figures.version(),
                "kwargs": figures._plain(self.kwargs),
            },
            sort_keys=True,
        )


@dataclass(frozen=True)
class FigureStep:
    """A figure drawn from one dataset."""

    name: str
    number: int
    title: str
    caption: str
    data: DataStep
    draw: Callable[[xr.Dataset], Figure]
    needs: str


def _g_list(model: Model) -> list[float]:
    gs = [0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.49]
    ref = figures.REFERENCE_G.get(model.name)
    if ref is not None and not any(abs(ref - x) < 1e-9 for x in gs):
        gs.append(ref)
    return sorted(gs)


#: Fixed eta values of the Tc(g) figure: the anti-resonant side (-1 < eta < 0) and beyond.
TC_G_ETA = (-1.0, -0.75, -0.5, -0.25, 0.0, 0.5, 1.0, 1.5, 2.0)


def data_steps(m: Model, grids: Grids = FULL) -> dict[str, DataStep]:
    """The datasets of one model, by family name (``"tc_map"``, ``"gaps"``, ...)."""
    n = m.name
    g_ref = figures.REFERENCE_G.get(n, 0.25)
    one = (m,)
    kw: dict[str, dict[str, Any]] = {
        "pressure": {
            "dome": "h3s",
            "show": ("csh",) if n == "B" else (),
            "n_points": grids.pressure_points,
            "max_nfev": grids.pressure_nfev,
        },
        "dos": {"eta": np.linspace(-1.0, 2.0, grids.dos_eta), "contour_eta": (-0.5, 0.5, 1.5)},
        "overlaps": {"bins": 40},
        "gaps": {"g": g_ref, "eta": np.linspace(-0.3, 2.0, grids.gap_eta)},
        "tc_eta": {"g": _g_list(m), "eta": np.linspace(-1.0, 2.0, grids.tc_eta)},
        "tc_g": {"eta": np.array(TC_G_ETA), "g": np.linspace(0.10, 0.49, grids.tc_g)},
        "tc_map": {
            "eta": np.linspace(0.0, 2.0, grids.map_eta),
            "g": np.linspace(0.10, 0.49, grids.map_g),
        },
    }
    funcs: dict[str, Callable[..., xr.Dataset]] = {
        "pressure": figures.pressure_data,
        "dos": figures.dos_data,
        "overlaps": figures.overlap_data,
        "gaps": figures.gap_data,
        "tc_eta": figures.tc_eta_data,
        "tc_g": figures.tc_g_data,
        "tc_map": figures.tc_map_data,
    }
    return {k: DataStep(f"{k}_{n}", funcs[k], one, kw[k], one) for k in funcs}


def datasets(
    model: Model,
    grids: Grids,
    names: Sequence[str],
    data_dir: Path | None = None,
    *,
    prefix: str = "",
) -> dict[str, xr.Dataset]:
    """Some datasets of one model, as :func:`plan` makes them, by family name.

    With ``data_dir`` a file ``<data_dir>/<prefix><name>_<model>.nc`` with the same signature
    is read back instead of recomputed, and a computed one is written there; without it they
    are computed in memory. A dataset whose computation fails is left out (the caller reports
    what is missing).
    """
    steps = data_steps(model, grids)
    out: dict[str, xr.Dataset] = {}
    cache: dict[str, xr.Dataset] = {}
    for k in names:
        step = replace(steps[k], name=prefix + steps[k].name)
        try:
            if data_dir is None:
                out[k] = step.func(*step.args, **step.kwargs)
            else:
                data_dir.mkdir(parents=True, exist_ok=True)
                out[k], _ = _load_or_compute(step, data_dir, cache)
        except Exception:  # a missing dataset gives rows without a value, not a crash
            continue
    return out


@dataclass
class Outcome:
    """What happened to one figure."""

    step: FigureStep
    status: str  # "computed", "reused" or "failed"
    message: str = ""
    seconds: float = 0.0


def _read_cached(path: Path, signature: str) -> xr.Dataset | None:
    if not path.is_file():
        return None
    try:
        ds = xr.load_dataset(path, engine=ENGINE)
    except (OSError, ValueError):
        return None
    if ds.attrs.get("reproduce_signature") != signature:
        return None
    return ds


def _load_or_compute(
    step: DataStep, data_dir: Path, cache: dict[str, xr.Dataset]
) -> tuple[xr.Dataset, bool]:
    if step.name in cache:
        return cache[step.name], True
    path = data_dir / f"{step.name}.nc"
    sig = step.signature()
    ds = _read_cached(path, sig)
    reused = ds is not None
    if ds is None:
        ds = step.func(*step.args, **step.kwargs)
        ds.attrs["reproduce_signature"] = sig
        tmp = path.with_suffix(".nc.tmp")
        ds.to_netcdf(tmp, engine=ENGINE)
        tmp.replace(path)
    cache[step.name] = ds
    return ds, reused
