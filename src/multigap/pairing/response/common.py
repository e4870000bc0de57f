"""Solving the state a response function needs, in one convention for mu (fixed density).

Every response function of :mod:`multigap.pairing.response` works on the gaps of
:func:`multigap.zero_temperature_gaps` (T = 0) or :func:`multigap.gaps_at_temperature` (T > 0)
with the density equation on (``fixed_density=True``: mu renormalised at the normal-state T = 0
density of mu0 = E_L + eta Delta_E), and on the Tc of the same convention,
``tc_result(model, eta, g, chemical_potential="fixed_density")``. Only these public functions
and the public fields of :class:`multigap.GapResult` are used.
"""

from __future__ import annotations

from typing import Any

from multigap import validation as check
from multigap.pairing import gaps as gap_solver
from multigap.pairing import tc as tc_solver

#: The convention every response result states.
MU_CONVENTION = "fixed_density"


def fixed_density_tc(model: Any, eta: float, g: float) -> tuple[float, bool]:
    """(Tc in K, below_floor) with mu(T) at fixed density (0.0 below the floor)."""
    res = tc_solver.tc_result(model, eta, g, chemical_potential=MU_CONVENTION)
    return (0.0 if res.below_floor else float(res.tc)), bool(res.below_floor)


def solve_gaps(model: Any, eta: float, g: float, T: float, initial: Any = None) -> Any:
    """The GapResult at T (K) with mu at fixed density; T = 0 uses zero_temperature_gaps."""
    T = check.non_negative("T", T, "K")
    if T == 0.0:
        return gap_solver.zero_temperature_gaps(model, eta, g, fixed_density=True)
    return gap_solver.gaps_at_temperature(model, eta, g, T, fixed_density=True, initial=initial)


def check_gaps(gaps: Any, eta: float, g: float, T: float | None = None) -> None:
    """A GapResult passed in must be the fixed-density solution of this (eta, g[, T])."""
    if not bool(gaps.fixed_density):
        raise ValueError("gaps must be solved with fixed_density=True (the response convention)")
    if abs(float(gaps.eta) - eta) > 1e-12 or abs(float(gaps.g) - g) > 1e-12:
        raise ValueError(
            f"gaps were solved at eta = {gaps.eta}, g = {gaps.g}, not at eta = {eta}, g = {g}"
        )
    if T is not None and abs(float(gaps.temperature) - T) > 1e-12 * max(1.0, T):
        raise ValueError(f"gaps were solved at T = {gaps.temperature} K, not at T = {T} K")
