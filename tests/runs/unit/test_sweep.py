"""Sweeps on a toy quantity: Dataset form, identical numbers on every executor, store, resume
after Ctrl-C and SIGKILL, refusal of mismatched stores, progress, adaptive maps, parse_range."""

from __future__ import annotations

import concurrent.futures as cf
import functools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

import multigap
from multigap.runs.store import COMPUTED, StoreMismatchError
from multigap.runs.sweep import (
    Output,
    Quantity,
    adaptive_map,
    available_quantities,
    default_batch_size,
    get_quantity,
    model_config,
    parse_range,
    register_quantity,
    sweep,
)

SRC = Path(__file__).resolve().parents[3] / "src"


# ------------------------------------------------------------------------------ toy model
@dataclass(frozen=True)
class Toy:
    """A frozen model with an 'expensive' cached geometry, like multigap.Model."""

    scale: float = 2.0
    n_bands: int = 2
    name: str = "toy"

    @cached_property
    def geometry(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "weights": np.arange(1.0, self.n_bands + 1.0)}


CALLS: list[int] = []  # batch sizes seen by toy_fn in this process
INTERRUPT_AT: list[int] = []  # raise KeyboardInterrupt on this call number


def toy_fn(model: Toy, eta: np.ndarray, g: np.ndarray) -> dict[str, np.ndarray]:
    CALLS.append(eta.size)
    if INTERRUPT_AT and len(CALLS) == INTERRUPT_AT[0]:
        raise KeyboardInterrupt
    geo = model.geometry
    return {
        "z": model.scale * np.sin(3.0 * eta) * g + np.cos(eta * g),
        "above": eta > g,
        "geo_pid": np.full(eta.size, float(geo["pid"])),
        "vec": eta[:, None] * geo["weights"][None, :] + g[:, None],
    }


def toy_bands(model: Toy) -> dict[str, tuple[np.ndarray, dict[str, str]]]:
    return {"band": (np.arange(1, model.n_bands + 1), {"units": "1", "long_name": "band"})}


TOY = Quantity(
    "toy",
    (
        Output("z", "K", "toy value"),
        Output("above", "1", "eta > g", dtype="bool"),
        Output("geo_pid", "1", "process that built the geometry"),
        Output("vec", "meV", "per-band toy value", dims=("band",)),
    ),
    toy_fn,
    coords=toy_bands,
)
ETA = np.linspace(-0.5, 2.0, 9)
G = np.linspace(0.1, 0.45, 5)


def expected_z(scale: float = 2.0) -> np.ndarray:
    e, g = np.meshgrid(ETA, G, indexing="ij")
    return scale * np.sin(3.0 * e) * g + np.cos(e * g)


@pytest.fixture(autouse=True)
def _reset() -> Any:
    CALLS.clear()
    INTERRUPT_AT.clear()
    yield
    CALLS.clear()
    INTERRUPT_AT.clear()


# ---------------------------------------------------------------------------------- form
def test_dataset_form_units_and_attributes() -> None:
    ds = sweep(Toy(), eta=ETA, g=G, quantities=[TOY], progress=False, batch_size=7)
    assert ds.sizes == {"eta": 9, "g": 5, "band": 2}
    assert ds["z"].dims == ("eta", "g") and ds["vec"].dims == ("eta", "g", "band")
    np.testing.assert_allclose(ds["z"].values, expected_z(), rtol=0, atol=1e-15)
    assert ds["above"].dtype == bool
    for name in (*ds.data_vars, *ds.coords):
        assert "units" in ds[name].attrs and "long_name" in ds[name].attrs, name
    assert ds["z"].attrs["units"] == "K" and ds["vec"].attrs["units"] == "meV"
    assert json.loads(ds.attrs["config"]) == {"scale": 2.0, "n_bands": 2, "name": "toy"}
    assert ds.attrs["multigap_version"] == multigap.__version__
    assert ds.attrs["quantities"] == "toy" and ds.attrs["model"] == "toy"
    assert json.loads(ds.attrs["grids"]) == {}
    # batches of 7 points over 45, computed once each
    assert CALLS == [7] * 6 + [3]
    # the geometry was built here, once, and never rebuilt
    assert set(ds["geo_pid"].values.ravel()) == {float(os.getpid())}
    # scalar eta / g work too
    one = sweep(Toy(), eta=0.3, g=0.2, quantities=TOY, progress=False)
    assert one["z"].shape == (1, 1)


