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

Method
------
* **Density split.** n = n_N(mu, T) + delta_n, where n_N is the normal-state density
  (from the projected-DOS table, exact for its piecewise-linear DOS; the T = 0 reference
  density is the exact :func:`multigap.pdos.density`) and delta_n the window integral of
  occupation minus Fermi function, which is the only part that needs the 2D quadrature. The
  density equation is then n_N(mu, T) - n_N(mu0, 0) + delta_n = 0 (table errors cancel in the
  difference to ~1e-10 relative).
* **kz integrals** in the band energy u = E_n(kz) (the half zone [0, pi/d], times 2):
  dkz = |f'(u)| du / (d sqrt(1 - f(u)^2)), cos(q kz d) = T_q(f(u)) with f the half trace of
  the transfer matrix (explicit: no root finding). The band [a, b] is split at mu, mu +- wc and
  at geometrically graded levels mu +- s r^k between |Delta| and wc (they resolve the
  ln|E_n - mu| and the |Delta|-wide structure of the kx-integrated functions at the Fermi
  crossing); each piece uses u = u0 + L sin^2(theta) and Gauss-Legendre in theta, which makes
  the square-root behaviour at the band edges (1/sqrt(1 - f^2)) and at the window edges and
  Fermi crossing smooth. Only u < mu + wc contributes.
* **kx integrals** over the window with kx = kx_c + s_k sinh(v), centred on the Fermi point
  kx_c = sqrt(max(mu - E_n, 0)/C_x) with s_k the kx width of |xi| < max(|Delta|, k_B T), split
  at v = 0 (the Fermi point, where the normal occupation jumps), Gauss-Legendre in v on each
  side. Integrating in kx (not xi) keeps the van Hove 1/sqrt(xi - xi0) at kx = 0 out of the
  integrand.
* **Solver.** Powell's hybrid method (MINPACK ``hybrj`` via :func:`scipy.optimize.root`) on
  (a, mu - mu0) with the Jacobian in a exact (derivatives of the integrands on the same
  quadrature) and d/dmu by a finite difference; start from the leading eigenvector of the
  linearised equation at Tc (:func:`multigap.tc.tc_result`) scaled to the BCS gap
  1.764 k_B Tc tanh(1.74 sqrt(Tc/T - 1)). The quadrature is adapted to the gap scale of the
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

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special

from multigap import validation as check
from multigap.constants import KB, kinetic_coefficient
from multigap.pairing import couplings

__all__ = [
    "GapConvergenceError",
    "GapCurve",
    "GapRatios",
    "GapResult",
    "gap_curve",
    "gap_ratios",
    "gaps_at_temperature",
    "zero_temperature_gaps",
]

FloatArray = NDArray[np.float64]

#: Weak-coupling BCS ratio Delta(0) / (k_B Tc) = pi / e^gamma.
BCS_GAP_RATIO = math.pi / math.exp(0.57721566490153286060651209008240243)
#: Default Gauss-Legendre nodes per kz (energy) segment.
DEFAULT_KZ_ORDER = 16
#: Default Gauss-Legendre nodes per side of the Fermi point in kx.
DEFAULT_KX_ORDER = 32
#: Default tolerance: max |a - K(a)| / max |a| and |n - n0| / n0.
DEFAULT_TOL = 1e-10
#: Within this relative distance below Tc a solve that ends at Delta = 0 is the normal state.
NEAR_TC = 1e-3
#: Largest ratio between consecutive graded levels around mu.
_GRADING = 4.0
#: Most graded levels per side.
_MAX_LEVELS = 14


class GapConvergenceError(RuntimeError):
    """The gap equation did not converge; the message names eta, g, T and the residual."""


