"""The full reproduction: every figure of SPEC §9 for presets A and B, its data, and a report.

:func:`reproduce` computes the data behind each figure (:mod:`multigap.figures`), writes it as
netCDF (``<out>/data/<name>.nc``), draws each figure (:mod:`multigap.plot`) as PNG and PDF
(``<out>/figures/<name>.png|pdf``) and writes ``<out>/index.html`` with the figures and their
captions, the model parameters, the numerical grids and a table of headline numbers.

Re-running reuses finished work: a dataset whose netCDF file exists with the same signature
(model configuration, package version, figure grids) is read back instead of recomputed, and a
figure whose PNG and PDF are newer than its data is not redrawn. A figure step that fails (for
instance because a solver module is missing) is reported with a message naming what failed;
the other figures are still produced, and :class:`Report` lists the failures.

Grids: :data:`FULL` (the default, a few minutes on two cores) and :data:`QUICK` (coarser sweep
grids, same figures, well under two minutes).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from multigap.study import figures
from multigap.study.beyond_report import beyond_section
from multigap.study.report import (
    ReportContext,
    SectionBuilder,
    build_sections,
    comparison_section,
    write_index,
)
from multigap.study.steps import (
    ENGINE,
    FULL,
    PRESET_NAMES,
    QUICK,
    TC_G_ETA,
    DataStep,
    FigureStep,
    Grids,
    Outcome,
    _load_or_compute,
    data_steps,
)

if TYPE_CHECKING:
    from multigap.model import Model


#: The extra report sections built by default, in order: the study's numbers beside
#: multigap's, then the response of the multiband BCS state beyond the study.
DEFAULT_SECTIONS: tuple[SectionBuilder, ...] = (comparison_section, beyond_section)


# ------------------------------------------------------------------------------------ steps
def _conventions(m: Model) -> str:
    mu = "fixed mu" if m.chemical_potential == "fixed_mu" else "fixed density"
    return f"Convention: Tc at {mu} (the model's chemical_potential rule); no gaps."


def _phonon_step(models: Sequence[Model]) -> FigureStep:
    from multigap import plot

    names = ", ".join(m.name for m in models)
    phon = DataStep(
        "phonon", figures.phonon_data, (list(models),), {"g": np.linspace(0.0, 0.49, 99)},
        tuple(models),
    )  # fmt: skip
    return FigureStep(
        "phonon",
        3,
        "Migdal softened phonon energy",
        "Pairing cut-off w0 sqrt(1 - 2g) versus the resonant coupling g (top axis: "
        f"lambda = g/(1-g)) for {names}. Dotted: Delta_E of each model; dashed: the 160 meV "
        "H3S infrared phonon. The study's w0 values do not meet its own targets at moderate "
        "coupling (330 sqrt(1-0.6) = 209 meV, 225 sqrt(1-0.5) = 159 meV); they are kept as given.",
        phon,
        plot.phonon,
        "multigap.model",
    )


def _figure_steps(m: Model, data: dict[str, DataStep]) -> list[FigureStep]:
    from multigap import plot

    n = m.name
    g_ref = figures.REFERENCE_G.get(n, 0.25)
    conv = _conventions(m)
    csh = (
        " The CSH dome summary (Snider et al., Nature 586, 373 (2020)) is drawn only as a "
        "dashed outline: that paper was retracted in 2022 and its numbers are not data."
        if n == "B"
        else ""
    )
    fs = FigureStep
    return [
        fs(
            f"pressure_{n}", 1, f"Tc versus pressure, model {n}",
            "Shaded: the H3S dome as a summary of Drozdov et al. 2015 as used by the study "
            "(peak 203 K at 162 GPa, half width 43 GPa; a drawing of three numbers, not "
            "measured points). Black: Tc along the straight path eta(P), g(P) fitted to that "
            f"drawing (right: the path). {conv}" + csh,
            data["pressure"], plot.pressure, "multigap.pressure",
        ),
        fs(
            f"dos_{n}", 2, f"Density of states and Fermi surfaces, model {n}",
            "Top: total and partial DOS per spin versus eta (units of the free 2D DOS N0): "
            "the resonant subband's step at eta = 0 (type-I Lifshitz point) and logarithmic "
            "peak at eta = 1 (type-II, neck opening). Bottom: Fermi contours in the (kx, kz) "
            "plane at eta = -0.5 (no pocket), 0.5 (closed 2D pocket), 1.5 (open 1D sheets).",
            data["dos"], plot.dos, "multigap.pdos",
        ),
        fs(
            f"overlaps_{n}", 4, f"Superposition integrals, model {n}",
            "Left: histogram of the matrix elements I^{nn'}(kz, kz') per (n, n') block on "
            "the kz grid. Right: I^{nn'}(kz, kz') versus kz at kz' = 0, pi/2d and pi/d.",
            data["overlaps"], plot.overlaps, "multigap.overlap",
        ),
        fs(
            f"gap_ratios_{n}", 5, f"Gap ratios and isotope coefficient, model {n}",
            "Left: 2 Delta_n / k_B Tc of subbands 2 and 3 versus eta at "
            f"g = {g_ref:.4g}. Convention: Delta_n the T = 0 Fermi-surface gap (not the "
            "spectral gap) with mu renormalised at fixed density; Tc as in the dataset "
            "(attribute tc_convention; the model's rule where absent). Dashed: BCS 3.528. "
            "Right: isotope coefficient alpha = -dlnTc/dlnM versus eta (BCS 0.5). Points below "
            "the Tc floor are absent.",
            data["gaps"], plot.gap_ratios, "multigap.gaps",
        ),
        fs(
            f"anisotropy_{n}", 6, f"Tc versus gap anisotropy, model {n}",
            f"Tc versus Delta_3/Delta_2 along the dome (eta as colour) at g = {g_ref:.4g}; "
            "Fermi-surface gaps at T = 0, mu at fixed density.",
            data["gaps"], plot.anisotropy, "multigap.gaps",
        ),
        fs(
            f"tc_eta_{n}", 7, f"Tc versus eta, model {n}",
            "Tc versus eta for g = 0.10 ... 0.49, linear (left) and log scale (right); top axis "
            "mu - E_L in meV, as the study draws it. The log scale shows the Fano-Feshbach "
            "anti-resonance for eta < 0 (triangles: its minimum); Tc below the 1e-5 K floor is "
            f"absent, not plotted as a number. {conv}",
            data["tc_eta"], plot.tc_eta, "multigap.tc",
        ),
        fs(
            f"tc_g_{n}", 8, f"Tc versus g, model {n}",
            "Tc versus g at fixed eta = " + ", ".join(f"{e:g}" for e in TC_G_ETA)
            + " (top axis: lambda), linear and log scale, covering the anti-resonant side "
            "-1 < eta < 0 as the study's figure 9 does. Black dashed: the anti-resonance, the "
            "minimum of Tc over -1 < eta < 0 at each g, labelled with the eta where it lies. "
            + conv,
            data["tc_g"], plot.tc_g, "multigap.tc",
        ),
        fs(
            f"tc_map_{n}", 9, f"Tc(eta, g) map, model {n}",
            "Tc over 0 < eta < 2 and 0.10 < g < 0.49 (right axis: lambda); the star marks the "
            "maximum (refined by a bounded Nelder-Mead search from the best grid point). "
            + conv,
            data["tc_map"], plot.tc_map, "multigap.tc",
        ),
    ]  # fmt: skip


def plan(models: Sequence[Model], grids: Grids = FULL) -> list[FigureStep]:
    """The figure steps for a set of models (SPEC §9 items 1-9, per model)."""
    steps: list[FigureStep] = [_phonon_step(models)] if models else []
    for m in models:
        steps += _figure_steps(m, data_steps(m, grids))
    steps.sort(key=lambda s: (s.number, s.name))
    return steps


# ------------------------------------------------------------------------------------ running
@dataclass
class Report:
    """Result of :func:`reproduce`."""

    out: Path
    outcomes: list[Outcome] = field(default_factory=list)
    headline: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Outcome]:
        """The figures that could not be produced."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def index(self) -> Path:
        """Path of the HTML report."""
        return self.out / "index.html"


