"""Pairing couplings g_{nn'} and the energy cut-off (SPEC §4).

Pure functions of plain numbers; :class:`multigap.model.Model` supplies the rules
(``background_coupling``, ``interband``, ``interband_value``, ``coupling_matrix``, ``cutoff``,
``omega0``, ``band_omega0``, ``n_bands``, ``resonant_band``) and the solvers pass the swept
coupling g of the resonant subband.

Conventions
-----------
* Bands are numbered 1 .. n_bands (``resonant_band`` is 1-based, default 3).
* g is the reduced coupling lambda / (1 + lambda) of the resonant channel, 0 <= g < 1/2
  (the Migdal softening w0 sqrt(1 - 2 g) needs g < 1/2); :func:`lambda_from_g` gives
  lambda = g / (1 - g) for labelling.
* Interband rules:

  - ``"geometric"`` (default): g_{nn'} = sqrt(g_nn g_n'n') (needs g_nn >= 0);
  - ``"constant"``: g_{nn'} = ``interband_value`` for n != n';
  - ``"matrix"``: the user's full symmetric matrix, whose (r, r) element is *replaced* by g
    (its other diagonal entries are the intraband couplings of the other bands; the value it
    holds at (r, r) is ignored).

  Negative (repulsive) entries are allowed for "constant" and "matrix"; the Tc search then
  uses the largest eigenvalue of the (symmetric) kernel, which stays well defined.

References
----------
Migdal relation and couplings as in A. Bianconi, T. Jarlborg, Europhys. Lett. 112, 37001
(2015); M. V. Mazziotti, R. Raimondi, A. Valletta, G. Campi, A. Bianconi, Phys. Rev. B 103,
024523 (2021).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from multigap import validation as check

__all__ = [
    "CUTOFF_RULES",
    "INTERBAND_RULES",
    "coupling_matrices",
    "coupling_matrix",
    "cutoff_energies",
    "cutoff_energy",
    "lambda_from_g",
    "validate_g",
]

FloatArray = NDArray[np.float64]

INTERBAND_RULES = ("geometric", "constant", "matrix")
CUTOFF_RULES = ("migdal", "fixed")
#: g must lie in [0, G_MAX)
G_MAX = 0.5


def validate_g(g: ArrayLike, name: str = "g") -> FloatArray:
    """Return ``g`` as a float array after checking 0 <= g < 1/2 and finiteness.

    Raises
    ------
    ValueError
        Naming the parameter, the offending value and the allowed range [0, 0.5).
    """
    arr = np.asarray(g, dtype=float)
    bad = ~np.isfinite(arr) | (arr < 0.0) | (arr >= G_MAX)
    if np.any(bad):
        value = arr[bad].flat[0]
        raise ValueError(
            f"{name} must lie in [0, 0.5) (reduced coupling lambda/(1+lambda) of the resonant "
            f"subband; the Migdal cut-off w0 sqrt(1 - 2g) needs g < 1/2), got {value!r}"
        )
    return arr


def lambda_from_g(g: ArrayLike) -> FloatArray:
    """lambda = g / (1 - g), the coupling the reduced g = lambda/(1 + lambda) stands for."""
    arr = np.asarray(g, dtype=float)
    res: FloatArray = arr / (1.0 - arr)
    return res


def _base_matrix(
    n_bands: int,
    resonant_band: int,
    background_coupling: float,
    interband: str,
    interband_value: float | None,
    matrix: Any,
) -> tuple[FloatArray, int]:
    """The g-independent part: (n_bands, n_bands) matrix and the resonant index r (0-based)."""
    nb = check.integer("n_bands", n_bands, 1)
    rb = check.integer("resonant_band", resonant_band, 1)
    if rb > nb:
        raise ValueError(f"resonant_band must lie in [1, n_bands = {nb}], got {rb}")
    check.choice("interband", interband, INTERBAND_RULES)
    r = rb - 1
    if interband == "matrix":
        if matrix is None:
            raise ValueError('interband="matrix" needs coupling_matrix (n_bands x n_bands)')
        base = np.array(matrix, dtype=float)
        if base.shape != (nb, nb):
            raise ValueError(f"coupling_matrix must be {nb} x {nb}, got shape {base.shape}")
        if not np.all(np.isfinite(base)):
            raise ValueError(f"coupling_matrix must be finite, got {base.tolist()}")
        if not np.allclose(base, base.T, rtol=0.0, atol=1e-12):
            raise ValueError(f"coupling_matrix must be symmetric, got {base.tolist()}")
        base = 0.5 * (base + base.T)
        return base, r
    gbg = check.finite("background_coupling", background_coupling)
    base = np.zeros((nb, nb))
    np.fill_diagonal(base, gbg)
    if interband == "constant":
        if interband_value is None:
            raise ValueError('interband="constant" needs interband_value (a number)')
        v = check.finite("interband_value", interband_value)
        base[~np.eye(nb, dtype=bool)] = v
    elif gbg < 0.0:
        raise ValueError(
            f'interband="geometric" needs background_coupling >= 0 (sqrt(g_nn g_mm)), got {gbg!r}'
        )
    return base, r


def coupling_matrices(
    n_bands: int,
    resonant_band: int,
    g: ArrayLike,
    *,
    background_coupling: float = 0.1,
    interband: str = "geometric",
    interband_value: float | None = None,
    coupling_matrix: Sequence[Sequence[float]] | ArrayLike | None = None,
    coupling_scale: float = 1.0,
) -> FloatArray:
    """Coupling matrices g_{nn'} for an array of resonant couplings g (vectorised).

    Parameters
    ----------
    n_bands : int
        Number of subbands.
    resonant_band : int
        1-based index r of the resonant subband, whose intraband coupling is g.
    g : array_like
        Reduced couplings of the resonant subband, dimensionless, 0 <= g < 1/2.
    background_coupling : float
        Intraband coupling of the other subbands (default 0.1).
    interband : {"geometric", "constant", "matrix"}
        Interband rule (module docstring).
    interband_value : float, optional
        Value of the "constant" rule.
    coupling_matrix : (n_bands, n_bands) array_like, optional
        Matrix of the "matrix" rule (symmetric, finite); its (r, r) entry is replaced by g.
    coupling_scale : float
        Multiplies every g_{nn'} (> 0, default 1), i.e. the reference DOS of the couplings is
        N0 / coupling_scale instead of the free 2D DOS N0 (SPEC §12: the study's unstated
        normalisation). g itself (the axis the figures label, and the g of the Migdal cut-off)
        is the bare value.

    Returns
    -------
    ndarray, shape g.shape + (n_bands, n_bands)
        Symmetric dimensionless coupling matrices.
    """
    scale = check.positive("coupling_scale", coupling_scale, "")
    ga = validate_g(g)
    base, r = _base_matrix(
        n_bands, resonant_band, background_coupling, interband, interband_value, coupling_matrix
    )
    nb = base.shape[0]
    out = np.broadcast_to(base, (*ga.shape, nb, nb)).copy()
    out[..., r, r] = ga
    if interband == "geometric":
        d = np.sqrt(np.diagonal(out, axis1=-2, axis2=-1))  # (..., nb), all >= 0
        out = d[..., :, None] * d[..., None, :]
    return out if scale == 1.0 else scale * out


def coupling_matrix(
    n_bands: int,
    resonant_band: int,
    g: float,
    *,
    background_coupling: float = 0.1,
    interband: str = "geometric",
    interband_value: float | None = None,
    coupling_matrix: Sequence[Sequence[float]] | ArrayLike | None = None,
    coupling_scale: float = 1.0,
) -> FloatArray:
    """The coupling matrix g_{nn'} (n_bands, n_bands) at one resonant coupling g.

    See :func:`coupling_matrices` for the parameters. Example: 3 bands, r = 3, g = 0.3,
    geometric rule: diag (0.1, 0.1, 0.3), g_12 = 0.1, g_13 = g_23 = sqrt(0.03).
    """
    g = check.finite("g", g)
    return coupling_matrices(
        n_bands,
        resonant_band,
        g,
        background_coupling=background_coupling,
        interband=interband,
        interband_value=interband_value,
        coupling_matrix=coupling_matrix,
        coupling_scale=coupling_scale,
    )


def cutoff_energies(
    omega0: float,
    g: ArrayLike,
    *,
    rule: str = "migdal",
    band_omega0: Sequence[float] | None = None,
    n_bands: int | None = None,
    scale: ArrayLike = 1.0,
) -> FloatArray:
    """Pairing cut-off wc (meV) for an array of couplings g (vectorised).

    Parameters
    ----------
    omega0 : float
        Bare phonon energy w0, meV (> 0).
    g : array_like
        Reduced coupling of the resonant subband, 0 <= g < 1/2.
    rule : {"migdal", "fixed"}
        ``"migdal"``: wc = w0 sqrt(1 - 2 g) (phonon softened by the coupling; Migdal);
        ``"fixed"``: wc = w0.
    band_omega0 : sequence of float, optional
        Per-band bare phonon energies (meV), replacing ``omega0`` band by band; the same
        softening factor applies to each.
    n_bands : int, optional
        With ``band_omega0`` None but ``n_bands`` given, the common cut-off is repeated
        per band.
    scale : array_like
        Multiplies every w0 (broadcast with g); the isotope coefficient varies it
        (w0 ∝ M^(-1/2)).

    Returns
    -------
    ndarray
        Shape g.shape (common cut-off) or g.shape + (n_bands,) (per band), meV.
    """
    check.positive("omega0", omega0, "meV")
    check.choice("cutoff", rule, CUTOFF_RULES)
    ga = validate_g(g)
    sc = np.asarray(scale, dtype=float)
    if np.any(~np.isfinite(sc) | (sc <= 0.0)):
        raise ValueError(f"scale must be finite and > 0, got {scale!r}")
    soft = np.sqrt(1.0 - 2.0 * ga) if rule == "migdal" else np.ones_like(ga)
    soft = soft * sc
    if band_omega0 is not None:
        w0 = np.asarray([check.positive("band_omega0", w, "meV") for w in band_omega0])
        if n_bands is not None and w0.size != n_bands:
            raise ValueError(f"band_omega0 must have n_bands = {n_bands} entries, got {w0.size}")
        res: FloatArray = soft[..., None] * w0
        return res
    wc: FloatArray = omega0 * soft
    if n_bands is not None:
        nb = check.integer("n_bands", n_bands, 1)
        return np.repeat(wc[..., None], nb, axis=-1)
    return wc


def cutoff_energy(
    omega0: float,
    g: float,
    *,
    rule: str = "migdal",
    band_omega0: Sequence[float] | None = None,
) -> float | FloatArray:
    """Cut-off at one coupling: a float (meV), or an (n_bands,) array with ``band_omega0``.

    Example: w0 = 330 meV, g = 0.3, Migdal: wc = 330 sqrt(0.4) = 208.7 meV.
    """
    g = check.finite("g", g)
    wc = cutoff_energies(omega0, g, rule=rule, band_omega0=band_omega0)
    return float(wc) if wc.ndim == 0 else wc


def migdal_factor(g: float) -> float:
    """sqrt(1 - 2 g): the Migdal softening of the phonon energy (0 <= g < 1/2)."""
    g = float(validate_g(g))
    return math.sqrt(1.0 - 2.0 * g)
