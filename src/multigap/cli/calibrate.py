"""The ``calibrate`` command: fit the one coupling scale to a stated Tc max (SPEC §12)."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from multigap.cli.app import app
from multigap.cli.common import JsonOpt, emit, user_errors


@app.command()
@user_errors
def calibrate(
    preset: Annotated[
        str, typer.Option("--preset", "-p", help="Preset fitted: A (H3S-like) or B.")
    ] = "A",
    target_tc_max: Annotated[
        float,
        typer.Option(
            "--target-tc-max",
            help="Tc max (K) over 0 < eta < 2, 0.1 <= g <= 0.49 to reach (the study: A 250 K).",
        ),
    ] = 250.0,
    as_json: JsonOpt = False,
) -> None:
    """Fit coupling_scale so that the preset's Tc max is the target; predict the other presets."""
    from multigap.model import PRESETS
    from multigap.model import preset as make_preset
    from multigap.study.calibration import calibrate as fit

    name = preset.upper()
    if name not in PRESETS:
        raise typer.BadParameter(
            f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}", param_hint="--preset"
        )
    if not math.isfinite(target_tc_max) or target_tc_max <= 0.0:
        raise typer.BadParameter(
            f"must be a finite temperature > 0 K, got {target_tc_max}", param_hint="--target-tc-max"
        )
    others = [make_preset(n) for n in PRESETS if n != name]
    res = fit(make_preset(name), target_tc_max, predict=others)
    m = res.maximum
    lines = [
        f"coupling_scale = {res.coupling_scale:.6f} (every g_nn' times this; default 1)",
        f"preset {name}: Tc max = {m.tc_max:.4f} K at eta = {m.eta_at_max:.4f}, "
        f"g = {m.g_at_max:.4f} (target {target_tc_max:g} K)",
        *(
            f"predicted {k}: Tc max = {p.tc_max:.4f} K at eta = {p.eta_at_max:.4f}, "
            f"g = {p.g_at_max:.4f}"
            for k, p in res.predicted.items()
        ),
    ]
    emit(res.to_dict(), as_json, lines)
