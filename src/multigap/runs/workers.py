"""Worker processes of :class:`multigap.runs.executors.ProcessPool`: how they start and what
they hold.

* Start: never the caller's ``__main__``. multiprocessing re-runs the parent's main module in
  every spawn/forkserver child (which breaks scripts without ``if __name__ == "__main__":``,
  code piped on stdin and ``python -c``); here the children run :data:`WORKER_MAIN` instead, a
  bootstrap that only ignores SIGINT, and the pool sends the model and the tasks with
  cloudpickle, which carries functions and classes of ``__main__`` by value.
* Start-up is atomic for the parent: SIGINT and SIGTERM are held back while a worker starts and
  every worker is recorded before it starts, so an interrupted pool can always end them all.
* Each worker ends itself as soon as its parent is gone (a thread blocked on the parent's
  sentinel pipe), however the parent died, SIGKILL included.
* BLAS threads of a worker are capped (:func:`limit_blas_threads`); the model is installed once
  per worker and looked up by token.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable
from multiprocessing import context as mp_context_mod
from pathlib import Path
from typing import Any

__all__ = ["THREAD_ENV_VARS", "WORKER_MAIN", "default_context", "limit_blas_threads"]

Task = Callable[..., Any]

#: Environment variables that cap the thread pools of the common BLAS / OpenMP runtimes.
THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


_LIMITER: Any = None  # keeps the threadpoolctl limits of a worker alive


def limit_blas_threads(n_threads: int) -> None:
    """Cap this process's BLAS/OpenMP thread pools at ``n_threads`` (for worker processes).

    Sets the environment variables of :data:`THREAD_ENV_VARS` (effective for libraries loaded
    afterwards and for child processes) and, through threadpoolctl when installed, the pools of
    the libraries already loaded (numpy's BLAS is, by the time an initializer runs).
    """
    global _LIMITER
    n = max(1, int(n_threads))
    for var in THREAD_ENV_VARS:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return
    _LIMITER = threadpool_limits(limits=n)


# ------------------------------------------------------------------------ worker-side state
_CACHE_SIZE = 4
_MODELS: OrderedDict[str, Any] = OrderedDict()
_MISSING = "__multigap_model_missing__"


def _install(token: str, model: Any) -> None:
    _MODELS[token] = model
    _MODELS.move_to_end(token)
    while len(_MODELS) > _CACHE_SIZE:
        _MODELS.popitem(last=False)


def _exit_with_parent() -> None:
    """Start a daemon thread that ends this worker as soon as its parent process is gone.

    It blocks on the parent's sentinel (a pipe the parent holds open; the OS closes it
    whatever way the parent ends, SIGKILL included) and then calls ``os._exit``.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - not a multiprocessing child
        return

    def watch() -> None:
        parent.join()  # returns when the sentinel is closed: the parent has exited
        os._exit(1)

    threading.Thread(target=watch, name="multigap-parent-watchdog", daemon=True).start()


def _worker_init(threads: int, token: str | None, blob: bytes | None) -> None:
    """Initializer of :class:`ProcessPool` workers: watch the parent, cap BLAS threads,
    install the model."""
    _exit_with_parent()
    limit_blas_threads(threads)
    if token is not None and blob is not None:
        _install(token, pickle.loads(blob))


def _run_cached(token: str, model: Any, task: Task, args: tuple[Any, ...]) -> tuple[str, Any]:
    """Run ``task(model, *args)`` with the model given or looked up by token in this process."""
    if model is None:
        model = _MODELS.get(token)
        if model is None:
            return (_MISSING, None)
    else:
        _install(token, model)
    return ("ok", task(model, *args))


def _run_direct(model: Any, task: Task, args: tuple[Any, ...]) -> Any:
    """Run ``task(model, *args)`` (Dask resolves the scattered model future to the object)."""
    return task(model, *args)


def _call_blob(blob: bytes) -> Any:
    """Run a call pickled by :meth:`ProcessPool.submit` (cloudpickle: ``__main__`` by value)."""
    fn, args, kwargs = pickle.loads(blob)
    return fn(*args, **kwargs)


# ------------------------------------------------------------------- worker start (no __main__)
#: The main module of every ProcessPool worker (see the module docstring).
WORKER_MAIN = str(Path(__file__).with_name("_worker_main.py"))
_STARTING = threading.local()  # set while this thread starts a ProcessPool worker


def _install_main_override() -> None:
    """Make multiprocessing start our workers with :data:`WORKER_MAIN` as ``__main__``.

    multiprocessing tells a new spawn/forkserver child which main module to re-run through
    ``multiprocessing.spawn.get_preparation_data``; this wraps it (once per process) so that,
    only while *this* module starts a worker in the current thread, the child runs
    :data:`WORKER_MAIN` instead of the caller's script. Other process starts are untouched.
    """
    from multiprocessing import spawn

    original = spawn.get_preparation_data
    if getattr(original, "_multigap_override", False):
        return

    def get_preparation_data(name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = original(name, *args, **kwargs)
        if getattr(_STARTING, "active", False):
            data.pop("init_main_from_name", None)
            data["init_main_from_path"] = WORKER_MAIN
        return data

    get_preparation_data._multigap_override = True  # type: ignore[attr-defined]
    spawn.get_preparation_data = get_preparation_data


class _DeferredSignals:
    """Hold SIGINT and SIGTERM back while a worker starts (main thread only).

    A KeyboardInterrupt raised half-way through starting a process would lose the only
    handle on a worker that is already running, which then fails noisily once the parent is
    gone. The signal is recorded instead, and its previous handler runs once the worker is
    started (and known to its pool, which can then end it).
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.saved: dict[int, Any] = {}
        self.caught: list[int] = []

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in self.SIGNALS:
            self.saved[sig] = signal.signal(sig, lambda signum, frame: self.caught.append(signum))

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)
        for sig in self.caught:
            handler = self.saved[sig]
            if callable(handler):
                handler(sig, None)
            elif handler == signal.SIG_DFL:  # default action: end the process as it would have
                signal.raise_signal(sig)


def _starting_worker(start: Callable[[Any], Any], process_obj: Any) -> Any:
    _install_main_override()
    started = getattr(_STARTING, "started", None)
    if started is not None:
        started.append(process_obj)
    with _DeferredSignals():
        _STARTING.active = True
        try:
            return start(process_obj)
        finally:
            _STARTING.active = False


class _ForkServerWorker(mp_context_mod.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        return _starting_worker(mp_context_mod.ForkServerProcess._Popen, process_obj)


class _ForkServerWorkers(mp_context_mod.ForkServerContext):
    Process = _ForkServerWorker


class _SpawnWorker(mp_context_mod.SpawnProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        return _starting_worker(mp_context_mod.SpawnProcess._Popen, process_obj)


class _SpawnWorkers(mp_context_mod.SpawnContext):
    Process = _SpawnWorker


# ------------------------------------------------------------------------------- contexts
def default_context() -> multiprocessing.context.BaseContext:
    # fork is unsafe with threads (tqdm, dask); forkserver forks cheap workers from a clean
    # server process where the platform has it, spawn elsewhere. Either way the workers start
    # with WORKER_MAIN as their __main__ (never the caller's script).
    if "forkserver" in multiprocessing.get_all_start_methods():
        return _ForkServerWorkers()
    return _SpawnWorkers()  # pragma: no cover - Windows
