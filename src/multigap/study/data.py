"""Experimental superconducting domes: the shipped summaries and a user's measured (P, Tc) points.

Two kinds of input, kept apart on purpose:

- :func:`dome_summary` reads the *summaries* shipped in ``multigap/presets/hydride_domes.toml``
  (maximum Tc, its pressure, the half width and onset of the dome, with their sources). They are
  the numbers the reference study quotes, not measured point lists; :meth:`DomeSummary.curve` draws
  a smooth dome through them and must be shown as a drawn summary, never as data.
- :func:`load_tc_csv` reads a user's measured points from a CSV file with the columns
  ``pressure_GPa``, ``tc_K`` and optionally ``tc_err_K`` (one standard deviation).

The CSH entry (E. Snider et al., Nature 586, 373 (2020)) was retracted by Nature in 2022: every
object that carries CSH numbers carries the retraction note with them (``retracted`` and
``retraction`` fields; :meth:`DomeSummary.summary` and :meth:`DomeSummary.curve` include it).

Units: pressure in GPa, temperature in K.
"""

from __future__ import annotations

import csv
import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

#: Name of the shipped dome-summary file inside ``multigap.presets``.
DOMES_FILE = "hydride_domes.toml"
#: Columns of a measured-points CSV file (``tc_err_K`` optional).
CSV_COLUMNS = ("pressure_GPa", "tc_K", "tc_err_K")
_REQUIRED_COLUMNS = ("pressure_GPa", "tc_K")
#: Largest accepted measured Tc and its uncertainty, K (no superconductor is known above ~300 K;
#: the bound leaves room for model studies and refuses unit slips such as Tc in mK).
TC_MAX_K = 1000.0
#: Largest accepted pressure, GPa (static diamond-anvil cells reach a few hundred GPa).
PRESSURE_MAX_GPA = 1000.0
_COLUMN_MAX = {"pressure_GPa": PRESSURE_MAX_GPA, "tc_K": TC_MAX_K, "tc_err_K": TC_MAX_K}


@dataclass(frozen=True)
class DomeCurve:
    """A drawn summary dome Tc(P) (not data), with the retraction note where one applies.

    Attributes
    ----------
    name : str
        Key of the summary (``"h3s"``, ``"csh"``).
    pressure : ndarray
        Pressures, GPa.
    tc : ndarray
        Summary Tc, K (0 outside the dome).
    kind : str
        Always ``"summary"``: a curve drawn through the quoted peak, position and width.
    retracted : bool
        True when the underlying report was retracted.
    retraction : str or None
        The retraction note (show it beside the curve).
    """

    name: str
    pressure: FloatArray
    tc: FloatArray
    kind: str
    retracted: bool
    retraction: str | None