def _missing_piece(exc: BaseException, needs: str) -> str:
    if isinstance(exc, ImportError):
        return (
            f"needs {needs}, which is not available here ({exc}); the other figures were "
            "still produced"
        )
    return f"{type(exc).__name__}: {exc}"


def run_steps(
    steps: Sequence[FigureStep], out: Path, *, progress: bool = True, force: bool = False
) -> list[Outcome]:
    """Compute, save and draw each figure step into ``out`` (data/ and figures/)."""
    from tqdm.auto import tqdm

    from multigap import plot

    data_dir = out / "data"
    fig_dir = out / "figures"
    data_dir.mkdir(parents=True, exist_ok=True)
    fig_dir.mkdir(parents=True, exist_ok=True)
    if force:
        for s in steps:
            (data_dir / f"{s.data.name}.nc").unlink(missing_ok=True)
    cache: dict[str, xr.Dataset] = {}
    outcomes: list[Outcome] = []
    bar = tqdm(steps, desc="figures", unit="fig", disable=not progress, leave=True)
    for step in bar:
        bar.set_postfix_str(step.name)
        t0 = time.perf_counter()
        try:
            ds, reused = _load_or_compute(step.data, data_dir, cache)
            png, pdf = fig_dir / f"{step.name}.png", fig_dir / f"{step.name}.pdf"
            nc = data_dir / f"{step.data.name}.nc"
            fresh = (
                reused
                and png.is_file()
                and pdf.is_file()
                and min(png.stat().st_mtime, pdf.stat().st_mtime) >= nc.stat().st_mtime
            )
            if not fresh:
                fig = step.draw(ds)
                plot.save(fig, png, "pdf")
            status = "reused" if fresh else "computed"
            outcomes.append(Outcome(step, status, seconds=time.perf_counter() - t0))
        except Exception as exc:  # one failing figure must not stop the others
            msg = _missing_piece(exc, step.needs)
            outcomes.append(Outcome(step, "failed", msg, time.perf_counter() - t0))
            bar.write(f"figure {step.name} failed: {msg}")
    return outcomes


