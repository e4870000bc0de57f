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

import html
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import xarray as xr

from multigap.study import figures

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from multigap.model import Model

#: netCDF engine of every file written here.
ENGINE: Literal["h5netcdf"] = "h5netcdf"


@dataclass(frozen=True)
class Grids:
    """Sweep grids of the reproduction (numbers of points).

    Attributes
    ----------
    dos_eta : int
        eta points of the DOS curves on [-1, 2].
    tc_eta : int
        eta points of the Tc(eta) curves on [-1, 2].
    tc_g : int
        g points of the Tc(g) curves on [0.10, 0.49].
    map_eta, map_g : int
        Colour-map grid on [0, 2] x [0.10, 0.49].
    gap_eta : int
        eta points of the gap-ratio / isotope curves on [-0.3, 2].
    pressure_points, pressure_nfev : int
        Samples of the dome summary and most residual evaluations of the path fit.
    """

    dos_eta: int = 1200
    tc_eta: int = 601
    tc_g: int = 79
    map_eta: int = 201
    map_g: int = 79
    gap_eta: int = 47
    pressure_points: int = 25
    pressure_nfev: int = 200


FULL = Grids()
QUICK = Grids(
    dos_eta=300,
    tc_eta=151,
    tc_g=27,
    map_eta=41,
    map_g=14,
    gap_eta=12,
    pressure_points=11,
    pressure_nfev=100,
)
PRESET_NAMES = ("A", "B")


# ------------------------------------------------------------------------------------ steps
@dataclass(frozen=True)
class DataStep:
    """A dataset: the figures function, its arguments, the models it depends on."""

    name: str
    func: Callable[..., xr.Dataset]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    models: tuple[Model, ...]

    def signature(self) -> str:
        """JSON identifying the result: configuration(s), version, function and grids."""
        return json.dumps(
            {
                "function": self.func.__name__,
                "config": [m.to_dict() for m in self.models],
                "version": figures.version(),
                "kwargs": figures._plain(self.kwargs),
            },
            sort_keys=True,
        )


@dataclass(frozen=True)
class FigureStep:
    """A figure drawn from one dataset."""

    name: str
    number: int
    title: str
    caption: str
    data: DataStep
    draw: Callable[[xr.Dataset], Figure]
    needs: str


def _g_list(model: Model) -> list[float]:
    gs = [0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.49]
    ref = figures.REFERENCE_G.get(model.name)
    if ref is not None and not any(abs(ref - x) < 1e-9 for x in gs):
        gs.append(ref)
    return sorted(gs)


