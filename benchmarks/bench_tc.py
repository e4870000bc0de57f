"""Speed of the critical temperature against the baseline commit, in one run (issue 13).

Targets (ratios baseline / today, medians over alternating rounds, CPU seconds):

- isolated Tc point (``mg.critical_temperature``, presets A and B, eight (eta, g) each from
  eta < 0 to the dome top and the 1D tail): >= 6x;
- batched: 301-point Tc(eta) curve and a 101 x 101 map in one process, per point: >= 5x;
- isotope coefficient: >= 5x;
- ``multigap design`` (default problem) and ``multigap pressure fit`` on the shipped H3S
  summary (25 points of the drawn dome), whole processes: >= 3x. The baseline's default design
  problem is a different one, so it is given today's as a TOML (``design_equivalent.toml``;
  both print the same design, ``same_output``);
- accuracy: every Tc > 1 mK within 1e-4 relative of the baseline's (reported, worst case).

Run: ``python -m benchmarks.run tc`` (``MULTIGAP_BENCH_ROUNDS`` rounds, default 3, and
``MULTIGAP_BENCH_CLI_ROUNDS`` for the CLI runs; ``MULTIGAP_BENCH_QUICK=1`` skips the map and
the CLI runs). The baseline checkout is found
or made by :mod:`benchmarks.baseline`.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import baseline

TARGETS = {
    "isolated": 6.0,
    "curve": 5.0,
    "map": 5.0,
    "isotope": 5.0,
    "design": 3.0,
    "pressure_fit": 3.0,
}


#: today's default design problem for the baseline (its own default problem is another one)
_DESIGN_TOML = "design_equivalent.toml"


def _worst_relative(base: list[dict[str, Any]], new: list[dict[str, Any]], key: str) -> float:
    b = np.asarray(base[0][key], dtype=float)
    n = np.asarray(new[0][key], dtype=float)
    ok = np.abs(b) > 1e-3 if key == "tc" else np.isfinite(b)
    if not np.any(ok):
        return 0.0
    return float(np.max(np.abs(n[ok] / b[ok] - 1.0)))


def _same_numbers(base: str, new: str) -> bool:
    """Whether every number the baseline printed is printed again, in order, within 1e-4
    relative (today's commands print further notes after them)."""
    num = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"
    b = [float(x) for x in re.findall(num, base)]
    n = [float(x) for x in re.findall(num, new)][: len(b)]
    return len(n) == len(b) and bool(np.allclose(n, b, rtol=1e-4, atol=0.0))


def _h3s_csv(folder: Path) -> Path:
    """The shipped H3S dome summary drawn at 25 pressures, as the CSV of ``pressure fit``."""
    from multigap.study.data import dome_summary

    d = dome_summary("h3s")
    p = np.linspace(d.p_opt - d.half_width, d.p_opt + d.half_width, 25)
    c = d.curve(p)
    path = folder / "h3s_summary.csv"
    rows = [f"{x:.6g},{y:.6g}" for x, y in zip(c.pressure, c.tc, strict=True)]
    path.write_text("pressure_GPa,tc_K\n" + "\n".join(rows) + "\n")
    return path


def run(rounds: int | None = None) -> dict[str, Any]:
    """Every target as a ratio against the baseline commit; print and return the figures."""
    rounds = int(os.environ.get("MULTIGAP_BENCH_ROUNDS", "3")) if rounds is None else rounds
    quick = os.environ.get("MULTIGAP_BENCH_QUICK", "") not in ("", "0")
    cli_rounds = int(os.environ.get("MULTIGAP_BENCH_CLI_ROUNDS", str(rounds)))
    out: dict[str, Any] = {"baseline_commit": baseline.BASELINE_COMMIT, "rounds": rounds}
    tasks = ["isolated", "curve", "isotope"] + ([] if quick else ["map"])
    for task in tasks:
        n_rounds = 1 if task == "map" else rounds
        base, new = baseline.alternate(lambda src, t=task: baseline.run_worker(src, t), n_rounds)
        fig = baseline.ratio(base, new, "cpu_per_point")
        fig["wall_speedup"] = baseline.ratio(base, new, "wall_per_point")["speedup"]
        key = "alpha" if task == "isotope" else "tc"
        fig["worst_relative_difference"] = _worst_relative(base, new, key)
        if "evaluations" in new[0]:
            fig["mean_evaluations"] = {
                "baseline": float(np.mean(base[0]["evaluations"])),
                "new": float(np.mean(new[0]["evaluations"])),
            }
        out[task] = fig
    if not quick:
        with tempfile.TemporaryDirectory() as tmp:
            csv = _h3s_csv(Path(tmp))
            equivalent = ["design", "--bounds", str(Path(__file__).with_name(_DESIGN_TOML))]
            for name, args, base_args in (
                ("design", ["design"], equivalent),
                ("pressure_fit", ["pressure", "fit", str(csv)], None),
            ):
                base, new = baseline.alternate(
                    lambda src, a=args, b=base_args: baseline.run_cli(
                        src, b if (b is not None and src != baseline.ROOT / "src") else a
                    ),
                    cli_rounds,
                )
                fig = baseline.ratio(base, new, "cpu")
                fig["wall_speedup"] = baseline.ratio(base, new, "wall")["speedup"]
                fig["same_output"] = base[0]["stdout"] == new[0]["stdout"]
                fig["numbers_within_1e-4"] = _same_numbers(base[0]["stdout"], new[0]["stdout"])
                fig["output_baseline"] = base[0]["stdout"].strip().splitlines()[:2]
                fig["output_new"] = new[0]["stdout"].strip().splitlines()[:2]
                out[name] = fig
    for task, target in TARGETS.items():
        if task in out:
            out[task]["target"] = target
            out[task]["met"] = bool(out[task]["speedup"] >= target)
    for key, value in out.items():
        print(f"{key:14s} {value}")
    return out


if __name__ == "__main__":
    run()
