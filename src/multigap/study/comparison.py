"""The study's numbers beside multigap's: every quantitative statement, computed the same way.

:func:`build_comparison` takes each quantitative statement of the reference study
(M. V. Mazziotti, R. Raimondi, A. Valletta, G. Campi, A. Bianconi, J. Appl. Phys. 130, 173904
(2021)), listed once in :data:`STUDY` with where the study states it, computes multigap's value
the same way from the reproduction's datasets (the Tc maps, the Tc(eta) curves, the gap-ratio
curves, the fitted pressure path: :mod:`multigap.study.reproduce`), and gives the difference, a
verdict (agrees / differs / not comparable) and one sentence of explanation, for the principled
default (SPEC §4) and for the model calibrated to the study's case A (SPEC §12:
``coupling_scale`` fitted so that A's Tc max is the study's 250 K).

No number here is typed in except the study's own (in :data:`STUDY`) and the agreement rules:
a number the study states is matched within :data:`TOL_STATED` (relative); a number the study's
figures give only roughly carries the interval we read from them (``rough=True``, said so in
the table).

Conventions, one per number (stated in each row's explanation): Tc maxima, Tc(eta) and the
isotope coefficient at fixed mu (the model default, as the study's maps); gap ratios from the
T = 0 Fermi-surface gaps with mu renormalised at fixed density, over the Tc at fixed density.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from multigap.study.statements import STUDY, TOL_STATED, Statement

if TYPE_CHECKING:
    from multigap.model import Model
    from multigap.study.calibration import Calibration

#: The study's case A and its stated Tc max, the calibration target (see :data:`STUDY`).
CALIBRATION_PRESET = "A"


@dataclass(frozen=True)
class Measured:
    """multigap's value of one row: a number or a (min, max) pair, and how it was computed."""

    value: float | tuple[float, float] | None
    how: str


@dataclass(frozen=True)
class Row:
    """One row of the table: the study's statement and multigap's two values."""

    statement: Statement
    default: Measured
    calibrated: Measured
    explanation: str = ""

    def verdict(self, which: str = "default") -> str:
        """'agrees', 'differs', 'not comparable' or 'not computed' for one column."""
        return _verdict(self.statement, getattr(self, which).value)

    def difference(self, which: str = "default") -> float | None:
        """multigap minus the study (a stated number), or the distance outside its interval."""
        return _difference(self.statement, getattr(self, which).value)

    def to_dict(self) -> dict[str, Any]:
        """Plain data of the row (both columns)."""
        out: dict[str, Any] = asdict(self.statement)
        out["explanation"] = self.explanation
        for which in ("default", "calibrated"):
            m: Measured = getattr(self, which)
            out[which] = {
                "value": list(m.value) if isinstance(m.value, tuple) else m.value,
                "difference": self.difference(which),
                "verdict": self.verdict(which),
                "how": m.how,
            }
        return out


