"""Set-up of one gap problem and the observables of a solution (Fermi and spectral gaps).

Builds the :class:`~multigap.pairing.gaps.quadrature.Setup` of a model (couplings times cosine
modes, band edges, cut-offs), validates the input, and evaluates the per-band gaps of a solved
coefficient set. Imports the model's geometry (structure) and couplings, never the solver.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from multigap import validation as check
from multigap.constants import KB, kinetic_coefficient
from multigap.pairing import couplings
from multigap.pairing.gaps.quadrature import Setup

__all__ = [
    "check_window",
    "fermi_gaps",
    "make_setup",
    "mu_allowed",
    "normal_mu",
    "spectral_gaps",
    "table_density",
    "validate",
]

FloatArray = NDArray[np.float64]


def validate(eta: float, g: float, T: float) -> tuple[float, float, float]:
    """eta finite, 0 <= g < 1/2, T >= 0 K (one line naming the bad parameter)."""
    try:
        eta_v = check.finite("eta", eta)
    except ValueError:
        raise ValueError(f"eta must be a finite real number, got {eta!r}") from None
    couplings.validate_g(g)
    g_v = float(g)
    T_v = check.non_negative("T", T, "K")
    return eta_v, g_v, T_v


def make_setup(model: Any, g: float, T: float, kz_order: int, kx_order: int) -> Setup:
    """The (a, mu)-independent part of a solve: A = G o C, edges, cut-offs, k_B T, orders."""
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
        coupling_scale=model.coupling_scale,
    )
    C = np.asarray(geo.overlaps.modes, dtype=float)
    C = 0.5 * (C + C.transpose(1, 0, 3, 2))
    Q = C.shape[-1]
    A = (G[:, :, None, None] * C).transpose(0, 2, 1, 3).reshape(nb * Q, nb * Q)
    wc = np.asarray(model.omega(g), dtype=float).reshape(nb)
    c_x = kinetic_coefficient(float(lat.mass_x))
    bottoms, tops = _polished_edges(lat, nb, np.asarray(sb.bottoms), np.asarray(sb.tops))
    return Setup(
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


def check_window(model: Any, setup: Setup, mu: float, eta: float, what: str) -> None:
    """Refuse a mu with no electrons or whose window reaches beyond the model's subbands."""
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


def mu_allowed(model: Any, setup: Setup, mu: float) -> bool:
    """Whether an iterate's mu keeps the window inside the model (and is finite)."""
    nxt = float(getattr(model.geometry, "next_bottom", np.inf))
    e_max = float(model.geometry.pdos.energy[-1])
    return bool(np.isfinite(mu) and mu + float(setup.wc.max()) <= min(nxt, e_max) and mu > -1e6)


def table_density(model: Any, mu: float, T: float) -> float:
    """Normal-state density at (mu, T) from the projected-DOS table, 1/nm^2."""
    from multigap.structure.pdos import density_at_temperature

    return float(density_at_temperature(model.geometry.pdos, mu, T))


def normal_mu(model: Any, mu0: float, T: float, eta: float) -> float:
    """Normal-state mu(T) at the T = 0 density of mu0 (table density, Brent), meV."""
    if T == 0.0:
        return mu0
    target = table_density(model, mu0, 0.0)
    span = 50.0 * KB * T + 1.0

    def f(m: float) -> float:
        return table_density(model, m, T) - target

    lo, hi = mu0 - span, mu0 + span
    hi = min(hi, float(model.geometry.pdos.energy[-1]))
    for _ in range(60):
        if f(lo) <= 0.0:
            break
        lo -= span
    if f(hi) < 0.0:
        raise ValueError(f"eta = {eta:.6g}: the normal-state mu at {T} K lies beyond the table")
    return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-15))


def _edge_phases(setup: Setup, n: int) -> tuple[float, float]:
    """kz d at the bottom and at the top of band n (0 or pi)."""
    f_bot, _ = setup.lattice.characteristic(np.array([setup.bottoms[n]]))
    phase_bot = 0.0 if float(np.asarray(f_bot)[0]) > 0.0 else math.pi
    return phase_bot, math.pi - phase_bot


