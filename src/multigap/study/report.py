"""The HTML report of the reproduction (``<out>/index.html``): figures, tables, sections.

:func:`write_index` writes the page from what :func:`multigap.study.reproduce.reproduce` made:
the headline numbers, the figures with their captions, the model parameters and grids, and
any number of extra sections. An extra section is built by a :data:`SectionBuilder`, a
function ``(ReportContext) -> Section`` that may compute (reusing the datasets under
``ctx.data_dir``) and write files under ``ctx.out``;
:data:`multigap.study.reproduce.DEFAULT_SECTIONS` lists the builders :func:`reproduce` runs
(the study-versus-multigap table of :mod:`multigap.study.comparison` and the section of
:mod:`multigap.study.beyond_report`). A builder that raises is reported in its section's place;
the rest of the report is still written.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multigap.study import figures

if TYPE_CHECKING:
    from multigap.model import Model
    from multigap.study.comparison import Comparison
    from multigap.study.steps import FigureStep, Grids, Outcome


@dataclass(frozen=True)
class ReportContext:
    """What a section builder may use.

    Attributes
    ----------
    out : Path
        The output folder (``index.html`` goes here; a builder may write files beside it).
    data_dir : Path
        The reproduction's datasets (``<out>/data``, netCDF, reusable by signature).
    models : tuple of Model
        The models of the reproduction.
    grids : Grids
        Its sweep grids.
    quick : bool
        Whether the quick grids are used.
    headline : list of dict
        The headline numbers.
    """

    out: Path
    data_dir: Path
    models: tuple[Model, ...]
    grids: Grids
    quick: bool
    headline: list[dict[str, Any]]


@dataclass(frozen=True)
class Section:
    """An extra section of the report: an anchor id, a title (the h2) and an HTML body."""

    id: str
    title: str
    body: str
    failed: bool = False


#: A function that builds one section of the report.
SectionBuilder = Callable[[ReportContext], Section]


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.4}
table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;
padding:3px 8px;text-align:left;font-size:0.9em}th{background:#f3f3f3}
figure{margin:1.5em 0;border-top:1px solid #ddd;padding-top:0.8em}
figure img{max-width:100%;height:auto}figcaption{font-size:0.92em;color:#333}
.fail{color:#a00}.ok{color:#060}.note{color:#555;font-size:0.9em}
code{background:#f5f5f5;padding:0 3px}
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


def _fmt(x: Any, digits: int = 4) -> str:
    if x is None:
        return "—"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{v:.{digits}g}" if math.isfinite(v) else "—"


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
        ["coupling scale (SPEC §12; 1 = free 2D DOS N0)", m.coupling_scale],
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
    sections: Sequence[Section] = (),
) -> Path:
    """Write ``out/index.html`` (figures with captions, parameters, grids, headline table).

    ``sections`` (built by :func:`build_sections`) follow the headline table, each under its
    own h2 with the anchor ``id``.
    """
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
    for sec in sections:
        cls = " class='fail'" if sec.failed else ""
        parts.append(f"<h2 id='{_e(sec.id)}'{cls}>{_e(sec.title)}</h2>{sec.body}")
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


def build_sections(builders: Sequence[SectionBuilder], ctx: ReportContext) -> list[Section]:
    """Run each builder; one that raises gives a section that says what failed."""
    out: list[Section] = []
    for build in builders:
        try:
            out.append(build(ctx))
        except Exception as exc:  # one failing section must not stop the report
            name = getattr(build, "__name__", "section")
            msg = f"{type(exc).__name__}: {exc}"
            out.append(Section(name, f"Section {name} could not be built", _e(msg), True))
    return out


# ------------------------------------------------------------------------------- comparison
_VERDICT_CLASS = {"agrees": "ok", "differs": "fail", "not comparable": "note"}


def comparison_html(comp: Comparison) -> str:
    """The study-versus-multigap table (both columns) as HTML."""
    from multigap.study.comparison import TOL_STATED, format_value

    def cell(verdict: str) -> str:
        return f"<td class='{_VERDICT_CLASS.get(verdict, 'note')}'>{_e(verdict)}</td>"

    cal = comp.calibration
    pred = "; ".join(
        f"{k}: {_fmt(v['tc_max_K'])} K at η = {_fmt(v['eta_at_max'], 3)}, "
        f"g = {_fmt(v['g_at_max'], 3)}"
        for k, v in cal.get("predicted", {}).items()
    )
    head = (
        "<tr><th rowspan=2>case</th><th rowspan=2>quantity</th><th rowspan=2>study</th>"
        "<th rowspan=2>where the study states it</th><th colspan=3>multigap (default, SPEC §4)"
        f"</th><th colspan=3>calibrated to the study's case A (coupling_scale = "
        f"{comp.coupling_scale:.5f})</th><th rowspan=2>explanation</th></tr>"
        "<tr><th>value</th><th>difference</th><th>verdict</th><th>value</th>"
        "<th>difference</th><th>verdict</th></tr>"
    )
    body = []
    for r in comp.rows:
        st = r.statement
        src = st.source + (
            " — read roughly from the figure; the interval is ours" if st.rough else ""
        )
        body.append(
            f"<tr><td>{_e(st.preset)}</td><td>{_e(st.quantity)}</td><td>{_e(st.shown)}</td>"
            f"<td>{_e(src)}</td><td>{_e(format_value(r.default.value))}</td>"
            f"<td>{_e(format_value(r.difference()))}</td>{cell(r.verdict())}"
            f"<td>{_e(format_value(r.calibrated.value))}</td>"
            f"<td>{_e(format_value(r.difference('calibrated')))}</td>"
            f"{cell(r.verdict('calibrated'))}<td>{_e(r.explanation)} <span class='note'>"
            f"How: {_e(r.default.how)} Calibrated: {_e(r.calibrated.how)}</span></td></tr>"
        )
    return (
        "<p>Every quantitative statement of the study (M. V. Mazziotti, R. Raimondi, "
        "A. Valletta, G. Campi, A. Bianconi, J. Appl. Phys. 130, 173904 (2021)) beside "
        "multigap's value computed the same way. A number the study states agrees within "
        f"{100 * TOL_STATED:g} %; a number its figures give only roughly is compared with the "
        "interval we read from them. The calibrated column multiplies every coupling g_nn' by "
        f"one number, {comp.coupling_scale:.5f}, fitted so that case A's Tc max is the study's "
        f"{_fmt(cal.get('target_tc_max_K'))} K (multigap calibrate; SPEC §12); with it, "
        f"predicted: {_e(pred)}. Data: "
        "<a href='comparison.json'>comparison.json</a>.</p>"
        f"<table class='comparison'>{head}{''.join(body)}</table>"
    )


def comparison_section(ctx: ReportContext) -> Section:
    """Build the comparison (reusing the datasets), write ``comparison.json``, render it."""
    from multigap.study.comparison import STUDY, build_comparison

    names = {m.name for m in ctx.models}
    cases = sorted({s.preset for s in STUDY})
    if not set(cases) <= names:
        return Section(
            "comparison",
            "The study's numbers beside multigap's",
            f"<p class='note'>Not built: the table compares the study's cases "
            f"{', '.join(cases)}; this reproduction has {', '.join(sorted(names))}.</p>",
        )
    comp = build_comparison(ctx.quick, data_dir=ctx.data_dir, models=ctx.models)
    (ctx.out / "comparison.json").write_text(comp.to_json(), encoding="utf-8")
    return Section("comparison", "The study's numbers beside multigap's", comparison_html(comp))
