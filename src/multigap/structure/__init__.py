"""Geometry of the superlattice, nothing about pairing (SPEC §1-§3).

``lattice`` (the layered profile and its transfer matrix; ``transfer``, its compiled numba kernels
for real energies), ``edges`` (band edges and the
resolution limit), ``subbands`` (E_n(kz) and the Bloch densities), ``pdos`` (densities of states,
projected DOS tables, Fermi contours) and ``overlaps`` (the pair superposition integrals
I^{nn'}(kz, kz')).

May import: ``multigap.constants``, ``multigap.validation``, numba and its own modules, one way:
transfer (numpy and numba only), edges, subbands (they need only a lattice's transfer matrix,
by protocol) -> lattice -> pdos, overlaps.
"""