def test_executors_give_identical_numbers() -> None:
    model = Toy(scale=1.5)
    kw: dict[str, Any] = {"quantities": [TOY], "progress": False, "batch_size": 6}
    serial = sweep(model, ETA, G, **kw)
    procs = sweep(model, ETA, G, executor=2, **kw)
    xr.testing.assert_identical(serial, procs)
    with cf.ThreadPoolExecutor(2) as ex:
        xr.testing.assert_identical(serial, sweep(model, ETA, G, executor=ex, **kw))
    # the geometry travelled with the model: no worker rebuilt it
    assert set(procs["geo_pid"].values.ravel()) == {float(os.getpid())}


def test_dask_cluster_gives_identical_numbers() -> None:
    distributed = pytest.importorskip("distributed")
    model = Toy(scale=0.7)
    kw: dict[str, Any] = {"quantities": [TOY], "progress": False, "batch_size": 4}
    serial = sweep(model, ETA, G, **kw)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            worker_dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        ds = sweep(model, ETA, G, executor=client, **kw)
        worker_pids = set(client.run(os.getpid).values())
    xr.testing.assert_identical(serial, ds)
    assert os.getpid() not in worker_pids
    assert set(ds["geo_pid"].values.ravel()) == {float(os.getpid())}


def _worker_environ() -> tuple[str | None, str | None]:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")


