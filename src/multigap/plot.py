"""Figures of the study (SPEC §9) drawn from the datasets of :mod:`multigap.figures`.

Every function takes data (an :class:`xarray.Dataset`) and returns a
:class:`matplotlib.figure.Figure`; nothing here computes physics. Figures are built without
``pyplot`` (no global figure manager, no interactive backend: rendering is Agg, so it works
headless), and the publication style :data:`STYLE` is applied only inside
:func:`matplotlib.rc_context` (:func:`style`), so a user's global ``rcParams`` are never touched.
Where an axis is labelled by the reduced coupling g, a secondary axis shows
lambda = g / (1 - g). Points where Tc lies below the temperature floor are NaN in the data and
are drawn as gaps, never as numbers.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Publication style, applied only inside :func:`style`.
STYLE: dict[str, Any] = {
    "font.size": 9.0,
    "axes.labelsize": 9.0,
    "axes.titlesize": 9.5,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": False,
    "ytick.right": False,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.3,
    "lines.markersize": 4.0,
    "axes.grid": False,
    "figure.dpi": 100.0,
    "savefig.dpi": 150.0,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,
    "image.cmap": "viridis",
    "mathtext.default": "regular",
}

#: BCS weak-coupling gap ratio 2 Delta / k_B Tc.
BCS_RATIO = 3.528
#: Label used for the retracted CSH data wherever they are drawn.
CSH_LABEL = "CSH (Snider et al., Nature 586, 373 (2020), retracted 2022)"


@contextmanager
def style() -> Iterator[None]:
    """Apply :data:`STYLE` inside a :func:`matplotlib.rc_context` (restored on exit)."""
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]
        yield


def save(fig: Figure, path: str | Path, *formats: str) -> list[Path]:
    """Save a figure to ``path`` and to the same stem with each extra format (e.g. "pdf").

    Returns the written paths. The style's savefig settings are applied inside
    :func:`style`; the PDF is written without a creation date so it is reproducible.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    out = [p, *(p.with_suffix("." + f.lstrip(".")) for f in formats)]
    with style():
        for q in out:
            meta = {"CreationDate": None} if q.suffix == ".pdf" else None
            fig.savefig(q, metadata=meta)
    return out


