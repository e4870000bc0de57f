"""Zero-temperature gaps, gap ratios and the isotope coefficient (SPEC §6, §7, §9 items 5, 6).

The T = 0 multigap state of preset A with mu renormalised at fixed density, Delta_n(T) up to Tc,
the ratios 2 Delta_n / k_B Tc and Delta_3 / Delta_2, the isotope coefficient, and the figures of
gap ratios / isotope coefficient versus eta and Tc versus the gap anisotropy.

Run: ``python examples/gaps_and_isotope.py [--quick] [--out DIR]``
"""

from __future__ import annotations

import numpy as np
from _common import options

import multigap as mg
from multigap import plot
from multigap.constants import KB
from multigap.study import figures

quick, out = options(__doc__)
model = mg.preset("A")
eta, g = 1.0, 0.25

res = mg.zero_temperature_gaps(model, eta=eta, g=g)
tc = mg.critical_temperature(model, eta=eta, g=g)
print(f"eta = {eta}, g = {g}: Tc = {tc:.2f} K, mu0 -> mu = {res.mu:.2f} meV")
for n, d in enumerate(res.fermi_gap, start=1):
    print(f"  subband {n}: Delta = {d:7.3f} meV   2Delta/kBTc = {2 * d / (KB * tc):.3f}")
print(f"  Delta_3/Delta_2 = {res.fermi_gap[2] / res.fermi_gap[1]:.3f}")
print(f"isotope coefficient alpha = {mg.isotope_coefficient(model, eta=eta, g=g):.3f}")

for frac in (0.5, 0.9):
    d = mg.gaps_at_temperature(model, eta=eta, g=g, T=frac * tc).fermi_gap
    print(f"  T = {frac:.1f} Tc: Delta_n / Delta_n(0) = {np.round(d / res.fermi_gap, 4)}")

ds = figures.gap_data(model, g=g, eta=np.linspace(-0.3, 2.0, 10 if quick else 47))
ds.to_netcdf(out / "gaps_A.nc", engine="h5netcdf")
plot.save(plot.gap_ratios(ds), out / "gap_ratios_A.png", "pdf")
plot.save(plot.anisotropy(ds), out / "anisotropy_A.png", "pdf")
print(f"figures in {out}/")
