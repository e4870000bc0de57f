"""Figures of the response datasets (:mod:`multigap.study.beyond`): datasets in, Figures out.

No physics here; style from :func:`multigap.plot.style` inside an rc_context, and no pyplot
(figures are plain :class:`matplotlib.figure.Figure` objects, so nothing global is kept).
"""

from __future__ import annotations

import xarray as xr
from matplotlib.figure import Figure

from multigap.plot import style

__all__ = ["plot_bkt", "plot_crossover", "plot_spectra", "plot_temperature_curves"]


def plot_bkt(datasets: dict[str, xr.Dataset]) -> Figure:
    """Tc and T_BKT versus eta, one line pair per preset ({name: bkt dataset})."""
    with style():
        fig = Figure(figsize=(9, 3.5), layout="constrained")
        (ax, ax2) = fig.subplots(1, 2)
        for name, ds in datasets.items():
            (line,) = ax.plot(ds.eta, ds.tc, label=f"{name}: Tc (mean field)")
            ax.plot(ds.eta, ds.tbkt, "--", color=line.get_color(), label=f"{name}: T_BKT")
            ax2.plot(ds.eta, ds.ratio, color=line.get_color(), label=name)
        ax.set(xlabel="eta", ylabel="T (K)", title="phase fluctuations along the dome")
        ax2.set(xlabel="eta", ylabel="T_BKT / Tc", ylim=(0, 1.05))
        ax.legend(fontsize="small")
        ax2.legend(fontsize="small")
    return fig


def plot_temperature_curves(ds: xr.Dataset) -> Figure:
    """J_xx(T), J_zz(T) per subband and C(T)/(gamma T) at the dome top."""
    with style():
        fig = Figure(figsize=(12, 3.5), layout="constrained")
        (a1, a2, a3) = fig.subplots(1, 3)
        T = ds["T"].values
        for b in ds.band.values:
            a1.plot(T, ds.stiffness_xx.sel(band=b), label=f"n = {b}")
            a2.plot(T, ds.stiffness_zz.sel(band=b), label=f"n = {b}")
        a1.set(xlabel="T (K)", ylabel="J_xx (meV)")
        a2.set(xlabel="T (K)", ylabel="J_zz (meV)")
        a3.plot(T, ds.specific_heat / (ds.attrs["gamma"] * T))
        a3.axvline(ds.attrs["tc"], color="0.6", lw=0.8)
        a3.set(xlabel="T (K)", ylabel="C / (gamma T)")
        a1.legend(fontsize="small")
        fig.suptitle(f"{ds.attrs['model']}: eta = {ds.attrs['eta']:.3g}, g = {ds.attrs['g']:.3g}")
    return fig


def plot_spectra(ds: xr.Dataset) -> Figure:
    """Tunnelling DOS at each eta: total and per subband."""
    with style():
        n = ds.eta.size
        fig = Figure(figsize=(4 * n, 3.5), layout="constrained")
        axes = fig.subplots(1, n, squeeze=False)
        for ax, eta in zip(axes[0], ds.eta.values, strict=True):
            sel = ds.sel(eta=eta)
            ax.plot(ds.energy, sel.total, color="k", label="total")
            for b in ds.band.values:
                ax.plot(ds.energy, sel.bands.sel(band=b), lw=0.8, label=f"n = {b}")
            ax.set(xlabel="omega (meV)", ylabel="N_s / N_n(mu)", title=f"eta = {eta:g}")
        axes[0, 0].legend(fontsize="small")
    return fig


def plot_crossover(ds: xr.Dataset) -> Figure:
    """k_F xi and condensate fraction of every subband versus eta (the crossover map)."""
    with style():
        fig = Figure(figsize=(9, 3.5), layout="constrained")
        (a1, a2) = fig.subplots(1, 2)
        for b in ds.band.values:
            a1.semilogy(ds.eta, ds.kf_xi.sel(band=b), label=f"n = {b}")
            a2.semilogy(ds.eta, ds.condensate_fraction.sel(band=b), label=f"n = {b}")
        a1.axhline(1.0, color="0.6", lw=0.8)
        a1.set(xlabel="eta", ylabel="k_F xi_pair")
        a2.set(xlabel="eta", ylabel="n_0 / n", ylim=(1e-4, 1.0))
        a1.legend(fontsize="small")
        fig.suptitle(f"{ds.attrs['model']}: g = {ds.attrs['g']:.3g}")
    return fig