def test_local_dask_cluster_workers_do_not_trim_the_heap() -> None:
    distributed = pytest.importorskip("distributed")
    from multigap.runs.executors import blas_threads_per_worker, local_dask_cluster

    model = Toy(scale=0.3)
    kw: dict[str, Any] = {"quantities": [TOY], "progress": False, "batch_size": 5}
    parent = dict(os.environ)
    with (
        local_dask_cluster(2, worker_dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        envs = set(client.run(_worker_environ).values())
        ds = sweep(model, ETA, G, executor=client, **kw)
    assert envs == {(None, str(blas_threads_per_worker(2)))}
    assert dict(os.environ) == parent  # the parent's environment is left as it was
    xr.testing.assert_identical(sweep(model, ETA, G, **kw), ds)
    with pytest.raises(ValueError, match="n_workers must be >= 1, got 0"):
        local_dask_cluster(0)


# --------------------------------------------------------------------------------- store
def test_store_reopens_with_attributes_and_units(tmp_path: Path) -> None:
    path = tmp_path / "toy.nc"
    ds = sweep(Toy(), ETA, G, quantities=[TOY], store=path, progress=False, batch_size=10)
    back = xr.load_dataset(path, engine="h5netcdf")
    xr.testing.assert_identical(ds, back)
    assert COMPUTED not in back
    assert back["eta"].attrs["units"] == "1" and back["z"].attrs["units"] == "K"
    assert set(back.attrs) == {"model", "config", "multigap_version", "grids", "quantities"}
    # re-running the finished sweep computes nothing and returns the same Dataset
    CALLS.clear()
    again = sweep(Toy(), ETA, G, quantities=[TOY], store=path, progress=False, batch_size=10)
    assert CALLS == []
    xr.testing.assert_identical(again, ds)


def test_ctrl_c_keeps_completed_batches_and_resume_computes_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "toy.nc"
    kw: dict[str, Any] = {"quantities": [TOY], "progress": False, "batch_size": 5}
    INTERRUPT_AT.append(4)
    with pytest.raises(KeyboardInterrupt):
        sweep(Toy(), ETA, G, store=path, checkpoint_interval=3600.0, **kw)
    part = xr.load_dataset(path)
    assert int(part[COMPUTED].sum()) == 15  # three batches done, flushed on the interrupt
    INTERRUPT_AT.clear()
    CALLS.clear()
    resumed = sweep(Toy(), ETA, G, store=path, **kw)
    assert sum(CALLS) == 45 - 15
    xr.testing.assert_identical(resumed, sweep(Toy(), ETA, G, **kw))
    xr.testing.assert_identical(resumed, xr.load_dataset(path))


def dying_fn(marker: str, model: Toy, eta: np.ndarray, g: np.ndarray) -> dict[str, np.ndarray]:
    if os.path.exists(marker) and eta[0] >= 1.0:
        os._exit(1)  # the worker process dies: a lost worker
    return toy_fn(model, eta, g)


def test_lost_worker_keeps_completed_batches_and_resumes(tmp_path: Path) -> None:
    from concurrent.futures.process import BrokenProcessPool

    marker = tmp_path / "die"
    marker.touch()
    dying = Quantity("toy", TOY.outputs, functools.partial(dying_fn, str(marker)), TOY.coords)
    path = tmp_path / "toy.nc"
    kw: dict[str, Any] = {"progress": False, "batch_size": 5, "checkpoint_interval": 0}
    with pytest.raises(BrokenProcessPool):
        sweep(Toy(), ETA, G, quantities=[dying], executor=2, store=path, **kw)
    done = int(xr.load_dataset(path)[COMPUTED].sum())
    assert 0 < done < 45
    marker.unlink()
    resumed = sweep(Toy(), ETA, G, quantities=[dying], executor=2, store=path, **kw)
    xr.testing.assert_identical(resumed, sweep(Toy(), ETA, G, quantities=[TOY], **kw))


SCRIPT = """
import os, sys, time
from dataclasses import dataclass
import numpy as np
from multigap.runs.sweep import Output, Quantity, sweep

@dataclass(frozen=True)
class Slow:
    name: str = "slow"

def slow_fn(model, eta, g):
    time.sleep(float(os.environ["DELAY"]))
    with open(os.environ["COUNTER"], "a") as fh:
        fh.write(f"{eta.size}\\n")
    return {"z": np.sin(eta) * g + eta ** 2, "pos": eta > 0.5}

SLOW = Quantity("slow", (Output("z", "K", "toy"), Output("pos", "1", "flag", dtype="bool")),
                slow_fn)

def run(store):
    return sweep(Slow(), eta=np.linspace(0.0, 1.0, 12), g=np.linspace(0.1, 0.4, 5),
                 quantities=[SLOW], store=store, progress=False, batch_size=4,
                 checkpoint_interval=0)

if __name__ == "__main__":
    run(sys.argv[1])
"""


def _counted(path: Path) -> int:
    return sum(int(x) for x in path.read_text().split()) if path.exists() else 0


def test_sigkill_then_resume_recomputes_only_missing_points(tmp_path: Path) -> None:
    script = tmp_path / "slow_sweep.py"
    script.write_text(textwrap.dedent(SCRIPT))
    store = tmp_path / "killed.nc"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    first = tmp_path / "first.count"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(store)],
        env={**env, "DELAY": "0.1", "COUNTER": str(first)},
    )
    try:
        deadline = time.monotonic() + 30.0
        stored = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if store.exists():
                stored = int(xr.load_dataset(store)[COMPUTED].sum())
                if stored >= 12:
                    break
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    part = xr.load_dataset(store)  # a valid netCDF, not corrupt
    done = int(part[COMPUTED].sum())
    assert 12 <= done < 60 and done % 4 == 0

    second = tmp_path / "second.count"
    subprocess.run(
        [sys.executable, str(script), str(store)],
        env={**env, "DELAY": "0", "COUNTER": str(second)},
        check=True,
        timeout=60,
    )
    assert _counted(second) == 60 - done  # only the missing points
    assert not list(tmp_path.glob(".killed.nc.*.tmp"))  # stale temps were cleaned

    # an uninterrupted run (here, importing the same script) gives the identical file
    import importlib.util

    spec = importlib.util.spec_from_file_location("slow_sweep", script)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    os.environ["DELAY"], os.environ["COUNTER"] = "0", str(tmp_path / "third.count")
    try:
        clean = mod.run(str(tmp_path / "clean.nc"))
    finally:
        del os.environ["DELAY"], os.environ["COUNTER"]
    resumed = xr.load_dataset(store)
    xr.testing.assert_identical(resumed, xr.load_dataset(tmp_path / "clean.nc"))
    xr.testing.assert_identical(resumed, clean)
    assert COMPUTED not in resumed


def test_mismatched_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "toy.nc"
    kw: dict[str, Any] = {"quantities": [TOY], "progress": False}
    sweep(Toy(), ETA, G, store=path, **kw)
    before = path.read_bytes()
    with pytest.raises(StoreMismatchError, match=r"model configuration differs \(scale: 2.0"):
        sweep(Toy(scale=3.0), ETA, G, store=path, **kw)
    with pytest.raises(StoreMismatchError, match="coordinate eta differs"):
        sweep(Toy(), ETA + 0.1, G, store=path, **kw)
    other = Quantity("other", (Output("w", "1", "w"),), toy_fn)
    with pytest.raises(StoreMismatchError, match="quantities differ"):
        sweep(Toy(), ETA, G, store=path, quantities=[other], progress=False)
    assert path.read_bytes() == before


def test_version_mismatch_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "toy.nc"
    sweep(Toy(), ETA[:2], G[:2], quantities=[TOY], store=path, progress=False)
    monkeypatch.setattr(multigap, "__version__", "99.0")
    with pytest.raises(StoreMismatchError, match="package version differs"):
        sweep(Toy(), ETA[:2], G[:2], quantities=[TOY], store=path, progress=False)


