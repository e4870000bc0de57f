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

from __future__ import annotations

from multigap.pairing.response.crossover import (
    CondensateFraction,
    PairSize,
    condensate_fraction,
    pair_size,
)
from multigap.pairing.response.spectra import TunnelingDOS, tunneling_dos
from multigap.pairing.response.stiffness import (
    BKTResult,
    LondonDepth,
    Stiffness,
    bkt_result,
    bkt_temperature,
    london_penetration_depth,
    superfluid_stiffness,
)
from multigap.pairing.response.thermo import (
    HeatJump,
    SpecificHeat,
    specific_heat,
    specific_heat_jump,
)

__all__ = [
    "BKTResult",
    "CondensateFraction",
    "HeatJump",
    "LondonDepth",
    "PairSize",
    "SpecificHeat",
    "Stiffness",
    "TunnelingDOS",
    "bkt_result",
    "bkt_temperature",
    "condensate_fraction",
    "london_penetration_depth",
    "pair_size",
    "specific_heat",
    "specific_heat_jump",
    "superfluid_stiffness",
    "tunneling_dos",
]
