"""The superconducting problem on a given geometry (SPEC §4-§7).

``couplings`` (g_nn' and the cut-off rules), ``kernel`` (window integrals of the projected
DOS), ``tc`` (the linearised gap equation and its Tc root, the isotope coefficient) and
``gaps`` (gap equation joined to the density equation, at T = 0 and finite T).

May import: ``multigap.structure``, ``multigap.constants``, ``multigap.validation``; a model is
passed in (duck-typed), never built here.
"""
