"""Tc(eta, g) maps: a resumable sweep saved as self-describing netCDF (SPEC §9 item 9).

Sweeps preset B over the (eta, g) plane into a store (re-running the script computes only what
is missing), reopens the file with its attributes (the model configuration as JSON and the
package version), and draws the colour map with its maximum marked.

Run: ``python examples/maps.py [--quick] [--out DIR]``
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
from _common import options

import multigap as mg
from multigap import plot

quick, out = options(__doc__)
model = mg.preset("B")
n = 21 if quick else 101
store = out / f"map_B_{n}.nc"
ds = mg.sweep(
    model,
    eta=np.linspace(0.0, 2.0, n),
    g=np.linspace(0.10, 0.49, n),
    quantities=("tc",),
    executor=None if quick else 2,  # an int: that many local worker processes
    store=store,
    progress=not quick,
)
i, j = np.unravel_index(int(np.nanargmax(ds.tc.values)), ds.tc.shape)
best = (float(ds.tc[i, j]), float(ds.eta[i]), float(ds.g[j]))
print("Tc max on the grid: {:.1f} K at eta = {:.3f}, g = {:.3f}".format(*best))

again = xr.load_dataset(store)
print("stored:", sorted(again.attrs), "| model:", json.loads(again.attrs["config"])["name"])
for name, fig in plot.maps(again):
    plot.save(fig, out / f"map_B_{name}.png")
print(f"store {store}, figures in {out}/")
