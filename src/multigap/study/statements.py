"""The study's quantitative statements, each with where the study states it (one table).

The only numbers of the reference study typed into multigap's comparison
(:mod:`multigap.study.comparison`): M. V. Mazziotti, R. Raimondi, A. Valletta, G. Campi,
A. Bianconi, J. Appl. Phys. 130, 173904 (2021). A number the study states is compared within
:data:`TOL_STATED`; a number its figures give only roughly (``rough=True``) carries the
interval we read from them, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Relative tolerance within which a number the study states counts as reproduced.
TOL_STATED = 0.05


@dataclass(frozen=True)
class Statement:
    """One quantitative statement of the study.

    Attributes
    ----------
    key : str
        Identifier of the row.
    preset : str
        The study's case ("A" or "B").
    quantity : str
        What is compared.
    shown : str
        The study's value as the study gives it.
    low, high : float
        The interval the statement implies (for a stated single number: the number itself;
        :data:`TOL_STATED` applies).
    source : str
        Where in the study it is stated.
    rough : bool
        The study's figures give the number only roughly; ``low``-``high`` is our reading.
    """

    key: str
    preset: str
    quantity: str
    shown: str
    low: float
    high: float
    source: str
    rough: bool = False


_TEXT = "study text (as quoted in issue 11)"
_FIG5 = "study figures of the gap ratios and isotope coefficient (SPEC §9 item 5)"
_FIG9 = "study figure 9 (Tc versus g at fixed η, anti-resonant side)"
_EXP = "experimental range the study quotes (its text)"
_PEAK = "max over η of Tc: rises with g up to, falls after"
_BCS = "near BCS 3.53"
# fmt: off
_ROWS: tuple[tuple[Any, ...], ...] = (
    # key, case, quantity, the study's words, low, high, where, read roughly from a figure
    ("tc_max", "A", "Tc max over 0<η<2, 0.1≤g≤0.49 (K)", "250 K", 250, 250, _TEXT, False),
    ("eta_max", "A", "η at the Tc max", "≈ 1", 0.9, 1.1, _TEXT, True),
    ("g_max", "A", "g at the Tc max", "≈ 0.4", 0.375, 0.425, _TEXT, True),
    ("tc_max", "B", "Tc max over 0<η<2, 0.1≤g≤0.49 (K)", "330 K", 330, 330, _TEXT, False),
    ("eta_max", "B", "η at the Tc max", "0.6 – 1", 0.6, 1.0, _TEXT, True),
    ("g_max", "B", "g at the Tc max", "≈ 0.4", 0.375, 0.425, _TEXT, True),
    ("g_peak", "A", _PEAK, "g = 0.4", 0.375, 0.425, _TEXT, True),
    ("g_peak", "B", _PEAK, "g = 0.4", 0.375, 0.425, _TEXT, True),
    ("antiresonance", "A", "η of the anti-resonance minimum of Tc (η < 0)", "-0.34",
     -0.39, -0.29, _FIG9, True),
    ("anisotropy_top", "A", "Δ3/Δ2 near the top of the dome (g = 1/4)", "2.6 – 2.9",
     2.6, 2.9, _FIG5, False),
    ("anisotropy_top", "B", "Δ3/Δ2 near the top of the dome (g = 1/3)", "3.5 – 3.9",
     3.5, 3.9, _FIG5, False),
    ("anisotropy_at_tc_max", "A", "η(max Δ3/Δ2) − η(max Tc) (g = 1/4)", "0 (coincide)",
     -0.1, 0.1, _FIG5, True),
    ("anisotropy_at_tc_max", "B", "η(max Δ3/Δ2) − η(max Tc) (g = 1/3)", "0 (coincide)",
     -0.1, 0.1, _FIG5, True),
    ("ratio_eta0_2", "A", "2Δ2/kBTc at η = 0 (g = 1/4)", "≈ 3.5", 3.3, 3.7, _FIG5, True),
    ("ratio_eta0_3", "A", "2Δ3/kBTc at η = 0 (g = 1/4)", "≈ 3.5", 3.3, 3.7, _FIG5, True),
    ("ratio_eta0_2", "B", "2Δ2/kBTc at η = 0 (g = 1/3)", "≈ 3.5", 3.3, 3.7, _FIG5, True),
    ("ratio_eta0_3", "B", "2Δ3/kBTc at η = 0 (g = 1/3)", "≈ 3.5", 3.3, 3.7, _FIG5, True),
    ("ratio2_mid", "A", "2Δ2/kBTc for 0.5 < η < 1 (g = 1/4)", "between 0 and 1", 0, 1, _FIG5,
     False),
    ("ratio2_mid", "B", "2Δ2/kBTc for 0.5 < η < 1 (g = 1/3)", "between 0 and 1", 0, 1, _FIG5,
     False),
    ("ratio3_mid", "A", "2Δ3/kBTc for 0.5 < η < 1 (g = 1/4)", _BCS, 3.2, 3.9, _FIG5, True),
    ("ratio3_mid", "B", "2Δ3/kBTc for 0.5 < η < 1 (g = 1/3)", _BCS, 3.2, 3.9, _FIG5, True),
    ("isotope_max_eta", "A", "η of the largest isotope coefficient (g = 1/4)", "η = 0",
     -0.1, 0.1, _FIG5, True),
    ("isotope_max_eta", "B", "η of the largest isotope coefficient (g = 1/3)", "η = 0",
     -0.1, 0.1, _FIG5, True),
    ("isotope_min_eta", "A", "η of the smallest isotope coefficient (g = 1/4)", "0.5 < η < 1",
     0.5, 1.0, _FIG5, False),
    ("isotope_min_eta", "B", "η of the smallest isotope coefficient (g = 1/3)", "0.5 < η < 1",
     0.5, 1.0, _FIG5, False),
    ("h3s_isotope", "A", "isotope coefficient of H3S across the dome (experiment)",
     "2.37 → 0.31", 0.31, 2.37, _EXP, False),
)
# fmt: on
#: Every quantitative statement of the study compared here (the only typed-in study numbers).
STUDY: tuple[Statement, ...] = tuple(
    Statement(k, c, q, sh, float(lo), float(hi), src, rough)
    for k, c, q, sh, lo, hi, src, rough in _ROWS
)
