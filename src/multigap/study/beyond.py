"""Beyond the study: datasets of the response of the multiband BCS state (report section).

For each preset at its dome top (the (eta, g) of the largest Tc on a grid, found with
:func:`multigap.critical_temperatures`):

* :func:`bkt_along_dome` — T_BKT beside the mean-field Tc (both at fixed density) versus eta at
  the dome-top g;
* :func:`temperature_curves` — J_xx(T), J_zz(T) and C(T) at the dome top;
* :func:`spectra` — tunnelling DOS (total and per subband) at eta = 0.2, 1, 1.5;
* :func:`crossover_map` — pair size, k_F xi and condensate fraction of every subband versus eta.

:func:`beyond_datasets` builds them all (``quick=True``: few points, for tests and previews).
Datasets carry named dims, ``units`` attributes and the model name; drawing is in
:mod:`multigap.plot_response`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from multigap.pairing import gaps as gap_solver
from multigap.pairing import response
from multigap.pairing import tc as tc_solver
from multigap.pairing.response import crossover, stiffness

__all__ = [
    "SPECTRUM_ETAS",
    "beyond_datasets",
    "bkt_along_dome",
    "crossover_map",
    "dome_top",
    "spectra",
    "temperature_curves",
]

#: eta values of the tunnelling spectra.
SPECTRUM_ETAS = (0.2, 1.0, 1.5)


def _band(model: Any) -> dict[str, Any]:
    return {"band": ("band", np.arange(1, int(model.n_bands) + 1), {"units": "1"})}


def _attrs(model: Any, **extra: Any) -> dict[str, Any]:
    """Dataset attributes: model, mu rule, the full configuration (JSON) and the version."""
    from multigap.study._datasets import version

    return {
        "model": str(model.name),
        "mu_convention": "fixed_density",
        "config": model.to_json(),
        "multigap_version": version(),
        **extra,
    }


def dome_top(model: Any, quick: bool = False) -> tuple[float, float, float]:
    """(eta, g, Tc in K) of the largest Tc on eta in [0.5, 1.5], g in [0.3, 0.49] (default rule)."""
    eta = np.linspace(0.5, 1.5, 21 if quick else 101)
    g = np.linspace(0.3, 0.49, 11 if quick else 39)
    E, G = np.meshgrid(eta, g, indexing="ij")
    tc = tc_solver.critical_temperatures(model, E, G)
    i, j = np.unravel_index(int(np.argmax(tc)), tc.shape)
    return float(eta[i]), float(g[j]), float(tc[i, j])


def bkt_along_dome(model: Any, g: float, etas: ArrayLike) -> xr.Dataset:
    """Tc and T_BKT (K, fixed density) and T_BKT/Tc versus eta at coupling g."""
    eta = np.asarray(etas, dtype=float)
    tc, tb = np.full(eta.size, np.nan), np.full(eta.size, np.nan)
    for i, e in enumerate(eta):
        try:
            r = response.bkt_result(model, float(e), g)
        except (gap_solver.GapConvergenceError, RuntimeError):
            continue
        tc[i], tb[i] = r.tc, r.tbkt
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(tc > 0, tb / tc, np.nan)
    return xr.Dataset(
        {
            "tc": ("eta", tc, {"units": "K", "long_name": "mean-field Tc (fixed density)"}),
            "tbkt": ("eta", tb, {"units": "K", "long_name": "BKT temperature"}),
            "ratio": ("eta", ratio, {"units": "1", "long_name": "T_BKT / Tc"}),
        },
        coords={"eta": ("eta", eta, {"units": "1"})},
        attrs=_attrs(model, g=g),
    )


def temperature_curves(model: Any, eta: float, g: float, n_temps: int = 16) -> xr.Dataset:
    """J_xx(T), J_zz(T) per subband (meV) and C(T) (k_B/nm^2) from 0.05 Tc to 1.3 Tc."""
    tc = tc_solver.tc_result(model, eta, g, chemical_potential="fixed_density").tc
    temps = tc * np.linspace(0.05, 1.3, n_temps)
    nb = int(model.n_bands)
    jx, jz = np.zeros((temps.size, nb)), np.zeros((temps.size, nb))
    prev = None
    for i, t in enumerate(temps):
        gaps = gap_solver.gaps_at_temperature(model, eta, g, float(t), initial=prev)
        prev = gaps if gaps.superconducting else prev
        jx[i], jz[i] = stiffness.stiffness_of(model, gaps)
    c = response.specific_heat(model, eta, g, temps)
    return xr.Dataset(
        {
            "stiffness_xx": (("T", "band"), jx, {"units": "meV"}),
            "stiffness_zz": (("T", "band"), jz, {"units": "meV"}),
            "specific_heat": ("T", c.value, {"units": "k_B/nm^2"}),
            "specific_heat_bands": (("T", "band"), c.bands.T, {"units": "k_B/nm^2"}),
        },
        coords={"T": ("T", temps, {"units": "K"}), **_band(model)},
        attrs=_attrs(model, eta=eta, g=g, tc=tc, gamma=c.gamma, gamma_units="k_B/(nm^2 K)"),
    )


def spectra(
    model: Any,
    g: float,
    etas: Sequence[float] = SPECTRUM_ETAS,
    energy: ArrayLike | None = None,
    broadening: float = 0.5,
) -> xr.Dataset:
    """Tunnelling DOS N_s/N_n(mu) (total, per subband) at each eta, Dynes Gamma in meV."""
    om = np.linspace(-80.0, 80.0, 321) if energy is None else np.asarray(energy, dtype=float)
    nb = int(model.n_bands)
    tot = np.full((len(etas), om.size), np.nan)
    bands = np.full((len(etas), nb, om.size), np.nan)
    gaps = np.full((len(etas), nb), np.nan)
    for i, e in enumerate(etas):
        try:
            r = response.tunneling_dos(model, float(e), g, om, broadening=broadening)
        except gap_solver.GapConvergenceError:
            continue
        tot[i], bands[i], gaps[i] = r.total, r.bands, r.gaps
    return xr.Dataset(
        {
            "total": (("eta", "energy"), tot, {"units": "1"}),
            "bands": (("eta", "band", "energy"), bands, {"units": "1"}),
            "fermi_gap": (("eta", "band"), gaps, {"units": "meV"}),
        },
        coords={
            "eta": ("eta", np.asarray(etas, dtype=float), {"units": "1"}),
            "energy": ("energy", om, {"units": "meV", "long_name": "omega from mu"}),
            **_band(model),
        },
        attrs=_attrs(model, g=g, broadening=broadening, broadening_units="meV"),
    )


def crossover_map(model: Any, g: float, etas: ArrayLike) -> xr.Dataset:
    """Pair size (nm), k_F xi and condensate fraction of every subband versus eta at g."""
    eta = np.asarray(etas, dtype=float)
    nb = int(model.n_bands)
    size, kfxi, frac = (np.full((eta.size, nb), np.nan) for _ in range(3))
    for i, e in enumerate(eta):
        try:
            gaps = gap_solver.zero_temperature_gaps(model, float(e), g)
        except gap_solver.GapConvergenceError:
            continue
        if not gaps.superconducting:
            continue
        p = crossover.pair_size_of(model, gaps)
        size[i], kfxi[i] = p.bands, p.kf_xi
        frac[i] = crossover.condensate_of(model, gaps).bands
    return xr.Dataset(
        {
            "pair_size": (("eta", "band"), size, {"units": "nm"}),
            "kf_xi": (("eta", "band"), kfxi, {"units": "1"}),
            "condensate_fraction": (("eta", "band"), frac, {"units": "1"}),
        },
        coords={"eta": ("eta", eta, {"units": "1"}), **_band(model)},
        attrs=_attrs(model, g=g),
    )


def beyond_datasets(
    models: Sequence[Any] | None = None, *, quick: bool = False
) -> dict[str, dict[str, xr.Dataset]]:
    """All datasets of the section: {preset name: {"bkt", "curves", "spectra", "crossover"}}."""
    from multigap.model import preset

    chosen = list(models) if models is not None else [preset("A"), preset("B")]
    out: dict[str, dict[str, xr.Dataset]] = {}
    for m in chosen:
        eta0, g0, _ = dome_top(m, quick=quick)
        etas = np.linspace(-0.2, 2.0, 5 if quick else 23)
        out[str(m.name)] = {
            "bkt": bkt_along_dome(m, g0, etas),
            "curves": temperature_curves(m, eta0, g0, n_temps=5 if quick else 16),
            "spectra": spectra(m, g0, energy=np.linspace(-60, 60, 41 if quick else 241)),
            "crossover": crossover_map(m, g0, etas),
        }
    return out
