"""Physical constants in the package units (meV, nm, K, electron masses).

Every number comes from :mod:`scipy.constants` (CODATA); none is typed in by hand.
"""

from __future__ import annotations

import math

from scipy import constants as _c

#: hbar^2 / (2 m_e) in meV nm^2 (38.0998...).
HBAR2_2ME: float = _c.hbar**2 / (2.0 * _c.m_e) / (_c.e * 1e-3) / 1e-18
#: Boltzmann constant in meV/K (0.0861733...).
KB: float = _c.k / (_c.e * 1e-3)
#: Euler-Mascheroni constant.
EULER_GAMMA: float = 0.57721566490153286060651209008240243
#: BCS prefactor 2 e^gamma / pi = 1.1338...: Tc = BCS_PREFACTOR * wc * exp(-1/g).
BCS_PREFACTOR: float = 2.0 * math.exp(EULER_GAMMA) / math.pi


def kinetic_coefficient(mass: float) -> float:
    """hbar^2 / (2 m) in meV nm^2 for a mass in units of the free-electron mass."""
    return HBAR2_2ME / mass
