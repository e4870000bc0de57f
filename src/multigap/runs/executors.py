"""Where the batches of a sweep run: serially, in local worker processes, on any
:class:`concurrent.futures.Executor`, or on a Dask cluster.

Nothing here knows about physics. :func:`run_batches` takes a model, a picklable *task*
``task(model, *args) -> result`` and a list of argument tuples (one per batch), runs them on the
chosen executor and yields ``(batch index, result)`` as batches complete.

The model is shipped once per worker, never once per point or per batch:

* serial and thread pools: no shipping at all;
* :class:`ProcessPool` (``executor="processes"``, an int worker count, or
  :func:`process_executor`): the model is pickled once in the parent and handed to every worker
  by the pool initializer; tasks carry only a token naming it;
* a Dask ``distributed.Client``: ``client.scatter(model, broadcast=True)`` once, tasks take the
  resulting future;
* any other :class:`concurrent.futures.Executor` (e.g. a user's ``ProcessPoolExecutor``): the
  first wave of tasks carries the model, later tasks carry only its token and the worker looks it
  up in a small per-process cache; a worker that has not seen it yet answers "missing" and the
  task is resubmitted with the model (one extra round trip per such worker).

The caller should compute the model's expensive cached products (``model.geometry``) before
calling :func:`run_batches`, so that they travel inside the pickled model and workers never
recompute them (:func:`multigap.sweep.sweep` does so).

Workers of a :class:`ProcessPool` never re-run the caller's ``__main__``: they start with
``multigap/runs/_worker_main.py`` as their main module (a bootstrap that only ignores SIGINT),
and the model and every task travel with cloudpickle, which sends functions and classes defined
in ``__main__`` by value. So ``executor=2`` works alike from a script with or without ``if
__name__ == "__main__":``, from ``python - < script.py``, ``python -c`` and notebooks. Each
worker watches its parent (a thread blocked on the parent's sentinel pipe) and exits as soon as
the parent is gone, however it died (SIGKILL included): no worker outlives a killed sweep.

BLAS threads: each :class:`ProcessPool` worker is limited to ``cores // workers`` BLAS/OpenMP
threads (threadpoolctl, plus ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS`` in its environment for libraries loaded later), so that workers x threads
never oversubscribe the cores.

Dask workers and memory trimming: by default Dask's nanny starts every worker with
``MALLOC_TRIM_THRESHOLD_=65536`` (``distributed.nanny.pre-spawn-environ``), which makes glibc
hand freed heap memory back to the OS after every large-ish free. multigap's kernels allocate
and free many temporaries of ~100 KiB, and with that setting a Tc map runs about 1.5x slower
(measured: 101 x 101 map of preset A, 2 workers, 7.7 s against 5.6 s without it; serially
14.3 s against 9.5 s). :func:`local_dask_cluster` starts workers without it; for a cluster of
your own, start its workers with ``distributed.nanny.pre-spawn-environ`` not setting
``MALLOC_TRIM_THRESHOLD_`` (for example ``dask.config.set({"distributed.nanny.pre-spawn-environ":
{"OMP_NUM_THREADS": 1}})`` before creating it).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import numbers
import os
import pickle
import sys
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import cloudpickle

from multigap.runs.workers import (
    _MISSING,
    _STARTING,
    THREAD_ENV_VARS,
    _call_blob,
    _run_cached,
    _run_direct,
    _worker_init,
    default_context,
    limit_blas_threads,
)

__all__ = [
    "THREAD_ENV_VARS",
    "ProcessPool",
    "available_cores",
    "blas_threads_per_worker",
    "describe_executor",
    "is_dask_client",
    "limit_blas_threads",
    "local_dask_cluster",
    "process_executor",
    "run_batches",
]

Task = Callable[..., Any]
_default_context = default_context  # the pool's default context (name kept for callers)


# ------------------------------------------------------------------------------------ cores
def available_cores() -> int:
    """Cores this process may run on (CPU affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def blas_threads_per_worker(n_workers: int, cores: int | None = None) -> int:
    """BLAS threads per worker so that ``n_workers`` x threads <= cores (at least 1).

    Parameters
    ----------
    n_workers : int
        Worker processes, >= 1.
    cores : int, optional
        Cores available (default :func:`available_cores`).
    """
    if int(n_workers) < 1:
        raise ValueError(f"n_workers must be >= 1, got {n_workers}")
    c = available_cores() if cores is None else int(cores)
    return max(1, c // int(n_workers))


class ProcessPool(cf.Executor):
    """A pool of local worker processes with capped BLAS threads and one model per worker.

    A :class:`concurrent.futures.Executor` (``submit``, ``map``, ``shutdown``, context
    manager). :func:`run_batches` calls :meth:`bind` with the sweep's model: the model is
    pickled once and handed to each worker by the pool initializer (the workers are restarted
    when a *different* model object is bound), so tasks carry only a token. The pool can be
    reused for several sweeps of the same model.

    Parameters
    ----------
    max_workers : int, optional
        Worker processes (default: the available cores).
    threads_per_worker : int, optional
        BLAS/OpenMP threads per worker (default ``cores // max_workers``, at least 1).
    mp_context : multiprocessing context, optional
        Default "forkserver" where available, else "spawn" (never "fork": unsafe with
        threads), with workers that never re-run the caller's ``__main__``.
    """

    def __init__(
        self,
        max_workers: int | None = None,
        *,
        threads_per_worker: int | None = None,
        mp_context: multiprocessing.context.BaseContext | None = None,
    ) -> None:
        n = available_cores() if max_workers is None else int(max_workers)
        if n < 1:
            raise ValueError(f"max_workers must be >= 1, got {max_workers}")
        self.max_workers = n
        self.threads_per_worker = (
            blas_threads_per_worker(n) if threads_per_worker is None else int(threads_per_worker)
        )
        if self.threads_per_worker < 1:
            raise ValueError(f"threads_per_worker must be >= 1, got {threads_per_worker}")
        self._context = mp_context or default_context()
        self._pool: cf.ProcessPoolExecutor | None = None
        self._model: Any = None
        self._token: str | None = None
        self._closed = False
        self._started: list[Any] = []  # every worker process this pool has started

    def __repr__(self) -> str:
        return (
            f"ProcessPool(max_workers={self.max_workers}, "
            f"threads_per_worker={self.threads_per_worker})"
        )

    def _start(self, token: str | None, blob: bytes | None) -> cf.ProcessPoolExecutor:
        if self._closed:
            raise RuntimeError("cannot use a ProcessPool after shutdown")
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._started = [p for p in self._started if p.is_alive()]
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.max_workers,
            mp_context=self._context,
            initializer=_worker_init,
            initargs=(self.threads_per_worker, token, blob),
        )
        return self._pool

    def bind(self, model: Any) -> str:
        """Make ``model`` resident in every worker (pickled once); return its token.

        Binding the model already bound (the same object) is free; another model restarts
        the workers.
        """
        if self._pool is not None and self._model is model and self._token is not None:
            return self._token
        token = uuid.uuid4().hex
        self._start(token, cloudpickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        self._model, self._token = model, token
        return token

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        """Schedule ``fn(*args, **kwargs)`` on a worker (pickled with cloudpickle, so that
        functions and classes of ``__main__`` travel by value)."""
        pool = self._pool if self._pool is not None else self._start(None, None)
        blob = cloudpickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        _STARTING.started = self._started  # workers start inside submit (on demand)
        try:
            return pool.submit(_call_blob, blob)
        finally:
            _STARTING.started = None

    def terminate(self) -> None:
        """Stop at once: end the workers (their running tasks are lost), then shut down.

        For an interrupted sweep (Ctrl-C, SIGTERM, an error): waiting for batches whose
        results nobody will read would only delay the exit.
        """
        self._forget_cancelled()
        for proc in self._started:
            if proc.is_alive():
                proc.terminate()
        self.shutdown(wait=True, cancel_futures=True)
        for proc in self._started:
            if proc.pid is not None:  # started
                proc.join(timeout=10)
        self._started = [p for p in self._started if p.is_alive()]

    def _forget_cancelled(self) -> None:
        """Drop cancelled futures from the stdlib pool's pending work before workers are killed.

        When a worker dies, CPython 3.11's ProcessPoolExecutor marks every pending work item
        broken with ``future.set_exception``, which raises InvalidStateError (a traceback from
        its manager thread) for futures the sweep already cancelled. Its table of pending work
        is private, hence the guarded access; without it the termination is the same, only
        noisier.
        """
        pending = getattr(self._pool, "_pending_work_items", None)
        if isinstance(pending, dict):
            for key, item in list(pending.items()):
                future = getattr(item, "future", None)
                if future is not None and future.cancelled():
                    pending.pop(key, None)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the workers (pending futures are cancelled with ``cancel_futures=True``)."""
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        self._pool = None
        self._model = None


def process_executor(
    max_workers: int | None = None, threads_per_worker: int | None = None
) -> ProcessPool:
    """A :class:`ProcessPool` of ``max_workers`` local processes (for the CLI's ``--workers``).

    The caller owns it: pass it to :func:`multigap.sweep.sweep` (several times if wanted) and
    call ``shutdown()`` (or use it as a context manager) afterwards.
    """
    return ProcessPool(max_workers, threads_per_worker=threads_per_worker)


# ------------------------------------------------------------------------------------- dask
def is_dask_client(executor: Any) -> bool:
    """True for a ``distributed.Client`` (checked without importing distributed)."""
    if "distributed" not in sys.modules:
        return False
    from distributed import Client

    return isinstance(executor, Client)


def local_dask_cluster(n_workers: int | None = None, **kwargs: Any) -> Any:
    """A Dask ``distributed.LocalCluster`` set up for multigap sweeps.

    One thread per worker process, BLAS/OpenMP pools capped so that workers x threads never
    exceed the cores, and no ``MALLOC_TRIM_THRESHOLD_`` in the workers' environment (Dask's
    default trims the heap on every large free and slows the kernels ~1.5x; see the module
    docstring). Use it as a context manager together with a ``Client``::

        with local_dask_cluster(2) as cluster, distributed.Client(cluster) as client:
            mg.sweep(model, eta, g, executor=client)

    Parameters
    ----------
    n_workers : int, optional
        Worker processes (default: the available cores).
    **kwargs
        Passed on to ``LocalCluster`` (e.g. ``dashboard_address``); ``threads_per_worker``
        and ``processes`` are fixed at 1 and True.
    """
    import dask
    from distributed import LocalCluster

    n = available_cores() if n_workers is None else int(n_workers)
    if n < 1:
        raise ValueError(f"n_workers must be >= 1, got {n_workers}")
    threads = blas_threads_per_worker(n)
    environ = {var: threads for var in THREAD_ENV_VARS}
    kwargs.setdefault("dashboard_address", None)
    # Dask's nanny writes its pre-spawn variables into *this* process's os.environ before it
    # spawns a worker (and leaves them there), so a cluster started earlier leaves
    # MALLOC_TRIM_THRESHOLD_ behind for every later child: drop it while the workers spawn
    # and give the parent its own environment back afterwards.
    saved = dict(os.environ)
    os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    try:
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
            return LocalCluster(n_workers=n, threads_per_worker=1, processes=True, **kwargs)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def describe_executor(executor: Any) -> str:
    """A short human-readable name of an executor specification."""
    if executor is None or executor == "serial" or executor == 1:
        return "serial"
    if executor == "processes" or isinstance(executor, numbers.Integral):
        n = available_cores() if executor == "processes" else int(executor)
        return f"{n} local processes"
    if is_dask_client(executor):
        return "dask distributed"
    return type(executor).__name__


# ---------------------------------------------------------------------------------- running
def _resolve(executor: Any) -> tuple[str, Any, bool]:
    """(kind, executor object, owned) for an executor specification."""
    if executor is None or executor == "serial":
        return "serial", None, False
    if isinstance(executor, bool):
        raise TypeError(f"executor must not be a bool, got {executor!r}")
    if isinstance(executor, numbers.Integral):
        n = int(executor)
        if n < 1:
            raise ValueError(f"executor (a worker count) must be >= 1, got {executor}")
        if n == 1:
            return "serial", None, False
        return "pool", ProcessPool(n), True
    if isinstance(executor, str):
        if executor == "processes":
            return "pool", ProcessPool(), True
        raise ValueError(
            f"executor must be None, 'serial', 'processes', a worker count, a "
            f"concurrent.futures.Executor or a dask distributed.Client, got {executor!r}"
        )
    if isinstance(executor, ProcessPool):
        return "pool", executor, False
    if is_dask_client(executor):
        return "dask", executor, False
    if isinstance(executor, cf.ThreadPoolExecutor):
        return "threads", executor, False
    if isinstance(executor, cf.Executor):
        return "executor", executor, False
    raise TypeError(
        f"executor must be None, 'serial', 'processes', a worker count, a "
        f"concurrent.futures.Executor or a dask distributed.Client, got "
        f"{type(executor).__name__}"
    )


def _workers_of(kind: str, ex: Any) -> int:
    if kind == "pool":
        return int(ex.max_workers)
    if kind == "dask":
        try:
            return max(1, sum(ex.nthreads().values()))
        except Exception:  # pragma: no cover - scheduler unreachable
            return 1
    n = getattr(ex, "_max_workers", None)
    return int(n) if isinstance(n, int) and n > 0 else available_cores()


def run_batches(
    executor: Any,
    model: Any,
    task: Task,
    batches: Sequence[tuple[Any, ...]],
    *,
    window: int | None = None,
) -> Iterator[tuple[int, Any]]:
    """Run ``task(model, *batches[i])`` for every i; yield ``(i, result)`` as each completes.

    Parameters
    ----------
    executor : None, "serial", "processes", int, Executor or distributed.Client
        None, "serial" or 1: in this process, in order. "processes" or an int n >= 2: a
        :class:`ProcessPool` of that many workers, created here and shut down when the
        iteration ends. A :class:`ProcessPool`, any :class:`concurrent.futures.Executor` or a
        Dask ``distributed.Client``: used as given (not shut down).
    model : object
        Picklable; shipped once per worker (see the module docstring).
    task : callable
        ``task(model, *args)``; a module-level function (or a partial of one), picklable.
    batches : sequence of tuple
        The arguments of each batch.
    window : int, optional
        Batches in flight at once (default twice the workers); bounds memory and lets an
        interrupted sweep stop quickly.

    Yields
    ------
    (int, object)
        Batch index and ``task``'s result, in completion order.

    Notes
    -----
    Closing the generator early (an exception, Ctrl-C or SIGTERM in the consumer) cancels the
    batches not yet started and ends the workers of a pool created here at once. An exception
    raised by a task is re-raised here after the same clean-up.
    """
    kind, ex, owned = _resolve(executor)
    if kind == "serial":
        for i, args in enumerate(batches):
            yield i, task(model, *args)
        return
    finished = False
    try:
        if kind == "dask":
            yield from _run_dask(ex, model, task, batches, window)
        else:
            yield from _run_futures(kind, ex, model, task, batches, window)
        finished = True
    finally:
        if owned and finished:
            ex.shutdown(wait=True, cancel_futures=True)
        elif owned:  # interrupted: do not wait for batches nobody will read
            ex.terminate()


def _run_futures(
    kind: str,
    ex: Any,
    model: Any,
    task: Task,
    batches: Sequence[tuple[Any, ...]],
    window: int | None,
) -> Iterator[tuple[int, Any]]:
    workers = _workers_of(kind, ex)
    width = max(1, int(window) if window is not None else 2 * workers)
    token = ex.bind(model) if kind == "pool" else uuid.uuid4().hex
    # tasks carrying the model: all of them on threads (nothing is copied), the first wave on
    # a foreign executor (each worker caches it), none on a bound ProcessPool
    carry = {"threads": len(batches), "executor": workers, "pool": 0}[kind]
    todo = deque(range(len(batches)))
    running: dict[cf.Future[Any], int] = {}
    sent = 0

    def submit(i: int, with_model: bool) -> None:
        fut = ex.submit(_run_cached, token, model if with_model else None, task, batches[i])
        running[fut] = i

    try:
        while todo or running:
            while todo and len(running) < width:
                submit(todo.popleft(), sent < carry)
                sent += 1
            done, _ = cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
            for fut in done:
                i = running.pop(fut)
                status, value = fut.result()
                if status == _MISSING:
                    submit(i, True)
                else:
                    yield i, value
    finally:
        for fut in running:
            fut.cancel()


def _run_dask(
    client: Any,
    model: Any,
    task: Task,
    batches: Sequence[tuple[Any, ...]],
    window: int | None,
) -> Iterator[tuple[int, Any]]:
    from distributed import as_completed

    width = max(1, int(window) if window is not None else 2 * _workers_of("dask", client))
    [remote] = client.scatter([model], broadcast=True, hash=False)
    todo = deque(range(len(batches)))
    pending: dict[str, tuple[int, Any]] = {}  # key -> (batch index, future)

    def submit() -> Any:
        i = todo.popleft()
        fut = client.submit(_run_direct, remote, task, batches[i], pure=False)
        pending[fut.key] = (i, fut)
        return fut

    try:
        ac = as_completed([submit() for _ in range(min(width, len(todo)))])
        for fut in ac:
            i, _ = pending.pop(fut.key)
            value = fut.result()
            fut.release()
            if todo:
                ac.add(submit())
            yield i, value
    finally:
        if pending:
            client.cancel([f for _, f in pending.values()])
