"""Superconducting gaps below Tc: the multiband gap equation joined to the density equation.

The gap depends on (n, kz) only (the interaction does not depend on kx) and, with the
superposition integrals truncated to Q cosine modes (``docs/internals.md`` §1), it is *exactly*
a cosine polynomial

    Delta_n(kz) = sum_{q<Q} a_{n,q} cos(q kz d).

The unknowns are the n_bands * Q coefficients a and the chemical potential mu. At temperature
T (SPEC §6)

    a_{n,q} = sum_{n'} g_{nn'} sum_{q'} C^{nn'}_{qq'} int_BZ dkz'/(2 pi) cos(q' kz' d)
              chi^Delta_{n'}(kz') Delta_{n'}(kz'),

    chi^Delta_n(kz) = (1/N0) int dkx/(2 pi) theta(wc - |xi|) tanh(E / 2 k_B T) / (2 E),

    xi = C_x kx^2 + E_n(kz) - mu,  E = sqrt(xi^2 + Delta_n(kz)^2),  N0 = 1 / (4 pi C_x),

and the electron density (both spins, per nm^2)

    n = 2 sum_n int_BZ dkz/(2 pi) int dkx/(2 pi) [ (1/2)(1 - (xi/E) tanh(E/2k_BT)) inside the
        window |xi| < wc,  f(xi) = 1/(1 + e^{xi/k_BT}) outside ]

is held at the normal-state T = 0 density of mu0 = E_L + eta Delta_E (eta labels the
normal-state chemical potential; the renormalised mu is an output). At T = 0 the tanh is 1 and
f is the step. With the density equation switched off (``fixed_density=False``) mu = mu0.

Conventions
-----------
Every result states its rule for mu (``mu_rule``: "fixed_density" or "fixed_mu"); a gap ratio
divides by the Tc of the same rule (:func:`gap_ratios`). Two gaps per subband are reported:
``fermi_gap`` (the Fermi-surface average of Delta_n(kz), the order parameter) and
``spectral_gap`` (min over k of the quasiparticle energy, what tunnelling sees; it differs from
the Fermi gap where mu lies below the band bottom).

Layout
------
:mod:`~multigap.pairing.gaps.quadrature` (nodes and the vectorised residual),
:mod:`~multigap.pairing.gaps.problem` (set-up, validation, Fermi and spectral gaps),
:mod:`~multigap.pairing.gaps.solver` (the nonlinear solve), :mod:`~multigap.pairing.gaps.api`
(public functions), :mod:`~multigap.pairing.gaps.results` (result objects). The package may
import structure (band edges, DOS tables), couplings and the public Tc functions.

Method
------
* **Density split.** n = n_N(mu, 0) + [n_N(mu, T) - n_N(mu, 0)] + delta_n: the normal-state
  T = 0 density (2/pi^2) sum_n int dkz kx_F(kz) on the same kz nodes as the gap equation
  (their segments end at mu, where kx_F has its square root), the thermal part of the
  normal-state density from the projected-DOS table (T > 0 only), and delta_n the window
  integral of occupation minus normal occupation, the only part that needs the 2D quadrature.
  The target n_N(mu0, 0) uses the same quadrature at mu0.
* **kz integrals** in the band energy u = E_n(kz) (the half zone [0, pi/d], times 2):
  dkz = |f'(u)| du / (d sqrt(1 - f(u)^2)), cos(q kz d) = T_q(f(u)) with f the half trace of
  the transfer matrix (explicit: no root finding). The band [a, b] is split at mu, mu +- wc and
  at geometrically graded levels mu +- s r^k between |Delta| and wc (they resolve the
  ln|E_n - mu| and the |Delta|-wide structure of the kx-integrated functions at the Fermi
  crossing); each piece uses u = u0 + L sin^2(theta) and Gauss-Legendre in theta, which makes
  the square-root behaviour at the band edges (1/sqrt(1 - f^2)) and at the window edges and
  Fermi crossing smooth. A piece that ends a small distance delta from a band edge (a window
  edge or mu just above a band bottom or below a band top) is cut further at the geometric
  points edge +- delta 4^k, so that no piece sees the 1/sqrt of the edge as a near-singularity
  (see :mod:`multigap.pairing.gaps.quadrature`). Only u < mu + wc contributes.
* **kx integrals** over the window with kx = kx_c + s_k sinh(v), centred on the Fermi point
  kx_c = sqrt(max(mu - E_n, 0)/C_x) with s_k the kx width of |xi| < max(|Delta|, k_B T), split
  at v = 0 (the Fermi point, where the normal occupation jumps), Gauss-Legendre in v on each
  side. Integrating in kx (not xi) keeps the van Hove 1/sqrt(xi - xi0) at kx = 0 out of the
  integrand.
* **Solver.** Newton with a line search, Powell's hybrid method (MINPACK ``hybrj`` via
  :func:`scipy.optimize.root`) as the fallback, on
  (a, mu - mu0) with the Jacobian in a exact (derivatives of the integrands on the same
  quadrature) and d/dmu by a finite difference; start from the leading eigenvector of the
  linearised equation at Tc (:func:`multigap.tc.tc_result`) scaled to the BCS gap
  1.764 k_B Tc tanh(1.74 sqrt(Tc/T - 1)) at mu0; should that fail, again with mu first moved
  onto the density surface by a few secant steps. The quadrature is adapted to the gap scale of the
  start and rebuilt (with a warm restart) if the solved gaps differ from it by more than a
  factor 2. A result is returned only when the residuals meet the tolerances; otherwise
  :class:`GapConvergenceError` names eta, g, T and the residual.

References
----------
A. Perali, A. Bianconi, A. Lanzara, N. L. Saini, Solid State Commun. 100, 181 (1996) (gaps of
a superlattice of quantum wires at the shape resonance); A. Bianconi, A. Valletta, A. Perali,
N. L. Saini, Solid State Commun. 102, 369 (1997); D. Innocenti, N. Poccia, A. Ricci,
A. Valletta, S. Caprara, A. Perali, A. Bianconi, Phys. Rev. B 82, 184528 (2010) (gap equation
joined to the density equation: BCS-BEC crossover near the band edge); A. J. Leggett, in
*Modern Trends in the Theory of Condensed Matter* (Springer, 1980) and M. Randeria et al.,
Phys. Rev. Lett. 62, 981 (1989) (the density equation in 2D); M. J. D. Powell, in *Numerical
Methods for Nonlinear Algebraic Equations* (1970) (hybrid method).
"""

from __future__ import annotations

from multigap.pairing.gaps.api import (
    DEFAULT_KX_ORDER,
    DEFAULT_KZ_ORDER,
    DEFAULT_TOL,
    gap_curve,
    gap_ratios,
    gaps_at_temperature,
    zero_temperature_gaps,
)
from multigap.pairing.gaps.results import (
    MU_RULES,
    RATIO_GAP_DEFINITION,
    GapConvergenceError,
    GapCurve,
    GapRatios,
    GapResult,
)
from multigap.pairing.gaps.solver import BCS_GAP_RATIO, NEAR_TC

__all__ = [
    "BCS_GAP_RATIO",
    "DEFAULT_KX_ORDER",
    "DEFAULT_KZ_ORDER",
    "DEFAULT_TOL",
    "MU_RULES",
    "NEAR_TC",
    "RATIO_GAP_DEFINITION",
    "GapConvergenceError",
    "GapCurve",
    "GapRatios",
    "GapResult",
    "gap_curve",
    "gap_ratios",
    "gaps_at_temperature",
    "zero_temperature_gaps",
]