def plan(models: Sequence[Model], grids: Grids = FULL) -> list[FigureStep]:
    """The figure steps for a set of models (SPEC §9 items 1-9, per model)."""
    from multigap import plot

    steps: list[FigureStep] = []
    g_eta = np.linspace(-1.0, 2.0, grids.tc_eta)
    names = tuple(m.name for m in models)
    if models:
        phon = DataStep(
            "phonon",
            figures.phonon_data,
            (list(models),),
            {"g": np.linspace(0.0, 0.49, 99)},
            tuple(models),
        )
        steps.append(
            FigureStep(
                "phonon",
                3,
                "Migdal softened phonon energy",
                "Pairing cut-off w0 sqrt(1 - 2g) versus the resonant coupling g (top axis: "
                "lambda = g/(1-g)) for "
                + ", ".join(names)
                + ". Dotted: Delta_E of each model; dashed: the 160 meV H3S infrared phonon. "
                "The study's w0 values do not meet its own targets at moderate coupling "
                "(330 sqrt(1-0.6) = 209 meV, 225 sqrt(1-0.5) = 159 meV); they are kept as given.",
                phon,
                plot.phonon,
                "multigap.model",
            )
        )
    for m in models:
        n = m.name
        g_ref = figures.REFERENCE_G.get(n, 0.25)
        show = ("csh",) if n == "B" else ()
        pres = DataStep(
            f"pressure_{n}",
            figures.pressure_data,
            (m,),
            {
                "dome": "h3s",
                "show": show,
                "n_points": grids.pressure_points,
                "max_nfev": grids.pressure_nfev,
            },
            (m,),
        )
        dos = DataStep(
            f"dos_{n}",
            figures.dos_data,
            (m,),
            {"eta": np.linspace(-1.0, 2.0, grids.dos_eta), "contour_eta": (-0.5, 0.5, 1.5)},
            (m,),
        )
        ov = DataStep(f"overlaps_{n}", figures.overlap_data, (m,), {"bins": 40}, (m,))
        gaps = DataStep(
            f"gaps_{n}",
            figures.gap_data,
            (m,),
            {"g": g_ref, "eta": np.linspace(-0.3, 2.0, grids.gap_eta)},
            (m,),
        )
        teta = DataStep(
            f"tc_eta_{n}", figures.tc_eta_data, (m,), {"g": _g_list(m), "eta": g_eta}, (m,)
        )
        tg = DataStep(
            f"tc_g_{n}",
            figures.tc_g_data,
            (m,),
            {"eta": np.linspace(-1.0, 2.0, 7), "g": np.linspace(0.10, 0.49, grids.tc_g)},
            (m,),
        )
        tmap = DataStep(
            f"tc_map_{n}",
            figures.tc_map_data,
            (m,),
            {
                "eta": np.linspace(0.0, 2.0, grids.map_eta),
                "g": np.linspace(0.10, 0.49, grids.map_g),
            },
            (m,),
        )
        csh = (
            " The CSH dome summary (Snider et al., Nature 586, 373 (2020)) is drawn only as a "
            "dashed outline: that paper was retracted in 2022 and its numbers are not data."
            if show
            else ""
        )
        steps += [
            FigureStep(
                f"pressure_{n}",
                1,
                f"Tc versus pressure, model {n}",
                "Shaded: the H3S dome as a summary of Drozdov et al. 2015 as used by the study "
                "(peak 203 K at 162 GPa, half width 43 GPa; a drawing of three numbers, not "
                "measured points). Black: Tc along the straight path eta(P), g(P) fitted to that "
                "drawing (right: the path)." + csh,
                pres,
                plot.pressure,
                "multigap.pressure",
            ),
            FigureStep(
                f"dos_{n}",
                2,
                f"Density of states and Fermi surfaces, model {n}",
                "Top: total and partial DOS per spin versus eta (units of the free 2D DOS N0): "
                "the resonant subband's step at eta = 0 (type-I Lifshitz point) and logarithmic "
                "peak at eta = 1 (type-II, neck opening). Bottom: Fermi contours in the (kx, kz) "
                "plane at eta = -0.5 (no pocket), 0.5 (closed 2D pocket), 1.5 (open 1D sheets).",
                dos,
                plot.dos,
                "multigap.pdos",
            ),
            FigureStep(
                f"overlaps_{n}",
                4,
                f"Superposition integrals, model {n}",
                "Left: histogram of the matrix elements I^{nn'}(kz, kz') per (n, n') block on "
                "the kz grid. Right: I^{nn'}(kz, kz') versus kz at kz' = 0, pi/2d and pi/d.",
                ov,
                plot.overlaps,
                "multigap.overlap",
            ),
            FigureStep(
                f"gap_ratios_{n}",
                5,
                f"Gap ratios and isotope coefficient, model {n}",
                f"Left: 2 Delta_n / k_B Tc of subbands 2 and 3 (T = 0 gaps at their Fermi "
                f"surfaces, mu renormalised at fixed density) versus eta at g = {g_ref:.4g}; "
                "dashed: BCS 3.528. Right: isotope coefficient alpha = -dlnTc/dlnM versus eta "
                "(BCS 0.5). Points below the Tc floor are absent.",
                gaps,
                plot.gap_ratios,
                "multigap.gaps",
            ),
            FigureStep(
                f"anisotropy_{n}",
                6,
                f"Tc versus gap anisotropy, model {n}",
                f"Tc versus Delta_3/Delta_2 along the dome (eta as colour) at g = {g_ref:.4g}.",
                gaps,
                plot.anisotropy,
                "multigap.gaps",
            ),
            FigureStep(
                f"tc_eta_{n}",
                7,
                f"Tc versus eta, model {n}",
                "Tc versus eta for g = 0.10 ... 0.49, linear (left) and log scale (right). "
                "The log scale shows the Fano-Feshbach anti-resonance for eta < 0 (triangles: "
                "its minimum); Tc below the 1e-5 K floor is absent, not plotted as a number.",
                teta,
                plot.tc_eta,
                "multigap.tc",
            ),
            FigureStep(
                f"tc_g_{n}",
                8,
                f"Tc versus g, model {n}",
                "Tc versus g at fixed eta = -1, -0.5, 0, 0.5, 1, 1.5, 2 (top axis: lambda); "
                "linear and log scale.",
                tg,
                plot.tc_g,
                "multigap.tc",
            ),
            FigureStep(
                f"tc_map_{n}",
                9,
                f"Tc(eta, g) map, model {n}",
                "Tc over 0 < eta < 2 and 0.10 < g < 0.49 (right axis: lambda); the star marks "
                "the maximum (refined by a bounded Nelder-Mead search from the best grid point).",
                tmap,
                plot.tc_map,
                "multigap.tc",
            ),
        ]
    steps.sort(key=lambda s: (s.number, s.name))
    return steps


