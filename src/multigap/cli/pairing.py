"""Commands on one pairing point or curve: tc, gaps, isotope, dome."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from multigap.cli.app import app
from multigap.cli.common import (
    ConfigOpt,
    EtaOpt,
    GOpt,
    JsonOpt,
    PresetOpt,
    _fail,
    _num,
    _write,
    check_eta,
    check_g,
    check_memory,
    emit,
    load,
    load_point,
    tc_point_bytes,
    user_errors,
    values,
    writable,
)


@app.command()
@user_errors
def tc(
    eta: EtaOpt,
    g: GOpt,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Critical temperature at one (eta, g)."""
    from multigap.pairing.tc import tc_result

    m = load_point(eta, g, preset, config)
    r = tc_result(m, eta=eta, g=g)
    data = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "lambda": r.lambda_coupling,
        "tc_K": None if r.below_floor else r.tc,
        "below_floor": r.below_floor,
        "t_floor_K": r.t_floor,
        "mu_meV": r.mu,
        "cutoff_meV": list(r.wc),
    }
    if r.below_floor:
        first = f"Tc < {r.t_floor:g} K: no superconductivity above the temperature floor"
    else:
        first = f"Tc = {r.tc:.6g} K"
    lines = [
        first,
        f"model {m.name}, eta = {eta:g}, g = {g:g} (lambda = {r.lambda_coupling:.4g}), "
        f"mu = {r.mu:.4f} meV, cut-off {r.wc[m.resonant_band - 1]:.2f} meV",
    ]
    emit(data, as_json, lines)


@app.command()
@user_errors
def gaps(
    eta: EtaOpt,
    g: GOpt,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Zero-temperature gaps (mu renormalised at fixed density) and gap ratios 2Delta/k_BTc."""
    from multigap.pairing.gaps import GapConvergenceError, gap_ratios

    m = load_point(eta, g, preset, config)
    try:
        rat = gap_ratios(m, eta=eta, g=g)  # fixed-density gaps over the fixed-density Tc
    except GapConvergenceError as exc:
        raise _fail(str(exc)) from None
    res = rat.gaps
    below = not rat.tc > 0.0
    fermi = [abs(float(x)) for x in res.fermi_gap]  # magnitudes
    spectral = [float(x) for x in res.spectral_gap]
    ratio = [None if below else float(q) for q in rat.ratio]
    r = m.resonant_band
    aniso = None if math.isnan(rat.anisotropy) else float(rat.anisotropy)
    data = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "lambda": g / (1.0 - g),
        "mu_rule": rat.mu_rule,
        "fermi_gap_meV": fermi,
        "spectral_gap_meV": spectral,
        "fermi_surface": [bool(x) for x in res.fermi_surface],
        "mu_meV": float(res.mu),
        "mu0_meV": float(m.mu(eta)),
        "converged": bool(res.converged),
        "tc_K": None if below else rat.tc,
        "below_floor": below,
        "ratio_2Delta_kBTc": ratio,
        "ratio_gap": rat.gap_definition,
        f"Delta{r}_over_Delta{r - 1}": aniso,
    }
    lines = [
        f"model {m.name}, eta = {eta:g}, g = {g:g}: mu0 = {float(m.mu(eta)):.4f} meV, "
        f"renormalised mu = {float(res.mu):.4f} meV (gaps and Tc at {rat.mu_rule})",
        "Tc below the floor" if below else f"Tc = {rat.tc:.6g} K",
        "subband   Fermi-surface gap (meV)   spectral gap (meV)   2Delta/k_BTc",
        *(
            f"{n + 1:7d} {d:25.5g} {e:20.5g}   " + ("—" if q is None else f"{q:.4g}")
            for n, (d, e, q) in enumerate(zip(fermi, spectral, ratio, strict=True))
        ),
        f"(ratio: {rat.gap_definition})",
    ]
    if aniso is not None:
        lines.append(f"Delta_{r}/Delta_{r - 1} = {aniso:.4g}")
    emit(data, as_json, lines)


@app.command()
@user_errors
def isotope(
    eta: EtaOpt,
    g: GOpt,
    preset: PresetOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Isotope coefficient alpha = -d ln Tc / d ln M at one (eta, g)."""
    from multigap.pairing.isotope import isotope_coefficient
    from multigap.pairing.tc import critical_temperature

    m = load_point(eta, g, preset, config)
    alpha = isotope_coefficient(m, eta=eta, g=g)
    t = critical_temperature(m, eta=eta, g=g)
    data = {
        "model": m.name,
        "eta": eta,
        "g": g,
        "isotope_coefficient": _num(alpha),
        "tc_K": t if t > 0 else None,
    }
    line = (
        f"alpha = {alpha:.5g} (Tc = {t:.6g} K)"
        if math.isfinite(alpha)
        else "alpha undefined: Tc below the temperature floor"
    )
    emit(data, as_json, [f"model {m.name}, eta = {eta:g}, g = {g:g}", line])


@app.command()
@user_errors
def dome(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    g: Annotated[str, typer.Option(help="Couplings of the Tc(eta) curves.")] = (
        "0.1,0.15,0.2,0.25,0.3,0.35,0.4,0.45,0.49"
    ),
    eta: Annotated[str, typer.Option(help="eta range of the Tc(eta) curves.")] = "-1:2:301",
    eta_fixed: Annotated[
        str, typer.Option("--eta-fixed", help="Fixed eta values of the Tc(g) curves.")
    ] = "-1,-0.5,0,0.5,1,1.5,2",
    g_range: Annotated[str, typer.Option("--g-range", help="g range of the Tc(g) curves.")] = (
        "0.1:0.49:79"
    ),
    preset: PresetOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Tc versus eta (linear and log), Tc versus g at fixed eta, overlaps (figures + netCDF)."""
    from multigap import plot
    from multigap.study import figures

    gv = check_g(values(g, "--g"))
    ev = values(eta, "--eta")
    ef = values(eta_fixed, "--eta-fixed")
    gr = check_g(values(g_range, "--g-range"), "--g-range")
    m = load(preset, config)
    writable(out, "--out", directory=True)
    # every input is checked before the first Tc is computed
    check_memory(gv.size * ev.size, tc_point_bytes(m), "--eta", "the Tc(eta) curves")
    check_memory(ef.size * gr.size, tc_point_bytes(m), "--eta-fixed", "the Tc(g) curves")
    check_eta(m, ev, gv, "--eta")
    check_eta(m, ef, gr, "--eta-fixed")
    jobs = [
        ("tc_eta", lambda: figures.tc_eta_data(m, gv, ev), plot.tc_eta),
        ("tc_g", lambda: figures.tc_g_data(m, ef, gr), plot.tc_g),
        ("overlaps", lambda: figures.overlap_data(m), plot.overlaps),
    ]
    for name, compute, draw in jobs:
        ds = compute()
        stem = out / f"{name}_{m.name}"
        _write(ds, stem.with_suffix(".nc"))
        plot.save(draw(ds), stem.with_suffix(".png"), "pdf")
        typer.echo(f"wrote {stem}.png/.pdf/.nc")
