"""The report's "beyond the study" section: phase fluctuations, thermodynamics, spectra and
the crossover of every subband, at and along the dome top of each preset.

:func:`beyond_section` is a :data:`multigap.study.report.SectionBuilder`. Its datasets
(:func:`multigap.study.beyond.beyond_datasets`) are written to the reproduction's data folder
as ``beyond_<kind>_<model>.nc`` with a signature (model configuration, package version, grid)
and read back on a re-run; its figures go to ``figures/beyond_*.png`` and ``.pdf``. Every number
in it is at fixed density (the gaps' own rule, SPEC §6), as each dataset's ``mu_convention``
attribute says.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from multigap.study import figures
from multigap.study.beyond import beyond_datasets
from multigap.study.report import ReportContext, Section
from multigap.study.steps import ENGINE, _read_cached

__all__ = ["KINDS", "beyond_section"]

#: The datasets of the section, per model.
KINDS = ("bkt", "curves", "spectra", "crossover")


def _signature(model: Any, quick: bool) -> str:
    return json.dumps(
        {
            "section": "beyond",
            "config": model.to_dict(),
            "version": figures.version(),
            "quick": quick,
        },
        sort_keys=True,
    )


def _datasets(model: Any, data_dir: Path, quick: bool) -> tuple[dict[str, xr.Dataset], bool]:
    """The model's datasets and whether they were read back (files with the same signature)."""
    sig = _signature(model, quick)
    paths = {k: data_dir / f"beyond_{k}_{model.name}.nc" for k in KINDS}
    cached = {k: _read_cached(p, sig) for k, p in paths.items()}
    if all(ds is not None for ds in cached.values()):
        return {k: ds for k, ds in cached.items() if ds is not None}, True
    made = beyond_datasets([model], quick=quick)[str(model.name)]
    data_dir.mkdir(parents=True, exist_ok=True)
    for k, ds in made.items():
        ds.attrs["reproduce_signature"] = sig
        tmp = paths[k].with_suffix(".nc.tmp")
        ds.to_netcdf(tmp, engine=ENGINE)
        tmp.replace(paths[k])
    return made, False


def _figure(
    out: Path, name: str, draw: Callable[[], Any], title: str, caption: str, redraw: bool
) -> str:
    """Draw (unless ``redraw`` is False and both files exist) and return the HTML figure."""
    from multigap import plot

    png = out / "figures" / f"{name}.png"
    if redraw or not (png.is_file() and png.with_suffix(".pdf").is_file()):
        plot.save(draw(), png, "pdf")
    e = html.escape
    return (
        f"<figure id='{e(name)}'><img src='figures/{e(name)}.png' alt='{e(title)}' "
        f"loading='eager'><figcaption><b>{e(title)}.</b> {e(caption)} "
        f"[<a href='figures/{e(name)}.pdf'>PDF</a>]</figcaption></figure>"
    )


def _summary_rows(name: str, data: dict[str, xr.Dataset], resonant: int) -> list[str]:
    """One table row: the dome top's T_BKT/Tc and the resonant band's crossover numbers."""
    bkt, cross = data["bkt"], data["crossover"]
    i = int(np.nanargmax(bkt["tc"].values))
    eta = float(bkt["eta"].values[i])
    c = cross.sel(eta=eta, method="nearest").sel(band=resonant)
    cells = [
        name,
        f"{eta:.3g}",
        f"{float(bkt.attrs.get('g', np.nan)):.3g}",
        f"{float(bkt['tc'].values[i]):.4g}",
        f"{float(bkt['tbkt'].values[i]):.4g}",
        f"{float(bkt['ratio'].values[i]):.3f}",
        f"{float(c['kf_xi']):.3g}",
        f"{float(c['pair_size']):.3g}",
        f"{float(c['condensate_fraction']):.3g}",
    ]
    return ["<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in cells) + "</tr>"]


def beyond_section(ctx: ReportContext) -> Section:
    """Build the section: datasets (cached), four figure families and a summary table."""
    from multigap import plot_response

    made = {str(m.name): _datasets(m, ctx.data_dir, ctx.quick) for m in ctx.models}
    data = {k: v[0] for k, v in made.items()}
    redraw = not all(v[1] for v in made.values())  # new data: draw every figure again
    head = (
        "<tr><th>model</th><th>eta</th><th>g</th><th>Tc (K)</th><th>T_BKT (K)</th>"
        "<th>T_BKT/Tc</th><th>k_F xi</th><th>pair size (nm)</th><th>n0/n</th></tr>"
    )
    rows = [r for m in ctx.models for r in _summary_rows(str(m.name), data[str(m.name)],
                                                           int(m.resonant_band))]  # fmt: skip
    parts = [
        "<p>Mean-field Tc is an upper bound for a two-dimensional sheet: phase fluctuations set "
        "in at the Berezinskii-Kosterlitz-Thouless temperature k_B T_BKT = (pi/2) sqrt(J_xx "
        "J_zz), with J the phase stiffness of the multiband BCS state (interband geometric terms "
        "neglected). Gaps, Tc and every response here are at fixed density. The crossover "
        "numbers are those of the resonant subband where Tc is largest along the dome.</p>",
        f"<table>{head}{''.join(rows)}</table>",
        _figure(
            ctx.out,
            "beyond_bkt",
            lambda: plot_response.plot_bkt({k: v["bkt"] for k, v in data.items()}),
            "T_BKT beside the mean-field Tc along the dome",
            "Both at fixed density, versus eta at each preset's dome-top g.",
            redraw,
        ),
    ]
    for name, d in data.items():
        parts += [
            _figure(
                ctx.out,
                f"beyond_curves_{name}",
                partial(plot_response.plot_temperature_curves, d["curves"]),
                f"Stiffness and specific heat at the dome top ({name})",
                "J_xx(T), J_zz(T) per subband and C(T) in both phases; J vanishes at Tc.",
                redraw,
            ),
            _figure(
                ctx.out,
                f"beyond_spectra_{name}",
                partial(plot_response.plot_spectra, d["spectra"]),
                f"Tunnelling spectra ({name})",
                "Quasiparticle DOS over the normal-state DOS at mu, total and per subband, at "
                "eta = 0.2, 1, 1.5 (no broadening): a coherence peak at each subband's gap.",
                redraw,
            ),
            _figure(
                ctx.out,
                f"beyond_crossover_{name}",
                partial(plot_response.plot_crossover, d["crossover"]),
                f"BCS-BEC crossover map ({name})",
                "Pair size, k_F xi and condensate fraction of every subband versus eta.",
                redraw,
            ),
        ]
    return Section(
        "beyond", "Beyond the study: phase fluctuations and the crossover", "".join(parts)
    )
