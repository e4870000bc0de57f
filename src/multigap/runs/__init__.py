"""Running many points: sweeps over (eta, g), executors (processes, Dask) and stores.

``sweep`` (the batched resumable sweep; re-exports the names below), ``quantities`` (the
registry and the built-in quantities), ``template`` (the result Dataset and its metadata),
``adaptive`` (adaptive maps), ``executors`` (process pools and Dask clients with capped BLAS
threads), ``workers`` (how pool workers start, and end with their parent), ``store`` (the
atomic, checksummed, resumable netCDF store), ``locks`` (one writing process per store) and
``signals`` (SIGTERM flushes like Ctrl-C).

May import: ``multigap.pairing``, ``multigap.structure``, ``multigap.model`` and below.
"""

from multigap.runs import (
    response_quantities as response_quantities,
)  # registers bkt, stiffness, jump, crossover