def fermi_gaps(setup: Setup, a: FloatArray, mu: float) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Fermi-surface average sum_q a_q rho_q(mu)/rho_0(mu) per band, and which bands have a
    Fermi surface (see :class:`~multigap.pairing.gaps.results.GapResult`)."""
    from multigap.structure.pdos import projected_dos_values

    nb, Q = setup.n_bands, setup.n_modes
    rho = projected_dos_values(setup.lattice, np.array([mu]), nb, Q)[:, :, 0]  # (nb, Q)
    q = np.arange(Q)
    out = np.empty(nb)
    has_fs = np.ones(nb, dtype=bool)
    for n in range(nb):  # n_bands iterations, not k points
        phase_bot, phase_top = _edge_phases(setup, n)
        if mu <= setup.bottoms[n] or not rho[n, 0] > 0.0:
            has_fs[n] = False
            out[n] = float(a[n] @ np.cos(q * phase_bot))
        elif not np.all(np.isfinite(rho[n])):  # mu exactly at an open-gap band top
            out[n] = float(a[n] @ np.cos(q * phase_top))
        else:
            out[n] = float(a[n] @ rho[n]) / float(rho[n, 0])
    return out, has_fs


#: Samples per band and zoom rounds of the spectral-gap search.
_SPECTRAL_SAMPLES = 129
_SPECTRAL_ROUNDS = 6


def spectral_gaps(setup: Setup, a: FloatArray, mu: float) -> FloatArray:
    """E_g,n = min over (kx, kz) of the quasiparticle energy of band n, meV.

    At fixed kz the smallest |xi| is x = max(E_n(kz) - mu, 0) (at the Fermi point or at
    kx = 0), so E_g,n = min over the band energy u in [a_n, b_n] of sqrt(x^2 + Delta_n^2)
    inside the window (x < wc_n) and x outside it, with Delta_n at kz(u) = arccos(f(u))/d
    (explicit). The minimum is searched on 129 samples per band uniform in the kz-like angle
    psi (u = a + (b - a) sin^2 psi), then zoomed six times onto the best sample's neighbours
    (33 samples each; the bracket shrinks 16-fold per round), all bands in one vectorised
    evaluation per round. Tested against sqrt(mu^2 + Delta^2) below the bottom of a free band
    and against |Delta| with a Fermi surface (1e-5 relative).
    """
    nb, Q = setup.n_bands, setup.n_modes
    q = np.arange(Q)
    lo, hi = setup.bottoms[:, None], setup.tops[:, None]
    wc = setup.wc[:, None]

    def energy(psi: FloatArray) -> FloatArray:  # (nb, S) -> (nb, S)
        u = lo + (hi - lo) * np.sin(psi) ** 2
        f, _ = setup.lattice.characteristic(u.reshape(-1))
        phase = np.arccos(np.clip(np.asarray(f, dtype=float), -1.0, 1.0)).reshape(u.shape)
        delta = np.einsum("nsq,nq->ns", np.cos(phase[..., None] * q), a)
        x = np.maximum(u - mu, 0.0)
        res: FloatArray = np.where(x < wc, np.sqrt(x * x + delta * delta), x)
        return res

    psi = np.broadcast_to(
        np.linspace(0.0, 0.5 * math.pi, _SPECTRAL_SAMPLES), (nb, _SPECTRAL_SAMPLES)
    )
    best = np.full(nb, np.inf)
    rows = np.arange(nb)
    for _ in range(_SPECTRAL_ROUNDS + 1):
        vals = energy(psi)
        i = np.argmin(vals, axis=1)
        best = np.minimum(best, vals[rows, i])
        left = psi[rows, np.maximum(i - 1, 0)]
        right = psi[rows, np.minimum(i + 1, psi.shape[1] - 1)]
        psi = left[:, None] + (right - left)[:, None] * np.linspace(0.0, 1.0, 33)[None, :]
    out: FloatArray = best
    return out
