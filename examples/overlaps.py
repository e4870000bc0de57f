"""Pair superposition (exchange) integrals I^{nn'}(kz, kz') of preset A (SPEC §3, §9 item 4).

Prints the range of each (n, n') block, checks the symmetry I^{nn'}(kz, kz') = I^{n'n}(kz', kz),
and draws the histogram of the matrix elements and I versus kz.

Run: ``python examples/overlaps.py [--quick] [--out DIR]``
"""

from __future__ import annotations

import numpy as np
from _common import options

import multigap as mg
from multigap import plot
from multigap.study import figures

quick, out = options(__doc__)
model = mg.preset("A")
overlap = model.geometry.overlaps.values  # (n_bands, n_bands, n_kz, n_kz), dimensionless
print(f"kz grid: {overlap.shape[-1]} points on [0, pi/d]")
for n in range(model.n_bands):
    for p in range(n, model.n_bands):
        block = overlap[n, p]
        print(f"  I^{n + 1}{p + 1}: {block.min():.4f} ... {block.max():.4f}")
asym = np.max(np.abs(overlap - overlap.transpose(1, 0, 3, 2)))
print(f"max |I^nn'(kz,kz') - I^n'n(kz',kz)| = {asym:.2e}")

ds = figures.overlap_data(model, bins=20 if quick else 40)
plot.save(plot.overlaps(ds), out / "overlaps_A.png", "pdf")
print(f"figure in {out}/")
