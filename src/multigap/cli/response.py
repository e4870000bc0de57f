"""Commands on the response of the BCS state: stiffness, bkt, thermo, spectrum.

Every number is at fixed density (mu renormalised at the normal-state density of mu0, Tc with the
same rule), the convention of :mod:`multigap.pairing.response`.
"""

from __future__ import annotations

import math
from typing import Annotated

import numpy as np
import typer

from multigap.cli.app import app
from multigap.cli.common import (
    ConfigOpt,
    EtaOpt,
    GOpt,
    JsonOpt,
    PresetOpt,
    _num,
    emit,
    load_point,
    user_errors,
    values,
)

TOpt = Annotated[float, typer.Option("--T", help="Temperature, K (>= 0).")]


def _band_list(x: np.ndarray) -> list[float | None]:
    return [_num(float(v)) for v in np.asarray(x).ravel()]


@app.command()
@user_errors
def stiffness(
    eta: EtaOpt,
    g: GOpt,
    T: TOpt = 0.0,
    stacking_period: Annotated[
        float | None,
        typer.Option("--stacking-period", help="Sheet spacing s of a stack, nm: adds lambda_L."),
    ] = None,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Phase stiffness J_xx, J_zz (meV) per subband at T, and the London depth of a stack."""
    from multigap.pairing.response import london_penetration_depth, superfluid_stiffness

    m = load_point(eta, g, preset, config)
    J = superfluid_stiffness(m, eta, g, T)
    data: dict[str, object] = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "T_K": T,
        "J_xx_meV": J.xx,
        "J_zz_meV": J.zz,
        "bands_xx_meV": _band_list(J.bands_xx),
        "bands_zz_meV": _band_list(J.bands_zz),
        "mu_meV": J.mu,
        "tc_fixed_density_K": J.tc,
        "mu_convention": J.mu_convention,
    }
    lines = [
        f"J_xx = {J.xx:.6g} meV, J_zz = {J.zz:.6g} meV at T = {T:g} K (Tc = {J.tc:.4g} K, "
        f"fixed density)",
        "per subband xx: " + ", ".join(f"{v:.4g}" for v in J.bands_xx),
        "per subband zz: " + ", ".join(f"{v:.4g}" for v in J.bands_zz),
    ]
    if stacking_period is not None:
        lam = london_penetration_depth(m, eta, g, T, stacking_period=stacking_period)
        data["london_xx_nm"] = _num(lam.xx)
        data["london_zz_nm"] = _num(lam.zz)
        data["stacking_period_nm"] = stacking_period
        lines.append(
            f"lambda_L = {lam.xx:.5g} nm (x), {lam.zz:.5g} nm (z), s = {stacking_period} nm"
        )
    emit(data, as_json, lines)


@app.command()
@user_errors
def bkt(
    eta: EtaOpt,
    g: GOpt,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """BKT temperature k_B T = (pi/2) sqrt(J_xx J_zz)(T) beside the mean-field Tc."""
    from multigap.pairing.response import bkt_result

    m = load_point(eta, g, preset, config)
    r = bkt_result(m, eta, g)
    data = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "tbkt_K": r.tbkt,
        "tc_fixed_density_K": r.tc,
        "ratio": _num(r.ratio),
        "J_xx_at_tbkt_meV": r.xx,
        "J_zz_at_tbkt_meV": r.zz,
        "below_floor": r.below_floor,
        "mu_convention": r.mu_convention,
    }
    line = (
        "Tc below the floor: no superconductivity, T_BKT = 0"
        if r.below_floor
        else f"T_BKT = {r.tbkt:.6g} K, Tc = {r.tc:.6g} K, T_BKT/Tc = {r.ratio:.4f}"
    )
    emit(data, as_json, [line])


@app.command()
@user_errors
def thermo(
    eta: EtaOpt,
    g: GOpt,
    temperatures: Annotated[
        str | None,
        typer.Option("--T", help="Temperatures, K: START:STOP:N, a,b,c or one value (> 0)."),
    ] = None,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Specific-heat jump Delta C/(gamma Tc) and, with --T, C(T) in k_B/nm^2."""
    from multigap.pairing.response import specific_heat, specific_heat_jump

    m = load_point(eta, g, preset, config)
    jump = specific_heat_jump(m, eta, g)
    data: dict[str, object] = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "jump_ratio": _num(jump.ratio),
        "jump_bands": _band_list(jump.band_ratio),
        "gamma_kB_per_nm2_K": _num(jump.gamma),
        "tc_fixed_density_K": jump.tc,
        "mu_convention": jump.mu_convention,
    }
    lines = [f"Delta C / (gamma Tc) = {jump.ratio:.5g} at Tc = {jump.tc:.5g} K (BCS 1.426)"]
    if temperatures is not None:
        temps = values(temperatures, "--T")
        c = specific_heat(m, eta, g, temps)
        data["T_K"] = c.temperature
        data["C_kB_per_nm2"] = c.value
        data["C_over_gammaT"] = c.value / (c.gamma * c.temperature)
        lines += [
            f"T = {t:.5g} K: C = {v:.6g} k_B/nm^2, C/(gamma T) = {v / (c.gamma * t):.5g}"
            for t, v in zip(c.temperature, c.value, strict=True)
        ]
    emit(data, as_json, lines)


@app.command()
@user_errors
def spectrum(
    eta: EtaOpt,
    g: GOpt,
    energy: Annotated[
        str, typer.Option("--energy", help="omega from mu, meV: START:STOP:N or a,b,c.")
    ] = "-60:60:121",
    T: TOpt = 0.0,
    broadening: Annotated[
        float, typer.Option("--broadening", help="Dynes Gamma, meV (>= 0).")
    ] = 0.0,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tunnelling DOS N_s(omega)/N_n(mu), total and per subband."""
    from multigap.pairing.response import tunneling_dos

    m = load_point(eta, g, preset, config)
    om = values(energy, "--energy")
    r = tunneling_dos(m, eta, g, om, T=T, broadening=broadening)
    data = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "T_K": T,
        "broadening_meV": broadening,
        "energy_meV": r.energy,
        "total": r.total,
        "bands": r.bands,
        "normal": r.normal,
        "fermi_gaps_meV": r.gaps,
        "mu_meV": r.mu,
        "mu_convention": r.mu_convention,
    }
    lines = [f"omega (meV)  N_s/N_n  (gaps {', '.join(f'{x:.3g}' for x in r.gaps)} meV)"]
    lines += [
        f"{o:10.4g}  {v:.5g}" if math.isfinite(v) else f"{o:10.4g}  nan"
        for o, v in zip(r.energy, r.total, strict=True)
    ]
    emit(data, as_json, lines)
