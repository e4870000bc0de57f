"""The superconducting problem on a given geometry (SPEC §4-§7, §11).

``couplings`` (g_nn', the cut-off rules, ``coupling_scale``), ``kernel`` and ``window`` (window
integrals of the projected DOS), ``operator`` (the finite-rank pair operator, any signs of the
couplings), ``tc_search`` (the Newton search of Lambda(Tc) = 1 on ln T), ``tc`` (the model
interface: Tc of points and batches), ``chemical_potential`` (mu(T) at fixed density),
``isotope`` (the isotope coefficient), ``gaps`` (gap equation joined to the density equation,
at T = 0 and finite T) and ``response`` (superfluid stiffness and BKT, specific heat,
tunnelling spectra, crossover diagnostics of the multiband BCS state).

May import: ``multigap.structure``, ``multigap.constants``, ``multigap.validation``; a model is
passed in (duck-typed), never built here.
"""