# ------------------------------------------------------------------------------------ running
@dataclass
class Outcome:
    """What happened to one figure."""

    step: FigureStep
    status: str  # "computed", "reused" or "failed"
    message: str = ""
    seconds: float = 0.0


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


def _read_cached(path: Path, signature: str) -> xr.Dataset | None:
    if not path.is_file():
        return None
    try:
        ds = xr.load_dataset(path, engine=ENGINE)
    except (OSError, ValueError):
        return None
    if ds.attrs.get("reproduce_signature") != signature:
        return None
    return ds


def _missing_piece(exc: BaseException, needs: str) -> str:
    if isinstance(exc, ImportError):
        return (
            f"needs {needs}, which is not available here ({exc}); the other figures were "
            "still produced"
        )
    return f"{type(exc).__name__}: {exc}"


def _load_or_compute(
    step: DataStep, data_dir: Path, cache: dict[str, xr.Dataset]
) -> tuple[xr.Dataset, bool]:
    if step.name in cache:
        return cache[step.name], True
    path = data_dir / f"{step.name}.nc"
    sig = step.signature()
    ds = _read_cached(path, sig)
    reused = ds is not None
    if ds is None:
        ds = step.func(*step.args, **step.kwargs)
        ds.attrs["reproduce_signature"] = sig
        tmp = path.with_suffix(".nc.tmp")
        ds.to_netcdf(tmp, engine=ENGINE)
        tmp.replace(path)
    cache[step.name] = ds
    return ds, reused


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
def _fmt(x: Any, digits: int = 4) -> str:
    if x is None:
        return "—"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{v:.{digits}g}" if math.isfinite(v) else "—"


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


# ------------------------------------------------------------------------------------ HTML
_CSS = """
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.4}
table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;
padding:3px 8px;text-align:left;font-size:0.9em}th{background:#f3f3f3}
figure{margin:1.5em 0;border-top:1px solid #ddd;padding-top:0.8em}
figure img{max-width:100%;height:auto}figcaption{font-size:0.92em;color:#333}
.fail{color:#a00}.note{color:#555;font-size:0.9em}code{background:#f5f5f5;padding:0 3px}
"""

