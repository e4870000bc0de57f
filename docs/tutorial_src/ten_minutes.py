"""
multigap in ten minutes
=======================

A model, one critical temperature, a dome, a map of the :math:`(\\eta, g)` plane, the
zero-temperature gaps, and the report of the whole study. Every cell below runs when the
documentation is built, so the numbers you read are the ones the package computes; the grids
are coarse where it says so (the defaults are converged to better than 0.5 % in Tc).

Units everywhere: meV, nm, 1/nm, K; masses in units of the free-electron mass.
"""

# %%
# A model
# -------
# A model is a superlattice of quantum wires (well width ``L``, barrier width ``W``, barrier
# height ``V``), its pairing rules (couplings, cut-off) and its numerical grids, in one frozen
# object. The two presets are the heterostructures of the reference study: ``"A"`` (H3S-like,
# :math:`\Delta E = 274` meV, :math:`\omega_0 = 330` meV) and ``"B"`` (CSH-like design). The
# barrier height is not given: it is solved so that the resonant (third) subband has the stated
# width :math:`\Delta E = E_T - E_L`.

import numpy as np

import multigap as mg
from multigap import plot
from multigap.constants import KB
from multigap.study import figures

model = mg.preset("A")
sb = model.subbands
print(f"barrier height V = {model.lattice.height:.1f} meV, period d = {model.lattice.period} nm")
print(
    f"resonant subband: E_L = {sb.edge(3):.1f} meV, E_T = {sb.top(3):.1f} meV, "
    f"Delta_E = {sb.width(3):.1f} meV"
)

# %%
# One critical temperature
# ------------------------
# The chemical potential is given by the Lifshitz parameter
# :math:`\eta = (\mu - E_L)/\Delta E` (0 at the band edge of the resonant subband, 1 where its
# Fermi surface opens a neck), the pairing strength by the reduced coupling
# :math:`g = \lambda/(1+\lambda)` of that subband. :func:`multigap.critical_temperature` returns
# kelvin; :func:`multigap.tc_result` says as well whether Tc is below the temperature floor
# (then there is no superconductivity above it, and Tc is reported as 0 with a flag).

print(f"Tc(eta=1.0, g=0.3) = {mg.critical_temperature(model, eta=1.0, g=0.3):.1f} K")
r = mg.tc_result(model, eta=-0.5, g=0.1)
print(f"Tc(eta=-0.5, g=0.1) = {r.tc:.3g} K, below the floor: {r.below_floor}")

# %%
# A dome
# ------
# :func:`multigap.critical_temperatures` is the batched form: arrays of eta and g broadcast
# against each other, one Tc per point. Tc(eta) is a dome with its top near the neck opening
# (eta about 1) and, on the log scale, the Fano-Feshbach anti-resonance below the band edge.

eta = np.linspace(-1.0, 2.0, 61)  # coarse; the study's figures use 301 points
tc = mg.critical_temperatures(model, eta, 0.3)
print(f"g = 0.3: Tc max {tc.max():.1f} K at eta = {eta[np.argmax(tc)]:.2f}")
dome = figures.tc_eta_data(model, g=[0.1, 0.2, 0.3, 0.4], eta=eta)
fig_dome = plot.tc_eta(dome)

# %%
# A map
# -----
# :func:`multigap.sweep` evaluates registered quantities (``"tc"``, ``"isotope"``,
# ``"gaps"``) over an (eta, g) grid and returns an :class:`xarray.Dataset` with units and the
# model configuration in its attributes. Give it ``store="A.nc"`` and it writes a resumable
# netCDF file (re-running computes only what is missing), ``executor=2`` and it runs on two
# worker processes.

ds = mg.sweep(
    model, eta=np.linspace(0.0, 2.0, 31), g=np.linspace(0.1, 0.49, 14), quantities=("tc",)
)
i, j = np.unravel_index(int(np.nanargmax(ds.tc.values)), ds.tc.shape)
print(
    f"Tc max on this grid: {float(ds.tc[i, j]):.1f} K at eta = {float(ds.eta[i]):.2f}, "
    f"g = {float(ds.g[j]):.2f}"
)
fig_map = plot.tc_map(ds)

# %%
# Gaps
# ----
# :func:`multigap.zero_temperature_gaps` solves the T = 0 gap equation together with the
# density equation (the chemical potential is renormalised at fixed density). Each subband has
# its own gap; ``fermi_gap`` is its average over the Fermi surface, in meV.

g = 0.25
res = mg.zero_temperature_gaps(model, eta=1.0, g=g)
tc1 = mg.critical_temperature(model, eta=1.0, g=g)
print(f"mu0 = {res.mu0:.2f} meV -> mu = {res.mu:.2f} meV, converged: {res.converged}")
for n, d in enumerate(res.fermi_gap, start=1):
    print(f"subband {n}: Delta = {d:7.3f} meV, 2 Delta / k_B Tc = {2 * d / (KB * tc1):.2f}")

# %%
# The report
# ----------
# The whole study (every figure for both presets, the data behind each one as netCDF, the
# headline numbers and an HTML report) is one command. It is not run here; on two cores the
# quick version takes well under two minutes, ``make run`` (converged grids) longer::
#
#     multigap reproduce --quick --out results-quick   # coarse grids
#     multigap reproduce --out results                 # what `make run` does
#
# Open ``results/index.html``: each figure with its caption, the model parameters, the grids,
# and the table of :doc:`the study's numbers beside multigap's </comparison>`. Every command of
# the CLI is listed in :doc:`/cli`, every function in :doc:`/api/index`.