@dataclass(frozen=True)
class DomeSummary:
    """Summary figures of one experimental superconducting dome (peak, position, width).

    Attributes
    ----------
    name : str
        Key in the shipped file (``"h3s"``, ``"csh"``).
    material : str
        What was measured.
    tc_max : float
        Maximum Tc of the dome, K.
    p_opt : float
        Pressure of the maximum, GPa.
    half_width : float
        Half width of the dome, GPa: the distance from the maximum at which the summary curve
        reaches zero. Where the file gives none it is ``p_opt - onset``.
    onset : float or None
        Pressure above which the dome is superconducting, GPa.
    source : str
        Bibliographic source of the numbers.
    note : str
        Caveats quoted with the numbers.
    retracted : bool
        True when the source was retracted (CSH: Nature retraction of 2022-09-26).
    retraction : str or None
        The retraction note; never None when ``retracted`` is True. Anything that shows these
        numbers must show this note beside them.
    isotope : dict
        Extra figures quoted with the dome (e.g. isotope coefficients), as in the file.

    Notes
    -----
    These are summaries, not measured point lists. For H3S: Tc max 203 K at 162 GPa, half width
    43 GPa, onset about 120 GPa (A. P. Drozdov et al., Nature 525, 73 (2015); summary as used by
    T. Mazziotti et al. (2021)).
    """

    name: str
    material: str
    tc_max: float
    p_opt: float
    half_width: float
    onset: float | None
    source: str
    note: str
    retracted: bool
    retraction: str | None
    isotope: Mapping[str, float]

    def curve(self, pressure: ArrayLike | None = None, n: int = 201) -> DomeCurve:
        """The drawn summary dome: a parabola through the maximum, zero beyond the half width.

        ``Tc(P) = tc_max (1 - ((P - p_opt) / half_width)^2)`` for ``|P - p_opt| < half_width``,
        else 0. This is a drawing of the three quoted numbers, not a fit to measured points.

        Parameters
        ----------
        pressure : array_like, optional
            Pressures, GPa. Default: ``n`` points over ``p_opt +- 1.25 half_width`` (>= 0).
        n : int
            Number of default points.

        Returns
        -------
        DomeCurve
            Carrying ``retracted`` and ``retraction`` of this summary.
        """
        if pressure is None:
            lo = max(0.0, self.p_opt - 1.25 * self.half_width)
            p = np.linspace(lo, self.p_opt + 1.25 * self.half_width, int(n))
        else:
            p = np.asarray(pressure, dtype=float)
            if np.any(~np.isfinite(p)):
                raise ValueError(f"pressure must be finite (GPa), got {pressure!r}")
        x = (p - self.p_opt) / self.half_width
        tc = np.where(np.abs(x) < 1.0, self.tc_max * (1.0 - x * x), 0.0)
        return DomeCurve(self.name, p, tc, "summary", self.retracted, self.retraction)

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable dict of the figures (with ``retraction`` whenever retracted)."""
        out: dict[str, Any] = {
            "name": self.name,
            "material": self.material,
            "kind": "summary (peak, position, width), not measured points",
            "tc_max_K": self.tc_max,
            "p_opt_GPa": self.p_opt,
            "half_width_GPa": self.half_width,
            "onset_GPa": self.onset,
            "source": self.source,
            "note": self.note,
            "retracted": self.retracted,
        }
        if self.retracted:
            out["retraction"] = self.retraction
        if self.isotope:
            out["isotope"] = dict(self.isotope)
        return out


@cache
def _domes_table() -> dict[str, Any]:
    text = resources.files("multigap.presets").joinpath(DOMES_FILE).read_text()
    return tomllib.loads(text)


def dome_names() -> tuple[str, ...]:
    """Keys of the shipped dome summaries (e.g. ``("h3s", "csh")``)."""
    return tuple(_domes_table())


def dome_summary(name: str = "h3s") -> DomeSummary:
    """Summary of a shipped experimental dome (``multigap/presets/hydride_domes.toml``).

    Parameters
    ----------
    name : str
        ``"h3s"`` (Drozdov et al., Nature 525, 73 (2015)) or ``"csh"`` (Snider et al.,
        Nature 586, 373 (2020), **retracted in 2022**); case-insensitive.

    Returns
    -------
    DomeSummary
        For a retracted source ``retracted`` is True and ``retraction`` holds the note, which
        must be shown wherever these numbers are shown (``summary()`` and ``curve()`` carry it).

    Raises
    ------
    ValueError
        Unknown name, or an entry lacking a required figure.
    """
    table = _domes_table()
    key = str(name).lower()
    if key not in table:
        raise ValueError(f"unknown dome {name!r}; shipped summaries: {', '.join(table)}")
    e = table[key]
    where = f"{DOMES_FILE} [{key}]"
    for field_name in ("tc_max_K", "p_opt_GPa", "source"):
        if field_name not in e:
            raise ValueError(f"{where} lacks {field_name}")
    onset = float(e["onset_GPa"]) if "onset_GPa" in e else None
    p_opt = float(e["p_opt_GPa"])
    if "half_width_GPa" in e:
        half = float(e["half_width_GPa"])
    elif onset is not None and onset < p_opt:
        half = p_opt - onset
    else:
        raise ValueError(f"{where} needs half_width_GPa or an onset_GPa below p_opt_GPa")
    retracted = bool(e.get("retracted", False))
    retraction = e.get("retraction")
    if retracted and not retraction:
        raise ValueError(f"{where} is marked retracted but carries no retraction note")
    isotope = {str(k): float(v) for k, v in dict(e.get("isotope", {})).items()}
    return DomeSummary(
        name=key,
        material=str(e.get("material", key)),
        tc_max=float(e["tc_max_K"]),
        p_opt=p_opt,
        half_width=half,
        onset=onset,
        source=str(e["source"]),
        note=str(e.get("note", "")),
        retracted=retracted,
        retraction=str(retraction) if retraction else None,
        isotope=isotope,
    )


@dataclass(frozen=True)
class MeasuredTc:
    """Measured critical temperatures versus pressure (a user's data).

    Attributes
    ----------
    pressure : ndarray
        Pressures, GPa (>= 0).
    tc : ndarray
        Critical temperatures, K (>= 0).
    tc_err : ndarray or None
        One-standard-deviation uncertainties of ``tc``, K (> 0), or None.
    source : str
        Where the points came from (the file name).
    """

    pressure: FloatArray
    tc: FloatArray
    tc_err: FloatArray | None
    source: str = ""

    def __post_init__(self) -> None:
        validate_points(self.pressure, self.tc, self.tc_err, where=self.source or "points")


def validate_points(
    pressure: ArrayLike, tc: ArrayLike, tc_err: ArrayLike | None = None, where: str = "points"
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Check (P, Tc[, err]) arrays: same length, finite, 0 <= P <= 1000 GPa, 0 <= Tc <= 1000 K,
    0 < err <= 1000 K.

    Returns the three arrays as float ndarrays; raises ValueError naming the field and the first
    offending entry.
    """
    p = np.atleast_1d(np.asarray(pressure, dtype=float))
    t = np.atleast_1d(np.asarray(tc, dtype=float))
    cols: list[tuple[str, FloatArray]] = [("pressure_GPa", p), ("tc_K", t)]
    e: FloatArray | None = None
    if tc_err is not None:
        e = np.atleast_1d(np.asarray(tc_err, dtype=float))
        cols.append(("tc_err_K", e))
    for col, a in cols:
        if a.ndim != 1:
            raise ValueError(f"{where}: {col} must be one-dimensional, got shape {a.shape}")
        if a.size != p.size:
            raise ValueError(f"{where}: {col} has {a.size} values but pressure_GPa has {p.size}")
        bad = np.flatnonzero(~np.isfinite(a))
        if bad.size:
            raise ValueError(f"{where}: {col} must be finite, got {a[bad[0]]} at entry {bad[0]}")
    if p.size == 0:
        raise ValueError(f"{where}: no data points")
    signs: list[tuple[str, FloatArray | None, bool]] = [
        ("pressure_GPa", p, False),
        ("tc_K", t, False),
        ("tc_err_K", e, True),
    ]
    for col, arr, strict in signs:
        if arr is None:
            continue
        a = arr
        top = _COLUMN_MAX[col]
        bad = np.flatnonzero((a <= 0.0 if strict else a < 0.0) | (a > top))
        if bad.size:
            rel = "> 0" if strict else ">= 0"
            raise ValueError(
                f"{where}: {col} must be {rel} and <= {top:g}, got {a[bad[0]]} at entry {bad[0]}"
            )
    return p, t, e


def load_tc_csv(path: str | Path) -> MeasuredTc:
    """Read measured (P, Tc) points from a CSV file.

    The file has a header row naming the columns ``pressure_GPa`` and ``tc_K`` (required) and
    ``tc_err_K`` (optional, one standard deviation, K), in any order; lines starting with ``#``
    and blank lines are ignored. Pressures must lie in [0, 1000] GPa, Tc in [0, 1000] K,
    uncertainties in (0, 1000] K, all finite (:data:`PRESSURE_MAX_GPA`, :data:`TC_MAX_K`).

    Parameters
    ----------
    path : str or Path
        The CSV file.

    Returns
    -------
    MeasuredTc

    Raises
    ------
    ValueError
        Missing file, missing or unknown column (with the closest valid name), a non-numeric,
        empty, NaN or infinite value, a negative pressure or Tc, a non-positive uncertainty;
        the message names the file, the column and the line.
    """
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"data file {str(p)!r} is a directory, not a CSV file")
    if not p.is_file():
        raise ValueError(f"data file {str(p)!r} does not exist")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"data file {str(p)!r} cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"data file {str(p)!r} is not a UTF-8 text (CSV) file: byte {exc.start} is "
            f"0x{raw[exc.start]:02x}"
        ) from None
    if "\x00" in text:
        raise ValueError(f"data file {str(p)!r} is not a text (CSV) file: it holds NUL bytes")
    lines = [
        (i, line)
        for i, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise ValueError(
            f"{p}: empty file; expected a header with columns {', '.join(CSV_COLUMNS)}"
        )
    rows = list(csv.reader(line for _, line in lines))
    header = [h.strip() for h in rows[0]]
    for h in header:
        if h not in CSV_COLUMNS:
            near = difflib.get_close_matches(h, CSV_COLUMNS, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ValueError(
                f"{p}: unknown column {h!r}{hint}; allowed columns: {', '.join(CSV_COLUMNS)}"
            )
    if len(set(header)) != len(header):
        raise ValueError(f"{p}: repeated column in header {header}")
    for req in _REQUIRED_COLUMNS:
        if req not in header:
            raise ValueError(
                f"{p}: missing column {req!r} (header: {', '.join(header)}); required columns: "
                f"{', '.join(_REQUIRED_COLUMNS)}, optional: tc_err_K"
            )
    data: dict[str, list[float]] = {h: [] for h in header}
    for (lineno, _), row in zip(lines[1:], rows[1:], strict=True):
        if len(row) != len(header):
            raise ValueError(
                f"{p}, line {lineno}: {len(row)} fields, expected {len(header)} "
                f"({', '.join(header)})"
            )
        for h, cell in zip(header, row, strict=True):
            try:
                x = float(cell)
            except ValueError:
                raise ValueError(
                    f"{p}, line {lineno}: column {h} is not a number: {cell.strip()!r}"
                ) from None
            if not math.isfinite(x):
                raise ValueError(f"{p}, line {lineno}: column {h} must be finite, got {x}")
            data[h].append(x)
    if not data["tc_K"]:
        raise ValueError(f"{p}: no data rows after the header")
    line_of = [lineno for lineno, _ in lines[1:]]
    for h, strict in (("pressure_GPa", False), ("tc_K", False), ("tc_err_K", True)):
        if h not in data:
            continue
        for lineno, x in zip(line_of, data[h], strict=True):
            top = _COLUMN_MAX[h]
            if ((x <= 0.0) if strict else (x < 0.0)) or x > top:
                rel = "> 0" if strict else ">= 0"
                raise ValueError(
                    f"{p}, line {lineno}: column {h} must be {rel} and <= {top:g}, got {x}"
                )
    err = np.asarray(data["tc_err_K"], dtype=float) if "tc_err_K" in data else None
    return MeasuredTc(
        np.asarray(data["pressure_GPa"], dtype=float),
        np.asarray(data["tc_K"], dtype=float),
        err,
        source=str(p),
    )