# ------------------------------------------------------------------------ progress, errors
def test_progress_bar_counts_points(capsys: pytest.CaptureFixture[str]) -> None:
    sweep(Toy(), ETA, G, quantities=[TOY], progress=True, batch_size=9)
    err = capsys.readouterr().err
    assert "45/45" in err and "pt" in err
    sweep(Toy(), ETA, G, quantities=[TOY], progress=False)
    assert capsys.readouterr().err == ""


def bad_shape(model: Any, eta: np.ndarray, g: np.ndarray) -> dict[str, np.ndarray]:
    return {"w": np.zeros(eta.size + 1)}


def test_quantity_registry_and_input_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {"tc", "gaps", "isotope"} <= set(available_quantities())
    assert get_quantity("tc").outputs[0].units == "K"
    with pytest.raises(ValueError, match="unknown quantity 'nope'"):
        sweep(Toy(), ETA, G, quantities=("nope",), progress=False)
    clash = Quantity("clash", (Output("z", "1", "again"),), toy_fn)
    with pytest.raises(ValueError, match="both produce 'z'"):
        sweep(Toy(), ETA, G, quantities=[TOY, clash], progress=False)
    with pytest.raises(ValueError, match="already registered"):
        register_quantity(Quantity("tc", (Output("x", "1", "x"),), toy_fn))
    with pytest.raises(ValueError, match="no coords function"):
        Quantity("q", (Output("x", "1", "x", dims=("band",)),), toy_fn)
    with pytest.raises(ValueError, match="dtype"):
        Output("x", "1", "x", dtype="int32")
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        sweep(Toy(), ETA, G, quantities=[TOY], batch_size=0, progress=False)
    with pytest.raises(ValueError, match="eta must be a non-empty array of finite numbers"):
        sweep(Toy(), [0.1, np.nan], G, quantities=[TOY], progress=False)
    wrong = Quantity("wrong", (Output("w", "1", "w"),), bad_shape)
    with pytest.raises(ValueError, match=r"returned 'w' with shape \(3,\)"):
        sweep(Toy(), ETA[:2], G[:1], quantities=[wrong], progress=False)
    with pytest.raises(TypeError, match="to_dict"):
        model_config(object())


def test_default_batch_size_depends_on_the_grid_only() -> None:
    assert default_batch_size(15) == 32
    assert default_batch_size(101 * 101) == 160
    assert default_batch_size(1001 * 100) == 256


def test_tc_quantity_matches_the_solver() -> None:
    from multigap.pairing.tc import critical_temperatures

    model = multigap.preset("A")
    eta, g = np.array([-0.5, 0.5, 1.2]), np.array([0.02, 0.3])
    ds = sweep(model, eta, g, progress=False)
    ref = critical_temperatures(model, eta[:, None], g[None, :])
    np.testing.assert_array_equal(ds["below_floor"].values, ref <= 0.0)
    np.testing.assert_allclose(np.nan_to_num(ds["tc"].values), ref, rtol=1e-12)
    assert np.isnan(ds["tc"].values[ref <= 0.0]).all()
    assert ds["mu"].attrs["units"] == "meV" and np.all(np.isfinite(ds["mu"].values))
    assert json.loads(ds.attrs["config"]) == model.to_dict()
    assert json.loads(ds.attrs["grids"])["n_kz"] == model.numerics.n_kz