# ------------------------------------------------------------------------------------ helpers
def _g_to_lambda(g: Any) -> Any:
    g = np.asarray(g, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return g / (1.0 - g)


def _lambda_to_g(lam: Any) -> Any:
    lam = np.asarray(lam, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lam / (1.0 + lam)


def lambda_axis(ax: Axes, which: str = "x") -> Any:
    """Add a secondary axis lambda = g / (1 - g) to an axis labelled by g."""
    funcs = (_g_to_lambda, _lambda_to_g)
    sec = (
        ax.secondary_xaxis("top", functions=funcs)
        if which == "x"
        else ax.secondary_yaxis("right", functions=funcs)
    )
    sec.set_xlabel(r"$\lambda = g/(1-g)$") if which == "x" else sec.set_ylabel(
        r"$\lambda = g/(1-g)$"
    )
    return sec


def _title(ds: xr.Dataset, text: str) -> str:
    name = ds.attrs.get("model", "")
    return f"{text} — model {name}" if name else text


def _g_label(g: float) -> str:
    return f"g = {g:.3g} (λ = {g / (1.0 - g):.2f})"


def _colors(n: int, cmap: str = "viridis") -> list[Any]:
    cm = mpl.colormaps[cmap]
    return [cm(x) for x in np.linspace(0.05, 0.9, max(n, 1))]


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


# ------------------------------------------------------------------------------ 1. pressure
def pressure(ds: xr.Dataset) -> Figure:
    """Tc versus pressure: summary dome(s) drawn as shaded bands, and the fitted path.

    The H3S dome summary is drawn as a band labelled as a summary, never as points; any
    retracted source (CSH) is labelled as retracted beside its curve.
    """
    with style():
        fig = _figure(7.0, 3.0)
        ax, ax2 = fig.subplots(1, 2, width_ratios=(1.4, 1.0))
        palette = {"h3s": "tab:orange", "csh": "0.5"}
        for var in sorted(str(v) for v in ds.data_vars if str(v).startswith("tc_summary_")):
            name = str(var).removeprefix("tc_summary_")
            da = ds[var]
            p = ds[f"pressure_{name}"].values
            retracted = "retraction" in da.attrs
            label = CSH_LABEL if name == "csh" else da.attrs.get("label", name)
            if retracted and "retract" not in label.lower():
                label += " — RETRACTED"
            color = palette.get(name, "tab:blue")
            ax.fill_between(
                p,
                0.0,
                da.values,
                color=color,
                alpha=0.18 if not retracted else 0.08,
                lw=0,
                label=label,
            )
            ax.plot(p, da.values, color=color, lw=0.8, ls="--" if retracted else "-")
        ax.plot(ds["pressure"], ds["tc_fit"], color="k", label="model: straight (η, g) path fit")
        ax.set_xlabel("pressure (GPa)")
        ax.set_ylabel(r"$T_c$ (K)")
        top = max(float(np.nanmax(ds[v].values)) for v in ds.data_vars if str(v).startswith("tc_"))
        ax.set_ylim(0.0, 1.45 * top)  # room for the legend above the domes
        ax.legend(loc="upper left", fontsize=6.5)
        ax.set_title(_title(ds, "Tc versus pressure"))
        ax2.plot(ds["pressure"], ds["eta_path"], color="tab:blue")
        ax2.set_xlabel("pressure (GPa)")
        ax2.set_ylabel("η(P)", color="tab:blue")
        ax3 = ax2.twinx()
        ax3.plot(ds["pressure"], ds["g_path"], color="tab:red", ls="--")
        ax3.set_ylabel("g(P)", color="tab:red")
        ax3.set_ylim(0.0, 0.5)  # the whole range the Migdal cut-off allows
        fit = json.loads(ds.attrs.get("fit", "{}"))
        if fit:
            pars = fit.get("params", {})
            txt = ", ".join(f"{k} = {v:.3g}" for k, v in pars.items())
            ax2.set_title(f"fitted path: {txt}", fontsize=6.5)
            if not fit.get("success", True):
                why = str(fit.get("message", "")).split("; ")[-1].split(" (")[0]
                ax2.text(
                    0.98,
                    0.02,
                    textwrap.fill(f"fit not accepted: {why}", 40),
                    transform=ax2.transAxes,
                    fontsize=6.0,
                    color="tab:red",
                    ha="right",
                    va="bottom",
                )
        for key, note in ds.attrs.items():
            if str(key).startswith("retraction_"):
                fig.text(0.01, -0.02, f"{CSH_LABEL}: {note}", fontsize=6.0, color="0.3")
    return fig


# ------------------------------------------------------------------------------ 2. DOS
def dos(ds: xr.Dataset) -> Figure:
    """Total and partial DOS versus eta (in units of the free 2D DOS) and Fermi contours."""
    with style():
        fig = _figure(7.0, 5.0)
        grid = fig.add_gridspec(2, 3, height_ratios=(1.1, 1.0))
        ax = fig.add_subplot(grid[0, :])
        n0 = float(ds.attrs.get("n0", 1.0))
        eta = ds["eta"].values
        colors = _colors(ds.sizes["band"], "tab10")
        ax.plot(eta, ds["dos_total"] / n0, color="k", label="total")
        for b, c in zip(ds["band"].values, colors, strict=True):
            ax.plot(
                eta, ds["dos_partial"].sel(band=b) / n0, color=c, lw=1.0, label=f"subband {int(b)}"
            )
        for x in (0.0, 1.0):
            ax.axvline(x, color="0.6", lw=0.6, ls=":")
        ax.set_xlabel("η = (μ − E_L)/ΔE")
        ax.set_ylabel(r"DOS per spin / $N_0$")
        ax.set_xlim(eta.min(), eta.max())
        ax.set_ylim(bottom=0.0)
        ax.legend(ncol=4, loc="upper left")
        ax.set_title(_title(ds, "Density of states"))
        kz_edge = float(ds.attrs.get("zone_edge", np.nanmax(np.abs(ds["kz"].values))))
        for i, ce in enumerate(ds["contour"].values):
            cax = fig.add_subplot(grid[1, i])
            for b, c in zip(ds["band"].values, colors, strict=True):
                kx = ds["kx"].isel(contour=i).sel(band=b).values
                kz = ds["kz"].isel(contour=i).sel(band=b).values
                topo = str(ds["topology"].isel(contour=i).sel(band=b).values)
                cax.plot(kx, kz, color=c, lw=1.0, label=f"{int(b)}: {topo}")
            cax.axhline(kz_edge, color="0.7", lw=0.5)
            cax.axhline(-kz_edge, color="0.7", lw=0.5)
            cax.set_ylim(-1.05 * kz_edge, 1.05 * kz_edge)
            cax.set_xlabel(r"$k_x$ (1/nm)")
            if i == 0:
                cax.set_ylabel(r"$k_z$ (1/nm)")
            cax.set_title(f"Fermi contours, η = {float(ce):g}")
            cax.legend(loc="lower left", fontsize=6.0)
    return fig


# ------------------------------------------------------------------------------ 3. phonon
def phonon(ds: xr.Dataset) -> Figure:
    """Migdal softened phonon energy w0 sqrt(1 - 2 g) versus g, one curve per model."""
    with style():
        fig = _figure(4.2, 3.2)
        ax = fig.subplots()
        colors = _colors(ds.sizes["model"], "tab10")
        for k, c in enumerate(colors):
            name = str(ds["model"].values[k])
            ax.plot(
                ds["g"],
                ds["omega"].isel(model=k),
                color=c,
                label=f"{name}: ω0 = {float(ds['omega0'][k]):g} meV",
            )
            ax.axhline(
                float(ds["width"][k]),
                color=c,
                ls=":",
                lw=0.8,
                label=f"{name}: ΔE = {float(ds['width'][k]):.0f} meV",
            )
        if "h3s_ir_phonon" in ds.attrs:
            ax.axhline(
                float(ds.attrs["h3s_ir_phonon"]),
                color="0.4",
                ls="--",
                lw=0.8,
                label="H3S infrared phonon (160 meV)",
            )
        ax.set_xlabel("g")
        ax.set_ylabel(r"$\omega_0\sqrt{1-2g}$ (meV)")
        ax.set_ylim(bottom=0.0)
        ax.legend(loc="lower left", fontsize=6.5)
        lambda_axis(ax)
        ax.set_title("Migdal softened phonon energy", pad=24)
    return fig


# ------------------------------------------------------------------------------ 4. overlaps
def overlaps(ds: xr.Dataset) -> Figure:
    """Histograms of I^{nn'} per (n, n') block and I^{nn'}(kz, kz') versus kz."""
    with style():
        fig = _figure(8.0, 4.8)
        nb = ds.sizes["band"]
        grid = fig.add_gridspec(nb, nb + 3)
        centres = ds["bin"].values
        widths = np.diff(ds["bin_edges"].values)
        for a in range(nb):
            for b in range(nb):
                hax = fig.add_subplot(grid[a, b])
                hax.bar(centres, ds["counts"].values[a, b], width=widths, color="tab:blue", lw=0)
                hax.set_title(f"$I^{{{a + 1}{b + 1}}}$", fontsize=7.5)
                hax.tick_params(labelsize=6)
                if a == nb - 1:
                    hax.set_xlabel("I", fontsize=7)
        kz = ds["kz"].values
        picks = [0, ds.sizes["kz2"] // 2, ds.sizes["kz2"] - 1]
        pairs = [(a, b) for a in range(nb) for b in range(a, nb)]
        colors = _colors(len(pairs), "tab10")
        cols = grid[:, nb:].subgridspec(len(picks), 1)
        for i, j in enumerate(picks):
            cax = fig.add_subplot(cols[i])
            for (a, b), c in zip(pairs, colors, strict=True):
                cax.plot(
                    kz, ds["overlap"].values[a, b, :, j], color=c, lw=1.0, label=f"{a + 1}{b + 1}"
                )
            cax.set_ylabel(f"I(kz, kz'={float(ds['kz2'][j]):.2f})", fontsize=7)
            cax.tick_params(labelsize=6)
            if i == len(picks) - 1:
                cax.set_xlabel(r"$k_z$ (1/nm)")
            if i == 0:
                cax.legend(ncol=3, fontsize=6, title="n n'", title_fontsize=6)
        fig.suptitle(_title(ds, "Superposition integrals"))
    return fig


# ------------------------------------------------------------------------------ 5./6. gaps
def gap_ratios(ds: xr.Dataset) -> Figure:
    """2 Delta_n / k_B Tc of the two highest subbands and the isotope coefficient vs eta."""
    with style():
        fig = _figure(7.0, 3.0)
        ax, ax2 = fig.subplots(1, 2)
        eta = ds["eta"].values
        bands = ds["band"].values[-2:]
        for b, c in zip(bands, ("tab:blue", "tab:red"), strict=True):
            ax.plot(
                eta,
                ds["ratio"].sel(band=b),
                "o-",
                color=c,
                ms=3,
                label=rf"$2\Delta_{int(b)}/k_BT_c$",
            )
        ax.axhline(BCS_RATIO, color="0.5", ls="--", lw=0.8, label="BCS 3.528")
        vals = ds["ratio"].sel(band=bands).values
        vals = vals[np.isfinite(vals) & (vals > 0)]
        if vals.size and vals.max() > 20.0 * vals.min():
            ax.set_yscale("log")  # ratios far from BCS (tiny Tc) need a log axis
        ax.set_xlabel("η")
        ax.set_ylabel(r"$2\Delta/k_BT_c$")
        ax.legend()
        g = float(ds.attrs.get("g", np.nan))
        ax.set_title(_title(ds, f"gap ratios, {_g_label(g)}"))
        ax2.plot(eta, ds["isotope"], "o-", color="k", ms=3)
        ax2.axhline(0.5, color="0.5", ls="--", lw=0.8, label="BCS 0.5")
        ax2.set_xlabel("η")
        ax2.set_ylabel(r"isotope coefficient $\alpha$")
        ax2.legend()
        ax2.set_title(f"isotope coefficient, {_g_label(g)}")
    return fig


def anisotropy(ds: xr.Dataset) -> Figure:
    """Tc versus the gap anisotropy Delta_r / Delta_{r-1} along the dome (eta as colour)."""
    with style():
        fig = _figure(4.4, 3.3)
        ax = fig.subplots()
        x = ds["anisotropy"].values
        y = ds["tc"].values
        ok = np.isfinite(x) & np.isfinite(y)
        ax.plot(x[ok], y[ok], color="0.6", lw=0.8)
        sc = ax.scatter(x[ok], y[ok], c=ds["eta"].values[ok], s=14, zorder=3)
        fig.colorbar(sc, ax=ax, label="η")
        r = int(ds["band"].values[-1])
        ax.set_xlabel(rf"$\Delta_{{{r}}}/\Delta_{{{r - 1}}}$ (Fermi-surface gaps, T = 0)")
        ax.set_ylabel(r"$T_c$ (K)")
        g = float(ds.attrs.get("g", np.nan))
        ax.set_title(_title(ds, f"Tc vs gap anisotropy, {_g_label(g)}"))
    return fig


# ------------------------------------------------------------------------------ 7. Tc(eta)
def tc_eta(ds: xr.Dataset) -> Figure:
    """Tc versus eta for each g: linear (left) and log scale (right, down to the floor).

    Points below the floor are NaN and drawn as gaps; the log panel shows the floor and marks
    the anti-resonance minimum at eta < 0 where the data locate one.
    """
    with style():
        fig = _figure(7.6, 3.3)
        ax, lax = fig.subplots(1, 2)
        eta = ds["eta"].values
        colors = _colors(ds.sizes["g"], "plasma")
        for k, c in enumerate(colors):
            g = float(ds["g"][k])
            tc = ds["tc"].isel(g=k).values
            for a in (ax, lax):
                a.plot(eta, tc, color=c, lw=1.0, label=_g_label(g))
            if "antiresonance_eta" in ds and np.isfinite(float(ds["antiresonance_eta"][k])):
                lax.plot(
                    float(ds["antiresonance_eta"][k]),
                    float(ds["antiresonance_tc"][k]),
                    "v",
                    color=c,
                    ms=4,
                )
        floor = float(ds.attrs.get("t_floor", 1e-5))
        lax.set_yscale("log")
        lax.axhline(floor, color="0.5", ls=":", lw=0.8)
        lax.text(
            eta.min(), floor * 1.6, "T floor (below: no superconductivity)", fontsize=6, color="0.4"
        )
        lax.set_ylim(bottom=floor / 3.0)
        for a in (ax, lax):
            a.axvline(0.0, color="0.7", lw=0.5, ls=":")
            a.axvline(1.0, color="0.7", lw=0.5, ls=":")
            a.set_xlabel("η")
            a.set_ylabel(r"$T_c$ (K)")
        ax.set_ylim(bottom=0.0)
        pad = 6.0
        if "width" in ds.attrs:  # the study's top axis: mu - E_L in meV
            w = float(ds.attrs["width"])
            for a in (ax, lax):
                top = a.secondary_xaxis("top", functions=(lambda e: e * w, lambda x: x / w))
                top.set_xlabel(r"$\mu - E_L$ (meV)", fontsize=7)
                top.tick_params(labelsize=6)
            pad = 22.0
        ax.set_title(_title(ds, "Tc vs η (linear)"), pad=pad)
        lax.set_title("log scale: anti-resonance (▼) at η < 0", pad=pad)
        ax.legend(fontsize=6, ncol=1, loc="upper left")
    return fig


# ------------------------------------------------------------------------------ 8. Tc(g)
def tc_g(ds: xr.Dataset) -> Figure:
    """Tc versus g at fixed eta values, linear and log scale, with the lambda axis."""
    with style():
        fig = _figure(7.6, 3.4)
        axes = fig.subplots(1, 2)
        g = ds["g"].values
        colors = _colors(ds.sizes["eta"], "turbo")
        for k, c in enumerate(colors):
            for a in axes:
                a.plot(g, ds["tc"].isel(eta=k), color=c, label=f"η = {float(ds['eta'][k]):g}")
        floor = float(ds.attrs.get("t_floor", 1e-5))
        axes[1].set_yscale("log")
        axes[1].axhline(floor, color="0.5", ls=":", lw=0.8)
        axes[1].set_ylim(bottom=floor / 3.0)
        log_title = "log scale"
        if "antiresonance_tc" in ds and np.any(np.isfinite(ds["antiresonance_tc"].values)):
            _mark_antiresonance(axes[1], g, ds["antiresonance_eta"].values, ds["antiresonance_tc"])
            log_title = "log scale; dashed ▼: anti-resonance (min over -1 < η < 0)"
        axes[0].set_ylim(bottom=0.0)
        for a in axes:
            a.set_xlabel("g")
            a.set_ylabel(r"$T_c$ (K)")
            lambda_axis(a)
        axes[0].legend(fontsize=6)
        axes[0].set_title(_title(ds, "Tc vs g at fixed η"), pad=22)
        axes[1].set_title(log_title, pad=22)
    return fig


def _mark_antiresonance(ax: Any, g: np.ndarray, a_eta: np.ndarray, a_tc: Any) -> None:
    """The minimum of Tc over -1 < eta < 0 versus g, labelled with its eta at three g."""
    ax.plot(g, a_tc, "k--", lw=1.0, label="anti-resonance (min over η < 0)")
    fin = np.flatnonzero(np.isfinite(a_eta))
    for k in fin[np.linspace(0, fin.size - 1, min(3, fin.size)).astype(int)]:
        ax.plot(g[k], float(a_tc[k]), "kv", ms=4)
        ax.annotate(
            f"η = {a_eta[k]:.2f}", (g[k], float(a_tc[k])), xytext=(2, -9),
            textcoords="offset points", fontsize=6,
        )  # fmt: skip


# ------------------------------------------------------------------------------ 9. maps
def tc_map(ds: xr.Dataset, var: str = "tc", log: bool = False) -> Figure:
    """Colour map of ``var`` over (eta, g) with the location and value of its maximum.

    Works for the datasets of :func:`multigap.figures.tc_map_data` and of
    :func:`multigap.sweep` (any variable with dimensions eta and g). The maximum is taken
    from the attributes ``eta_max``/``g_max``/``tc_max`` when plotting ``tc`` and they are
    present (a refined maximum), else from the grid.
    """
    if var not in ds:
        raise ValueError(f"dataset has no variable {var!r}; it has {sorted(map(str, ds))}")
    da = ds[var]
    if set(da.dims) != {"eta", "g"}:
        raise ValueError(f"{var!r} must have dimensions (eta, g), got {da.dims}")
    da = da.transpose("g", "eta")
    z = np.asarray(da.values, dtype=float)
    eta = ds["eta"].values
    g = ds["g"].values
    units = da.attrs.get("units", "")
    if var == "tc" and "tc_max" in ds.attrs:
        vmax, x0, y0 = (float(ds.attrs[k]) for k in ("tc_max", "eta_max", "g_max"))
    elif np.any(np.isfinite(z)):
        j, i = np.unravel_index(int(np.nanargmax(z)), z.shape)
        vmax, x0, y0 = float(z[j, i]), float(eta[i]), float(g[j])
    else:
        vmax = x0 = y0 = float("nan")
    with style():
        fig = _figure(5.0, 3.8)
        ax = fig.subplots()
        norm = None
        pos = z[np.isfinite(z) & (z > 0)]
        if log and pos.size:
            norm = mpl.colors.LogNorm(vmin=float(pos.min()), vmax=float(pos.max()))
        finite = bool(np.all(np.isfinite(z))) and min(z.shape) > 1
        finite = finite and (norm is None or bool(np.all(z > 0)))  # log: every value shown
        # smooth (Gouraud) shading between grid points where every value is defined (and
        # positive on a log scale); cells otherwise, so that missing points stay visibly absent
        mesh = ax.pcolormesh(
            eta, g, np.ma.masked_invalid(z), shading="gouraud" if finite else "nearest", norm=norm
        )
        label = f"{var} ({units})" if units and units != "1" else var
        cbar = fig.colorbar(mesh, ax=ax, label=label, pad=0.12)
        if finite and np.ptp(z) > 0:
            if norm is not None:  # logarithmic: levels evenly spaced in log between its limits
                levels = np.geomspace(float(pos.min()), float(pos.max()), 9)[1:-1]
            else:
                levels = np.linspace(float(np.min(z)), float(np.max(z)), 9)[1:-1]
            cs = ax.contour(eta, g, z, levels=levels, colors="w", linewidths=0.4, alpha=0.7)
            cbar.add_lines(cs)
        if np.isfinite(vmax):
            ax.plot(x0, y0, marker="*", color="w", mec="k", ms=12, mew=0.8)
            ax.annotate(
                f"max {vmax:.4g} {units if units != '1' else ''}\nη = {x0:.3f}, g = {y0:.3f}",
                (x0, y0),
                xytext=(8, -22),
                textcoords="offset points",
                fontsize=7,
                color="w",
                bbox={"boxstyle": "round", "fc": "k", "alpha": 0.5, "lw": 0},
            )
        ax.set_xlabel("η")
        ax.set_ylabel("g")
        lambda_axis(ax, "y")
        ax.set_title(_title(ds, f"{'Tc' if var == 'tc' else var}(η, g)"))
        _mark_unfinished(fig, ds)
    return fig


def _mark_unfinished(fig: Figure, ds: xr.Dataset) -> None:
    """Say on the figure how many points an unfinished sweep store still misses."""
    if "computed" not in ds.data_vars:
        return
    done = np.asarray(ds["computed"].values, dtype=bool)
    missing = int((~done).sum())
    if missing:
        fig.text(
            0.01,
            0.01,
            f"unfinished map: {missing} of {done.size} points missing (blank); "
            f"max of the computed points only",
            fontsize=7,
            color="C3",
            ha="left",
            va="bottom",
        )


def map_variables(ds: xr.Dataset) -> list[str]:
    """Names of the floating-point variables of a dataset with dimensions (eta, g)."""
    return [
        str(v)
        for v, da in ds.data_vars.items()
        if set(da.dims) == {"eta", "g"} and da.dtype.kind == "f"
    ]


def maps(
    ds: xr.Dataset, variables: Sequence[str] | None = None, *, log: bool = False
) -> list[tuple[str, Figure]]:
    """One colour map per (eta, g) variable of a dataset (``multigap plot``)."""
    names = list(variables) if variables else map_variables(ds)
    if not names:
        raise ValueError("the dataset has no variable with dimensions (eta, g) to plot")
    return [(n, tc_map(ds, n, log=log)) for n in names]
