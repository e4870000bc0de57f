"""Running many points: sweeps over (eta, g), executors (processes, Dask) and stores.

``sweep`` (the quantities registry, the batched resumable sweep, the adaptive map),
``executors`` (process pools and Dask clients with capped BLAS threads) and ``store`` (the
locked, atomic, resumable netCDF store).

May import: ``multigap.pairing``, ``multigap.structure``, ``multigap.model`` and below.
"""

from multigap.runs import (
    response_quantities as response_quantities,
)  # registers bkt, stiffness, jump, crossover