# ---------------------------------------------------------------------------- adaptive
def test_adaptive_map_samples_and_interpolates(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("adaptive")
    ds = adaptive_map(
        Toy(), (-0.5, 2.0), (0.1, 0.45), quantity=TOY, npoints=80, grid=(11, 6), progress=False
    )
    assert ds.sizes["eta"] == 11 and ds.sizes["g"] == 6 and ds.sizes["sample"] == 80
    assert ds["z"].attrs["units"] == "K" and ds["sample_z"].dims == ("sample",)
    meta = json.loads(ds.attrs["adaptive"])
    assert meta["output"] == "z" and meta["npoints"] == 80
    # the samples are exact, the corners of the grid are samples, the interpolant is close
    s_eta, s_g = ds["sample_eta"].values, ds["sample_g"].values
    np.testing.assert_allclose(
        ds["sample_z"].values, 2.0 * np.sin(3.0 * s_eta) * s_g + np.cos(s_eta * s_g), atol=1e-14
    )
    e, g = np.meshgrid(ds["eta"].values, ds["g"].values, indexing="ij")
    exact = 2.0 * np.sin(3.0 * e) * g + np.cos(e * g)
    assert np.all(np.isfinite(ds["z"].values))
    for i, j in [(0, 0), (0, -1), (-1, 0), (-1, -1)]:  # corners are samples: exact
        assert ds["z"].values[i, j] == pytest.approx(exact[i, j], abs=1e-14)
    # linear interpolation of 80 samples: within 10 % of the range (2.8) of the function
    assert np.max(np.abs(ds["z"].values - exact)) < 0.28
    assert ds["vec"].dims == ("eta", "g", "band") and ds["above"].dtype == bool
    monkeypatch.setitem(sys.modules, "adaptive", None)
    with pytest.raises(RuntimeError, match="pip install 'multigap\\[adaptive\\]'"):
        adaptive_map(Toy(), (0, 1), (0.1, 0.4), quantity=TOY, npoints=8)


# ------------------------------------------------------------------------------ parse_range
def test_parse_range() -> None:
    np.testing.assert_array_equal(parse_range("0:2:5"), [0.0, 0.5, 1.0, 1.5, 2.0])
    np.testing.assert_array_equal(parse_range(" 0.1, 0.2 ,0.3"), [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(parse_range("0.25"), [0.25])
    np.testing.assert_array_equal(parse_range("1:1:1"), [1.0])
    for text, msg in [
        ("0:1", "is not START:STOP:N"),
        ("0:1:x", "N must be an integer"),
        ("0:1:1", "N must be >= 2"),
        ("0:1:0", "N must be >= 2"),
        ("a:1:3", "START and STOP must be numbers"),
        ("0:inf:3", "must be finite"),
        ("", "empty"),
        ("0.1,,0.2", "empty item"),
        ("abc", "is not START:STOP:N"),
        ("nan", "finite"),
    ]:
        with pytest.raises(ValueError, match=msg):
            parse_range(text, "--eta")


@given(
    st.floats(-10, 10, allow_nan=False),
    st.floats(-10, 10, allow_nan=False),
    st.integers(2, 500),
)
def test_parse_range_is_linspace(start: float, stop: float, n: int) -> None:
    got = parse_range(f"{start!r}:{stop!r}:{n}")
    np.testing.assert_array_equal(got, np.linspace(start, stop, n))
    assert got[0] == start and got[-1] == stop


def test_gaps_quantity_matches_the_solver_and_flags_non_convergence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from multigap.constants import KB
    from multigap.pairing import gaps
    from multigap.pairing import tc as mg_tc

    model = multigap.preset("A")
    eta, g = np.array([0.5, 1.0]), np.array([0.3])
    ds = sweep(model, eta, g, quantities=("gaps", "tc"), progress=False)
    for i, e in enumerate(eta):
        r = gaps.zero_temperature_gaps(model, eta=float(e), g=0.3)
        np.testing.assert_array_equal(ds["fermi_gap"].values[i, 0], r.fermi_gap)
        np.testing.assert_array_equal(ds["spectral_gap"].values[i, 0], r.spectral_gap)
        # one convention per number: fixed-density gaps over the fixed-density Tc
        tc = mg_tc.critical_temperature(model, float(e), 0.3, chemical_potential="fixed_density")
        np.testing.assert_allclose(
            ds["gap_ratio"].values[i, 0], 2 * np.abs(r.fermi_gap) / (KB * tc), rtol=1e-8
        )
    assert ds["gap_converged"].all()
    for name in ("fermi_gap", "spectral_gap", "mu_renormalised", "gap_ratio"):
        assert ds[name].attrs["mu_rule"] == "fixed_density"
    assert ds["gap_ratio"].attrs["tc_mu_rule"] == "fixed_density"

    real = gaps.zero_temperature_gaps

    def fails_at_one(m: Any, eta: float, g: float, **kw: Any) -> Any:
        if eta == 1.0:
            raise gaps.GapConvergenceError(f"did not converge at eta = {eta}, g = {g}")
        return real(m, eta=eta, g=g, **kw)

    monkeypatch.setattr(gaps, "zero_temperature_gaps", fails_at_one)
    bad = sweep(model, eta, g, quantities=("gaps",), progress=False)
    assert bad["gap_converged"].values.tolist() == [[True], [False]]
    assert np.all(np.isnan(bad["fermi_gap"].values[1])) and np.all(np.isnan(bad["gap_ratio"][1]))
    np.testing.assert_array_equal(bad["fermi_gap"].values[0], ds["fermi_gap"].values[0])