# ============================================================================ results
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
        cos-projected DOS (:mod:`multigap.pdos`) at the renormalised mu. When mu lies below the
        band bottom (no Fermi surface, e.g. in the BCS-BEC crossover) it is the gap at the
        band-bottom kz; when mu sits exactly at a band top (log-divergent DOS) it is the limit,
        the gap at the band-top kz. See ``fermi_surface``.
    fermi_surface : ndarray of bool, shape (n_bands,)
        False where the subband has no Fermi surface at mu (``fermi_gap`` is then the gap at
        its band bottom).
    mu : float
        Renormalised chemical potential, meV (= mu0 with ``fixed_density=False``).
    mu0 : float
        E_L + eta Delta_E, meV: the normal-state T = 0 chemical potential that eta labels.
    density : float
        Electron density of the solution (both spins), 1/nm^2.
    target_density : float
        Normal-state T = 0 density at mu0, 1/nm^2 (equal to ``density`` within the tolerance
        when ``fixed_density``).
    fixed_density : bool
        Whether the density equation was solved.
    superconducting : bool
        False when T >= Tc or when Tc is below the floor (``below_floor``): then the gaps are
        zero (no superconductivity above the floor; the T = 0 gap would be below
        1.764 k_B T_floor) and mu is the normal-state one.
    below_floor : bool
        The linearised Tc is below ``model.numerics.t_floor``.
    tc : float
        The linearised Tc, K (0 below the floor): at T = 0 with mu fixed at mu0 (it only
        supplies the start); at T > 0 with the rule for mu(T) that matches the gap equation
        ("fixed_density" or "fixed_mu"), where it decides ``superconducting``.
    wc : tuple of float
        Cut-off per band, meV.
    iterations : int
        Residual evaluations of the nonlinear solver (0 in the normal state).
    converged : bool
        Always True for a returned result (non-convergence raises).
    residual : float
        max( max|a - K(a)| / max|a|, |n - n0| / n0 ) at the solution.
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
    fermi_surface: NDArray[np.bool_]
    mu: float
    mu0: float
    density: float
    target_density: float
    fixed_density: bool
    superconducting: bool
    below_floor: bool
    tc: float
    wc: tuple[float, ...]
    iterations: int
    converged: bool
    residual: float
    period: float

    def gap_at(self, kz: ArrayLike) -> FloatArray:
        """Delta_n(kz) at arbitrary wavevectors (1/nm), shape (n_bands, *kz.shape), meV."""
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
    mu : ndarray, shape (N,)
        Chemical potential, meV.
    tc : float
        Linearised Tc at which the gaps close, K.
    results : tuple of GapResult
        The full solutions, in the order of ``temperature``.
    """

    temperature: FloatArray
    fermi_gap: FloatArray
    mu: FloatArray
    tc: float
    results: tuple[GapResult, ...]


@dataclass(frozen=True, eq=False)
class GapRatios:
    """Gap ratios of one point (:func:`gap_ratios`).

    Attributes
    ----------
    ratio : ndarray, shape (n_bands,)
        2 Delta_n / (k_B Tc) with Delta_n the T = 0 Fermi-surface gap; NaN if Tc is below the
        floor.
    anisotropy : float
        Delta_r / Delta_{r-1}: Fermi gap of the resonant subband over the one below (NaN when
        the resonant subband is the lowest).
    tc : float
        Linearised Tc, K (0 below the floor).
    fermi_gap : ndarray, shape (n_bands,)
        meV.
    gaps : GapResult
        The T = 0 solution.
    """

    ratio: FloatArray
    anisotropy: float
    tc: float
    fermi_gap: FloatArray
    gaps: GapResult


# ============================================================================ quadrature
@lru_cache(maxsize=32)
def _legendre01(order: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on [0, 1] (read-only)."""
    x, w = np.polynomial.legendre.leggauss(order)
    x, w = 0.5 * (x + 1.0), 0.5 * w
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


@dataclass(frozen=True, eq=False)
class _Setup:
    """Everything of one solve that does not change with (a, mu)."""

    lattice: Any
    bottoms: FloatArray  # (nb,) meV
    tops: FloatArray
    c_x: float  # hbar^2 / 2 m_x, meV nm^2
    n0: float  # 1 / (4 pi C_x), 1/(meV nm^2)
    period: float
    wc: FloatArray  # (nb,) meV
    A: FloatArray  # (nb Q, nb Q): g_{nn'} C^{nn'}_{qq'}
    n_bands: int
    n_modes: int
    kt: float  # k_B T, meV
    kz_order: int
    kx_order: int


@dataclass(frozen=True, eq=False)
class _Plan:
    """Gap scales that fix the graded levels and the kx widths of a quadrature."""

    scale: FloatArray  # (nb,) meV: s = sqrt(Delta_scale^2 + (k_B T)^2)
    levels: FloatArray  # (nb, 2K + 3) energies relative to mu, meV


def _make_plan(setup: _Setup, gap_scale: FloatArray) -> _Plan:
    s = np.sqrt(np.asarray(gap_scale, dtype=float) ** 2 + setup.kt**2)
    s = np.maximum(s, 1e-12 * setup.wc)
    wc = setup.wc
    ratio = np.maximum(wc / s, 1.0)
    k = int(np.clip(np.ceil(np.log(ratio.max()) / math.log(_GRADING)), 1, _MAX_LEVELS))
    steps = np.arange(k)[None, :] / k  # 0 .. (k-1)/k
    graded = np.minimum(s[:, None] * ratio[:, None] ** steps, wc[:, None])  # s .. < wc
    levels = np.concatenate(
        [-wc[:, None], -graded[:, ::-1], np.zeros((wc.size, 1)), graded, wc[:, None]], axis=1
    )
    return _Plan(s, levels)


@dataclass(frozen=True, eq=False)
class _Nodes:
    """Quadrature nodes in (n, kz) for one mu: band energies, kz weights, cosines."""

    e: FloatArray  # (nb, P) E_n - mu, meV
    wkz: FloatArray  # (nb, P) weights of int_0^{pi/d} dkz, 1/nm
    cos: FloatArray  # (nb, P, Q) cos(q kz d)


