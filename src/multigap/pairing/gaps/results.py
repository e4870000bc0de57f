"""Result objects of the gap solver: one T = 0 / finite-T solution, a Delta(T) curve, ratios.

Every object states the rule for the chemical potential of its gaps (``mu_rule``:
"fixed_density" -- the density equation solved, mu renormalised -- or "fixed_mu" -- mu = mu0),
and which gap a number is (``fermi_gap``: the Fermi-surface average; ``spectral_gap``: the
minimum quasiparticle energy). Imports nothing from the solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MU_RULES",
    "RATIO_GAP_DEFINITION",
    "GapConvergenceError",
    "GapCurve",
    "GapRatios",
    "GapResult",
]

FloatArray = NDArray[np.float64]

#: The two rules for mu of a gap solution (and of the Tc it is compared with).
MU_RULES = ("fixed_density", "fixed_mu")

#: What ``GapRatios.ratio`` divides by k_B Tc (also the sweep's ``gap_definition`` attribute).
RATIO_GAP_DEFINITION = (
    "Fermi-surface gap where the subband has a Fermi surface at the renormalised mu, "
    "spectral gap min_k sqrt(xi^2 + Delta^2) where mu lies below its bottom"
)


class GapConvergenceError(RuntimeError):
    """The gap equation did not converge; the message names eta, g, T and the residual."""


@dataclass(frozen=True, eq=False)
class GapResult:
    """Solution of the gap equation (with or without the density equation) at one point.

    Attributes
    ----------
    eta, g : float
        Lifshitz parameter of the normal-state chemical potential mu0 and reduced resonant
        coupling.
    temperature : float
        K (0 for :func:`zero_temperature_gaps`).
    kz : ndarray, shape (n_kz,)
        The model's half-zone grid, 1/nm.
    gap : ndarray, shape (n_bands, n_kz)
        Delta_n(kz) on ``kz``, meV.
    coefficients : ndarray, shape (n_bands, Q)
        a_{n,q} of Delta_n(kz) = sum_q a_{n,q} cos(q kz d), meV (exact representation).
    fermi_gap : ndarray, shape (n_bands,)
        Each subband's gap averaged over its Fermi surface with the Fermi-surface DOS weight,
        <Delta_n>_FS = sum_q a_{n,q} rho_{n,q}(mu) / rho_{n,0}(mu) (meV), with rho_{n,q} the
        cos-projected DOS (:mod:`multigap.structure.pdos`) at the renormalised mu. Signed (an
        s+- state has gaps of both signs). When mu lies below the band bottom (no Fermi
        surface, e.g. in the BCS-BEC crossover) it is the order parameter at the band-bottom
        kz, *not* a gap a tunnelling experiment sees (that is ``spectral_gap``); when mu sits
        exactly at a band top (log-divergent DOS) it is the limit, the gap at the band-top kz.
    spectral_gap : ndarray, shape (n_bands,)
        The spectral (quasiparticle) gap E_g,n = min over (kx, kz) of the quasiparticle energy
        of subband n, meV (>= 0): sqrt(xi^2 + Delta_n(kz)^2) inside the pairing window
        ``|xi| < wc``, ``|xi|`` outside it. With a Fermi surface it is min over the Fermi surface of
        ``|Delta_n(kz)|`` (equal to ``|fermi_gap|`` up to the kz anisotropy of the gap on the Fermi
        surface); with mu below the band bottom E_a it is min_kz sqrt((E_n(kz) - mu)^2 +
        Delta_n(kz)^2) ~ sqrt((E_a - mu)^2 + Delta^2) (BCS-BEC side).
    fermi_surface : ndarray of bool, shape (n_bands,)
        False where the subband has no Fermi surface at mu.
    mu : float
        Renormalised chemical potential, meV (= mu0 with ``fixed_density=False``).
    mu0 : float
        E_L + eta Delta_E, meV: the normal-state T = 0 chemical potential that eta labels.
    density : float
        Electron density of the solution (both spins), 1/nm^2.
    target_density : float
        Normal-state T = 0 density at mu0, 1/nm^2, by the gap's own kz/kx quadrature (equal to
        the closed form :func:`multigap.density` to 1e-11 relative; equal to ``density`` within
        the tolerance when ``fixed_density``).
    fixed_density : bool
        Whether the density equation was solved.
    mu_rule : str
        "fixed_density" (density equation solved) or "fixed_mu" (mu = mu0): the rule of the
        gaps, and the Tc that a ratio with these gaps must use.
    superconducting : bool
        False when T >= Tc or when Tc is below the floor (``below_floor``): then the gaps are
        zero and mu is the normal-state one.
    below_floor : bool
        The linearised Tc is below ``model.numerics.t_floor``.
    tc : float
        A linearised Tc, K (0 below the floor), computed with the rule ``tc_mu_rule``. At T > 0
        it is the Tc of the gaps' own rule (it decides ``superconducting``); at T = 0 it only
        supplies the start and is the fixed-mu Tc. For ratios use :func:`gap_ratios`, which
        always pairs the gaps with the Tc of ``mu_rule``.
    tc_mu_rule : str
        The rule for mu of ``tc``.
    wc : tuple of float
        Cut-off per band, meV.
    iterations : int
        Residual evaluations of the nonlinear solver (0 in the normal state).
    converged : bool
        Always True for a returned result (non-convergence raises).
    residual : float
        ``max(max|a - K(a)| / max|a|, |n - n0| / n0)`` at the solution.
    period : float
        Superlattice period d, nm.
    """

    eta: float
    g: float
    temperature: float
    kz: FloatArray
    gap: FloatArray
    coefficients: FloatArray
    fermi_gap: FloatArray
    spectral_gap: FloatArray
    fermi_surface: NDArray[np.bool_]
    mu: float
    mu0: float
    density: float
    target_density: float
    fixed_density: bool
    mu_rule: str
    superconducting: bool
    below_floor: bool
    tc: float
    tc_mu_rule: str
    wc: tuple[float, ...]
    iterations: int
    converged: bool
    residual: float
    period: float

    def gap_at(self, kz: ArrayLike) -> FloatArray:
        """Delta_n(kz) at arbitrary wavevectors (1/nm), shape ``(n_bands, *kz.shape)``, meV."""
        k = np.asarray(kz, dtype=float)
        q = np.arange(self.coefficients.shape[1])
        cos = np.cos(k[..., None] * q * self.period)
        res: FloatArray = np.moveaxis(cos @ self.coefficients.T, -1, 0)
        return res


@dataclass(frozen=True, eq=False)
class GapCurve:
    """Gaps versus temperature (:func:`gap_curve`).

    Attributes
    ----------
    temperature : ndarray, shape (N,)
        K, as requested.
    fermi_gap : ndarray, shape (N, n_bands)
        Fermi-surface gaps, meV (0 at and above Tc).
    spectral_gap : ndarray, shape (N, n_bands)
        Spectral gaps, meV (see :class:`GapResult`; at and above Tc the normal-state
        ``min |xi|``, i.e. 0 for a subband with a Fermi surface).
    mu : ndarray, shape (N,)
        Chemical potential, meV.
    tc : float
        Linearised Tc at which the gaps close, K, with the rule ``mu_rule``.
    mu_rule : str
        "fixed_density" or "fixed_mu": the rule of the gaps and of ``tc``.
    results : tuple of GapResult
        The full solutions, in the order of ``temperature``.
    """

    temperature: FloatArray
    fermi_gap: FloatArray
    spectral_gap: FloatArray
    mu: FloatArray
    tc: float
    mu_rule: str
    results: tuple[GapResult, ...]


@dataclass(frozen=True, eq=False)
class GapRatios:
    """Gap ratios of one point (:func:`gap_ratios`); gaps and Tc share one rule for mu.

    Attributes
    ----------
    ratio : ndarray, shape (n_bands,)
        ``2 |Delta_n| / (k_B Tc)``, with Delta_n the Fermi-surface gap where subband n has a Fermi
        surface and the spectral gap where mu lies below its bottom (``gap``); NaN if Tc is
        below the floor.
    fermi_ratio, spectral_ratio : ndarray, shape (n_bands,)
        ``2 |fermi_gap| / (k_B Tc)`` and 2 spectral_gap / (k_B Tc) (both kept available).
    anisotropy : float
        Delta_r / Delta_{r-1} of ``gap`` (resonant subband over the one below; NaN when the
        resonant subband is the lowest or the one below has no gap).
    tc : float
        Linearised Tc, K (0 below the floor), computed with the rule ``mu_rule``.
    mu_rule : str
        "fixed_density" or "fixed_mu": the rule of both the gaps and ``tc``.
    gap_definition : str
        What ``gap`` and ``ratio`` are (see ``RATIO_GAP_DEFINITION``).
    gap : ndarray, shape (n_bands,)
        The gaps of ``ratio``, meV (magnitudes).
    fermi_gap, spectral_gap : ndarray, shape (n_bands,)
        meV (as in :class:`GapResult`).
    gaps : GapResult
        The T = 0 solution.
    """

    ratio: FloatArray
    fermi_ratio: FloatArray
    spectral_ratio: FloatArray
    anisotropy: float
    tc: float
    mu_rule: str
    gap_definition: str
    gap: FloatArray
    fermi_gap: FloatArray
    spectral_gap: FloatArray
    gaps: GapResult
