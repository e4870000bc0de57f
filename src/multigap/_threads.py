"""Single-threaded BLAS around the small dense linear algebra of the solvers.

The kernels solve many tiny eigenproblems (tens of rows); a multi-threaded BLAS only adds
wake-up latency there (measured: 0.6 s -> 0.2 s for a 301-point Tc curve on 2 cores). Parallelism
comes from batching and from worker processes instead (:mod:`multigap.runs.executors`).

BLAS thread pools belong to the whole process, so only the main thread changes them, and it
gives back exactly what it found (nested uses share one limit). Other threads (a
ThreadPoolExecutor, Dask's threads) leave the pools as they are: two overlapping per-call limits
are not thread-safe (the second saves the first one's limit of 1 and restores it last), and
OpenBLAS (0.3.30, 0.3.31) ignores a request to *raise* the thread count made by a non-main thread
while the thread that lowered it is alive, so a limit set in a worker thread could not be undone
reliably; either way the process was left single-threaded for good (later matrix products 2.4x
slower).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

_LOCK = threading.Lock()
_DEPTH = 0  # nesting depth of single_threaded_blas in the main thread
_LIMITER: Any = None  # the threadpoolctl limiter of the outermost entry


@lru_cache(maxsize=1)
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS pools to one thread inside the block (main thread only; restored after).

    Re-entrant. In any other thread it changes nothing (see the module docstring), so the
    process's BLAS thread counts after the block are always those before it.
    """
    global _DEPTH, _LIMITER
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with _LOCK:
        if _DEPTH == 0:
            _LIMITER = _controller().limit(limits=1, user_api="blas")
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0:
                limiter, _LIMITER = _LIMITER, None
                limiter.restore_original_limits()
