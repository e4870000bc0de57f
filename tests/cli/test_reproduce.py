"""`multigap reproduce --quick`: every figure of SPEC §9 for both presets, data, the report."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import xarray as xr
from typer.testing import CliRunner

from multigap.cli import app

# one quick reproduction per module: keep these tests on one xdist worker (--dist loadgroup)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reproduce")]

#: One file stem per figure of SPEC §9 (1-9) and preset; the phonon figure shows both presets.
EXPECTED = [
    *(f"{stem}_{p}" for p in "AB" for stem in ("pressure", "dos", "overlaps", "gap_ratios")),
    *(f"{stem}_{p}" for p in "AB" for stem in ("anisotropy", "tc_eta", "tc_g", "tc_map")),
    "phonon",
]
#: The figures of the "beyond the study" section (multigap.study.beyond_report).
BEYOND = [
    "beyond_bkt",
    *(f"beyond_{k}_{p}" for p in "AB" for k in ("curves", "spectra", "crossover")),
]


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.src: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.src += [v for k, v in attrs if k == "src" and v]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    out = tmp_path_factory.mktemp("results")
    t0 = time.perf_counter()
    res = CliRunner().invoke(app, ["reproduce", "--quick", "--quiet", "--out", str(out)])
    seconds = time.perf_counter() - t0
    assert res.exit_code == 0, res.output
    return out, seconds


def test_every_figure_for_both_presets(results: tuple[Path, float]) -> None:
    out, _ = results
    for stem in [*EXPECTED, *BEYOND]:
        for ext in ("png", "pdf"):
            f = out / "figures" / f"{stem}.{ext}"
            assert f.is_file() and f.stat().st_size > 1000, f
    data = sorted(p.stem for p in (out / "data").glob("*.nc"))
    for stem in data:
        ds = xr.load_dataset(out / "data" / f"{stem}.nc")
        assert "config" in ds.attrs and "multigap_version" in ds.attrs
        for name, var in {**ds.data_vars, **ds.coords}.items():
            assert "units" in var.attrs, f"{stem}: {name} has no units"
    assert {"tc_map_A", "tc_map_B", "gaps_A", "gaps_B", "phonon"} <= set(data)


def test_index_images_exist(results: tuple[Path, float]) -> None:
    out, _ = results
    text = (out / "index.html").read_text()
    parser = _Images()
    parser.feed(text)
    assert len(parser.src) == len(EXPECTED) + len(BEYOND)
    for src in parser.src:
        assert (out / src).is_file(), src
    for word in ("Headline numbers", "Model parameters", "Sweep grids", "retracted", "T_BKT/Tc"):
        assert word in text
    assert "could not be produced" not in text


def test_rerun_reuses_finished_data(results: tuple[Path, float]) -> None:
    out, _ = results

    # nothing is recomputed or redrawn: every dataset and figure file keeps its time stamp
    # (counted in files, not seconds: timed targets live in benchmarks/)
    def stamps() -> dict[str, int]:
        files = [*(out / "data").glob("*.nc"), *(out / "figures").glob("*.png")]
        return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in files}

    before = stamps()
    res = CliRunner().invoke(app, ["reproduce", "--quick", "--quiet", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert stamps() == before


def test_report_images_load_in_chromium(
    results: tuple[Path, float], body_of: Callable[[Path, int], str]
) -> None:
    out, _ = results
    body = body_of(out / "index.html", 15000)
    assert 'data-images="all-loaded"' in body, body
    count = re.search(r'data-image-count="(\d+)"', body)
    assert count is not None and int(count.group(1)) == len(EXPECTED) + len(BEYOND)


def test_report_shows_the_comparison(results: tuple[Path, float]) -> None:
    import json

    from multigap.study.statements import STUDY

    out, _ = results
    comp = json.loads((out / "comparison.json").read_text())
    assert len(comp["rows"]) == len(STUDY)
    assert 1.0 < comp["coupling_scale"] < 1.3  # A's 224 K raised to the study's 250 K
    verdicts = {r["default"]["verdict"] for r in comp["rows"]}
    assert "not computed" not in verdicts and {"agrees", "differs"} <= verdicts
    text = (out / "index.html").read_text()
    assert "The study&#x27;s numbers beside multigap&#x27;s" in text
    assert "calibrated to the study's case A" in text  # a table header, written as is
    assert (out / "data" / "calibration.json").is_file()