# Sets data-images on <body> once every image has loaded (checked by the report test).
_SCRIPT = """
<script>
function mgCheckImages(){
  var imgs = Array.prototype.slice.call(document.images);
  var bad = imgs.filter(function(i){ return !(i.complete && i.naturalWidth > 0); });
  document.body.setAttribute('data-image-count', String(imgs.length));
  document.body.setAttribute('data-images', bad.length ? 'missing:' +
    bad.map(function(i){ return i.getAttribute('src'); }).join(' ') : 'all-loaded');
}
window.addEventListener('load', mgCheckImages);
</script>
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _table(rows: Sequence[Sequence[Any]], head: Sequence[str]) -> str:
    h = "".join(f"<th>{_e(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{h}</tr>{body}</table>"


def _headline_html(rows: list[dict[str, Any]]) -> str:
    out = []
    for r in rows:
        ratios = r.get("ratio_top") or {}
        out.append(
            [
                r["model"],
                _fmt(r.get("tc_max_K")),
                f"{_fmt(r.get('eta_at_max'))}, {_fmt(r.get('g_at_max'))} "
                f"(λ = {_fmt(r.get('lambda_at_max'), 3)})",
                f"g = {_fmt(r.get('gap_g'), 3)}, η = {_fmt(r.get('eta_top'), 3)}, "
                f"Tc = {_fmt(r.get('tc_top_K'))} K",
                _fmt(r.get("anisotropy_top")),
                ", ".join(f"n={k}: {_fmt(v)}" for k, v in ratios.items()) or "—",
                f"{_fmt(r.get('isotope_min'), 3)} … {_fmt(r.get('isotope_max'), 3)}",
                f"η = {_fmt(r.get('antiresonance_eta'), 3)}, "
                f"Tc = {_fmt(r.get('antiresonance_tc_K'), 3)} K "
                f"(g = {_fmt(r.get('antiresonance_g'), 3)})",
            ]
        )
    return _table(
        out,
        [
            "model",
            "Tc max (K)",
            "at (η, g)",
            "top of the dome (gap figure)",
            "Δ3/Δ2 at the top",
            "2Δn/kBTc at the top",
            "isotope coefficient range",
            "anti-resonance minimum",
        ],
    )


def _model_html(m: Model) -> str:
    sb = m.subbands
    r = m.resonant_band
    rows: list[list[Any]] = [
        ["well L (nm)", m.lattice.well],
        ["barrier W (nm)", m.lattice.barrier],
        ["barrier height V (meV, solved from Delta_E)", f"{m.lattice.height:.6g}"],
        ["masses m_x, m_z (m_e)", f"{m.lattice.mass_x}, {m.lattice.mass_z}"],
        ["subbands, resonant", f"{m.n_bands}, {r}"],
        [
            "E_L, E_T, Delta_E of the resonant subband (meV)",
            f"{sb.edge(r):.6g}, {sb.top(r):.6g}, {sb.width(r):.6g}",
        ],
        ["w0 (meV)", m.omega0],
        ["background coupling g11 = g22", m.background_coupling],
        ["interband rule", m.interband],
        ["cut-off rule", m.cutoff],
        ["chemical potential at Tc", m.chemical_potential],
    ]
    num = [[k, v] for k, v in asdict(m.numerics).items()]
    return (
        f"<h3>Model {_e(m.name)}</h3><p class='note'>{_e(m.description)}</p>"
        + _table(rows, ["parameter", "value"])
        + "<p class='note'>Numerical grids of the solvers (all converged to &lt; 0.5 % in Tc):</p>"
        + _table(num, ["Numerics field", "value"])
    )


def write_index(
    out: Path,
    models: Sequence[Model],
    steps: Sequence[FigureStep],
    outcomes: Sequence[Outcome],
    grids: Grids,
    rows: list[dict[str, Any]],
    *,
    quick: bool,
) -> Path:
    """Write ``out/index.html`` (figures with captions, parameters, grids, headline table)."""
    by_name = {o.step.name: o for o in outcomes}
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>multigap: reproduction of the shape-resonance study</title>",
        f"<style>{_CSS}</style>{_SCRIPT}</head><body>",
        "<h1>multigap — multigap superconductivity near a Lifshitz transition</h1>",
        f"<p class='note'>multigap {_e(figures.version())}; grids: {'quick' if quick else 'full'}. "
        "Units: meV, nm, K. Data behind each figure: <code>data/*.nc</code> (netCDF, with the "
        "model configuration as JSON in the attributes).</p>",
        "<h2>Headline numbers</h2>",
        _headline_html(rows),
    ]
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        parts.append("<h2 class='fail'>Figures that could not be produced</h2><ul>")
        parts += [f"<li class='fail'>{_e(o.step.name)}: {_e(o.message)}</li>" for o in failed]
        parts.append("</ul>")
    parts.append("<h2>Figures</h2>")
    for s in steps:
        o = by_name.get(s.name)
        if o is None or o.status == "failed":
            continue
        parts.append(
            f"<figure id='{_e(s.name)}'><img src='figures/{_e(s.name)}.png' "
            f"alt='{_e(s.title)}' loading='eager'><figcaption><b>Figure {s.number}. "
            f"{_e(s.title)}.</b> {_e(s.caption)} "
            f"[<a href='figures/{_e(s.name)}.pdf'>PDF</a>, "
            f"<a href='data/{_e(s.data.name)}.nc'>data</a>]</figcaption></figure>"
        )
    parts.append("<h2>Model parameters</h2>")
    parts += [_model_html(m) for m in models]
    parts.append("<h2>Sweep grids of this reproduction</h2>")
    parts.append(
        _table([[k, v] for k, v in asdict(grids).items()], ["grid", "points"])
        + "<p class='note'>Ranges: DOS and Tc(eta) on eta in [-1, 2]; Tc(g) on g in "
        "[0.10, 0.49] at eta = -1 ... 2; maps on [0, 2] x [0.10, 0.49]; gap ratios on eta in "
        "[-0.3, 2].</p>"
    )
    parts.append(
        "<p class='note'>The CSH numbers (Snider et al., Nature 586, 373 (2020)) were retracted "
        "by Nature in 2022; wherever they appear they are labelled as retracted.</p>"
    )
    parts.append("</body></html>")
    path = out / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------ entry
def reproduce(
    out: str | Path = "results",
    *,
    quick: bool = False,
    models: Sequence[Model] | None = None,
    progress: bool = True,
    force: bool = False,
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
    write_index(out, models, steps, outcomes, grids, rows, quick=quick)
    (out / "headline.json").write_text(json.dumps(rows, indent=2, default=str) + "\n")
    return Report(out, outcomes, rows, time.perf_counter() - t0)
