"""Single-threaded BLAS around the small dense linear algebra of the solvers.

The kernels solve many tiny eigenproblems (tens of rows); a multi-threaded BLAS only adds
wake-up latency there (measured: 0.6 s -> 0.2 s for a 301-point Tc curve on 2 cores). Parallelism
comes from batching and from worker processes instead (:mod:`multigap.executors`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS/OpenMP pools to one thread inside the block (restored afterwards)."""
    with _controller().limit(limits=1, user_api="blas"):
        yield
