"""Geometry of the superlattice, nothing about pairing (SPEC §1-§3).

``lattice`` (the layered profile and its transfer matrix), ``edges`` (band edges and the
resolution limit), ``subbands`` (E_n(kz) and the Bloch densities), ``pdos`` (densities of states,
projected DOS tables, Fermi contours) and ``overlaps`` (the pair superposition integrals
I^{nn'}(kz, kz')).

May import: ``multigap.constants``, ``multigap.validation`` and its own modules, one way:
edges, subbands (they need only a lattice's transfer matrix, by protocol) -> lattice ->
pdos, overlaps.
"""
