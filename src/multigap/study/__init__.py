"""The reference study and what is built on it (SPEC §8-§9).

``figures`` (one dataset builder per figure family), ``reproduce`` (the one-command
reproduction and its report), ``pressure`` (Tc along a path through the (eta, g) plane fitted
to Tc(P)), ``design`` (inverse design of a heterostructure) and ``data`` (the shipped hydride
dome summary and measured (P, Tc) files).

May import: ``multigap.runs``, ``multigap.pairing``, ``multigap.structure``, ``multigap.model``
and below; plotting only through ``multigap.plot`` in ``reproduce``.
"""
