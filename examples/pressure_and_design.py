"""Tc versus pressure and the inverse design of a heterostructure (SPEC §9 item 1).

Fits a straight path eta(P), g(P) of preset A to the H3S dome summary shipped with the package
(a drawing of three quoted numbers, not measured points), then searches well and barrier widths
together with eta for the highest Tc at fixed coupling and reports how sharp the optimum is.

Run: ``python examples/pressure_and_design.py [--quick] [--out DIR]``
"""

from __future__ import annotations

import json

from _common import options

import multigap as mg
from multigap import plot
from multigap.study import figures

quick, out = options(__doc__)
model = mg.preset("A")

fit = mg.pressure.fit_path_to_summary(
    model, "h3s", n=9 if quick else 25, max_nfev=60 if quick else 200
)
print(json.dumps(fit.summary(), indent=1, default=str))
ds = figures.pressure_data(
    model, dome="h3s", n_points=9 if quick else 25, max_nfev=60 if quick else 200
)
plot.save(plot.pressure(ds), out / "pressure_A.png", "pdf")

bounds = {"eta": (0.5, 1.5), "well": (0.7, 1.0), "barrier": (0.45, 0.65)}
best = mg.design.optimise(
    bounds,
    g=0.3,
    base=model,
    maxiter=1 if quick else 6,
    popsize=3 if quick else 5,
    n_scan=3 if quick else 9,
    n_polish=0 if quick else 20,
)
print(json.dumps(best.summary(), indent=1, default=str))
print(f"figures in {out}/")
