"""The response commands: stiffness, bkt, thermo, spectrum (JSON that matches the library)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

import multigap as mg
from multigap.cli import app

runner = CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1", "TERM": "dumb"})


def run_json(*args: str) -> dict:
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_stiffness_json_matches_library() -> None:
    data = run_json(
        "stiffness", "-p", "A", "--eta", "0.95", "--g", "0.41", "--stacking-period", "2"
    )
    J = mg.superfluid_stiffness(mg.preset("A"), 0.95, 0.41)
    assert data["J_xx_meV"] == pytest.approx(J.xx, rel=1e-12)
    assert data["bands_zz_meV"] == pytest.approx(list(J.bands_zz), rel=1e-12)
    assert data["london_xx_nm"] > 0 and data["mu_convention"] == "fixed_density"


def test_bkt_json() -> None:
    data = run_json("bkt", "-p", "A", "--eta", "0.95", "--g", "0.41")
    assert 0.0 < data["tbkt_K"] < data["tc_fixed_density_K"]
    assert data["ratio"] == pytest.approx(data["tbkt_K"] / data["tc_fixed_density_K"])


def test_thermo_and_spectrum_json() -> None:
    data = run_json("thermo", "-p", "A", "--eta", "0.95", "--g", "0.41", "--T", "100,300")
    assert data["jump_ratio"] > 0.5 and len(data["C_kB_per_nm2"]) == 2
    assert all(c > 0 for c in data["C_kB_per_nm2"])
    spec = run_json("spectrum", "-p", "A", "--eta", "0.95", "--g", "0.41", "--energy", "0,50")
    assert len(spec["total"]) == 2 and len(spec["bands"]) == 3
    assert spec["total"][0] == 0.0  # fully gapped at omega = 0 without broadening


def test_bad_input_is_a_one_line_error() -> None:
    res = runner.invoke(
        app, ["spectrum", "-p", "A", "--eta", "0.95", "--g", "0.41", "--broadening", "-1"]
    )
    assert res.exit_code == 1
    assert re.search(r"broadening must be >= 0", res.output)
