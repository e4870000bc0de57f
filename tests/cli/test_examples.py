"""Every script under examples/ runs in quick mode and writes the figures it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))

#: Figures each example must write (file stems under --out).
FIGURES = {
    "bands_and_dos": ["dos_A", "dos_B", "phonon"],
    "overlaps": ["overlaps_A"],
    "tc_domes": ["tc_eta_A", "tc_g_A"],
    "gaps_and_isotope": ["gap_ratios_A", "anisotropy_A"],
    "maps": ["map_B_tc"],
    "pressure_and_design": ["pressure_A"],
}

pytestmark = pytest.mark.slow


def test_every_example_is_listed() -> None:
    assert sorted(p.stem for p in SCRIPTS) == sorted(FIGURES)


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_example_runs_quick(script: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for stem in FIGURES[script.stem]:
        png = tmp_path / f"{stem}.png"
        assert png.is_file() and png.stat().st_size > 1000, png
