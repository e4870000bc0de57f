"""Entropy, electronic specific heat and the specific-heat jump of the multiband BCS state.

Per area, both spins, in units of k_B (SPEC §11):

    S = -2 k_B sum_n int d^2k/(2pi)^2 [f ln f + (1 - f) ln(1 - f)],   f = f(E_n),
    C = T dS/dT,
    gamma = (2 pi^2/3) k_B^2 sum_n N_n(mu)      (N_n per spin: C_N = gamma T at low T),

with E_n = sqrt(xi^2 + Delta_n(kz; T)^2) inside the pairing window and E = |xi| outside. The
entropy of one quasiparticle level is s(x) = ln(1 + e^-x) + x/(1 + e^x), x = E/k_BT (no
overflow). The zone integral is that of :mod:`multigap.pairing.response.quadrature` over
|xi| < wc + 40 k_B T (beyond it s < 1e-16), split at the window edges where the integrand
jumps.

Both phases are at fixed density (mu(T) at the normal-state T = 0 density of mu0), the gaps
from :func:`multigap.gaps_at_temperature` (superconducting below the fixed-density Tc, normal
above). C = T dS/dT by a central difference (step 1e-3 T; one-sided, second order, within
3 steps of Tc, on the side of T).

The jump Delta C / (gamma Tc): DeltaS(T) = S_s(T) - S_N(T), S_N the normal state continued
below Tc (mu_N(T) from the normal-state density), vanishes linearly at Tc; DeltaC = Tc
dDeltaS/dT at Tc-, from a quadratic through DeltaS at T = Tc (1 - eps), eps = 0.004, 0.008,
0.012 (the slope at Tc does not depend on the small offset between the gap solver's and the
table's Tc). One weak-coupling band gives 12/(7 zeta(3)) = 1.426 (BCS); bands at constant DOS
give 1.426 <psi^2>^2/<psi^4> (psi the gap structure at Tc, <.> the DOS-weighted band average;
H. Suhl, B. T. Matthias, L. R. Walker, Phys. Rev. Lett. 3, 552 (1959); V. A. Moskalenko (1959)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap.constants import KB
from multigap.pairing.response import quadrature as qd
from multigap.pairing.response.common import MU_CONVENTION, fixed_density_tc, solve_gaps

__all__ = [
    "HeatJump",
    "SpecificHeat",
    "entropy_of",
    "normal_dos",
    "specific_heat",
    "specific_heat_jump",
]

FloatArray = NDArray[np.float64]

#: Reach of the thermal tail beyond the window, in k_B T.
_TAIL = 40.0
#: Relative temperature step of the central difference.
_STEP = 1e-3
#: Relative distances below Tc at which the entropy difference is sampled for the jump.
_JUMP_EPS = (0.004, 0.008, 0.012)


def _level_entropy(x: FloatArray) -> FloatArray:
    """s(x) = -[f ln f + (1-f) ln(1-f)] at f = 1/(1 + e^x), x >= 0."""
    em = np.exp(-x)
    res: FloatArray = np.log1p(em) + x * em / (1.0 + em)
    return res


def entropy_of(
    model: Any,
    gaps: Any,
    *,
    scale: FloatArray | None = None,
    kz_order: int = qd.KZ_ORDER,
    kx_order: int = qd.KX_ORDER,
) -> FloatArray:
    """Entropy per band (k_B/nm^2, both spins) of a GapResult at its temperature.

    ``scale`` (n_bands,) meV overrides the energy width resolved around the Fermi point
    (default sqrt(max|Delta_n|^2 + (k_B T)^2)); a normal state compared with a superconducting
    one uses the same scale, so that their quadratures match.
    """
    nb = int(model.n_bands)
    st = qd.state_of(model, gaps)
    kt = st.kt
    if kt == 0.0:
        return np.zeros(nb)
    if not bool(gaps.superconducting):
        st = replace(st, coefficients=np.zeros_like(st.coefficients))
    wc = st.wc
    s = np.sqrt(st.gap_scale() ** 2 + kt**2) if scale is None else np.asarray(scale, float)
    reach = wc + _TAIL * kt
    levels = np.concatenate(
        [
            -reach[:, None],
            -wc[:, None],
            qd.graded_levels(np.minimum(s, kt), wc),
            wc[:, None],
            reach[:, None],
        ],
        axis=1,
    )
    kz = qd.kz_nodes(st, levels, st.mu + reach, kz_order)
    breaks = np.stack([-reach, -wc, np.zeros(nb), wc, reach], axis=1)[:, None, :]
    kx = qd.kx_nodes(st.c_x, kz.e, s[:, None], breaks, kx_order)
    inside = np.zeros(kx.xi.shape, dtype=bool)
    inside[:, :, 1:3, :] = True  # pieces between -wc and wc
    d = np.where(inside, kz.delta[..., None, None], 0.0)
    E = np.sqrt(kx.xi**2 + d * d)
    per_node = np.sum(kx.w * _level_entropy(E / kt), axis=(-2, -1))
    return 2.0 * qd.MEASURE * np.sum(kz.w * per_node, axis=1)


def normal_dos(model: Any, mu: float) -> FloatArray:
    """Partial normal-state DOS N_n(mu) per spin, 1/(meV nm^2) (:func:`multigap.dos`)."""
    from multigap.structure.pdos import dos

    return np.asarray(dos(model, np.array([float(mu)])).partial[:, 0], dtype=float)


@dataclass(frozen=True, eq=False)
class SpecificHeat:
    """Electronic specific heat C(T) of the fixed-density state (both phases).

    Attributes
    ----------
    temperature : ndarray (N,)
        K.
    value : ndarray (N,)
        C per area, k_B/nm^2.
    bands : ndarray (n_bands, N)
        Per-subband contributions, k_B/nm^2.
    entropy : ndarray (N,)
        S per area, k_B/nm^2.
    gamma : float
        Sommerfeld coefficient (2 pi^2/3) k_B sum_n N_n(mu) at the state's mu at Tc,
        k_B/(nm^2 K) (C_N -> gamma T at low T).
    tc : float
        Fixed-density Tc, K.
    superconducting : ndarray of bool (N,)
        T < Tc.
    mu_convention : str
        "fixed_density".
    """

    temperature: FloatArray
    value: FloatArray
    bands: FloatArray
    entropy: FloatArray
    gamma: float
    tc: float
    superconducting: NDArray[np.bool_]
    mu_convention: str = MU_CONVENTION


def _gamma(model: Any, mu: float) -> float:
    return float((2.0 * math.pi**2 / 3.0) * KB * normal_dos(model, mu).sum())


def specific_heat(model: Any, eta: float, g: float, T: ArrayLike) -> SpecificHeat:
    """Electronic specific heat C = T dS/dT (k_B/nm^2) at temperatures T (K, > 0).

    Below the fixed-density Tc the superconducting state, above it the normal one; the
    derivative is a central difference on the side of T near Tc (module docstring).
    """
    eta = check.finite("eta", eta)
    temps = np.atleast_1d(np.asarray(T, dtype=float)).reshape(-1)
    if temps.size == 0 or np.any(~np.isfinite(temps)) or np.any(temps <= 0.0):
        raise ValueError(f"T must be finite and > 0 K, got {T!r}")
    tc, _ = fixed_density_tc(model, eta, g)
    nb = int(model.n_bands)
    out = np.zeros((nb, temps.size))
    ent = np.zeros(temps.size)
    prev: Any = None
    for i in np.argsort(temps):
        t = float(temps[i])
        h = _STEP * t
        below = t < tc
        if tc > 0.0 and abs(t - tc) < 3.0 * h:
            sign = -1.0 if below else 1.0
            pts = [t, t + sign * h, t + 2.0 * sign * h]
            coef = np.array([-3.0, 4.0, -1.0]) * sign / (2.0 * h)
        else:
            pts = [t - h, t + h]
            coef = np.array([-1.0, 1.0]) / (2.0 * h)
        values = []
        for tp in pts:
            res = solve_gaps(model, eta, g, tp, initial=prev)
            if res.superconducting:
                prev = res
            values.append(entropy_of(model, res))
        stack = np.array(values)  # (len(pts), nb)
        out[:, i] = t * (coef @ stack)
        ent[i] = float(stack[0].sum()) if len(pts) == 3 else float(stack.mean(axis=0).sum())
    mu_tc = solve_gaps(model, eta, g, tc * (1.0 + 1e-6)).mu if tc > 0.0 else float("nan")
    gamma = _gamma(model, mu_tc) if tc > 0.0 else math.nan
    return SpecificHeat(
        temperature=temps,
        value=out.sum(axis=0),
        bands=out,
        entropy=ent,
        gamma=gamma,
        tc=tc,
        superconducting=temps < tc,
    )


@dataclass(frozen=True, eq=False)
class HeatJump:
    """Specific-heat jump at Tc.

    Attributes
    ----------
    ratio : float
        Delta C / (gamma Tc) (dimensionless; BCS 12/(7 zeta(3)) = 1.426); NaN below the floor.
    delta_c : float
        C_s(Tc-) - C_N(Tc+), k_B/nm^2.
    gamma : float
        Sommerfeld coefficient at the normal-state mu at Tc, k_B/(nm^2 K).
    tc : float
        Fixed-density Tc, K.
    band_ratio : ndarray (n_bands,)
        Each subband's share of Delta C over gamma Tc (they add up to ``ratio``).
    mu_convention : str
        "fixed_density".
    """

    ratio: float
    delta_c: float
    gamma: float
    tc: float
    band_ratio: FloatArray
    mu_convention: str = MU_CONVENTION


def specific_heat_jump(model: Any, eta: float, g: float) -> HeatJump:
    """Delta C / (gamma Tc) from the entropy of the multiband BCS state (module docstring)."""
    eta = check.finite("eta", eta)
    tc, below = fixed_density_tc(model, eta, g)
    nb = int(model.n_bands)
    if below or tc <= 0.0:
        return HeatJump(math.nan, math.nan, math.nan, 0.0, np.full(nb, math.nan))
    from multigap.structure.pdos import chemical_potential_at_temperature, density_at_temperature

    table = model.geometry.pdos
    prev: Any = None
    temps, diffs = [], []
    for eps in _JUMP_EPS:
        t = tc * (1.0 - eps)
        res = solve_gaps(model, eta, g, t, initial=prev)
        if not res.superconducting:
            raise RuntimeError(f"gaps vanish at T = {t} K < Tc = {tc} K (eta = {eta}, g = {g})")
        prev = res
        n_target = float(density_at_temperature(table, float(res.mu0), 0.0))
        mu_n = chemical_potential_at_temperature(table, n_target, t, xtol=1e-12)
        s = np.sqrt(qd.state_of(model, res).gap_scale() ** 2 + (KB * t) ** 2)
        normal = replace(res, mu=mu_n, superconducting=False)
        diffs.append(entropy_of(model, res, scale=s) - entropy_of(model, normal, scale=s))
        temps.append(t)
    x = np.array(temps) - tc
    slope = np.array([np.polyfit(x, np.array(diffs)[:, n], 2)[1] for n in range(nb)])
    mu_tc = solve_gaps(model, eta, g, tc * (1.0 + 1e-6)).mu
    gamma = _gamma(model, mu_tc)
    band_ratio = slope / gamma
    return HeatJump(
        ratio=float(band_ratio.sum()),
        delta_c=float(tc * slope.sum()),
        gamma=gamma,
        tc=tc,
        band_ratio=band_ratio,
    )
