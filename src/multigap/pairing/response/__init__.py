"""Response functions of the multiband BCS state (SPEC §11): beyond the mean-field Tc.

``stiffness`` (phase stiffness, BKT temperature, London penetration depth), ``thermo``
(entropy, specific heat and its jump at Tc), ``spectra`` (tunnelling density of states),
``crossover`` (condensate fraction and pair size per subband), on the shared (kz, kx)
quadrature of ``quadrature``. Every result is at fixed density: the gaps of
:func:`multigap.zero_temperature_gaps` / :func:`multigap.gaps_at_temperature` with
``fixed_density=True`` and the Tc of ``tc_result(..., chemical_potential="fixed_density")``.

May import: ``multigap.pairing`` (public functions only), ``multigap.structure``,
``multigap.constants``, ``multigap.validation``.
"""
