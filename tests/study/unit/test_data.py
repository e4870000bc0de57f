"""Shipped dome summaries and the measured-points CSV loader (multigap.data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from multigap.study.data import (
    dome_names,
    dome_summary,
    load_tc_csv,
    validate_points,
)


def test_h3s_summary_numbers() -> None:
    s = dome_summary("h3s")
    assert s.tc_max == 203.0
    assert s.p_opt == 162.0
    assert s.half_width == 43.0
    assert s.onset == 120.0
    assert not s.retracted and s.retraction is None
    assert "Drozdov" in s.source


def test_h3s_summary_curve_peaks_at_203_K_at_162_GPa() -> None:
    c = dome_summary("H3S").curve(np.linspace(100.0, 230.0, 1301))
    assert c.kind == "summary"
    i = int(np.argmax(c.tc))
    assert c.tc[i] == pytest.approx(203.0)
    assert c.pressure[i] == pytest.approx(162.0)
    # zero at the half width (162 - 43 = 119 GPa, close to the 120 GPa onset) and beyond
    assert dome_summary("h3s").curve([119.0, 205.0, 100.0, 250.0]).tc == pytest.approx(0.0)
    assert np.all(c.tc >= 0.0)


@pytest.mark.parametrize("name", ["csh", "CSH"])
def test_csh_always_carries_its_retraction(name: str) -> None:
    s = dome_summary(name)
    assert s.retracted
    assert s.retraction is not None and "Retracted" in s.retraction
    summary = s.summary()
    assert summary["retracted"] is True and summary["retraction"] == s.retraction
    json.dumps(summary)
    curve = s.curve()
    assert curve.retracted and curve.retraction == s.retraction
    # no half width in the file: the dome reaches zero at the onset
    assert s.half_width == pytest.approx(s.p_opt - (s.onset or 0.0))


def test_every_retracted_entry_has_a_note() -> None:
    for name in dome_names():
        s = dome_summary(name)
        assert not s.retracted or s.retraction
        assert "retraction" in s.summary() or not s.retracted


def test_unknown_dome() -> None:
    with pytest.raises(ValueError, match=r"unknown dome 'LaH10'.*h3s"):
        dome_summary("LaH10")


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "points.csv"
    p.write_text(text)
    return p


def test_csv_roundtrip(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "# H3S points\npressure_GPa,tc_K,tc_err_K\n150, 190.5, 3\n\n170,200,2.5\n",
    )
    d = load_tc_csv(p)
    assert d.pressure.tolist() == [150.0, 170.0]
    assert d.tc.tolist() == [190.5, 200.0]
    assert d.tc_err is not None and d.tc_err.tolist() == [3.0, 2.5]


def test_csv_without_errors_and_any_column_order(tmp_path: Path) -> None:
    d = load_tc_csv(write(tmp_path, "tc_K,pressure_GPa\n180,140\n"))
    assert d.tc_err is None and d.pressure.tolist() == [140.0] and d.tc.tolist() == [180.0]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("pressure_GPa\n150\n", "missing column 'tc_K'"),
        ("pressure,tc_K\n150,190\n", "unknown column 'pressure'.*did you mean 'pressure_GPa'"),
        ("pressure_GPa,tc_K\n150,nan\n", "line 2: column tc_K must be finite"),
        ("pressure_GPa,tc_K\n150,190\n160,inf\n", "line 3: column tc_K must be finite"),
        ("pressure_GPa,tc_K\n-5,190\n", "line 2: column pressure_GPa must be >= 0"),
        ("pressure_GPa,tc_K\n150,-1\n", "column tc_K must be >= 0"),
        ("pressure_GPa,tc_K,tc_err_K\n150,190,0\n", "column tc_err_K must be > 0"),
        ("pressure_GPa,tc_K\n150,abc\n", "line 2: column tc_K is not a number: 'abc'"),
        ("pressure_GPa,tc_K\n150,\n", "column tc_K is not a number"),
        ("pressure_GPa,tc_K\n150,190,3\n", "line 2: 3 fields, expected 2"),
        ("pressure_GPa,tc_K\n", "no data rows"),
        ("# only a comment\n", "empty file"),
        ("pressure_GPa,tc_K,tc_K\n1,2,3\n", "repeated column"),
    ],
)
def test_bad_csv_names_the_field(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        load_tc_csv(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        load_tc_csv(tmp_path / "nope.csv")


def test_validate_points() -> None:
    p, _t, e = validate_points([100, 200], [10, 20])
    assert e is None and p.dtype == float
    with pytest.raises(ValueError, match="tc_K has 1 values but pressure_GPa has 2"):
        validate_points([100, 200], [10])
    with pytest.raises(ValueError, match="pressure_GPa must be finite"):
        validate_points([np.nan], [10])
    with pytest.raises(ValueError, match="pressure_GPa must be >= 0"):
        validate_points([-1.0], [10])
    with pytest.raises(ValueError, match="tc_err_K must be > 0"):
        validate_points([1.0], [10], [-2.0])