@dataclass(frozen=True)
class Comparison:
    """The study-versus-multigap table.

    Attributes
    ----------
    rows : tuple of Row
        One per entry of :data:`STUDY`, in that order.
    coupling_scale : float
        Scale of the calibrated column (SPEC §12).
    calibration : dict
        The calibration's summary (:meth:`Calibration.to_dict`).
    quick : bool
        Whether the quick grids were used.
    """

    rows: tuple[Row, ...]
    coupling_scale: float
    calibration: dict[str, Any]
    quick: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data (what ``results/comparison.json`` holds)."""
        return {
            "coupling_scale": self.coupling_scale,
            "calibration": self.calibration,
            "quick": self.quick,
            "tolerance_stated": TOL_STATED,
            "rows": [r.to_dict() for r in self.rows],
        }

    def to_json(self) -> str:
        """The table as JSON."""
        return json.dumps(self.to_dict(), indent=2, default=float) + "\n"

    def to_markdown(self) -> str:
        """The table as a Markdown table (both columns)."""
        head = (
            "| case | quantity | study | source | multigap | diff. | verdict | "
            f"calibrated (×{self.coupling_scale:.4f}) | diff. | verdict | explanation |"
        )
        lines = [head, "|" + "---|" * 11]
        for r in self.rows:
            st = r.statement
            src = st.source + (" (read roughly from the figure)" if st.rough else "")
            lines.append(
                f"| {st.preset} | {st.quantity} | {st.shown} | {src} | "
                f"{format_value(r.default.value)} | {format_value(r.difference())} | "
                f"{r.verdict()} | {format_value(r.calibrated.value)} | "
                f"{format_value(r.difference('calibrated'))} | {r.verdict('calibrated')} | "
                f"{r.explanation} |"
            )
        return "\n".join(lines) + "\n"


def format_value(v: float | tuple[float, float] | None, digits: int = 4) -> str:
    """A value or a (min, max) range as text ('—' when absent)."""
    if v is None:
        return "—"
    if isinstance(v, tuple):
        return f"{v[0]:.{digits}g} … {v[1]:.{digits}g}"
    return f"{v:.{digits}g}" if math.isfinite(v) else "—"


def _limits(st: Statement) -> tuple[float, float]:
    if st.low == st.high and not st.rough:
        return st.low * (1 - TOL_STATED), st.high * (1 + TOL_STATED)
    return st.low, st.high


def _verdict(st: Statement, value: float | tuple[float, float] | None) -> str:
    if st.key == "h3s_isotope":
        return "not comparable" if value is not None else "not computed"
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "not computed"
    lo, hi = _limits(st)
    vals = value if isinstance(value, tuple) else (value,)
    return "agrees" if all(lo <= v <= hi for v in vals) else "differs"


def _difference(st: Statement, value: float | tuple[float, float] | None) -> float | None:
    if value is None or st.key == "h3s_isotope":
        return None
    vals = value if isinstance(value, tuple) else (value,)
    worst = max(vals, key=lambda v: max(st.low - v, v - st.high, 0.0))
    return float(worst - st.low if worst < st.low else max(worst - st.high, 0.0))


# ------------------------------------------------------------------------------- measurements
def _statement(key: str, preset: str = "A") -> Statement:
    return next(s for s in STUDY if s.key == key and s.preset == preset)


def _middle(key: str, preset: str = "A") -> float:
    st = _statement(key, preset)
    return 0.5 * (st.low + st.high)


def _interval(key: str) -> tuple[float, float]:
    """The eta interval named in a statement's quantity text (e.g. '0.5 < η < 1')."""
    q = _statement(key).quantity
    lo, _, rest = q.partition(" < η < ")
    return float(lo.split()[-1]), float(rest.split()[0])


def measure(model: Model, data: Mapping[str, xr.Dataset]) -> dict[str, Measured]:
    """multigap's value of every row key for one model, from its reproduction datasets.

    Parameters
    ----------
    model : Model
        The model the datasets were computed for.
    data : mapping
        ``"tc_map"``, ``"tc_eta"``, ``"gaps"``, ``"pressure"`` datasets of
        :mod:`multigap.study.figures` (missing ones give rows without a value).
    """
    out: dict[str, Measured] = {}
    for name, fn in _MEASURES:
        if all(d in data for d in name):
            out.update(fn(model, data))
    return out


def _m_map(model: Model, data: Mapping[str, xr.Dataset]) -> dict[str, Measured]:
    ds = data["tc_map"]
    a = ds.attrs
    conv = "Tc at fixed mu (model default)"
    how = f"{conv}: the map's grid maximum refined by a bounded Nelder-Mead search"
    per_g = ds["tc"].max("eta", skipna=True).values
    g = ds["g"].values
    k = int(np.nanargmax(per_g))
    rises = bool(np.all(np.diff(per_g[: k + 1]) > 0))
    falls = bool(np.all(np.diff(per_g[k:]) < 0))
    shape = "rises before and falls after" if rises and falls else "is not single-peaked"
    return {
        "tc_max": Measured(float(a["tc_max"]), how + "; the study's N0 is unstated (SPEC §12)."),
        "eta_max": Measured(float(a["eta_max"]), how + "."),
        "g_max": Measured(float(a["g_max"]), how + "."),
        "g_peak": Measured(
            float(g[k]) if rises and falls else math.nan,
            f"{conv}: max over η per g on the map grid ({g.size} g values) {shape} its peak.",
        ),
    }


