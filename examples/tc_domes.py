"""Critical temperature domes: Tc versus eta and versus g for preset A (SPEC §5, §9 items 7, 8).

One Tc point with its full result (below-floor flag, mu, gap structure at Tc), a batched
Tc(eta) curve, and the two dome figures (linear and log scale: the anti-resonance at eta < 0).

Run: ``python examples/tc_domes.py [--quick] [--out DIR]``
"""

from __future__ import annotations

import numpy as np
from _common import options

import multigap as mg
from multigap import plot
from multigap.study import figures

quick, out = options(__doc__)
model = mg.preset("A")

r = mg.tc_result(model, eta=1.0, g=0.4)
print(f"Tc(eta=1, g=0.4) = {r.tc:.2f} K, below floor: {r.below_floor}, mu = {r.mu:.2f} meV")
low = mg.tc_result(model, eta=-0.5, g=0.25)
print(f"Tc(eta=-0.5, g=0.25) = {low.tc:.3g} K (anti-resonance side)")

eta = np.linspace(-1.0, 2.0, 61 if quick else 301)
tc = mg.critical_temperatures(model, eta, 0.3)
k = int(np.argmax(tc))
print(f"g = 0.3: Tc max {tc[k]:.1f} K at eta = {eta[k]:.3f}")

g_list = [0.1, 0.2, 0.3, 0.4, 0.49] if quick else [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.49]
dome = figures.tc_eta_data(model, g=g_list, eta=eta)
plot.save(plot.tc_eta(dome), out / "tc_eta_A.png", "pdf")
tg = figures.tc_g_data(
    model, eta=np.linspace(-1.0, 2.0, 7), g=np.linspace(0.1, 0.49, 14 if quick else 79)
)
plot.save(plot.tc_g(tg), out / "tc_g_A.png", "pdf")
print(f"figures in {out}/")
