"""Shared (kz, kx) quadrature of the response functions of the multiband BCS state.

Every response function is an integral over the 2D zone of a function of
xi = C_x kx^2 + E_n(kz) - mu and Delta_n(kz),

    int_BZ dkz/(2 pi) int dkx/(2 pi) F = (1/pi^2) int_0^{pi/d} dkz int_0^inf dkx F

(F even in kx and kz). The two integrals are done as the gap solver does
(:mod:`multigap.pairing.gaps`, module docstring), with the same geometry:

* **kz** in the band energy u = E_n(kz) on [bottom_n, top_n]: dkz = |f'(u)| du / (d sin(kz d)),
  cos(kz d) = f(u) (f the half trace of the transfer matrix, ``lattice.characteristic``), split
  at breakpoints (mu, mu +- wc, geometrically graded levels around mu between the smallest
  energy scale and wc, levels graded towards both band edges, and any the caller adds) and
  mapped u = u0 + L sin^2(theta) on each piece, Gauss-Legendre in theta. The map makes the
  square roots at band edges, at the Fermi crossing and at the window edges smooth. The band
  curvature is d^2E/dkz^2 = d^2 E_phph with E_ph = -sin(ph)/f', E_phph = (-cos(ph) - f''
  E_ph^2)/f' (ph = kz d; f'' by a central difference of the exact complex-step f').
* **kx** between energy breakpoints xi_b (the window edges, the Fermi point xi = 0, ...) with
  kx = kx_F + s_k sinh(v), centred on the Fermi point kx_F = sqrt(max(mu - E_n, 0)/C_x), s_k the kx
  width of the energy scale s (|Delta| or k_B T), Gauss-Legendre in v on each piece. Integrating
  in kx, not xi, keeps the van Hove 1/sqrt(xi - xi0) at kx = 0 out of the integrand, so a
  band bottom within k_B T or Delta of mu costs nothing extra.

Accuracy (tests/pairing/physics/test_response_convergence.py): with the defaults (16 nodes per
kz piece, 32 per kx piece) the stiffness, entropy and densities agree with doubled orders to
1e-8 relative on the presets (Fermi crossing, band top inside the window, mu below the resonant
bottom), the tunnelling DOS to 1e-6 and the pair size to 1e-5 (measured 2.4e-6). The rounding
of 1 - f(u)^2 near band edges limits the absolute accuracy to ~1e-10 relative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from multigap.constants import KB, kinetic_coefficient
from multigap.pairing.gaps.quadrature import legendre01

FloatArray = NDArray[np.float64]

#: Default Gauss-Legendre nodes per kz (energy) piece.
KZ_ORDER = 16
#: Default Gauss-Legendre nodes per kx piece.
KX_ORDER = 32
#: Ratio between consecutive graded levels around mu.
_GRADING = 4.0
#: Graded levels towards each band edge (down to 4^-6 of the band width; finer levels meet
#: the rounding of 1 - f^2).
_EDGE_LEVELS = 6
#: 1/pi^2: the measure of int d^2k/(2 pi)^2 over the positive quadrant.
MEASURE = 1.0 / math.pi**2


@dataclass(frozen=True, eq=False)
class State:
    """The BCS state of one point, as the quadrature needs it.

    Attributes
    ----------
    lattice : Superlattice
    bottoms, tops : ndarray (n_bands,)
        Band edges, meV.
    c_x : float
        hbar^2 / (2 m_x), meV nm^2.
    period : float
        d, nm.
    wc : ndarray (n_bands,)
        Cut-off per band, meV.
    coefficients : ndarray (n_bands, Q)
        Delta_n(kz) = sum_q a_{n,q} cos(q kz d), meV.
    mu : float
        Chemical potential of the state (renormalised), meV.
    kt : float
        k_B T, meV.
    """

    lattice: Any
    bottoms: FloatArray
    tops: FloatArray
    c_x: float
    period: float
    wc: FloatArray
    coefficients: FloatArray
    mu: float
    kt: float

    @property
    def n_bands(self) -> int:
        """Number of subbands."""
        return int(self.bottoms.size)

    def gap_scale(self) -> FloatArray:
        """max_kz |Delta_n(kz)| per band, meV (on 65 points of the half zone)."""
        q = np.arange(self.coefficients.shape[1])
        cos = np.cos(np.outer(np.linspace(0.0, math.pi, 65), q))
        return np.asarray(np.max(np.abs(self.coefficients @ cos.T), axis=1), dtype=float)


def state_of(model: Any, gaps: Any, temperature: float | None = None) -> State:
    """:class:`State` of a :class:`multigap.GapResult` (its gaps, mu, cut-offs, temperature).

    Uses only public fields of the result (``coefficients``, ``mu``, ``wc``, ``temperature``).
    """
    lat = model.lattice
    nb = int(model.n_bands)
    bottoms, tops = lat.band_edges(nb)
    T = float(gaps.temperature if temperature is None else temperature)
    return State(
        lattice=lat,
        bottoms=np.asarray(bottoms, dtype=float),
        tops=np.asarray(tops, dtype=float),
        c_x=kinetic_coefficient(float(lat.mass_x)),
        period=float(lat.period),
        wc=np.asarray(gaps.wc, dtype=float).reshape(nb),
        coefficients=np.asarray(gaps.coefficients, dtype=float),
        mu=float(gaps.mu),
        kt=KB * T,
    )


def graded_levels(scale: FloatArray, top: FloatArray) -> FloatArray:
    """Levels 0, +-s r^k (r <= 4) up to +-top per band, relative to mu (meV), (nb, 2K + 1)."""
    s = np.maximum(np.asarray(scale, dtype=float), 1e-12 * np.asarray(top))
    ratio = np.maximum(top / s, 1.0)
    k = int(np.clip(np.ceil(np.log(float(ratio.max())) / math.log(_GRADING)), 1, 40))
    steps = np.arange(k)[None, :] / k
    graded = np.minimum(s[:, None] * ratio[:, None] ** steps, top[:, None])
    zero = np.zeros((s.size, 1))
    return np.concatenate([-graded[:, ::-1], zero, graded], axis=1)


@dataclass(frozen=True, eq=False)
class KzNodes:
    """Quadrature nodes in (n, kz), shape (n_bands, P) each.

    e : E_n(kz) - mu (meV); w : weights of int_0^{pi/d} dkz (1/nm); phase : kz d;
    delta : Delta_n(kz) (meV); ddelta : dDelta/dkz (meV nm); de2 : (dE/dkz)^2 (meV^2 nm^2);
    d2e : d^2E/dkz^2 (meV nm^2).
    """

    e: FloatArray
    w: FloatArray
    phase: FloatArray
    delta: FloatArray
    ddelta: FloatArray
    de2: FloatArray
    d2e: FloatArray


def kz_nodes(state: State, levels: FloatArray, upper: FloatArray, order: int) -> KzNodes:
    """Nodes of int_0^{pi/d} dkz on each band, split at mu + ``levels`` (nb, L) meV.

    Only band energies below ``upper`` (nb,) meV are covered (the integrands vanish above).
    """
    a, b = state.bottoms, state.tops
    nb = a.size
    hi = np.maximum(np.minimum(b, upper), a)
    # levels graded towards both band edges: a breakpoint just inside an edge then never leaves
    # the edge's square root just outside a long piece
    grade = (b - a)[:, None] * _GRADING ** -np.arange(1.0, _EDGE_LEVELS + 1.0)
    pts = np.concatenate(
        [
            a[:, None],
            hi[:, None],
            state.mu + np.asarray(levels),
            a[:, None] + grade,
            b[:, None] - grade,
        ],
        axis=1,
    )
    pts = np.sort(np.clip(pts, a[:, None], hi[:, None]), axis=1)
    u0, length = pts[:, :-1], np.diff(pts, axis=1)
    th, wth = legendre01(order)
    theta = 0.5 * math.pi * th
    u = u0[..., None] + length[..., None] * np.sin(theta) ** 2
    du = length[..., None] * (0.5 * math.pi * wth) * np.sin(2.0 * theta)
    live = np.broadcast_to(length[..., None] > 0.0, u.shape)
    u = np.where(live, u, 0.5 * (a + b)[:, None, None])
    lat, d = state.lattice, state.period
    f, fp = lat.characteristic(u)
    f = np.asarray(f, dtype=float)
    fp = np.asarray(fp, dtype=float)
    h = 1e-6 * np.maximum(b - a, 1e-3)[:, None, None]
    fpp = (np.asarray(lat.characteristic(u + h)[1]) - np.asarray(lat.characteristic(u - h)[1])) / (
        2.0 * h
    )
    c = np.clip(f, -1.0, 1.0)
    sin_ph = np.sqrt(np.maximum((1.0 - c) * (1.0 + c), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.abs(fp) / (d * sin_ph)
        e_ph = -sin_ph / fp
        e_phph = (-c - fpp * e_ph**2) / fp
    ok = live & np.isfinite(jac) & np.isfinite(e_phph)
    w = np.where(ok, du * jac, 0.0)
    phase = np.arccos(c)
    q = np.arange(state.coefficients.shape[1])
    cos = np.cos(phase[..., None] * q)
    sin = np.sin(phase[..., None] * q)
    coef = state.coefficients[:, None, None, :]
    delta = np.sum(cos * coef, axis=-1)
    ddelta = -d * np.sum(q * sin * coef, axis=-1)
    P = u.shape[1] * u.shape[2]

    def flat(x: FloatArray) -> FloatArray:
        return np.where(ok, x, 0.0).reshape(nb, P)

    return KzNodes(
        e=(u - state.mu).reshape(nb, P),
        w=w.reshape(nb, P),
        phase=phase.reshape(nb, P),
        delta=flat(delta),
        ddelta=flat(ddelta),
        de2=flat((d * e_ph) ** 2),
        d2e=flat(d * d * e_phph),
    )


@dataclass(frozen=True, eq=False)
class KxNodes:
    """Quadrature of int_0^inf dkx between energy breakpoints, shape (n_bands, P, B-1, M).

    kx (1/nm), w (weights, 1/nm), xi (meV, computed without cancellation at the Fermi point).
    Piece j lies between breakpoints j and j + 1.
    """

    kx: FloatArray
    w: FloatArray
    xi: FloatArray


def kx_nodes(
    c_x: float, e: FloatArray, scale: FloatArray, breaks: FloatArray, order: int
) -> KxNodes:
    """kx nodes over the pieces between ``breaks`` (..., B) energies xi (meV, sorted).

    ``e`` (nb, P) is E_n(kz) - mu; ``scale`` (broadcast to e) the energy width resolved around
    the Fermi point (meV, > 0); a breakpoint below the kx band bottom (xi_b < e) maps to kx = 0.
    """
    e3 = e[..., None]
    kc = np.sqrt(np.maximum(-e, 0.0) / c_x)[..., None]
    s = np.broadcast_to(np.asarray(scale, dtype=float), e.shape)[..., None]
    sk = np.sqrt((np.abs(e3) + s) / c_x) - kc
    br = np.broadcast_to(np.asarray(breaks, dtype=float), (*e.shape, np.shape(breaks)[-1]))
    kb = np.sqrt(np.maximum(br - e3, 0.0) / c_x)
    vb = np.arcsinh((kb - kc) / sk)  # (nb, P, B), non-decreasing
    x, wx = legendre01(order)
    v0 = vb[..., :-1, None]
    dv = (vb[..., 1:] - vb[..., :-1])[..., None]
    v = v0 + dv * x
    wv = dv * wx
    dk = sk[..., None] * np.sinh(v)
    kcc = kc[..., None]
    kx = kcc + dk
    w = wv * sk[..., None] * np.cosh(v)
    xi = np.maximum(e3, 0.0)[..., None] + c_x * dk * (2.0 * kcc + dk)
    return KxNodes(kx=kx, w=w, xi=xi)


def fermi_derivative(x: FloatArray, kt: float) -> FloatArray:
    """-df/dE at energy x (meV) and k_B T = kt (meV) > 0, 1/meV (no overflow)."""
    em = np.exp(-np.abs(x) / kt)
    res: FloatArray = em / (kt * (1.0 + em) ** 2)
    return res
