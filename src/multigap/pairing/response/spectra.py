"""Tunnelling density of states of the multiband BCS state, with the band-edge structure.

Per spin and area (SPEC §11), at energy omega from mu (Nambu Green's function, z = omega + i Gamma):

    N_s(omega) = -(1/pi) Im sum_n int d^2k/(2pi)^2 (z + xi_n)/(z^2 - xi_n^2 - Delta_n(kz)^2)

inside the pairing window (|xi| < wc) and -(1/pi) Im 1/(z - xi) outside it. For constant DOS and
no cut-off this is Dynes' form Re[(omega + i Gamma)/sqrt((omega + i Gamma)^2 - Delta^2)]
(R. C. Dynes, V. Narayanamurti, J. P. Garno, Phys. Rev. Lett. 41, 1509 (1978)); here the kx
integral keeps the subband's 1D van Hove structure 1/sqrt(xi - E_n + mu) and the kz integral the
kz dependence of Delta_n and E_n (a subband whose bottom lies above mu gives its gap edge at
sqrt((E_n - mu)^2 + Delta^2), not at Delta).

Method. Gamma = 0: the kx integral is the sum over the roots xi = +-sqrt(omega^2 - Delta^2) of
the coherence factor (1 + xi/omega)/2 times |omega|/sqrt(omega^2 - Delta^2) times the 1D density
1/(2 pi sqrt(C_x (xi - e))), e = E_n(kz) - mu, and, for |omega| > wc, the normal root xi =
omega. Gamma > 0: the kx integral in closed form (partial fractions in xi; int dk/(p - C k^2) =
artanh(k sqrt(C/p))/sqrt(C p), continuous along real k when Im p != 0). The kz integral is in
the band energy (:mod:`multigap.pairing.response.quadrature`) split at every point where the
integrand has a square-root singularity or a jump: Delta_n(kz) = |omega| (coherence-peak edge),
(E_n - mu)^2 + Delta_n^2 = omega^2 (the kx band bottom at a root), Delta_n^2 = omega^2 - wc^2
(a root leaving the window), E_n = mu + omega (the normal root's band bottom), mu +- wc, plus
graded levels at distances Gamma 4^k (up to twice the band width) around them when Gamma > 0.
The roots are located on 401 samples of each band (with mu and mu +- wc among them) and
refined by bisection.

States are conserved: over any energy window that contains [-sqrt(wc^2 + Delta^2),
sqrt(wc^2 + Delta^2)], int (N_s - N_n) domega = 0 (tests/pairing/physics/test_response_spectra.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check
from multigap.pairing.response import quadrature as qd
from multigap.pairing.response.common import MU_CONVENTION, check_gaps, solve_gaps
from multigap.pairing.response.thermo import normal_dos

__all__ = ["TunnelingDOS", "dos_of", "tunneling_dos"]

FloatArray = NDArray[np.float64]

_SAMPLES = 401
_BISECT = 60


@dataclass(frozen=True, eq=False)
class TunnelingDOS:
    """Quasiparticle (tunnelling) density of states.

    Attributes
    ----------
    energy : ndarray (N,)
        omega, meV measured from the state's chemical potential mu.
    total : ndarray (N,)
        N_s(omega) / N_n(mu): summed over subbands, over the total normal-state DOS at mu
        (dimensionless).
    bands : ndarray (n_bands, N)
        Each subband's N_s,n(omega) over the same total N_n(mu) (they add up to ``total``).
    normal : ndarray (N,)
        The normal-state DOS at mu + omega over N_n(mu) (same quadrature, Delta = 0).
    normal_bands : ndarray (n_bands, N)
        Its per-subband parts.
    normal_dos : float
        N_n(mu), per spin, 1/(meV nm^2).
    broadening : float
        Dynes Gamma, meV.
    temperature : float
        K (the gaps are those at T; no thermal smearing of the DOS itself).
    mu : float
        Chemical potential of the state, meV.
    gaps : ndarray (n_bands,)
        Fermi-surface gaps of the state (GapResult.fermi_gap), meV.
    mu_convention : str
        "fixed_density".
    """

    energy: FloatArray
    total: FloatArray
    bands: FloatArray
    normal: FloatArray
    normal_bands: FloatArray
    normal_dos: float
    broadening: float
    temperature: float
    mu: float
    gaps: FloatArray
    mu_convention: str = MU_CONVENTION


def _band_gap_sampler(st: qd.State) -> tuple[FloatArray, FloatArray]:
    """Samples u (nb, M) of each band and Delta_n(u) there. mu and mu +- wc are samples: the
    two roots mu +- sqrt(omega^2 - Delta^2) of the kx-band-bottom condition, however close,
    then lie in different sample intervals."""
    th = np.linspace(0.0, 0.5 * math.pi, _SAMPLES)
    a, b = st.bottoms[:, None], st.tops[:, None]
    extra = st.mu + np.stack([-st.wc, np.zeros_like(st.wc), st.wc], axis=1)
    u = np.sort(np.concatenate([a + (b - a) * np.sin(th) ** 2, np.clip(extra, a, b)], axis=1))
    return u, _gap_at(st, u)


def _gap_at(st: qd.State, u: FloatArray) -> FloatArray:
    """Delta_n at band energies u (nb, ...) meV: sum_q a_q T_q(f(u))."""
    f, _ = st.lattice.characteristic(u)
    c = np.clip(np.asarray(f, dtype=float), -1.0, 1.0)
    ph = np.arccos(c)
    q = np.arange(st.coefficients.shape[1])
    coef = st.coefficients.reshape(st.n_bands, *([1] * (u.ndim - 1)), -1)
    res: FloatArray = np.sum(np.cos(ph[..., None] * q) * coef, axis=-1)
    return res


def _singular(j: int, u: Any, d: Any, om: Any, wc: Any, mu: float) -> Any:
    """The j-th function whose zeros in u are singular points of the kz integrand."""
    if j == 0:
        return d**2 - om**2  # Delta = |omega|: edge of a coherence peak
    if j == 1:
        return (u - mu) ** 2 + d**2 - om**2  # the kx band bottom meets a root
    return d**2 - om**2 + wc**2  # a root leaves the window


def _roots(st: qd.State, omega: FloatArray, u: FloatArray, gap_u: FloatArray) -> list[Any]:
    """Band energies of the singular points, per omega: a list of (nb, R) arrays (NaN pads)."""
    nb = u.shape[0]
    om = omega[:, None, None]
    wc = st.wc[None, :, None]
    found: list[list[list[float]]] = [[[] for _ in range(nb)] for _ in omega]
    for j in range(3):
        h = _singular(j, u[None], gap_u[None], om, wc, st.mu)  # (n_om, nb, M)
        if j == 2:
            h = np.where(np.abs(om) > wc, h, 1.0)
        sgn = np.sign(h)
        iw, ib, im = np.nonzero(sgn[..., :-1] * sgn[..., 1:] < 0)
        if iw.size == 0:
            continue
        lo, hi = u[ib, im], u[ib, im + 1]
        s_lo = np.sign(h[iw, ib, im])
        for _ in range(_BISECT):  # vectorised bisection of every bracketed root at once
            mid = 0.5 * (lo + hi)
            hm = _singular(j, mid, _gap_at_flat(st, ib, mid), omega[iw], st.wc[ib], st.mu)
            left = np.sign(hm) == s_lo
            lo = np.where(left, mid, lo)
            hi = np.where(left, hi, mid)
        for k, root in enumerate(0.5 * (lo + hi)):
            found[iw[k]][ib[k]].append(float(root))
    res = []
    for per_band in found:
        arr = np.full((nb, max(1, *(len(x) for x in per_band))), np.nan)
        for n, x in enumerate(per_band):
            arr[n, : len(x)] = x
        res.append(arr)
    return res


def _gap_at_flat(st: qd.State, band: NDArray[np.intp], u: FloatArray) -> FloatArray:
    f, _ = st.lattice.characteristic(u)
    ph = np.arccos(np.clip(np.asarray(f, dtype=float), -1.0, 1.0))
    q = np.arange(st.coefficients.shape[1])
    res: FloatArray = np.sum(np.cos(ph[:, None] * q) * st.coefficients[band], axis=-1)
    return res


def _kx_sharp(cx: float, e: FloatArray, d: FloatArray, om: float, wc: FloatArray) -> FloatArray:
    """Gamma = 0: int dkx/(2pi) over R of the spectral weight at omega, per kz node (nb, P)."""

    def nu(xi: Any, live: Any) -> Any:  # 1D density of the kx band at xi, per unit kz
        return np.where(
            live, 1.0 / (2.0 * math.pi * np.sqrt(cx * np.where(live, xi - e, 1.0))), 0.0
        )

    wcb = wc[:, None]
    out = np.zeros(e.shape)
    gapped = d != 0.0
    w2 = om * om - d * d
    ok = gapped & (w2 > 0.0)
    xi0 = np.sqrt(np.where(ok, w2, 1.0))
    for s in (1.0, -1.0):
        xi = s * xi0
        live = ok & (np.abs(xi) < wcb) & (xi > e)
        with np.errstate(divide="ignore", invalid="ignore"):
            coh = np.where(live, 0.5 * (1.0 + xi / om) * abs(om) / xi0, 0.0)
        out += nu(xi, live) * coh
    # ungapped nodes inside the window, and the normal states outside it: the root xi = omega
    normal = np.where(gapped, abs(om) >= wcb, True)
    return out + nu(om, normal & (om > e))


def _segment(cx: float, p: Any, a: FloatArray, b: FloatArray) -> Any:
    """int_a^b dk / (p - C k^2) (complex p off the positive real axis)."""
    sq = np.sqrt(p)
    sc = math.sqrt(cx)
    return (np.arctanh(b * sc / sq) - np.arctanh(a * sc / sq)) / (sc * sq)


def _kx_broad(
    cx: float, e: FloatArray, d: FloatArray, om: float, gamma: float, wc: FloatArray
) -> FloatArray:
    """Gamma > 0: -(1/pi) Im int dkx/(2pi) over R of G_11(z), closed form, per node (nb, P)."""
    z = complex(om, gamma)
    wcb = wc[:, None]
    k_lo = np.sqrt(np.maximum(-wcb - e, 0.0) / cx)
    k_hi = np.sqrt(np.maximum(wcb - e, 0.0) / cx)
    w = np.sqrt(z * z - d.astype(complex) ** 2)
    A = (z + w) / (2.0 * w)
    B = (z - w) / (2.0 * w)
    win = A * _segment(cx, w - e, k_lo, k_hi) - B * _segment(cx, -w - e, k_lo, k_hi)
    p0 = z - e
    full = -math.pi / (2.0 * math.sqrt(cx) * np.sqrt(-p0))
    out_ = full - _segment(cx, p0, k_lo, k_hi)
    total = (win + out_) / math.pi  # int dkx/(2 pi) over R = (1/pi) int_0^inf
    res: FloatArray = -np.imag(total) / math.pi
    return res


def dos_of(
    model: Any,
    gaps: Any,
    energy: ArrayLike,
    broadening: float = 0.0,
    *,
    normal: bool = False,
    kz_order: int = qd.KZ_ORDER,
) -> FloatArray:
    """Per-band N_s,n(omega) per spin, 1/(meV nm^2), of a GapResult; (n_bands, N).

    ``normal=True`` gives the normal-state DOS at mu + omega with the same quadrature.
    """
    st = qd.state_of(model, gaps)
    if normal or not bool(gaps.superconducting):
        st = qd.State(**{**st.__dict__, "coefficients": np.zeros_like(st.coefficients)})
    omega = np.asarray(energy, dtype=float).reshape(-1)
    gamma = float(broadening)
    u_s, gap_s = _band_gap_sampler(st)
    roots = _roots(st, omega, u_s, gap_s)
    nb = st.n_bands
    wc = st.wc
    res = np.zeros((nb, omega.size))
    reach = 2.0 * max(
        float(wc.max()), float(np.max(np.abs(omega))), float(np.max(st.tops - st.bottoms))
    )
    steps = (math.ceil(math.log(reach / gamma) / math.log(4.0))) if gamma > 0.0 else 0
    grade = gamma * 4.0 ** np.arange(0, max(steps, 0) + 1) if gamma > 0.0 else np.zeros(0)
    scale = st.gap_scale()
    for i, om in enumerate(omega):
        pts = roots[i] - st.mu
        pts = np.where(np.isfinite(pts), pts, 0.0)
        base = np.concatenate(
            [pts, np.stack([-wc, np.zeros(nb), wc, np.full(nb, om)], axis=1)], axis=1
        )
        if grade.size:
            base = np.concatenate(
                [base] + [base + s for s in grade] + [base - s for s in grade], axis=1
            )
        # levels graded from 4 xi0 (xi0 = sqrt(omega^2 - Delta^2), not on a root) to wc around mu:
        # the roots' 1D van Hove points sit at mu +- xi0, arbitrarily close to each other
        xi0 = np.sqrt(np.abs(om * om - scale**2))
        near = qd.graded_levels(np.maximum(4.0 * xi0, 1e-9 * wc), np.maximum(wc, abs(om)))
        base = np.concatenate([base, near], axis=1)
        kz = qd.kz_nodes(st, base, st.tops + 1.0, kz_order)
        if gamma > 0.0:
            per = _kx_broad(st.c_x, kz.e, kz.delta, float(om), gamma, wc)
        else:
            per = _kx_sharp(st.c_x, kz.e, kz.delta, float(om), wc)
        res[:, i] = np.sum(kz.w * per, axis=1) / math.pi  # int_BZ dkz/(2 pi)
    return res


def tunneling_dos(
    model: Any,
    eta: float,
    g: float,
    energy: ArrayLike,
    T: float = 0.0,
    broadening: float = 0.0,
    *,
    gaps: Any = None,
) -> TunnelingDOS:
    """Tunnelling DOS N_s(omega)/N_n(mu) of the state at (eta, g, T), omega in meV from mu.

    Parameters
    ----------
    model : multigap.Model
    eta, g : float
        The point (fixed-density gaps).
    energy : array_like
        omega, meV from the state's mu (finite).
    T : float
        K: the gaps Delta_n(kz; T) (default 0).
    broadening : float
        Dynes Gamma, meV (>= 0; 0 gives the sharp spectrum with its integrable square-root
        coherence peaks).
    gaps : GapResult, optional
        The fixed-density solution at (eta, g, T).

    Returns
    -------
    TunnelingDOS
        Normalised by the total normal-state DOS at mu (per spin).
    """
    eta = check.finite("eta", eta)
    T = check.non_negative("T", T, "K")
    gamma = check.non_negative("broadening", broadening, "meV")
    om = np.asarray(energy, dtype=float)
    if om.ndim > 1 or om.size == 0 or not np.all(np.isfinite(om)):
        raise ValueError(f"energy must be a finite 1D array of meV values, got {energy!r}")
    if gaps is None:
        gaps = solve_gaps(model, eta, g, T)
    else:
        check_gaps(gaps, eta, float(g), T)
    n_mu = float(normal_dos(model, float(gaps.mu)).sum())
    if not n_mu > 0.0:
        raise ValueError(
            f"the normal-state DOS vanishes at mu = {gaps.mu} meV: nothing to normalise"
        )
    sc_ = dos_of(model, gaps, om, gamma) / n_mu
    nn = dos_of(model, gaps, om, gamma, normal=True) / n_mu
    return TunnelingDOS(
        energy=om.reshape(-1),
        total=sc_.sum(axis=0),
        bands=sc_,
        normal=nn.sum(axis=0),
        normal_bands=nn,
        normal_dos=n_mu,
        broadening=gamma,
        temperature=T,
        mu=float(gaps.mu),
        gaps=np.asarray(gaps.fermi_gap, dtype=float),
    )