def _m_tc_eta(model: Model, data: Mapping[str, xr.Dataset]) -> dict[str, Measured]:
    ds = data["tc_eta"]
    g = ds["g"].values
    ref = _middle("g_max", "A")  # the study's coupling of the Tc max
    k = int(np.argmin(np.abs(g - ref)))
    a = ds["antiresonance_eta"].values
    fin = a[np.isfinite(a)]
    spread = f"{fin.min():.3g} … {fin.max():.3g}" if fin.size else "none"
    return {
        "antiresonance": Measured(
            float(a[k]),
            f"Tc at fixed mu: interior minimum of Tc(η) over η < 0 at g = {g[k]:.3g} "
            f"(over g = {g.min():.2g} … {g.max():.2g} it lies at η = {spread}).",
        )
    }


def _m_gaps(model: Model, data: Mapping[str, xr.Dataset]) -> dict[str, Measured]:
    from multigap.pairing.gaps import gap_ratios

    ds = data["gaps"]
    g = float(ds.attrs["g"])
    eta = ds["eta"].values
    # one convention with the gap figures: the dataset's own ratios 2Delta/k_BTc (fixed-density
    # gaps, the Fermi-surface gap or the spectral gap where mu lies below the subband, over the
    # fixed-density Tc), and the anisotropy Delta3/Delta2 of the Fermi-surface gaps (the order
    # parameter, as figure 6 draws it: a spectral gap below the band edge would make it grow
    # without bound on the BCS-BEC side)
    ratio = ds["ratio"].values
    fermi = ds["gap"].values
    tc = ds["tc_fixed_density"].values
    r = model.resonant_band - 1
    conv = (
        "T = 0 gaps at fixed density (Fermi-surface gap; spectral gap where mu lies below the "
        "subband) over Tc at fixed density"
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        aniso = fermi[r] / fermi[r - 1]
    top = int(np.nanargmax(np.where(tc > 0.0, tc, np.nan)))
    amax = int(np.nanargmax(aniso))
    lo, hi = _interval("ratio2_mid")  # the study's 0.5 < eta < 1
    mid = (eta > lo) & (eta < hi)
    at0 = gap_ratios(model, 0.0, g)
    r0 = np.asarray(at0.ratio, dtype=float)
    f0 = np.asarray(at0.fermi_ratio, dtype=float)

    def rng(x: np.ndarray) -> tuple[float, float] | None:
        x = x[np.isfinite(x)]
        return (float(x.min()), float(x.max())) if x.size else None

    alpha = ds["isotope"].values
    fa = np.isfinite(alpha)
    iso = f"isotope coefficient from Tc at fixed mu on the gap figure's η grid ({eta.size} points)"
    return {
        "anisotropy_top": Measured(
            float(aniso[top]), f"{conv}: Δ3/Δ2 at the Tc maximum η = {eta[top]:.3g} of the curve."
        ),
        "anisotropy_at_tc_max": Measured(
            float(eta[amax] - eta[top]),
            f"{conv}: Δ3/Δ2 peaks at η = {eta[amax]:.3g}, Tc at η = {eta[top]:.3g}.",
        ),
        "ratio_eta0_2": Measured(
            float(r0[r - 1]),
            f"{conv}, solved at η = 0 (with the Fermi-surface gap: {f0[r - 1]:.4g}).",
        ),
        "ratio_eta0_3": Measured(
            float(r0[r]), f"{conv}, solved at η = 0 (with the Fermi-surface gap: {f0[r]:.4g})."
        ),
        "ratio2_mid": Measured(rng(ratio[r - 1, mid]), f"{conv}: range over the η grid points."),
        "ratio3_mid": Measured(rng(ratio[r, mid]), f"{conv}: range over the η grid points."),
        "isotope_max_eta": Measured(
            float(eta[fa][np.argmax(alpha[fa])]) if fa.any() else None, iso + "."
        ),
        "isotope_min_eta": Measured(
            float(eta[fa][np.argmin(alpha[fa])]) if fa.any() else None, iso + "."
        ),
    }


def _m_pressure(model: Model, data: Mapping[str, xr.Dataset]) -> dict[str, Measured]:
    from multigap.pairing.isotope import isotope_coefficients

    ds = data["pressure"]
    alpha = np.asarray(
        isotope_coefficients(model, ds["eta_path"].values, ds["g_path"].values), dtype=float
    )
    fin = alpha[np.isfinite(alpha)]
    p = ds["pressure"].values
    return {
        "h3s_isotope": Measured(
            (float(fin.max()), float(fin.min())) if fin.size else None,
            "Tc at fixed mu along the straight (η, g) path fitted to the H3S dome summary "
            f"({p.min():.4g}–{p.max():.4g} GPa; max … min): a model path against measured "
            "isotope shifts, so no verdict.",
        )
    }


_MEASURES: tuple[tuple[tuple[str, ...], Callable[..., dict[str, Measured]]], ...] = (
    (("tc_map",), _m_map),
    (("tc_eta",), _m_tc_eta),
    (("gaps",), _m_gaps),
    (("pressure",), _m_pressure),
)


# ------------------------------------------------------------------------------- the table
def _calibrated_how(st: Statement, m: Measured, scale: float) -> Measured:
    note = f"coupling_scale {scale:.5g} fitted to the study's case A Tc max"
    if st.key == "tc_max" and st.preset == CALIBRATION_PRESET:
        return Measured(m.value, f"{note}: equal by construction (the fit), not a prediction.")
    return Measured(
        m.value,
        f"{note}; same computation and eta grids as the default column (quick map and "
        "pressure-path fit).",
    )


_GAPS_DIFFER = (
    "the study states neither which gap (Fermi-surface or spectral) nor which mu convention "
    "its ratios use, nor its interband rule (SPEC §12), and the scale of the couplings hardly "
    "moves a ratio"
)
_GAPS_AGREE = "this ratio is set mostly by the band's own coupling and cut-off, as in the study"
_PEAK_WHY = "the Migdal softening w0 sqrt(1 - 2g) closes the pairing window at strong coupling"
#: Per row key: why it agrees, why it differs.
_WHY: dict[str, tuple[str, str]] = {
    "eta_max": ("the maximum sits near the type-II Lifshitz point eta = 1 in both",
                "the maximum's position depends on the unstated interband and cut-off rules"),
    "g_max": (_PEAK_WHY + " in both", _PEAK_WHY + ", at a coupling set by the unstated rules"),
    "g_peak": (_PEAK_WHY + " in both", _PEAK_WHY + ", at a coupling set by the unstated rules"),
    "antiresonance": ("the Fano-Feshbach minimum lies where the study reads it",
                      "multigap's minimum moves with g (see how it was computed) and the "
                      "study's single value is read from a figure whose g we do not know"),
    "anisotropy_top": (_GAPS_AGREE, _GAPS_DIFFER),
    "anisotropy_at_tc_max": ("the resonant gap and Tc both peak where the resonant band's "
                             "DOS does (eta ≈ 1)",
                             "the resonant gap and Tc peak at different eta here"),
    "ratio_eta0_2": (_GAPS_AGREE, _GAPS_DIFFER),
    "ratio_eta0_3": (_GAPS_AGREE, _GAPS_DIFFER),
    "ratio2_mid": (_GAPS_AGREE, _GAPS_DIFFER),
    "ratio3_mid": (_GAPS_AGREE, _GAPS_DIFFER),
    "isotope_max_eta": ("Tc there is set by the resonant band's onset, most sensitive to the "
                        "cut-off (so to the ion mass)",
                        "the isotope coefficient's peak is displaced from the band onset"),
    "isotope_min_eta": ("inside the resonant pocket Tc is set by the electronic energy scale, "
                        "not the cut-off",
                        "the isotope coefficient's minimum lies outside the resonant pocket"),
}  # fmt: skip
#: The dataset family each row key is computed from.
KEY_NEEDS = {
    "tc_max": "tc_map", "eta_max": "tc_map", "g_max": "tc_map", "g_peak": "tc_map",
    "antiresonance": "tc_eta", "h3s_isotope": "pressure",
}  # fmt: skip


def needs(preset: str) -> tuple[str, ...]:
    """The dataset families the rows of one case need (gap rows: ``"gaps"``)."""
    return tuple(sorted({KEY_NEEDS.get(s.key, "gaps") for s in STUDY if s.preset == preset}))


def explain(
    row: Row,
    default: Mapping[str, Mapping[str, Measured]],
    calibrated: Mapping[str, Mapping[str, Measured]],
) -> str:
    """One sentence on why multigap agrees or differs on this row."""
    st, v, vc = row.statement, row.verdict(), row.verdict("calibrated")
    if st.key == "h3s_isotope":
        return (
            "The study quotes measured isotope coefficients; multigap's numbers are those of a "
            "model path fitted to a drawing of the dome, so they illustrate, not test."
        )
    if "not computed" in (v, vc):
        return "A dataset this row needs could not be computed (see the failed figures)."
    if st.key == "tc_max":
        return _explain_tc_max(row, default, calibrated)
    agree, differ = _WHY.get(st.key, ("see how it was computed",) * 2)
    if v == vc == "agrees":
        return f"Agrees with and without the calibration: {agree}."
    if v == vc == "differs":
        return f"Differs with and without the calibration: {differ}."
    return (
        f"Agrees {'with' if vc == 'agrees' else 'without'} the calibration only (a shift "
        f"across the study's interval): {agree if v == 'agrees' else differ}."
    )


def _explain_tc_max(
    row: Row,
    default: Mapping[str, Mapping[str, Measured]],
    calibrated: Mapping[str, Mapping[str, Measured]],
) -> str:
    study = {s.preset: s.low for s in STUDY if s.key == "tc_max"}

    def tcs(col: Mapping[str, Mapping[str, Measured]]) -> dict[str, float]:
        out = {}
        for k, v in col.items():
            x = v["tc_max"].value if "tc_max" in v else None
            if isinstance(x, float) and math.isfinite(x):
                out[k] = x
        return out

    ours, cal = tcs(default), tcs(calibrated)
    if row.statement.preset == CALIBRATION_PRESET:
        return (
            "multigap normalises the couplings by the free 2D DOS (SPEC §4) where the study's "
            "normalisation is unstated; the calibrated column fits one scale to this number."
        )
    b, a = row.statement.preset, CALIBRATION_PRESET
    if not all(k in d for d in (ours, cal) for k in (a, b)):
        return "One of the Tc maxima could not be computed."
    return (
        f"The study's ratio {b}/{a} is {study[b] / study[a]:.3f}, multigap's "
        f"{ours[b] / ours[a]:.3f} ({cal[b] / cal[a]:.3f} "
        "calibrated): one coupling scale does not close both, so the study's unstated rules "
        "differ in more than the normalisation."
    )


def assemble(
    default: Mapping[str, Mapping[str, Measured]],
    calibrated: Mapping[str, Mapping[str, Measured]],
    calibration: Calibration,
    *,
    quick: bool = False,
) -> Comparison:
    """The table from per-preset measurements (``{preset: {key: Measured}}``) of both columns."""
    missing = Measured(None, "not computed: the dataset it needs is missing (a failed figure).")
    rows = []
    for st in STUDY:
        d = default.get(st.preset, {}).get(st.key, missing)
        c = calibrated.get(st.preset, {}).get(st.key, missing)
        row = Row(st, d, _calibrated_how(st, c, calibration.coupling_scale))
        rows.append(replace(row, explanation=explain(row, default, calibrated)))
    return Comparison(tuple(rows), calibration.coupling_scale, calibration.to_dict(), quick)


def build_comparison(
    quick: bool = False,
    *,
    data_dir: str | Path | None = None,
    models: Sequence[Model] | None = None,
    calibration: Calibration | None = None,
) -> Comparison:
    """Compute the study-versus-multigap table (both columns).

    Parameters
    ----------
    quick : bool
        The reproduction's quick grids (default: full). The calibrated column uses the same
        eta grids for the gap and Tc(eta) rows, and the quick map and pressure fit.
    data_dir : str or Path, optional
        Folder of the reproduction's datasets (``results/data``): datasets found there with a
        matching signature are reused, others are computed and written there. Default: computed
        in memory.
    models : sequence of Model, optional
        Presets A and B by default (the study's cases; names must be "A" and "B").
    calibration : Calibration, optional
        A calibration already made (default: fitted here to A's stated Tc max).

    Returns
    -------
    Comparison
    """
    from multigap.model import preset
    from multigap.study.steps import FULL, QUICK, datasets

    models = list(models) if models is not None else [preset("A"), preset("B")]
    where = Path(data_dir) if data_dir is not None else None
    if calibration is None:
        calibration = _calibration(models, where)
    scale = calibration.coupling_scale
    default: dict[str, dict[str, Measured]] = {}
    cal: dict[str, dict[str, Measured]] = {}
    grids = QUICK if quick else FULL
    # calibrated column: the same eta grids for the gap and Tc(eta) rows (so both columns
    # sample the study's intervals alike), the quick map and pressure fit (its Tc max rows
    # come from the calibration's own search)
    cal_grids = replace(QUICK, gap_eta=grids.gap_eta, tc_eta=grids.tc_eta)
    for m in models:
        fam = needs(m.name)
        default[m.name] = measure(m, datasets(m, grids, fam, where))
        mc = m.with_(coupling_scale=scale)
        cal[m.name] = measure(mc, datasets(mc, cal_grids, fam, where, prefix="calibrated_"))
        for key, mx in (("tc_max", "tc_max"), ("eta_max", "eta_at_max"), ("g_max", "g_at_max")):
            best = calibration.maximum if m.name == calibration.reference else None
            best = best or calibration.predicted.get(m.name)
            if best is not None:
                cal[m.name][key] = Measured(
                    float(getattr(best, "tc_max" if mx == "tc_max" else mx)),
                    "calibration's Tc max search (coarse grid, then Nelder-Mead).",
                )
    return assemble(default, cal, calibration, quick=quick)


def _calibration(models: Sequence[Model], where: Path | None) -> Calibration:
    """Fit the scale to the study's case A (read back from ``where`` when it matches)."""
    from multigap.study.calibration import Calibration, calibrate
    from multigap.study.figures import version

    target = _statement("tc_max", CALIBRATION_PRESET).low
    ref = next(m for m in models if m.name == CALIBRATION_PRESET)
    others = [m for m in models if m.name != CALIBRATION_PRESET]
    sig = json.dumps(
        {"config": [m.to_dict() for m in models], "target": target, "version": version()},
        sort_keys=True,
    )
    path = where / "calibration.json" if where is not None else None
    if path is not None and path.is_file():
        try:
            d = json.loads(path.read_text())
            if d.get("signature") == sig:
                return Calibration.from_dict(d["calibration"])
        except (ValueError, KeyError, TypeError):
            pass
    cal = calibrate(ref, target, predict=others)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"signature": sig, "calibration": cal.to_dict()}, indent=1))
    return cal
