"""Phase stiffness (superfluid weight), the BKT temperature and the London penetration depth.

Per area and both spins, for a in {x, z} (SPEC §11),

    J_aa = (hbar^2/4)(n_s/m)_aa = (1/2) sum_n int d^2k/(2pi)^2
           [ d_a^2 xi_n v_n^2 - (d_a xi_n)^2 (-df/dE_n) ],
    v_n^2 = (1 - (xi_n/E_n) tanh(E_n/2k_BT))/2,   E_n = sqrt(xi_n^2 + Delta_n(kz; T)^2),

with d_x^2 xi = 2 C_x, d_x xi = 2 C_x kx, and d_z xi, d_z^2 xi from the subband E_n(kz)
(Scalapino, White, Zhang, Phys. Rev. B 47, 7995 (1993); the BCS form of the London kernel).
Only intraband terms are kept: the interband (geometric, quantum-metric) terms are of order
Delta/|E_n - E_m| (Peotta, Torma, Nat. Commun. 6, 8739 (2015)), and here the gaps (<= 50 meV)
are small against the subband spacings (hundreds of meV), so they are neglected.

Method. The normal-state integrand d_a(d_a xi f(xi)) is a total derivative and integrates to
zero over the zone; it is subtracted, which leaves an integrand that vanishes outside the
pairing window (there Delta = 0, v^2 = f(xi), E = |xi|):

    J_aa = (1/2) sum_n int_window [ d_a^2 xi (v^2 - f(xi)) + (d_a xi)^2 (f'(E) - f'(xi)) ].

Hence J = 0 exactly in the normal state (T >= Tc). At T = 0 the f'(xi) term is a Fermi-surface
delta function done in closed form in kx, f'(E) = 0, and J_xx(0) = C_x n / 2 = hbar^2 n/(4 m_x)
for any gaps (n the density of the state). The quadrature is
:mod:`multigap.pairing.response.quadrature`.

The system is two dimensional (free along x, periodic along z): the Nelson-Kosterlitz jump
k_B T_BKT = (pi/2) sqrt(J_xx J_zz) at T_BKT (D. R. Nelson, J. M. Kosterlitz, Phys. Rev. Lett.
39, 1201 (1977); anisotropic form: the geometric mean of the stiffnesses). A stack of sheets with
stacking period s has lambda_aa^-2 = mu_0 e^2 (n_s/m)_aa / s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import constants as sc
from scipy import optimize, special

from multigap import validation as check
from multigap.constants import KB
from multigap.pairing.response import quadrature as qd
from multigap.pairing.response.common import (
    MU_CONVENTION,
    check_gaps,
    fixed_density_tc,
    solve_gaps,
)

__all__ = [
    "BKTResult",
    "LondonDepth",
    "Stiffness",
    "bkt_result",
    "bkt_temperature",
    "london_penetration_depth",
    "stiffness_of",
    "superfluid_stiffness",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Stiffness:
    """Phase stiffness J_aa = (hbar^2/4)(n_s/m)_aa of one state.

    Attributes
    ----------
    xx, zz : float
        J along the wires (x) and across them (z), meV (energy per area times area: the 2D
        stiffness; k_B T_BKT = (pi/2) sqrt(J_xx J_zz)).
    bands_xx, bands_zz : ndarray (n_bands,)
        Per-subband contributions, meV (they add up to ``xx``, ``zz``).
    temperature : float
        K.
    eta, g : float
        The point.
    mu : float
        Chemical potential of the state, meV (fixed-density convention).
    density : float
        Electron density of the state, 1/nm^2 (both spins).
    tc : float
        Fixed-density Tc, K (0 below the floor).
    superconducting : bool
        False at or above Tc (then J = 0).
    mu_convention : str
        "fixed_density": mu solved at the normal-state T = 0 density of mu0, at every T.
    """

    xx: float
    zz: float
    bands_xx: FloatArray
    bands_zz: FloatArray
    temperature: float
    eta: float
    g: float
    mu: float
    density: float
    tc: float
    superconducting: bool
    mu_convention: str = MU_CONVENTION


def stiffness_of(
    model: Any, gaps: Any, *, kz_order: int = qd.KZ_ORDER, kx_order: int = qd.KX_ORDER
) -> tuple[FloatArray, FloatArray]:
    """Per-band (J_xx, J_zz) in meV of a GapResult (its T, gaps and mu); zeros if normal."""
    nb = int(model.n_bands)
    if not bool(gaps.superconducting):
        return np.zeros(nb), np.zeros(nb)
    st = qd.state_of(model, gaps)
    kt, wc, cx = st.kt, st.wc, st.c_x
    gap = st.gap_scale()
    s_sc = np.sqrt(gap**2 + kt**2)
    s_min = np.minimum(s_sc, kt) if kt > 0.0 else s_sc
    levels = np.concatenate([-wc[:, None], qd.graded_levels(s_min, wc), wc[:, None]], axis=1)
    kz = qd.kz_nodes(st, levels, st.mu + wc, kz_order)
    breaks = np.stack([-wc, np.zeros(nb), wc], axis=1)[:, None, :]
    kx = qd.kx_nodes(cx, kz.e, s_sc[:, None], breaks, kx_order)
    xi = kx.xi
    d = kz.delta[..., None, None]
    E = np.maximum(np.sqrt(xi * xi + d * d), 1e-300)
    if kt > 0.0:
        v2 = 0.5 * (1.0 - xi / E * np.tanh(E / (2.0 * kt)))
        occ = special.expit(-xi / kt)
        fp_e = -qd.fermi_derivative(E, kt)
    else:
        v2 = 0.5 * (1.0 - xi / E)
        occ = (xi < 0.0).astype(float)
        fp_e = np.zeros_like(xi)
    kx2 = (2.0 * cx * kx.kx) ** 2
    dia = np.sum(kx.w * (v2 - occ), axis=(-2, -1))  # (nb, P)
    para_x = np.sum(kx.w * kx2 * fp_e, axis=(-2, -1))
    para_z = np.sum(kx.w * fp_e, axis=(-2, -1))
    fs_x, fs_z = _fermi_surface_terms(cx, kz.e, kt, wc, kx_order)
    half = 0.5 * qd.MEASURE
    jx = half * np.sum(kz.w * (2.0 * cx * dia + para_x + fs_x), axis=1)
    jz = half * np.sum(kz.w * (kz.d2e * dia + kz.de2 * (para_z + fs_z)), axis=1)
    return jx, jz


def _fermi_surface_terms(
    cx: float, e: FloatArray, kt: float, wc: FloatArray, order: int
) -> tuple[FloatArray, FloatArray]:
    """int_0^inf dkx (d_a xi)^2 (-f'(xi)) over the window: x gives the kx^2 weight, z the bare
    integral (times (dE/dkz)^2 by the caller). Closed form at T = 0 (delta function)."""
    if kt == 0.0:
        kf = np.sqrt(np.maximum(-e, 0.0) / cx)
        with np.errstate(divide="ignore"):
            z = np.where(kf > 0.0, 1.0 / (2.0 * cx * np.where(kf > 0, kf, 1.0)), 0.0)
        return 2.0 * cx * kf, z
    nb = e.shape[0]
    breaks = np.stack([-wc, np.zeros(nb), wc], axis=1)[:, None, :]
    kx = qd.kx_nodes(cx, e, np.full(e.shape, kt), breaks, order)
    fp = qd.fermi_derivative(kx.xi, kt)
    return (
        np.sum(kx.w * (2.0 * cx * kx.kx) ** 2 * fp, axis=(-2, -1)),
        np.sum(kx.w * fp, axis=(-2, -1)),
    )


def superfluid_stiffness(
    model: Any, eta: float, g: float, T: float = 0.0, *, gaps: Any = None
) -> Stiffness:
    """Phase stiffness J_xx, J_zz (meV) of the multiband BCS state at temperature T (K).

    Parameters
    ----------
    model : multigap.Model
    eta : float
        Lifshitz parameter of the normal-state mu0 (the gaps' convention).
    g : float
        Reduced resonant coupling, 0 <= g < 1/2.
    T : float
        Temperature, K (>= 0). At and above the fixed-density Tc, J = 0.
    gaps : GapResult, optional
        The fixed-density solution at (eta, g, T), to skip the solve.

    Returns
    -------
    Stiffness
        Method and accuracy: module docstring (J_xx(0) = hbar^2 n/(4 m_x) to ~1e-9).
    """
    eta = check.finite("eta", eta)
    T = check.non_negative("T", T, "K")
    if gaps is None:
        gaps = solve_gaps(model, eta, g, T)
    else:
        check_gaps(gaps, eta, float(g), T)
    tc, _ = (float(gaps.tc), False) if T > 0.0 else fixed_density_tc(model, eta, g)
    jx, jz = stiffness_of(model, gaps)
    return Stiffness(
        xx=float(jx.sum()),
        zz=float(jz.sum()),
        bands_xx=jx,
        bands_zz=jz,
        temperature=T,
        eta=eta,
        g=float(g),
        mu=float(gaps.mu),
        density=float(gaps.density),
        tc=tc,
        superconducting=bool(gaps.superconducting),
    )


@dataclass(frozen=True, eq=False)
class BKTResult:
    """Berezinskii-Kosterlitz-Thouless temperature of one point.

    Attributes
    ----------
    tbkt : float
        K: the root of k_B T = (pi/2) sqrt(J_xx(T) J_zz(T)) in (0, Tc); 0 below the floor.
    tc : float
        Mean-field (fixed-density) Tc, K.
    ratio : float
        T_BKT / Tc (NaN below the floor).
    xx, zz : float
        J at T_BKT, meV.
    xx0, zz0 : float
        J at T = 0, meV.
    below_floor : bool
        Tc below the floor: no superconductivity, T_BKT = 0.
    mu_convention : str
        "fixed_density".
    """

    tbkt: float
    tc: float
    ratio: float
    xx: float
    zz: float
    xx0: float
    zz0: float
    below_floor: bool
    mu_convention: str = MU_CONVENTION


def bkt_result(model: Any, eta: float, g: float, *, rtol: float = 1e-7) -> BKTResult:
    """T_BKT from the Nelson-Kosterlitz criterion with the T-dependent stiffness (K).

    Brent's method on F(T) = (pi/2) sqrt(J_xx J_zz)(T) - k_B T on (0, Tc): F(0) > 0 and
    F(Tc) = -k_B Tc < 0 (J vanishes at Tc). Each evaluation solves the gaps at T, started from
    the nearest solved temperature. ``rtol``: relative tolerance on T_BKT (default 1e-7).
    """
    eta = check.finite("eta", eta)
    rtol = check.in_range("rtol", rtol, 0.0, 1e-2, low_open=True)
    tc, below = fixed_density_tc(model, eta, g)
    if below or tc <= 0.0:
        return BKTResult(0.0, 0.0, math.nan, 0.0, 0.0, 0.0, 0.0, True)
    solved: dict[float, Any] = {}

    def state(T: float) -> Any:
        if T not in solved:
            start = None
            if solved and T > 0.0:
                near = min((t for t in solved if t > 0.0 or T > 0.0), key=lambda t: abs(t - T))
                start = solved[near] if solved[near].superconducting and near > 0 else None
            solved[T] = solve_gaps(model, eta, g, T, initial=start)
        return solved[T]

    def stiff(T: float) -> tuple[float, float]:
        jx, jz = stiffness_of(model, state(T))
        return float(jx.sum()), float(jz.sum())

    def F(T: float) -> float:
        jx, jz = stiff(T)
        return 0.5 * math.pi * math.sqrt(max(jx, 0.0) * max(jz, 0.0)) - KB * T

    jx0, jz0 = stiff(0.0)
    f_tc = -KB * tc
    # the bracket: (pi/2) sqrt(J J)(0) / k_B bounds T_BKT from above when J falls with T
    hi = min(tc, 0.5 * math.pi * math.sqrt(max(jx0 * jz0, 0.0)) / KB * 1.0001)
    if hi < tc and F(hi) > 0.0:
        hi = tc
    f_hi = F(hi) if hi < tc else f_tc
    if f_hi > 0.0:  # pragma: no cover - J(Tc) = 0 makes this impossible
        raise RuntimeError(f"no BKT root below Tc = {tc} K at eta = {eta}, g = {g}")
    tb = float(optimize.brentq(F, 0.0, hi, xtol=rtol * tc * 1e-3, rtol=rtol, maxiter=100))
    jx, jz = stiff(tb)
    return BKTResult(tb, tc, tb / tc, jx, jz, jx0, jz0, False)


def bkt_temperature(model: Any, eta: float, g: float) -> float:
    """T_BKT in kelvin (0.0 where Tc is below the floor); see :func:`bkt_result`."""
    return bkt_result(model, eta, g).tbkt


@dataclass(frozen=True, eq=False)
class LondonDepth:
    """London penetration depth of a stack of sheets (stacking period s).

    Attributes
    ----------
    xx, zz : float
        lambda for screening currents along x and along z, nm (inf where J = 0).
    stacking_period : float
        s, nm.
    stiffness : Stiffness
        The J it comes from.
    """

    xx: float
    zz: float
    stacking_period: float
    stiffness: Stiffness


def london_penetration_depth(
    model: Any, eta: float, g: float, T: float = 0.0, *, stacking_period: float, gaps: Any = None
) -> LondonDepth:
    """lambda_aa(T) = [mu_0 e^2 (n_s/m)_aa / s]^(-1/2) in nm, (n_s/m) = 4 J / hbar^2.

    Parameters
    ----------
    stacking_period : float
        Distance s between consecutive superconducting sheets of the stack, nm (> 0).
    Other parameters as :func:`superfluid_stiffness`.
    """
    s = check.positive("stacking_period", stacking_period, "nm")
    J = superfluid_stiffness(model, eta, g, T, gaps=gaps)

    def depth(j: float) -> float:
        if j <= 0.0:
            return math.inf
        ns_m = 4.0 * j * 1e-3 * sc.e / sc.hbar**2  # 1/(kg m^2) ... (n_s/m) per area, SI
        return 1e9 / math.sqrt(sc.mu_0 * sc.e**2 * ns_m / (s * 1e-9))

    return LondonDepth(depth(J.xx), depth(J.zz), s, J)