def _kz_nodes(setup: _Setup, plan: _Plan, mu: float) -> _Nodes:
    nb = setup.n_bands
    a, b = setup.bottoms, setup.tops
    hi = np.minimum(b, mu + setup.wc)  # only E_n < mu + wc contributes
    pts = np.concatenate([a[:, None], b[:, None], mu + plan.levels], axis=1)
    pts = np.sort(np.clip(pts, a[:, None], np.maximum(hi, a)[:, None]), axis=1)
    u0, length = pts[:, :-1], np.diff(pts, axis=1)  # (nb, S)
    th, wth = _legendre01(setup.kz_order)
    theta = 0.5 * math.pi * th
    sin2 = np.sin(theta) ** 2
    u = u0[..., None] + length[..., None] * sin2  # (nb, S, M)
    du = length[..., None] * (0.5 * math.pi * wth) * np.sin(2.0 * theta)
    live = np.broadcast_to(length[..., None] > 0.0, u.shape)
    mid = 0.5 * (a + b)[:, None, None]
    u_safe = np.where(live, u, mid)
    f, fp = setup.lattice.characteristic(u_safe)
    c = np.clip(np.asarray(f, dtype=float), -1.0, 1.0)
    sin_kd = np.sqrt(np.maximum((1.0 - c) * (1.0 + c), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.abs(np.asarray(fp, dtype=float)) / (setup.period * sin_kd)
    wkz = np.where(live & np.isfinite(jac), du * jac, 0.0)
    phase = np.arccos(c)  # kz d in [0, pi]
    q = np.arange(setup.n_modes)
    cos = np.cos(phase[..., None] * q)
    P = u.shape[1] * u.shape[2]
    return _Nodes(
        (u_safe - mu).reshape(nb, P), wkz.reshape(nb, P), cos.reshape(nb, P, setup.n_modes)
    )


@dataclass(frozen=True, eq=False)
class _Eval:
    residual_gap: FloatArray  # (nb Q,) a - A Y, meV
    delta_n: float  # window part of the density, 1/nm^2
    B: FloatArray | None  # (nb, Q, Q) dY/da per band
    dn_da: FloatArray | None  # (nb, Q)


def _evaluate(
    setup: _Setup, plan: _Plan, a: FloatArray, mu: float, *, derivatives: bool = False
) -> _Eval:
    """Gap-equation residual a - A Y(a, mu) and the window density delta_n (vectorised)."""
    nodes = _kz_nodes(setup, plan, mu)
    c_x, kT = setup.c_x, setup.kt
    e = nodes.e  # (nb, P)
    wc = setup.wc[:, None]
    delta = np.einsum("npq,nq->np", nodes.cos, a)  # (nb, P)
    # kx window and centre
    kc = np.sqrt(np.maximum(-e, 0.0) / c_x)
    k_lo = np.sqrt(np.maximum(-wc - e, 0.0) / c_x)
    k_hi = np.sqrt(np.maximum(wc - e, 0.0) / c_x)
    s_e = plan.scale[:, None]
    sk = np.sqrt((np.abs(e) + s_e) / c_x) - kc
    v_lo = np.arcsinh((k_lo - kc) / sk)  # <= 0
    v_hi = np.arcsinh((k_hi - kc) / sk)  # >= 0
    x, w = _legendre01(setup.kx_order)
    v = np.concatenate([v_lo[..., None] * x, v_hi[..., None] * x], axis=-1)  # (nb, P, 2I)
    wv = np.concatenate([-v_lo[..., None] * w, v_hi[..., None] * w], axis=-1)
    sh = np.sinh(v)
    dk = sk[..., None] * sh
    wkx = wv * sk[..., None] * np.cosh(v)
    xi = np.maximum(e, 0.0)[..., None] + c_x * dk * (2.0 * kc[..., None] + dk)
    d3 = delta[..., None]
    E = np.sqrt(xi * xi + d3 * d3)
    E = np.maximum(E, 1e-300)
    if kT > 0.0:
        z = E / (2.0 * kT)
        t = np.tanh(z)
        h = t / (2.0 * E)
        em = np.exp(-2.0 * z)
        sech2 = 4.0 * em / (1.0 + em) ** 2
        hp = sech2 / (4.0 * kT * E) - t / (2.0 * E * E)  # dh/dE
        occ = 0.5 - xi * h
        fermi = special.expit(-xi / kT)
    else:
        h = 0.5 / E
        hp = -0.5 / (E * E)
        occ = 0.5 - xi * h
        fermi = np.zeros_like(xi)
        fermi[..., : setup.kx_order] = 1.0  # left of the Fermi point (v < 0): xi < 0
    F = np.sum(wkx * d3 * h, axis=-1)  # (nb, P)  int_0^inf dkx Delta h
    pref = 1.0 / (math.pi**2 * setup.n0)
    wq = nodes.wkz[..., None] * nodes.cos  # (nb, P, Q)
    Y = pref * np.einsum("npq,np->nq", wq, F)
    res = a.reshape(-1) - setup.A @ Y.reshape(-1)
    dn = 2.0 / math.pi**2 * float(np.sum(nodes.wkz * np.sum(wkx * (occ - fermi), axis=-1)))
    B = dn_da = None
    if derivatives:
        dF = np.sum(wkx * (h + d3 * d3 * hp / E), axis=-1)  # d(Delta h)/dDelta
        B = pref * np.einsum("npq,np,npr->nqr", wq, dF, nodes.cos)
        docc = np.sum(wkx * (-xi * hp * d3 / E), axis=-1)
        dn_da = 2.0 / math.pi**2 * np.einsum("npq,np->nq", wq, docc)
    return _Eval(res, dn, B, dn_da)


# ============================================================================ problem set-up
def _validate(eta: float, g: float, T: float) -> tuple[float, float, float]:
    try:
        eta_v = check.finite("eta", eta)
    except ValueError:
        raise ValueError(f"eta must be a finite real number, got {eta!r}") from None
    couplings.validate_g(g)
    g_v = float(g)
    T_v = check.non_negative("T", T, "K")
    return eta_v, g_v, T_v


def _setup(model: Any, g: float, T: float, kz_order: int, kx_order: int) -> _Setup:
    geo = model.geometry
    sb = geo.subbands
    lat = model.lattice
    nb = int(model.n_bands)
    G = couplings.coupling_matrix(
        nb,
        int(model.resonant_band),
        g,
        background_coupling=model.background_coupling,
        interband=model.interband,
        interband_value=model.interband_value,
        coupling_matrix=model.coupling_matrix,
    )
    C = np.asarray(geo.overlaps.modes, dtype=float)
    C = 0.5 * (C + C.transpose(1, 0, 3, 2))
    Q = C.shape[-1]
    A = (G[:, :, None, None] * C).transpose(0, 2, 1, 3).reshape(nb * Q, nb * Q)
    wc = np.asarray(model.omega(g), dtype=float).reshape(nb)
    c_x = kinetic_coefficient(float(lat.mass_x))
    bottoms, tops = _polished_edges(lat, nb, np.asarray(sb.bottoms), np.asarray(sb.tops))
    return _Setup(
        lattice=lat,
        bottoms=bottoms,
        tops=tops,
        c_x=c_x,
        n0=1.0 / (4.0 * math.pi * c_x),
        period=float(lat.period),
        wc=wc,
        A=A,
        n_bands=nb,
        n_modes=Q,
        kt=KB * T,
        kz_order=check.integer("kz_order", kz_order, 4),
        kx_order=check.integer("kx_order", kx_order, 4),
    )


def _polished_edges(
    lat: Any, nb: int, bottoms: FloatArray, tops: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Band edges to rounding (Newton on f = +-1 at open gaps), as the DOS tables use."""
    try:
        from multigap.structure.pdos import _edges

        ed = _edges(lat, nb)
        return np.asarray(ed.bottom, dtype=float), np.asarray(ed.top, dtype=float)
    except (ImportError, AttributeError):  # pragma: no cover - pdos always ships
        return bottoms.astype(float), tops.astype(float)


def _check_window(model: Any, setup: _Setup, mu: float, eta: float, what: str) -> None:
    lowest = float(setup.bottoms[0])
    if mu <= lowest:
        raise ValueError(
            f"eta = {eta:.6g} puts {what} = {mu:.6g} meV at or below every subband (the lowest "
            f"bottom is {lowest:.6g} meV): there are no electrons"
        )
    nxt = float(getattr(model.geometry, "next_bottom", np.inf))
    top = mu + float(setup.wc.max())
    if top > nxt:
        raise ValueError(
            f"eta = {eta:.6g} puts the pairing window up to {top:.6g} meV ({what} = {mu:.6g} "
            f"meV), into subband {model.n_bands + 1} (bottom {nxt:.6g} meV) that the model "
            f"leaves out; lower eta or raise n_bands"
        )
    e_max = float(model.geometry.pdos.energy[-1])
    if top > e_max:
        raise ValueError(
            f"eta = {eta:.6g} puts the pairing window up to {top:.6g} meV, beyond the "
            f"projected-DOS table (up to {e_max:.6g} meV); raise Numerics.eta_max"
        )


def _table_density(model: Any, mu: float, T: float) -> float:
    from multigap.structure.pdos import density_at_temperature

    return float(density_at_temperature(model.geometry.pdos, mu, T))


def _normal_mu(model: Any, mu0: float, T: float, eta: float) -> float:
    """Normal-state mu(T) at the T = 0 density of mu0 (table density, Brent)."""
    if T == 0.0:
        return mu0
    target = _table_density(model, mu0, 0.0)
    span = 50.0 * KB * T + 1.0

    def f(m: float) -> float:
        return _table_density(model, m, T) - target

    lo, hi = mu0 - span, mu0 + span
    e_end = float(model.geometry.pdos.energy[-1])
    hi = min(hi, e_end)
    for _ in range(60):
        if f(lo) <= 0.0:
            break
        lo -= span
    if f(hi) < 0.0:
        raise ValueError(f"eta = {eta:.6g}: the normal-state mu at {T} K lies beyond the table")
    return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-15))


def _fermi_gaps(setup: _Setup, a: FloatArray, mu: float) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Fermi-surface average sum_q a_q rho_q(mu)/rho_0(mu) per band (see GapResult)."""
    from multigap.structure.pdos import projected_dos_values

    nb, Q = setup.n_bands, setup.n_modes
    rho = projected_dos_values(setup.lattice, np.array([mu]), nb, Q)[:, :, 0]  # (nb, Q)
    q = np.arange(Q)
    out = np.empty(nb)
    has_fs = np.ones(nb, dtype=bool)
    for n in range(nb):  # n_bands iterations, not k points
        f_bot, _ = setup.lattice.characteristic(np.array([setup.bottoms[n]]))
        phase_bot = 0.0 if float(np.asarray(f_bot)[0]) > 0.0 else math.pi
        phase_top = math.pi - phase_bot
        if mu <= setup.bottoms[n] or not rho[n, 0] > 0.0:
            has_fs[n] = False
            out[n] = float(a[n] @ np.cos(q * phase_bot))
        elif not np.all(np.isfinite(rho[n])):  # mu exactly at an open-gap band top
            out[n] = float(a[n] @ np.cos(q * phase_top))
        else:
            out[n] = float(a[n] @ rho[n]) / float(rho[n, 0])
    return out, has_fs


# ============================================================================ the solver
def _solve(
    model: Any,
    eta: float,
    g: float,
    T: float,
    *,
    fixed_density: bool,
    kz_order: int,
    kx_order: int,
    tol: float,
    maxiter: int,
    initial: FloatArray | None = None,
    initial_mu: float | None = None,
) -> GapResult:
    eta, g, T = _validate(eta, g, T)
    tol = check.in_range("tol", tol, 0.0, 1e-3, low_open=True)
    maxiter = check.integer("maxiter", maxiter, 1)
    fixed_density = bool(fixed_density)
    setup = _setup(model, g, T, kz_order, kx_order)
    sb = model.geometry.subbands
    r = int(model.resonant_band)
    mu0 = float(sb.edge(r) + eta * sb.width(r))
    _check_window(model, setup, mu0, eta, "mu0")
    from multigap.structure.pdos import density as exact_density

    target = float(exact_density(model.lattice, setup.n_bands, np.array([mu0]))[0])
    nb, Q = setup.n_bands, setup.n_modes

    # ---- linearised Tc and its eigenvector: the start, and the normal/superconducting decision
    from multigap.pairing.tc import tc_result

    # at T = 0 Tc only supplies the start (mu fixed: cheap); at T > 0 it decides whether the
    # point is superconducting, with the rule for mu(T) that matches the gap equation's
    rule = "fixed_density" if (fixed_density and T > 0.0) else "fixed_mu"
    tcr = tc_result(model, eta, g, chemical_potential=rule)
    tc = 0.0 if tcr.below_floor else float(tcr.tc)
    common: dict[str, Any] = {
        "eta": eta,
        "g": g,
        "temperature": T,
        "kz": np.asarray(sb.kz, dtype=float),
        "mu0": mu0,
        "target_density": target,
        "fixed_density": fixed_density,
        "below_floor": bool(tcr.below_floor),
        "tc": tc,
        "wc": tuple(float(x) for x in setup.wc),
        "period": setup.period,
    }

    def normal_state(iterations: int) -> GapResult:
        mu_n = _normal_mu(model, mu0, T, eta) if fixed_density else mu0
        zeros = np.zeros((nb, Q))
        dens = target + (
            _table_density(model, mu_n, T) - _table_density(model, mu0, 0.0) if T > 0 else 0.0
        )
        return GapResult(
            gap=np.zeros((nb, sb.kz.size)),
            coefficients=zeros,
            fermi_gap=np.zeros(nb),
            fermi_surface=mu_n > setup.bottoms,
            mu=mu_n,
            density=dens,
            superconducting=False,
            iterations=iterations,
            converged=True,
            residual=0.0,
            **common,
        )

    if tcr.below_floor or tc <= T:
        return normal_state(0)

    if initial is None:
        vec = np.asarray(tcr.leading_eigenvector, dtype=float).reshape(nb, Q)
        amp = BCS_GAP_RATIO * KB * tc
        if T > 0.0:
            amp *= math.tanh(1.74 * math.sqrt(max(tc / T - 1.0, 0.0)))
        a0 = vec * (amp / max(float(np.max(np.abs(vec[:, 0]))), 1e-300))
    else:
        a0 = np.asarray(initial, dtype=float).reshape(nb, Q)
    mu_start = float(initial_mu) if (initial_mu is not None and fixed_density) else mu0

    # density residual in meV: (n - n0) / (2 N(mu0))
    n_ref = 2.0 * max(
        float(np.interp(mu0, model.geometry.pdos.energy, model.geometry.pdos.total)),
        0.05 * setup.n0,
    )
    n0_table = _table_density(model, mu0, 0.0)
    label = f"eta = {eta:.6g}, g = {g:.6g}, T = {T:.6g} K"
    counter = [0]

    offset = [0.0]

    def density_residual(mu: float, dn: float) -> float:
        return (_table_density(model, mu, T) - n0_table + dn + offset[0]) / n_ref

    exact_cache: dict[float, float] = {}

    def _exact(mu: float) -> float:
        if mu not in exact_cache:
            exact_cache[mu] = float(exact_density(model.lattice, nb, np.array([mu]))[0])
        return exact_cache[mu]

    def _thermal(mu: float) -> float:
        if T == 0.0:
            return 0.0
        return _table_density(model, mu, T) - _table_density(model, mu, 0.0)

    def unpack(x: FloatArray) -> tuple[FloatArray, float]:
        if fixed_density:
            return x[:-1].reshape(nb, Q), mu0 + float(x[-1])
        return x.reshape(nb, Q), mu0

    def make_fun(plan: _Plan) -> tuple[Callable[..., Any], Callable[..., Any]]:
        def fun(x: FloatArray) -> FloatArray:
            counter[0] += 1
            a, mu = unpack(x)
            if fixed_density and not _mu_ok(model, setup, mu):
                return np.full(x.size, 1e10)
            ev = _evaluate(setup, plan, a, mu)
            if not fixed_density:
                return ev.residual_gap
            return np.append(ev.residual_gap, density_residual(mu, ev.delta_n))

        def jac(x: FloatArray) -> FloatArray:
            counter[0] += 1
            a, mu = unpack(x)
            ev = _evaluate(setup, plan, a, mu, derivatives=True)
            assert ev.B is not None and ev.dn_da is not None
            blocks = np.zeros((nb, Q, nb, Q))
            for n in range(nb):  # n_bands blocks
                blocks[n, :, n, :] = ev.B[n]
            J_aa = np.eye(nb * Q) - setup.A @ blocks.reshape(nb * Q, nb * Q)
            if not fixed_density:
                return J_aa
            J = np.zeros((nb * Q + 1, nb * Q + 1))
            J[:-1, :-1] = J_aa
            J[-1, :-1] = ev.dn_da.reshape(-1) / n_ref
            h = 1e-6 * max(float(setup.wc.min()), 1e-3)
            f0 = np.append(ev.residual_gap, density_residual(mu, ev.delta_n))
            x1 = x.copy()
            x1[-1] += h
            counter[0] += 1
            a1, mu1 = unpack(x1)
            ev1 = _evaluate(setup, plan, a1, mu1)
            f1 = np.append(ev1.residual_gap, density_residual(mu1, ev1.delta_n))
            J[:, -1] = (f1 - f0) / h
            return J

        return fun, jac

    def inner_norm(f: FloatArray, y: FloatArray) -> float:
        a, _ = unpack(y)
        res = _gap_norm(f[: nb * Q], a)
        if fixed_density:
            res = max(res, abs(float(f[-1])) * n_ref / target)
        return res

    # below this amplitude the iterate has collapsed onto the normal state; near Tc the BCS
    # start is already the right size, so a drop by 100 means Delta -> 0
    near_tc = (1.0 - NEAR_TC) * tc <= T
    floor = (1e-2 if near_tc else 1e-8) * float(np.max(np.abs(a0)))

    def stop(f: FloatArray, y: FloatArray) -> bool:
        a, _ = unpack(y)
        return inner_norm(f, y) <= 0.1 * tol or float(np.max(np.abs(a))) <= floor

    def scales(a: FloatArray) -> FloatArray:
        cosq = np.cos(np.outer(np.linspace(0.0, math.pi, 33), np.arange(Q)))
        per_band = np.max(np.abs(a @ cosq.T), axis=1)
        return np.maximum(per_band, 1e-3 * float(per_band.max()) + 1e-300)

    plan = _make_plan(setup, scales(a0))
    if fixed_density:  # start on the density surface: mu(a0) by a bracketed 1D root
        mu_start = _density_mu(
            lambda m: density_residual(m, _evaluate(setup, plan, a0, m).delta_n),
            mu_start,
            lambda m: _mu_ok(model, setup, m),
        )
    x = np.append(a0.reshape(-1), mu_start - mu0) if fixed_density else a0.reshape(-1)
    best: tuple[float, FloatArray, _Plan, float] | None = None
    for _ in range(6):  # rounds: re-plan the quadrature / correct the table density
        fun, jac = make_fun(plan)
        budget = maxiter - counter[0]
        if budget < 1:
            break
        x_new, ok = _newton(fun, jac, x, budget, stop)
        if not ok and maxiter - counter[0] >= 1:  # Powell's hybrid method as the fallback
            sol = optimize.root(
                fun,
                x,
                jac=jac,
                method="hybr",
                options={"xtol": 1e-13, "maxfev": maxiter - counter[0]},
            )
            x_new = np.asarray(sol.x, dtype=float)
        if not np.all(np.isfinite(x_new)):
            break
        a_new, mu_new = unpack(x_new)
        if fixed_density and not _mu_ok(model, setup, mu_new):
            break
        ev = _evaluate(setup, plan, a_new, mu_new)
        res = _gap_norm(ev.residual_gap, a_new)
        shift = 0.0
        if fixed_density:
            dens = _exact(mu_new) + ev.delta_n + _thermal(mu_new)
            res = max(res, abs(dens - target) / target)
            # the table density is exact only for its piecewise-linear DOS: move its target by
            # the discrepancy from the exact density at the current mu
            shift = (_exact(mu_new) - _table_density(model, mu_new, 0.0)) - (target - n0_table)
        if best is None or res < best[0]:
            best = (res, x_new, plan, res)
        new_scale = scales(a_new)
        ratio = new_scale / np.maximum(plan.scale, 1e-300)
        x = x_new
        if float(np.max(np.abs(a_new))) <= floor:
            break  # collapsed onto the normal state: not a solution below Tc
        plan_ok = bool(np.all((ratio > 0.5) & (ratio < 2.0)))
        if res <= tol and plan_ok:
            break
        offset[0] = shift
        if not plan_ok:
            plan = _make_plan(setup, new_scale)
    if best is None:
        raise GapConvergenceError(
            f"gap equation did not converge at {label} (no finite iterate after "
            f"{counter[0]} evaluations, maxiter = {maxiter})"
        )
    res, x, plan, _ = best
    a, mu = unpack(x)
    amp = float(np.max(np.abs(a)))
    collapsed = amp <= floor
    if collapsed and near_tc:
        # within NEAR_TC of the table Tc the 2D quadrature's own Tc may lie below T (they
        # agree to ~1e-5): Delta = 0 is then the solution, and the point is normal
        return normal_state(counter[0])
    if collapsed:
        raise GapConvergenceError(
            f"gap equation collapsed onto the normal state (Delta = 0) at {label} below Tc = "
            f"{tc:.6g} K after {counter[0]} evaluations (maxiter = {maxiter}); try a start "
            f"closer to the solution"
        )
    if not (res <= tol):
        raise GapConvergenceError(
            f"gap equation did not converge at {label}: residual {res:.3g} > tol {tol:.3g} "
            f"after {counter[0]} evaluations (maxiter = {maxiter}); try a larger maxiter"
        )
    ev = _evaluate(setup, plan, a, mu)
    dens = _exact(mu) + ev.delta_n + _thermal(mu)
    fermi, has_fs = _fermi_gaps(setup, a, mu)
    cos_grid = np.cos(np.outer(np.asarray(sb.kz, dtype=float) * setup.period, np.arange(Q)))
    return GapResult(
        gap=a @ cos_grid.T,
        coefficients=a,
        fermi_gap=fermi,
        fermi_surface=has_fs,
        mu=mu,
        density=float(dens),
        superconducting=True,
        iterations=counter[0],
        converged=True,
        residual=float(res),
        **common,
    )


def _newton(
    fun: Callable[[FloatArray], FloatArray],
    jac: Callable[[FloatArray], FloatArray],
    x: FloatArray,
    budget: int,
    done: Callable[[FloatArray, FloatArray], bool],
) -> tuple[FloatArray, bool]:
    """Newton's method with a backtracking line search on |F|; (x, converged).

    Stops when ``done(F(x), x)``; gives up (returning the best point) when the line search
    fails, a step is not finite, or ``budget`` evaluations are spent (a Jacobian counts 2).
    """
    f = fun(x)
    used = 1
    norm = float(np.linalg.norm(f))
    while used < budget:
        if np.all(np.isfinite(f)) and done(f, x):
            return x, True
        J = jac(x)
        used += 2
        try:
            step = np.linalg.solve(J, -f)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(J, -f, rcond=None)[0]
        if not np.all(np.isfinite(step)):
            return x, False
        t = 1.0
        while used < budget:
            trial = x + t * step
            ft = fun(trial)
            used += 1
            nt = float(np.linalg.norm(ft))
            if np.isfinite(nt) and nt <= (1.0 - 1e-4 * t) * norm:
                x, f, norm = trial, ft, nt
                break
            t *= 0.5
            if t < 1e-3:
                return x, False
    return x, bool(np.all(np.isfinite(f)) and done(f, x))


def _density_mu(resid: Callable[[float], float], mu: float, ok: Callable[[float], bool]) -> float:
    """Root of the (increasing) density residual in mu (meV), bracketed from ``mu``.

    ``resid`` is in meV (density mismatch over twice the DOS), so it is also the first step.
    Returns ``mu`` unchanged if no bracket is found (the caller's solver then starts there).
    """
    r0 = resid(mu)
    if r0 == 0.0:
        return mu
    step = 1.5 * abs(r0) + 1e-3
    direction = -1.0 if r0 > 0.0 else 1.0
    lo = hi = mu
    r_lo = r_hi = r0
    for _ in range(40):
        trial = (lo if direction < 0 else hi) + direction * step
        if not ok(trial):
            return mu
        rt = resid(trial)
        if direction < 0:
            lo, r_lo = trial, rt
            if rt <= 0.0:
                break
        else:
            hi, r_hi = trial, rt
            if rt >= 0.0:
                break
        step *= 2.0
    else:
        return mu
    if not (r_lo <= 0.0 <= r_hi):
        return mu
    return float(optimize.brentq(resid, lo, hi, xtol=1e-12 * max(1.0, abs(mu)), rtol=1e-15))


def _mu_ok(model: Any, setup: _Setup, mu: float) -> bool:
    nxt = float(getattr(model.geometry, "next_bottom", np.inf))
    e_max = float(model.geometry.pdos.energy[-1])
    return bool(np.isfinite(mu) and mu + float(setup.wc.max()) <= min(nxt, e_max) and mu > -1e6)


def _gap_norm(residual: FloatArray, a: FloatArray) -> float:
    """max |a - K(a)| / max |a|."""
    return float(np.max(np.abs(residual))) / max(float(np.max(np.abs(a))), 1e-300)


# ============================================================================ public API
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
    method in the module docstring).

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
        True (default): solve for mu at the normal-state T = 0 density of mu0 (BCS-BEC
        crossover near the band edge: mu may fall below E_L). False: mu = mu0.
    kz_order, kx_order : int
        Gauss-Legendre nodes per kz (energy) segment and per side of the Fermi point in kx.
        Defaults 16 and 32: Fermi gaps within ~1e-9 relative of doubled orders on the presets
        (measured: preset A, eta = 0, 0.5, 1, g = 0.25-0.49; tests/physics/test_gaps.py);
        8 and 16 still give ~1e-6.
    tol : float
        Convergence: max|a - K(a)| / max|a| and |n - n0| / n0 below ``tol`` (default 1e-10;
        the density is checked against the exact :func:`multigap.pdos.density`).
    maxiter : int
        Most residual evaluations of the nonlinear solver (default 200; a Jacobian counts
        two; a typical solve takes 7-20, 12.5 on average over the presets).

    Returns
    -------
    GapResult
        Gaps on the model's kz grid (meV), coefficients, Fermi-surface gaps, mu (meV), density
        (1/nm^2) and solver diagnostics. With Tc below ``model.numerics.t_floor`` the gaps are
        returned as zero with ``below_floor=True`` and ``superconducting=False`` (no
        superconductivity above the floor; the true gap is below 1.764 k_B T_floor).

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
    return _solve(
        model,
        eta,
        g,
        0.0,
        fixed_density=fixed_density,
        kz_order=kz_order,
        kx_order=kx_order,
        tol=tol,
        maxiter=maxiter,
    )


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
    mu0. At and above the linearised Tc (:func:`multigap.tc.tc_result` with
    ``chemical_potential`` = "fixed_density" or "fixed_mu" to match ``fixed_density``) the
    result is the normal state (zero gaps, ``superconducting=False``); the gaps close
    continuously there.

    Parameters
    ----------
    T : float
        Temperature, K (>= 0).
    initial : GapResult, optional
        A nearby solution to start from (e.g. the previous temperature of a curve).
    """
    a0 = None
    mu_init = None
    if initial is not None and initial.superconducting:
        a0 = np.asarray(initial.coefficients, dtype=float)
        mu_init = float(initial.mu)
    check.scalars(eta=eta, g=g)
    return _solve(
        model,
        eta,
        g,
        T,
        fixed_density=fixed_density,
        kz_order=kz_order,
        kx_order=kx_order,
        tol=tol,
        maxiter=maxiter,
        initial=a0,
        initial_mu=mu_init,
    )


def gap_curve(
    model: Any, eta: float, g: float, temperatures: ArrayLike, **options: Any
) -> GapCurve:
    """Fermi-surface gaps Delta_n(T) on a list of temperatures (K).

    Solves :func:`gaps_at_temperature` at each temperature, in increasing order, each one
    started from the previous solution scaled by the BCS shape tanh(1.74 sqrt(Tc/T - 1)).
    ``options`` are those of :func:`gaps_at_temperature` (not ``initial``). The gaps vanish at
    and above the linearised Tc.
    """
    temps = np.asarray(temperatures, dtype=float).reshape(-1)
    if temps.size == 0 or np.any(~np.isfinite(temps)) or np.any(temps < 0.0):
        raise ValueError(f"temperatures must be finite and >= 0 K, got {temperatures!r}")
    order = np.argsort(temps)
    results: list[GapResult | None] = [None] * temps.size
    prev: GapResult | None = None
    for i in order:  # one nonlinear solve per temperature
        T = float(temps[i])
        start = None
        if prev is not None and prev.superconducting and prev.tc > 0.0 and prev.tc > T:
            shape_new = _bcs_shape(T, prev.tc)
            shape_old = _bcs_shape(prev.temperature, prev.tc)
            factor = shape_new / shape_old if shape_old > 0 else 1.0
            start = _scaled(prev, factor)
        res = gaps_at_temperature(model, eta, g, T, initial=start, **options)
        results[i] = res
        prev = res
    done = tuple(r for r in results if r is not None)
    return GapCurve(
        temperature=temps,
        fermi_gap=np.array([r.fermi_gap for r in done]),
        mu=np.array([r.mu for r in done]),
        tc=float(done[0].tc),
        results=done,
    )


def _bcs_shape(T: float, tc: float) -> float:
    return math.tanh(1.74 * math.sqrt(max(tc / T - 1.0, 0.0))) if T > 0 else 1.0


def _scaled(res: GapResult, factor: float) -> GapResult:
    from dataclasses import replace

    return replace(res, coefficients=res.coefficients * factor)


def gap_ratios(model: Any, eta: float, g: float, **options: Any) -> GapRatios:
    """Gap ratios 2 Delta_n / (k_B Tc) per subband and Delta_r / Delta_{r-1} (SPEC §6).

    Delta_n is the T = 0 Fermi-surface gap of :func:`zero_temperature_gaps` (density equation
    on, unless ``fixed_density=False`` is passed in ``options``) and Tc the linearised critical
    temperature of :func:`multigap.tc.critical_temperature` with the model's own
    ``chemical_potential`` rule (the Tc every other part of the package reports). Weak-coupling
    single-band BCS gives 2 Delta / k_B Tc = 2 pi / e^gamma = 3.528.

    Returns
    -------
    GapRatios
        NaN ratios where Tc is below the floor.
    """
    from multigap.pairing.tc import critical_temperature

    res = zero_temperature_gaps(model, eta, g, **options)
    tc = float(critical_temperature(model, eta, g))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (
            2.0 * res.fermi_gap / (KB * tc) if tc > 0.0 else np.full(res.fermi_gap.shape, np.nan)
        )
    r = int(model.resonant_band) - 1
    below = res.fermi_gap[r - 1] if r >= 1 else 0.0
    aniso = float(res.fermi_gap[r] / below) if (r >= 1 and below != 0.0) else math.nan
    return GapRatios(
        ratio=np.asarray(ratio, dtype=float),
        anisotropy=aniso,
        tc=tc,
        fermi_gap=res.fermi_gap,
        gaps=res,
    )
