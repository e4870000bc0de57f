"""Executors: serial, local process pool, foreign concurrent.futures executors, shipping rules."""

from __future__ import annotations

import concurrent.futures as cf
import os
from typing import Any

import numpy as np
import pytest

from multigap.runs import executors
from multigap.runs.executors import (
    ProcessPool,
    blas_threads_per_worker,
    describe_executor,
    process_executor,
    run_batches,
)

# ------------------------------------------------------------------------- toy model and task
_UNPICKLED = 0  # how many times a ToyModel was unpickled in *this* process


class ToyModel:
    """A model whose unpickling is counted per process (to check it is shipped once)."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def __getstate__(self) -> dict[str, Any]:
        return {"scale": self.scale}

    def __setstate__(self, state: dict[str, Any]) -> None:
        global _UNPICKLED
        _UNPICKLED += 1
        self.scale = state["scale"]


def scaled(model: ToyModel, x: np.ndarray) -> dict[str, Any]:
    return {"y": model.scale * x, "pid": os.getpid(), "unpickled": _UNPICKLED}


def failing(model: ToyModel, x: np.ndarray) -> None:
    if np.any(x > 5):
        raise ValueError("x too large")


def worker_threads(model: ToyModel) -> tuple[str | None, list[int]]:
    from threadpoolctl import threadpool_info

    blas = [int(i["num_threads"]) for i in threadpool_info() if i.get("user_api") == "blas"]
    return os.environ.get("OMP_NUM_THREADS"), blas


BATCHES = [(np.arange(3.0) + 3 * i,) for i in range(12)]


def _collect(executor: Any, model: ToyModel, **kw: Any) -> dict[int, dict[str, Any]]:
    return dict(run_batches(executor, model, scaled, BATCHES, **kw))


def _check(results: dict[int, dict[str, Any]], scale: float) -> None:
    assert sorted(results) == list(range(len(BATCHES)))
    for i, r in results.items():
        np.testing.assert_array_equal(r["y"], scale * BATCHES[i][0])


# ---------------------------------------------------------------------------------- tests
def test_blas_threads_per_worker() -> None:
    assert executors.available_cores() >= 1
    assert blas_threads_per_worker(2, cores=8) == 4
    assert blas_threads_per_worker(3, cores=8) == 2
    assert blas_threads_per_worker(16, cores=8) == 1
    with pytest.raises(ValueError, match="n_workers must be >= 1"):
        blas_threads_per_worker(0)


def test_serial_runs_in_order_without_pickling() -> None:
    before = _UNPICKLED
    got = list(run_batches(None, ToyModel(2.0), scaled, BATCHES))
    assert [i for i, _ in got] == list(range(len(BATCHES)))
    _check(dict(got), 2.0)
    assert {r["pid"] for _, r in got} == {os.getpid()}
    assert before == _UNPICKLED
    assert list(run_batches("serial", ToyModel(1.0), scaled, [])) == []
    assert dict(run_batches(1, ToyModel(1.0), scaled, BATCHES[:2]))[1]["pid"] == os.getpid()


def test_thread_pool_shares_the_model() -> None:
    before = _UNPICKLED
    with cf.ThreadPoolExecutor(2) as ex:
        _check(_collect(ex, ToyModel(3.0), window=3), 3.0)
    assert before == _UNPICKLED


def test_process_pool_ships_the_model_once_per_worker() -> None:
    with process_executor(2, threads_per_worker=1) as pool:
        assert isinstance(pool, ProcessPool) and pool.max_workers == 2
        model = ToyModel(1.5)
        res = _collect(pool, model)
        _check(res, 1.5)
        # the initializer unpickles the model once per worker; tasks carry only a token
        assert {r["unpickled"] for r in res.values()} == {1}
        assert os.getpid() not in {r["pid"] for r in res.values()}
        token = pool.bind(model)
        assert pool.bind(model) == token  # same model: nothing reshipped
        res2 = _collect(pool, model)  # a second sweep on the same pool
        assert {r["unpickled"] for r in res2.values()} == {1}
        # BLAS threads capped in the workers
        env, blas = next(run_batches(pool, model, worker_threads, [()]))[1]
        assert env == "1" and all(n == 1 for n in blas)
        other = ToyModel(4.0)
        assert pool.bind(other) != token  # another model restarts the workers
        _check(_collect(pool, other), 4.0)
    with pytest.raises(RuntimeError, match="after shutdown"):
        pool.submit(print)


def test_foreign_process_executor_gets_the_model_about_once_per_worker() -> None:
    ctx = executors._default_context()
    with cf.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        res = _collect(ex, ToyModel(2.5), window=4)
        _check(res, 2.5)
        # per worker: the model arrives with the first wave or after one "missing" answer,
        # never with every batch
        per_worker: dict[int, int] = {}
        for r in res.values():
            per_worker[r["pid"]] = max(per_worker.get(r["pid"], 0), r["unpickled"])
        assert sum(per_worker.values()) <= 4 < len(BATCHES)


def test_int_executor_owns_its_pool_and_errors_propagate() -> None:
    _check(_collect(2, ToyModel(1.0)), 1.0)
    with pytest.raises(ValueError, match="x too large"):
        list(run_batches(2, ToyModel(1.0), failing, BATCHES))


def test_invalid_executors_are_refused() -> None:
    with pytest.raises(ValueError, match="worker count"):
        list(run_batches(0, ToyModel(1.0), scaled, BATCHES))
    with pytest.raises(ValueError, match="'processes'"):
        list(run_batches("threads", ToyModel(1.0), scaled, BATCHES))
    with pytest.raises(TypeError, match=r"concurrent\.futures\.Executor"):
        list(run_batches(object(), ToyModel(1.0), scaled, BATCHES))
    with pytest.raises(TypeError, match="bool"):
        list(run_batches(True, ToyModel(1.0), scaled, BATCHES))
    with pytest.raises(ValueError, match="max_workers"):
        ProcessPool(0)
    assert describe_executor(None) == "serial"
    assert describe_executor(3) == "3 local processes"
    assert describe_executor(cf.ThreadPoolExecutor(1)) == "ThreadPoolExecutor"
