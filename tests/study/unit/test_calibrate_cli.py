"""`multigap calibrate`: input checks before any solve, and the JSON it prints."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from multigap.cli import app


@pytest.mark.parametrize("target", ["0", "-5", "nan"])
def test_bad_target_is_refused(target: str) -> None:
    res = CliRunner().invoke(app, ["calibrate", "--target-tc-max", target])
    assert res.exit_code == 2
    assert "--target-tc-max" in res.output


def test_unknown_preset_is_refused() -> None:
    res = CliRunner().invoke(app, ["calibrate", "--preset", "C"])
    assert res.exit_code == 2 and "unknown preset" in res.output


def test_json_keys_and_prediction() -> None:
    res = CliRunner().invoke(
        app, ["calibrate", "--preset", "A", "--target-tc-max", "250", "--json"]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert {"coupling_scale", "tc_max_K", "eta_at_max", "g_at_max", "predicted"} <= set(d)
    assert d["tc_max_K"] == pytest.approx(250.0, abs=1e-3)
    assert d["coupling_scale"] > 1.0  # the default's 224 K is below the target
    assert set(d["predicted"]) == {"B"}
    assert {"tc_max_K", "eta_at_max", "g_at_max"} <= set(d["predicted"]["B"])
