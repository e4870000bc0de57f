"""The quantities a sweep can compute: a registry of batched functions and the built-in ones.

A *quantity* (:class:`Quantity`) is a name, the output variables it produces
(:class:`Output`: name, units, long_name, dtype, extra dimensions) and a batched function
``fn(model, eta, g) -> {output name: array}`` taking 1-D arrays of equal length. The built-in
ones (solvers imported on first use, so a missing solver gives a clear error at sweep time):

==========  ==============================================================================
"tc"        ``tc`` (K, NaN below the temperature floor and above the search ceiling),
            ``below_floor`` (bool), ``above_ceiling`` (bool: Lambda(T_ceiling) > 1, Tc not
            bracketed; the point is flagged, the map goes on), ``mu`` (meV, chemical
            potential at Tc)
"gaps"      ``fermi_gap`` and ``spectral_gap`` (meV, per band), ``mu_renormalised`` (meV),
            ``gap_converged`` (bool; False with NaN gaps where the solver did not converge),
            ``gap_ratio`` = 2 Delta_n / k_B Tc (per band; the Fermi gap, or the spectral gap
            where mu is below the band); all at fixed density, over the fixed-density Tc
            (variable attributes ``mu_rule``, ``gap_definition``)
"isotope"   ``alpha`` = -d ln Tc / d ln M, ``alpha_above_ceiling`` (bool: flagged, NaN alpha)
==========  ==============================================================================

:func:`register_quantity` adds others. Nothing here is physics: the built-ins call
:mod:`multigap.pairing`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap.pairing import gaps as gap_solver
from multigap.pairing import isotope
from multigap.pairing import tc as tc_solver
from multigap.pairing.tc_search import TcCeilingError

__all__ = [
    "COORD_ATTRS",
    "DIMS",
    "Output",
    "Quantity",
    "available_quantities",
    "get_quantity",
    "register_quantity",
    "resolve_quantities",
]

FloatArray = NDArray[np.float64]
BatchFn = Callable[[Any, FloatArray, FloatArray], Mapping[str, ArrayLike]]
CoordsFn = Callable[[Any], Mapping[str, tuple[ArrayLike, Mapping[str, str]]]]

#: Dimensions of every sweep.
DIMS = ("eta", "g")

COORD_ATTRS = {
    "eta": {"units": "1", "long_name": "Lifshitz parameter eta = (mu - E_L) / Delta_E"},
    "g": {"units": "1", "long_name": "reduced resonant coupling g = lambda / (1 + lambda)"},
}


# ------------------------------------------------------------------------------ quantities
@dataclasses.dataclass(frozen=True)
class Output:
    """One output variable of a quantity.

    Parameters
    ----------
    name : str
        Variable name in the Dataset.
    units : str
        ``units`` attribute ("1" for dimensionless).
    long_name : str
        ``long_name`` attribute.
    dtype : {"float64", "bool"}
        Float outputs are NaN where not computed; boolean ones False.
    dims : tuple of str
        Extra trailing dimensions after (eta, g), e.g. ``("band",)``; their coordinates come
        from the quantity's ``coords``.
    attrs : tuple of (str, str)
        Further variable attributes (e.g. ``("mu_rule", "fixed_density")``).
    """

    name: str
    units: str
    long_name: str
    dtype: str = "float64"
    dims: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"output name must be an identifier, got {self.name!r}")
        if self.dtype not in ("float64", "bool"):
            raise ValueError(f"output dtype must be 'float64' or 'bool', got {self.dtype!r}")
        if set(self.dims) & set(DIMS):
            raise ValueError(f"extra dims of {self.name!r} must not repeat {DIMS}")


@dataclasses.dataclass(frozen=True)
class Quantity:
    """A batched computable of a sweep.

    Parameters
    ----------
    name : str
        Registry key (``quantities=("tc",)``).
    outputs : tuple of Output
        The variables ``fn`` returns.
    fn : callable
        ``fn(model, eta, g) -> {output name: array of shape (B, *extra)}`` with ``eta``, ``g``
        1-D float arrays of length B. Must be picklable (a module-level function) to run in
        worker processes.
    coords : callable, optional
        ``coords(model) -> {dim: (values, attrs)}`` for the extra dimensions of the outputs.
    description : str
        One line for listings.
    """

    name: str
    outputs: tuple[Output, ...]
    fn: BatchFn
    coords: CoordsFn | None = None
    description: str = ""

    def __post_init__(self) -> None:
        names = [o.name for o in self.outputs]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"quantity {self.name!r} needs distinct outputs, got {names}")
        extra = {d for o in self.outputs for d in o.dims}
        if extra and self.coords is None:
            raise ValueError(
                f"quantity {self.name!r} has extra dims {sorted(extra)} but no coords function"
            )


_REGISTRY: dict[str, Quantity] = {}


def register_quantity(quantity: Quantity, *, replace: bool = False) -> Quantity:
    """Add ``quantity`` to the registry (``replace=True`` to redefine a name); returns it."""
    if not isinstance(quantity, Quantity):
        raise TypeError(f"expected a Quantity, got {type(quantity).__name__}")
    if quantity.name in _REGISTRY and not replace and _REGISTRY[quantity.name] != quantity:
        raise ValueError(
            f"quantity {quantity.name!r} is already registered (pass replace=True to redefine)"
        )
    _REGISTRY[quantity.name] = quantity
    return quantity


def get_quantity(name: str | Quantity) -> Quantity:
    """The registered quantity ``name`` (a :class:`Quantity` is returned as is)."""
    if isinstance(name, Quantity):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown quantity {name!r}; choose from {', '.join(sorted(_REGISTRY))}"
        ) from None


def available_quantities() -> tuple[str, ...]:
    """Names of the registered quantities."""
    return tuple(sorted(_REGISTRY))


def resolve_quantities(quantities: str | Quantity | Iterable[str | Quantity]) -> list[Quantity]:
    items = [quantities] if isinstance(quantities, (str, Quantity)) else list(quantities)
    qs = [get_quantity(q) for q in items]
    if not qs:
        raise ValueError("give at least one quantity")
    names = [q.name for q in qs]
    if len(set(names)) != len(names):
        raise ValueError(f"quantities repeat: {names}")
    seen: dict[str, str] = {}
    for q in qs:
        for o in q.outputs:
            if o.name in seen:
                raise ValueError(
                    f"quantities {seen[o.name]!r} and {q.name!r} both produce {o.name!r}"
                )
            seen[o.name] = q.name
    return qs


# ------------------------------------------------------------------ built-in quantities
def _flag_ceiling(
    solve: Callable[[FloatArray, FloatArray], dict[str, ArrayLike]],
    eta: FloatArray,
    g: FloatArray,
    flagged: Callable[[], dict[str, ArrayLike]],
) -> dict[str, ArrayLike]:
    """``solve(eta, g)``, with each point whose Tc lies above the search ceiling given the
    one-point result ``flagged()`` (NaN and a flag) instead of failing the whole batch: the
    batch is bisected down to the offending points, the others are solved as usual."""
    try:
        return solve(eta, g)
    except TcCeilingError:
        if eta.size == 1:
            return flagged()
        half = eta.size // 2
        a = _flag_ceiling(solve, eta[:half], g[:half], flagged)
        b = _flag_ceiling(solve, eta[half:], g[half:], flagged)
        return {k: np.concatenate([np.asarray(a[k]), np.asarray(b[k])]) for k in a}


def _tc_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    """Tc of a batch; a point whose Tc lies above the search ceiling is flagged, not fatal."""

    def solve(e: FloatArray, gg: FloatArray) -> dict[str, ArrayLike]:
        *_, batch = tc_solver._solve_model(model, e, gg)  # carries below_floor and mu at Tc
        below = np.asarray(batch.below_floor, dtype=bool)
        tc = np.where(below, np.nan, np.asarray(batch.tc, dtype=float))
        above = np.zeros(e.size, dtype=bool)
        return {"tc": tc, "below_floor": below, "above_ceiling": above, "mu": batch.mu}

    def flagged() -> dict[str, ArrayLike]:
        nan = np.full(1, np.nan)
        return {"tc": nan, "below_floor": [False], "above_ceiling": [True], "mu": nan}

    return _flag_ceiling(solve, eta, g, flagged)


def _isotope_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    """alpha of a batch; a point whose (shifted) Tc lies above the ceiling is NaN, flagged."""

    def solve(e: FloatArray, gg: FloatArray) -> dict[str, ArrayLike]:
        alpha = isotope.isotope_coefficients(model, e, gg)
        return {"alpha": alpha, "alpha_above_ceiling": np.zeros(e.size, dtype=bool)}

    def flagged() -> dict[str, ArrayLike]:
        return {"alpha": np.full(1, np.nan), "alpha_above_ceiling": [True]}

    return _flag_ceiling(solve, eta, g, flagged)


def _gaps_fn(model: Any, eta: FloatArray, g: FloatArray) -> dict[str, ArrayLike]:
    """T = 0 gaps (fixed density) point by point, ratios over the fixed-density Tc."""
    gaps = gap_solver
    from multigap.constants import KB

    n = eta.size
    nb = int(model.n_bands)
    fermi = np.full((n, nb), np.nan)
    spectral = np.full((n, nb), np.nan)
    has_fs = np.zeros((n, nb), dtype=bool)
    mu = np.full(n, np.nan)
    conv = np.zeros(n, dtype=bool)
    for i in range(n):
        try:
            r = gaps.zero_temperature_gaps(model, eta=float(eta[i]), g=float(g[i]))
        except gaps.GapConvergenceError:  # no number it does not trust: NaN, flagged
            continue
        fermi[i] = np.asarray(r.fermi_gap, dtype=float)
        spectral[i] = np.asarray(r.spectral_gap, dtype=float)
        has_fs[i] = np.asarray(r.fermi_surface, dtype=bool)
        mu[i] = float(r.mu)
        conv[i] = bool(r.converged)
    # one convention per number: fixed-density gaps over the fixed-density Tc
    tc = np.asarray(
        tc_solver.critical_temperatures(model, eta, g, chemical_potential=_GAP_RULE), dtype=float
    )
    gap = np.where(has_fs, np.abs(fermi), spectral)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = 2.0 * gap / (KB * tc[:, None])
    ratio = np.where(np.isfinite(tc[:, None]) & (tc[:, None] > 0.0), ratio, np.nan)
    return {
        "fermi_gap": fermi,
        "spectral_gap": spectral,
        "mu_renormalised": mu,
        "gap_converged": conv,
        "gap_ratio": ratio,
    }


_GAP_RULE = "fixed_density"
_GAP_ATTRS = (("mu_rule", _GAP_RULE),)


def _band_coords(model: Any) -> dict[str, tuple[ArrayLike, Mapping[str, str]]]:
    return {
        "band": (
            np.arange(1, int(model.n_bands) + 1),
            {"units": "1", "long_name": "subband index (1-based)"},
        )
    }


register_quantity(
    Quantity(
        "tc",
        (
            Output("tc", "K", "critical temperature (NaN below the floor or above the ceiling)"),
            Output(
                "below_floor",
                "1",
                "Lambda(T_floor) < 1: no superconductivity above the floor",
                dtype="bool",
            ),
            Output(
                "above_ceiling",
                "1",
                "Lambda(T_ceiling) > 1: Tc above the search ceiling (tc is NaN)",
                dtype="bool",
            ),
            Output("mu", "meV", "chemical potential at Tc"),
        ),
        _tc_fn,
        description="critical temperature (multigap.tc)",
    )
)
register_quantity(
    Quantity(
        "gaps",
        (
            Output(
                "fermi_gap",
                "meV",
                "zero-temperature gap averaged over the Fermi surface (fixed density)",
                dims=("band",),
                attrs=(*_GAP_ATTRS, ("gap_definition", "Fermi-surface average of Delta_n(kz)")),
            ),
            Output(
                "spectral_gap",
                "meV",
                "zero-temperature spectral gap min_k E_n(k) (fixed density)",
                dims=("band",),
                attrs=(*_GAP_ATTRS, ("gap_definition", "min over k of sqrt(xi^2 + Delta^2)")),
            ),
            Output(
                "mu_renormalised",
                "meV",
                "chemical potential at T = 0 (fixed density)",
                attrs=_GAP_ATTRS,
            ),
            Output("gap_converged", "1", "gap equation converged", dtype="bool"),
            Output(
                "gap_ratio",
                "1",
                "2 Delta_n / (k_B Tc), gaps and Tc both at fixed density",
                dims=("band",),
                attrs=(
                    *_GAP_ATTRS,
                    ("tc_mu_rule", _GAP_RULE),
                    ("gap_definition", gap_solver.RATIO_GAP_DEFINITION),
                ),
            ),
        ),
        _gaps_fn,
        coords=_band_coords,
        description="zero-temperature gaps and gap ratios (multigap.gaps, multigap.tc)",
    )
)
register_quantity(
    Quantity(
        "isotope",
        (
            Output("alpha", "1", "isotope coefficient alpha = -d ln Tc / d ln M"),
            Output(
                "alpha_above_ceiling",
                "1",
                "a Tc of the isotope difference lies above the search ceiling (alpha is NaN)",
                dtype="bool",
            ),
        ),
        _isotope_fn,
        description="isotope coefficient (multigap.tc)",
    )
)


# ------------------------------------------------------------------------------ batches
def evaluate(
    quantities: Sequence[Quantity], model: Any, eta: FloatArray, g: FloatArray
) -> dict[str, NDArray[Any]]:
    """Run every quantity on one batch; check and type its outputs (runs on workers)."""
    out: dict[str, NDArray[Any]] = {}
    for q in quantities:
        res = q.fn(model, eta, g)
        for o in q.outputs:
            if o.name not in res:
                raise ValueError(f"quantity {q.name!r} did not return output {o.name!r}")
            val = np.asarray(res[o.name], dtype=o.dtype)
            if val.ndim != 1 + len(o.dims) or val.shape[0] != eta.size:
                raise ValueError(
                    f"quantity {q.name!r} returned {o.name!r} with shape {val.shape} for "
                    f"{eta.size} points (expected {eta.size} x {len(o.dims)} extra dims)"
                )
            out[o.name] = val
    return out
