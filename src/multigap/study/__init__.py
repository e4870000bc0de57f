"""The reference study and what is built on it (SPEC §8-§9).

``figures`` and ``tc_curves`` (one dataset builder per figure family), ``steps`` (the
reproduction's grids, dataset steps and cache), ``reproduce`` (the one-command reproduction),
``report`` (its HTML page and extra sections), ``statements`` and ``comparison`` (the study's
numbers beside multigap's), ``calibration`` (``coupling_scale`` fitted to a stated Tc max),
``beyond`` and ``beyond_report`` (the response of the BCS state, beyond the study),
``pressure`` and ``pressure_path`` (Tc along a path through the (eta, g) plane fitted to
Tc(P)), ``design``, ``design_problem`` and ``design_result`` (inverse design of a
heterostructure) and ``data`` (the shipped hydride dome summary and measured (P, Tc) files).

May import: ``multigap.runs``, ``multigap.pairing``, ``multigap.structure``, ``multigap.model``
and below, and the plotting modules (``multigap.plot``, ``multigap.plot_response``), which read
datasets only.
"""
