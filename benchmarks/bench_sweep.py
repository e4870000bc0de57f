"""Sweeps at scale: a 101 x 101 Tc map of preset A serially, on 2 local worker processes and on
a 2-worker Dask LocalCluster; and the peak memory of a 1001 x 100 map streamed to a store.

The process-pool figure is taken twice: "cold" (the sweep starts the workers and ships the
model) and warm (a second sweep on the same pool: throughput only). Timings on a shared machine
are only as good as its idle cores.

The Tc part needs ``multigap.preset`` and the Tc solver (it is skipped, with a message, where
they are missing); the Dask part needs ``distributed``. The streaming part measures the sweep
machinery (result grid, atomic store rewrites) with a cheap synthetic quantity in a fresh
process, so that its peak RSS is not that of the earlier parts; ``stream_tc=True`` streams the
real Tc map instead (about a minute per core).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from multigap.runs.executors import available_cores, process_executor

MAP_ETA = np.linspace(0.0, 2.0, 101)
MAP_G = np.linspace(0.10, 0.49, 101)
STREAM_SHAPE = (1001, 100)
ROOT = Path(__file__).resolve().parents[1]


def _cheap(model: Any, eta: np.ndarray, g: np.ndarray) -> dict[str, np.ndarray]:
    """Synthetic quantity for the streaming benchmark (no physics, ~free)."""
    return {"value": np.sin(eta) * g, "flag": eta > g}


def _stream_child(path: str, stream_tc: bool) -> dict[str, Any]:
    """Run in a fresh process: stream a 1001 x 100 map to ``path``; report time and memory."""
    import resource
    import tracemalloc

    from multigap.runs.sweep import Output, Quantity, sweep

    eta = np.linspace(-1.0, 2.0, STREAM_SHAPE[0])
    g = np.linspace(0.10, 0.49, STREAM_SHAPE[1])
    if stream_tc:
        import multigap as mg

        model: Any = mg.preset("A")
        _ = model.geometry
        quantities: Any = ("tc",)
        executor: Any = available_cores() if available_cores() > 1 else None
    else:
        from dataclasses import dataclass

        @dataclass(frozen=True)
        class Synthetic:
            name: str = "synthetic"

        model = Synthetic()
        quantities = [
            Quantity(
                "cheap",
                (Output("value", "1", "sin(eta) g"), Output("flag", "1", "eta > g", "bool")),
                _cheap,
            )
        ]
        executor = None
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.perf_counter()
    ds = sweep(model, eta, g, quantities, executor=executor, store=path, progress=False)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "quantity": "tc" if stream_tc else "synthetic",
        "points": int(eta.size * g.size),
        "seconds": elapsed,
        "tracemalloc_peak_MiB": peak / 2**20,
        "peak_rss_MiB": rss1 / 1024,
        "rss_growth_MiB": (rss1 - rss0) / 1024,
        "file_MiB": os.path.getsize(path) / 2**20,
        "result_MiB": ds.nbytes / 2**20,
    }


def _stream(stream_tc: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "stream.nc")
        code = (
            "import json, sys; from benchmarks.bench_sweep import _stream_child; "
            f"print(json.dumps(_stream_child({path!r}, {stream_tc!r})))"
        )
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if out.returncode != 0:
            return {"error": out.stderr.strip().splitlines()[-1:]}
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return result


def _tc_maps() -> dict[str, Any]:
    import multigap as mg
    from multigap.runs.sweep import sweep

    model = mg.preset("A")
    t0 = time.perf_counter()
    _ = model.geometry
    out: dict[str, Any] = {
        "grid": [MAP_ETA.size, MAP_G.size],
        "cores": available_cores(),
        "geometry_s": time.perf_counter() - t0,
    }
    t0 = time.perf_counter()
    serial = sweep(model, MAP_ETA, MAP_G, progress=False)
    out["serial_s"] = time.perf_counter() - t0
    out["serial_ms_per_point"] = 1e3 * out["serial_s"] / serial["tc"].size

    with process_executor(2) as pool:
        t0 = time.perf_counter()
        procs = sweep(model, MAP_ETA, MAP_G, executor=pool, progress=False)
        out["processes_2_cold_s"] = time.perf_counter() - t0  # starts the workers, ships model
        t0 = time.perf_counter()
        sweep(model, MAP_ETA, MAP_G, executor=pool, progress=False)
        out["processes_2_s"] = time.perf_counter() - t0  # warm pool: throughput only
    out["processes_2_speedup"] = out["serial_s"] / out["processes_2_s"]
    out["processes_2_cold_speedup"] = out["serial_s"] / out["processes_2_cold_s"]
    out["processes_identical"] = bool(procs.identical(serial))

    try:
        from distributed import Client

        from multigap.runs.executors import local_dask_cluster
    except ImportError:
        out["dask"] = "skipped: distributed is not installed"
        return out
    t0 = time.perf_counter()
    with local_dask_cluster(2) as cluster, Client(cluster) as client:
        out["dask_startup_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        ds = sweep(model, MAP_ETA, MAP_G, executor=client, progress=False)
        out["dask_2_cold_s"] = time.perf_counter() - t0  # includes scattering the model
        t0 = time.perf_counter()
        sweep(model, MAP_ETA, MAP_G, executor=client, progress=False)
        out["dask_2_s"] = time.perf_counter() - t0  # the second sweep: throughput only
    # like for like: first sweeps (shipping the model) and second sweeps (throughput)
    out["dask_vs_processes_cold"] = out["dask_2_cold_s"] / out["processes_2_cold_s"]
    out["dask_vs_processes"] = out["dask_2_s"] / out["processes_2_s"]
    out["dask_identical"] = bool(ds.identical(serial))
    return out


def run(stream_tc: bool = False) -> dict[str, Any]:
    """Time the Tc maps and measure the streaming memory; return (and print) the figures."""
    res = {"tc_map_101x101": _tc_maps(), "stream_1001x100": _stream(stream_tc)}
    print(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    run("--tc" in sys.argv)