# ------------------------------------------------------------------------------------ headline
def headline(out: Path, models: Sequence[Model]) -> list[dict[str, Any]]:
    """Headline numbers per model, read from the written datasets (missing ones as "—")."""
    rows: list[dict[str, Any]] = []
    data = out / "data"

    def attrs(name: str) -> dict[str, Any]:
        p = data / f"{name}.nc"
        if not p.is_file():
            return {}
        with xr.open_dataset(p, engine=ENGINE) as ds:
            return {k: v.item() if isinstance(v, np.generic) else v for k, v in ds.attrs.items()}

    for m in models:
        n = m.name
        row: dict[str, Any] = {"model": n}
        a = attrs(f"tc_map_{n}")
        row["tc_max_K"] = a.get("tc_max")
        row["eta_at_max"] = a.get("eta_max")
        row["g_at_max"] = a.get("g_max")
        row["lambda_at_max"] = a.get("lambda_max")
        a = attrs(f"gaps_{n}")
        row["gap_g"] = a.get("g")
        row["eta_top"] = a.get("eta_top")
        row["tc_top_K"] = a.get("tc_top")
        row["anisotropy_top"] = a.get("anisotropy_top")
        ratios = json.loads(a["ratio_top"]) if "ratio_top" in a else {}
        row["ratio_top"] = ratios
        row["isotope_min"] = a.get("isotope_min")
        row["isotope_max"] = a.get("isotope_max")
        p = data / f"tc_eta_{n}.nc"
        if p.is_file():
            with xr.open_dataset(p, engine=ENGINE) as ds:
                g_ref = figures.REFERENCE_G.get(n, 0.25)
                k = int(np.argmin(np.abs(ds["g"].values - g_ref)))
                row["antiresonance_g"] = float(ds["g"].values[k])
                row["antiresonance_eta"] = float(ds["antiresonance_eta"].values[k])
                row["antiresonance_tc_K"] = float(ds["antiresonance_tc"].values[k])
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------------ entry
def reproduce(
    out: str | Path = "results",
    *,
    quick: bool = False,
    models: Sequence[Model] | None = None,
    progress: bool = True,
    force: bool = False,
    sections: Sequence[SectionBuilder] | None = None,
) -> Report:
    """Produce every figure of SPEC §9 with its data and the HTML report.

    Parameters
    ----------
    out : str or Path
        Output folder (created): ``figures/``, ``data/``, ``index.html``.
    quick : bool
        Coarser sweep grids (:data:`QUICK`), same figures.
    models : sequence of Model, optional
        Default: presets A and B.
    progress : bool
        Show a tqdm bar (one step per figure).
    force : bool
        Recompute every dataset even when a matching netCDF file exists.
    sections : sequence of SectionBuilder, optional
        Extra report sections, each ``(ReportContext) -> Section``
        (:mod:`multigap.study.report`); default :data:`DEFAULT_SECTIONS`
        (the study-versus-multigap table, which also writes ``comparison.json``).

    Returns
    -------
    Report
        Outcomes per figure (``failed`` lists what could not be produced), headline numbers and
        the path of ``index.html``.
    """
    from multigap.model import preset

    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    models = list(models) if models is not None else [preset(n) for n in PRESET_NAMES]
    grids = QUICK if quick else FULL
    steps = plan(models, grids)
    outcomes = run_steps(steps, out, progress=progress, force=force)
    rows = headline(out, models)
    ctx = ReportContext(out, out / "data", tuple(models), grids, quick, rows)
    built = build_sections(DEFAULT_SECTIONS if sections is None else sections, ctx)
    write_index(out, models, steps, outcomes, grids, rows, quick=quick, sections=built)
    (out / "headline.json").write_text(json.dumps(rows, indent=2, default=str) + "\n")
    return Report(out, outcomes, rows, time.perf_counter() - t0)
