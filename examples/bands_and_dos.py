"""Subbands, densities of states and Fermi surfaces of presets A and B (SPEC §9 items 2, 3).

Solves the barrier height that gives the resonant subband its Delta_E, prints the subband edges
and tops, and draws the total / partial DOS versus eta with the Fermi contours below, above and
between the two Lifshitz points, and the Migdal-softened phonon energy versus g.

Run: ``python examples/bands_and_dos.py [--quick] [--out DIR]``
"""

from __future__ import annotations

import numpy as np
from _common import options

import multigap as mg
from multigap import plot
from multigap.study import figures

quick, out = options(__doc__)
models = [mg.preset("A"), mg.preset("B")]
for m in models:
    sb = m.subbands
    print(f"preset {m.name}: V = {m.lattice.height:.2f} meV (solved from Delta_E)")
    for n in range(1, m.n_bands + 1):
        edge, top, width = sb.edge(n), sb.top(n), sb.width(n)
        print(f"  subband {n}: edge {edge:9.2f}  top {top:9.2f}  width {width:7.2f} meV")
    # DOS at the two Lifshitz points of the resonant subband (per spin, 1/(meV nm^2))
    mu = [sb.mu_from_eta(e, m.resonant_band) for e in (0.5, 0.999)]
    print("  total DOS at eta = 0.5 and 0.999:", np.round(mg.dos(m, mu).total, 6))

    ds = figures.dos_data(m, eta=np.linspace(-1.0, 2.0, 200 if quick else 1200))
    ds.to_netcdf(out / f"dos_{m.name}.nc", engine="h5netcdf")
    plot.save(plot.dos(ds), out / f"dos_{m.name}.png", "pdf")

ph = figures.phonon_data(models)
plot.save(plot.phonon(ph), out / "phonon.png")
print(f"figures in {out}/")
