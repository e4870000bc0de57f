"""Commands on the geometry: bands, dos, phonon."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from multigap.cli.app import app
from multigap.cli.common import (
    ConfigOpt,
    JsonOpt,
    PresetOpt,
    _figure_out,
    _write,
    check_g,
    emit,
    load,
    user_errors,
    values,
    writable,
)


@app.command()
@user_errors
def bands(preset: PresetOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Barrier height, subband edges and tops, E_L, E_T and Delta_E of the resonant subband."""
    m = load(preset, config)
    sb = m.subbands
    r = m.resonant_band
    lat = m.lattice
    sub = [
        {
            "band": n,
            "bottom_meV": float(sb.edge(n)),
            "top_meV": float(sb.top(n)),
            "width_meV": float(sb.width(n)),
        }
        for n in range(1, m.n_bands + 1)
    ]
    data = {
        "model": m.name,
        "well_nm": lat.well,
        "barrier_nm": lat.barrier,
        "period_nm": lat.period,
        "barrier_height_meV": float(lat.height),
        "mass_x": lat.mass_x,
        "mass_z": lat.mass_z,
        "resonant_band": r,
        "E_L_meV": float(sb.edge(r)),
        "E_T_meV": float(sb.top(r)),
        "Delta_E_meV": float(sb.width(r)),
        "omega0_meV": m.omega0,
        "next_band_bottom_meV": float(m.geometry.next_bottom),
        "subbands": sub,
    }
    lines = [
        f"model {m.name}: L = {lat.well} nm, W = {lat.barrier} nm, period {lat.period:.4g} nm",
        f"barrier height V = {lat.height:.4f} meV",
        f"resonant subband {r}: E_L = {sb.edge(r):.4f} meV, E_T = {sb.top(r):.4f} meV, "
        f"Delta_E = {sb.width(r):.4f} meV",
        "subband   bottom (meV)     top (meV)   width (meV)",
        *(
            f"{s['band']:7d} {s['bottom_meV']:14.4f} {s['top_meV']:13.4f} {s['width_meV']:13.4f}"
            for s in sub
        ),
        f"next subband ({m.n_bands + 1}) bottom: {m.geometry.next_bottom:.4f} meV",
    ]
    emit(data, as_json, lines)


@app.command()
@user_errors
def dos(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Figure file (.png/.pdf); data .nc beside it.")
    ],
    eta: Annotated[str, typer.Option(help="eta range START:STOP:N.")] = "-1:2:600",
    contour_eta: Annotated[
        str, typer.Option("--contour-eta", help="eta values of the Fermi-contour panels.")
    ] = "-0.5,0.5,1.5",
    preset: PresetOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Total and partial DOS versus eta and Fermi contours (figure + netCDF)."""
    from multigap import plot
    from multigap.study import figures

    fig_path, nc_path = _figure_out(out)
    ev, cv = values(eta, "--eta"), values(contour_eta, "--contour-eta")
    writable(fig_path, "--out")
    writable(nc_path, "--out")
    m = load(preset, config)
    ds = figures.dos_data(m, ev, cv)
    _write(ds, nc_path)
    plot.save(plot.dos(ds), fig_path)
    typer.echo(f"wrote {fig_path} and {nc_path}")


@app.command()
@user_errors
def phonon(
    g: Annotated[str, typer.Option(help="g values (range or list).")] = "0:0.49:8",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Figure file (.png/.pdf).")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Migdal softened phonon energy w0 sqrt(1 - 2g) versus g for presets A and B."""
    from multigap import plot
    from multigap.model import preset
    from multigap.study import figures

    gv = check_g(values(g, "--g"))
    if out is not None:
        for path in _figure_out(out):
            writable(path, "--out")
    models = [preset("A"), preset("B")]
    if config is not None:
        models.append(load(None, config))
    ds = figures.phonon_data(models, gv)
    if out is not None:
        fig_path, nc_path = _figure_out(out)
        _write(ds, nc_path)
        plot.save(plot.phonon(ds), fig_path)
    names = [str(x) for x in ds["model"].values]
    data = {
        "g": gv.tolist(),
        "lambda": ds["lambda"].values.tolist(),
        "omega_meV": {n: ds["omega"].values[k].tolist() for k, n in enumerate(names)},
        "omega0_meV": {n: float(ds["omega0"].values[k]) for k, n in enumerate(names)},
    }
    head = "      g   lambda " + "".join(f"  wc_{n} (meV)" for n in names)
    rows = [
        f"{x:7.3f} {lam:8.3f} "
        + "".join(f"{ds['omega'].values[k, i]:13.2f}" for k in range(len(names)))
        for i, (x, lam) in enumerate(zip(gv, ds["lambda"].values, strict=True))
    ]
    tail = [f"wrote {out}"] if out is not None else []
    emit(data, as_json, [head, *rows, *tail])
