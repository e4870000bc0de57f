"""Public functions of the gap solver: T = 0 and finite-T gaps, Delta(T) curves, gap ratios."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from multigap import validation as check
from multigap.constants import KB
from multigap.pairing.gaps.results import (
    RATIO_GAP_DEFINITION,
    GapCurve,
    GapRatios,
    GapResult,
)
from multigap.pairing.gaps.solver import solve

__all__ = [
    "DEFAULT_KX_ORDER",
    "DEFAULT_KZ_ORDER",
    "DEFAULT_TOL",
    "gap_curve",
    "gap_ratios",
    "gaps_at_temperature",
    "zero_temperature_gaps",
]

#: Default Gauss-Legendre nodes per kz (energy) segment.
DEFAULT_KZ_ORDER = 16
#: Default Gauss-Legendre nodes per side of the Fermi point in kx.
DEFAULT_KX_ORDER = 32
#: Default tolerance: max |a - K(a)| / max |a| and |n - n0| / n0.
DEFAULT_TOL = 1e-10


def zero_temperature_gaps(
    model: Any,
    eta: float,
    g: float,
    *,
    fixed_density: bool = True,
    kz_order: int = DEFAULT_KZ_ORDER,
    kx_order: int = DEFAULT_KX_ORDER,
    tol: float = DEFAULT_TOL,
    maxiter: int = 200,
) -> GapResult:
    """Zero-temperature gaps Delta_n(kz) of every subband, with mu renormalised at fixed density.

    Solves the T = 0 multiband gap equation together with the density equation (SPEC §6;
    method in :mod:`multigap.pairing.gaps`). Any symmetric coupling matrix is allowed,
    including indefinite ones (repulsive or purely interband channels: s+- solutions have gaps
    of opposite signs).

    Parameters
    ----------
    model : multigap.Model
        Heterostructure, couplings and cut-off rules.
    eta : float
        Lifshitz parameter of the *normal-state* chemical potential mu0 = E_L + eta Delta_E of
        the resonant subband (dimensionless).
    g : float
        Reduced coupling of the resonant subband, 0 <= g < 1/2.
    fixed_density : bool
        True (default, ``mu_rule`` "fixed_density"): solve for mu at the normal-state T = 0
        density of mu0 (BCS-BEC crossover near the band edge: mu may fall below E_L). False
        ("fixed_mu"): mu = mu0.
    kz_order, kx_order : int
        Gauss-Legendre nodes per kz (energy) segment and per side of the Fermi point in kx.
        Defaults 16 and 32. Tested (tests/pairing/physics/test_gaps*.py): the closed-form
        free-band BCS-BEC crossover (Delta, mu) and the two-band SMW gaps within 1e-5 relative,
        also with a window edge 1e-5 wc from the band bottom (measured worst: 2e-9 and 1e-10);
        preset A and B gaps within 1e-6 of 4x finer orders where a window edge lies within
        1e-3 meV of a band edge (measured worst over 40 random such points: 2e-8), and within
        1e-6 of doubled orders in the middle of the dome.
    tol : float
        Convergence: ``max|a - K(a)| / max|a|`` and ``|n - n0| / n0`` below ``tol`` (default 1e-10;
        1e-14 <= tol <= 1e-3: a smaller residual is rounding).
    maxiter : int
        Most residual evaluations of the nonlinear solver (default 200; a Jacobian counts two).

    Returns
    -------
    GapResult
        Gaps on the model's kz grid (meV), coefficients, Fermi-surface and spectral gaps, mu
        (meV), density (1/nm^2), ``mu_rule`` and solver diagnostics. With Tc below
        ``model.numerics.t_floor`` the gaps are returned as zero with ``below_floor=True`` and
        ``superconducting=False``.

    Raises
    ------
    ValueError
        Bad input (non-finite eta, g outside [0, 1/2), windows outside the model's subbands).
    GapConvergenceError
        The solver did not reach ``tol`` within ``maxiter`` (the message names eta, g and the
        residual); no untrusted number is returned.

    References
    ----------
    A. Perali et al., Solid State Commun. 100, 181 (1996); D. Innocenti et al., Phys. Rev. B 82,
    184528 (2010).
    """
    check.scalars(eta=eta, g=g)
    options = {
        "fixed_density": fixed_density,
        "kz_order": kz_order,
        "kx_order": kx_order,
        "tol": tol,
        "maxiter": maxiter,
    }
    return solve(model, eta, g, 0.0, options)


def gaps_at_temperature(
    model: Any,
    eta: float,
    g: float,
    T: float,
    *,
    fixed_density: bool = True,
    kz_order: int = DEFAULT_KZ_ORDER,
    kx_order: int = DEFAULT_KX_ORDER,
    tol: float = DEFAULT_TOL,
    maxiter: int = 200,
    initial: GapResult | None = None,
) -> GapResult:
    """Gaps Delta_n(kz) at temperature T (K): tanh(E/2k_BT)/(2E) and Fermi occupations.

    Same equations and parameters as :func:`zero_temperature_gaps`, with the kernel
    tanh(E / 2 k_B T) / (2E) and the occupation (1/2)(1 - (xi/E) tanh(E/2k_BT)) in the window,
    the Fermi function outside it; the density is held at the normal-state *T = 0* density of
    mu0. At and above the linearised Tc of the same rule for mu (:func:`multigap.tc.tc_result`
    with ``chemical_potential`` = ``mu_rule``) the result is the normal state (zero gaps,
    ``superconducting=False``); the gaps close continuously there.

    Parameters
    ----------
    T : float
        Temperature, K (>= 0).
    initial : GapResult, optional
        A nearby solution to start from (e.g. the previous temperature of a curve).
    """
    check.scalars(eta=eta, g=g)
    a0 = None
    mu_init = None
    if initial is not None and initial.superconducting:
        a0 = np.asarray(initial.coefficients, dtype=float)
        mu_init = float(initial.mu)
    options = {
        "fixed_density": fixed_density,
        "kz_order": kz_order,
        "kx_order": kx_order,
        "tol": tol,
        "maxiter": maxiter,
    }
    return solve(model, eta, g, T, options, initial=a0, initial_mu=mu_init)


def gap_curve(
    model: Any, eta: float, g: float, temperatures: ArrayLike, **options: Any
) -> GapCurve:
    """Fermi-surface and spectral gaps Delta_n(T) on a list of temperatures (K).

    Solves :func:`gaps_at_temperature` at each temperature, in increasing order, each one
    started from the previous solution scaled by the BCS shape tanh(1.74 sqrt(Tc/T - 1)).
    ``options`` are those of :func:`gaps_at_temperature` (not ``initial``). The gaps vanish at
    and above the linearised Tc of the curve's rule for mu (``GapCurve.mu_rule``).
    """
    from multigap.pairing.tc import critical_temperature

    temps = np.asarray(temperatures, dtype=float).reshape(-1)
    if temps.size == 0 or np.any(~np.isfinite(temps)) or np.any(temps < 0.0):
        raise ValueError(f"temperatures must be finite and >= 0 K, got {temperatures!r}")
    order = np.argsort(temps)
    results: list[GapResult | None] = [None] * temps.size
    prev: GapResult | None = None
    tc = math.nan
    for i in order:  # one nonlinear solve per temperature
        T = float(temps[i])
        start = None
        if prev is not None and prev.superconducting and tc > T:
            shape_new = _bcs_shape(T, tc)
            shape_old = _bcs_shape(prev.temperature, tc)
            factor = shape_new / shape_old if shape_old > 0 else 1.0
            start = replace(prev, coefficients=prev.coefficients * factor)
        res = gaps_at_temperature(model, eta, g, T, initial=start, **options)
        if T > 0.0 or res.tc_mu_rule == res.mu_rule:
            tc = float(res.tc)  # the Tc of the gaps' own rule
        results[i] = res
        prev = res
    done = tuple(r for r in results if r is not None)
    rule = done[0].mu_rule
    if math.isnan(tc):
        tc = float(critical_temperature(model, eta, g, chemical_potential=rule))
    return GapCurve(
        temperature=temps,
        fermi_gap=np.array([r.fermi_gap for r in done]),
        spectral_gap=np.array([r.spectral_gap for r in done]),
        mu=np.array([r.mu for r in done]),
        tc=tc,
        mu_rule=rule,
        results=done,
    )


def _bcs_shape(T: float, tc: float) -> float:
    return math.tanh(1.74 * math.sqrt(max(tc / T - 1.0, 0.0))) if T > 0 else 1.0


def gap_ratios(model: Any, eta: float, g: float, **options: Any) -> GapRatios:
    """Gap ratios 2 Delta_n / (k_B Tc) per subband and Delta_r / Delta_{r-1} (SPEC §6).

    One convention per number: the T = 0 gaps of :func:`zero_temperature_gaps` (density
    equation on unless ``fixed_density=False`` is passed in ``options``) are divided by the
    linearised Tc of :func:`multigap.tc.critical_temperature` computed with the *same* rule for
    mu (``chemical_potential`` = the gaps' ``mu_rule``: fixed-density gaps with the
    fixed-density Tc, fixed-mu gaps with the fixed-mu Tc), whatever the model's own
    ``chemical_potential``.

    Delta_n is the Fermi-surface gap |fermi_gap| where subband n has a Fermi surface at the
    renormalised mu, and the spectral gap (the minimum quasiparticle energy,
    sqrt((E_edge - mu)^2 + Delta^2) near the band bottom) where mu lies below its bottom: there
    the order parameter at the band bottom is no excitation gap, the spectral gap is what
    tunnelling measures. Both ratios stay available (``fermi_ratio``, ``spectral_ratio``).
    Weak-coupling single-band BCS gives 2 Delta / k_B Tc = 2 pi / e^gamma = 3.528.

    Returns
    -------
    GapRatios
        NaN ratios where Tc is below the floor.
    """
    from multigap.pairing.tc import critical_temperature

    res = zero_temperature_gaps(model, eta, g, **options)
    tc = float(critical_temperature(model, eta, g, chemical_potential=res.mu_rule))
    fermi = np.abs(res.fermi_gap)
    gap = np.where(res.fermi_surface, fermi, res.spectral_gap)
    scale = 2.0 / (KB * tc) if tc > 0.0 else math.nan
    r = int(model.resonant_band) - 1
    below = float(gap[r - 1]) if r >= 1 else 0.0
    aniso = float(gap[r] / below) if (r >= 1 and below != 0.0) else math.nan
    return GapRatios(
        ratio=np.asarray(scale * gap, dtype=float),
        fermi_ratio=np.asarray(scale * fermi, dtype=float),
        spectral_ratio=np.asarray(scale * res.spectral_gap, dtype=float),
        anisotropy=aniso,
        tc=tc,
        mu_rule=res.mu_rule,
        gap_definition=RATIO_GAP_DEFINITION,
        gap=gap,
        fermi_gap=res.fermi_gap,
        spectral_gap=res.spectral_gap,
        gaps=res,
    )
