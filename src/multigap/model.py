"""The model: a heterostructure plus its pairing rules and numerical grids, built once.

A :class:`Model` bundles everything a calculation needs except the swept parameters (eta, g, T),
which the solvers take as arguments (as kwant keeps a finalized system parameter-free). Its
expensive geometry (subbands, superposition integrals, projected densities of states) is
computed once, on first use, and cached on the instance (:attr:`Model.geometry`); it travels
with the model when the model is pickled to worker processes.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from multigap import validation as check
from multigap._threads import single_threaded_blas
from multigap.config import (
    _PAIRING_DEFAULTS,
    _PAIRING_KEYS,
    _check_numerics,
    _check_pairing,
    _lattice_from,
)

# The value ranges and rules live in multigap.config; they stay importable from here.
from multigap.config import COUPLING_RANGE as COUPLING_RANGE
from multigap.config import COUPLING_SCALE_MAX as COUPLING_SCALE_MAX
from multigap.config import CUTOFF_RULES as CUTOFF_RULES
from multigap.config import INTERBAND_RULES as INTERBAND_RULES
from multigap.config import MU_RULES as MU_RULES
from multigap.config import N_BANDS_MAX as N_BANDS_MAX
from multigap.config import NUMERICS_RANGES as NUMERICS_RANGES
from multigap.config import OMEGA0_MAX as OMEGA0_MAX
from multigap.structure.lattice import Superlattice

if TYPE_CHECKING:
    from multigap.structure.overlaps import Overlaps
    from multigap.structure.pdos import ProjectedDOS
    from multigap.structure.subbands import Subbands


@dataclass(frozen=True)
class Numerics:
    """Numerical grids; every default is converged (tests/physics/test_convergence.py).

    Each field has a finite allowed range (:data:`NUMERICS_RANGES`); a value outside it, of
    the wrong type (a string, a boolean, ``3.5`` for an integer) or non-finite is refused with
    a one-line ValueError naming the field, the value and the range. The memory the grids
    need is estimated when a :class:`Model` is built (see :meth:`Model.memory_estimate`).

    Parameters
    ----------
    n_kz : int
        Points of the half-zone kz grid on which Bloch densities and superposition integrals
        are sampled (DCT-I nodes, both ends included). Default 33; range [3, 4097].
    n_modes : int
        Cosine modes Q of I(kz, kz') kept per variable (the gap is a cosine polynomial of
        degree Q - 1 in kz d). Default 12 (the dropped coefficients are < 2e-7 for the presets);
        range [1, min(n_kz, 128)].
    n_z : int
        Gauss-Legendre nodes per layer for the z integrals. Default 32; range [4, 1024].
    energy_step : float
        Spacing of the uniform part of the energy grid of the projected DOS tables, meV.
        Default 1; range [1e-4, 100] meV.
    grading_ratio : float
        Ratio of the geometric clusters of the energy grid at band edges; range (1, 10].
    min_spacing : float
        Finest spacing of those clusters, meV (resolves the logarithm at a band top far below
        k_B T_floor); range [1e-12, 1] meV.
    eta_max : float
        Largest Lifshitz parameter the tables cover (the energy grid reaches
        E_L + eta_max Delta_E + omega0); range [1, 100].
    t_floor : float
        Lowest temperature searched for Tc, K (default 1e-5 K); below it Tc is reported as 0 with
        a ``below_floor`` flag. Range [1e-9, 1000] K.
    t_ceiling : float
        Highest temperature searched, K; range (t_floor, 1e5] K.
    """

    n_kz: int = 33
    n_modes: int = 12
    n_z: int = 32
    energy_step: float = 1.0
    grading_ratio: float = 1.25
    min_spacing: float = 1e-8
    eta_max: float = 3.0
    t_floor: float = 1e-5
    t_ceiling: float = 5000.0

    def __post_init__(self) -> None:
        values = _check_numerics({f.name: getattr(self, f.name) for f in fields(self)})
        for key, value in values.items():
            object.__setattr__(self, key, value)


@dataclass(frozen=True, eq=False)
class Geometry:
    """Everything that depends on the heterostructure only, computed once per model."""

    subbands: Subbands
    overlaps: Overlaps
    pdos: ProjectedDOS
    next_bottom: float  # bottom of subband n_bands + 1, meV (validity limit of the truncation)


@dataclass(frozen=True)
class Model:
    """A heterostructure with its pairing rules and grids (immutable).

    Parameters
    ----------
    lattice : Superlattice
        The superlattice.
    omega0 : float
        Bare phonon energy w0, meV, in (0, 2000]. The pairing cut-off is w0 sqrt(1 - 2 g)
        (``cutoff="migdal"``) or w0 (``"fixed"``).
    n_bands : int
        Subbands kept (default 3), in [1, 16].
    resonant_band : int
        The subband whose coupling g varies and whose Lifshitz points define eta (default 3),
        in [1, n_bands].
    background_coupling : float
        Intraband coupling of the other subbands (g11 = g22 = 0.1 by default), in [0, 0.5).
    interband : {"geometric", "constant", "matrix"}
        Interband (pair-transfer) rule: sqrt(g_nn g_n'n'), one value ``interband_value``, or the
        full symmetric ``coupling_matrix`` whose (r, r) element is replaced by g at solve time.
    interband_value : float, optional
        The value of the "constant" rule, in (-0.5, 0.5): a reduced pair-transfer coupling
        shares the range ``|g| < 1/2`` of the reduced intraband couplings (g = lambda/(1 + lambda));
        unbounded values gave unphysical Tc (-2 gave 1093 K on preset A).
    coupling_matrix : tuple of tuples, optional
        The matrix of the "matrix" rule (n_bands x n_bands, symmetric, every entry in
        (-0.5, 0.5)).
    cutoff : {"migdal", "fixed"}
        Cut-off rule.
    band_omega0 : tuple of float, optional
        Per-band phonon energies (meV, each in (0, 2000]) replacing ``omega0`` band by band.
    chemical_potential : {"fixed_mu", "fixed_density"}
        How mu is held while T changes in the Tc search.
    coupling_scale : float
        Multiplies every coupling g_nn' (default 1, in (0, 10]): a reference DOS
        N0 / coupling_scale in place of the free 2D DOS N0. The study does not state its
        normalisation (SPEC §12); ``multigap calibrate`` fits this one number to the study's Tc
        max of case A. The g of the figures' axes and of the Migdal cut-off w0 sqrt(1 - 2 g) is
        the bare g (the study's label), so the cut-off does not see the scale.
    numerics : Numerics
        Grids.
    name, description : str
        Labels.

    Notes
    -----
    Every field is checked for its type and range when the model is built, and the memory of
    the geometry is estimated (:meth:`memory_estimate`) and refused above the limit of
    :func:`multigap.validation.memory_limit` (4 GiB by default), before anything is computed.
    """

    lattice: Superlattice
    omega0: float
    n_bands: int = 3
    resonant_band: int = 3
    background_coupling: float = 0.1
    interband: str = "geometric"
    interband_value: float | None = None
    coupling_matrix: tuple[tuple[float, ...], ...] | None = None
    cutoff: str = "migdal"
    band_omega0: tuple[float, ...] | None = None
    chemical_potential: str = "fixed_mu"
    coupling_scale: float = 1.0
    numerics: Numerics = field(default_factory=Numerics)
    name: str = "custom"
    description: str = ""

    def __post_init__(self) -> None:
        values = _check_pairing({k: getattr(self, k) for k in _PAIRING_KEYS})
        for key, value in values.items():
            object.__setattr__(self, key, value)
        check.text("name", self.name)
        check.text("description", self.description)
        if not isinstance(self.lattice, Superlattice):
            raise ValueError(f"lattice must be a Superlattice, got {type(self.lattice).__name__}")
        if not isinstance(self.numerics, Numerics):
            raise ValueError(f"numerics must be a Numerics, got {type(self.numerics).__name__}")
        self._check_memory()

    def memory_estimate(self) -> dict[str, float]:
        """Estimated peak bytes of each geometry step (computed before any is allocated).

        Keys: ``"subbands"`` (Bloch densities, n_bands n_kz n_layers n_z complex values and
        their copies), ``"overlaps"`` (the Gram matrix of I(kz, kz') and its cosine transforms,
        5 (n_bands n_kz)^2 doubles), ``"pdos"`` (the projected-DOS tables: about 6 copies of
        n_bands x (2 n_modes - 1) x N doubles, N the energy nodes, estimated from an upper
        bound of the energy range: band tops below min(V_max + C (r pi/d)^2, C (r pi/L)^2)).
        """
        num = self.numerics
        nb = self.n_bands
        n_layers = len(self.lattice.layers)
        harmonics = 2 * num.n_modes - 1
        sub = 48.0 * nb * num.n_kz * n_layers * num.n_z
        ov = 5 * 8.0 * (nb * num.n_kz) ** 2
        nodes = self._energy_nodes()
        pdos = 8.0 * nodes * (6 * nb * harmonics + 4)
        return {"subbands": sub, "overlaps": ov, "pdos": pdos, "energy_nodes": nodes}

    def _energy_nodes(self) -> float:
        from multigap.constants import kinetic_coefficient

        num, lat, r = self.numerics, self.lattice, self.resonant_band
        v_lo, v_hi = lat.potential_range
        c_z = kinetic_coefficient(lat.mass_z)
        top = min(v_hi + c_z * (r * math.pi / lat.period) ** 2, c_z * (r * math.pi / lat.well) ** 2)
        w_max = max(self.band_omega0 or (self.omega0,))
        span = num.eta_max * (top - min(v_lo, 0.0)) + 1.001 * w_max + 1.0
        harmonics = 2 * num.n_modes - 1
        ratio = num.grading_ratio
        reach = num.energy_step / (ratio - 1.0)
        n_geo = max(math.log(max(reach / num.min_spacing, 1.0)) / math.log(ratio), 0.0) + 1
        per_band = 2.6 * 32 * harmonics + 3 * n_geo
        return span / num.energy_step + self.n_bands * per_band + 2

    def _check_memory(self) -> None:
        est = self.memory_estimate()
        num = self.numerics
        nb, nz = self.n_bands, num.n_z
        check.memory(
            "numerics.n_kz",
            num.n_kz,
            est["overlaps"],
            f"the superposition integrals of {nb} subbands ({nb * num.n_kz} x {nb * num.n_kz} "
            "doubles and their transforms)",
        )
        check.memory(
            "numerics.n_z",
            nz,
            est["subbands"],
            f"the Bloch densities ({nb} subbands x {num.n_kz} kz x "
            f"{len(self.lattice.layers) * nz} z nodes)",
        )
        check.memory(
            "numerics.energy_step",
            num.energy_step,
            est["pdos"],
            f"the projected-DOS tables (about {est['energy_nodes']:.3g} energy nodes x {nb} "
            f"subbands x {2 * num.n_modes - 1} harmonics; eta_max = {num.eta_max:g})",
        )

    # ------------------------------------------------------------------ derived
    @cached_property
    def geometry(self) -> Geometry:
        """Subbands, superposition integrals and projected-DOS tables (computed once).

        Built with single-threaded BLAS (:func:`multigap._threads.single_threaded_blas`): its
        matrices are small, and a second BLAS thread only spins (measured: 0.36 -> 0.14 s CPU,
        the same wall time, for preset A).
        """
        with single_threaded_blas():
            return self._build_geometry()

    def _build_geometry(self) -> Geometry:
        from multigap.structure.overlaps import overlaps
        from multigap.structure.pdos import projected_dos

        num = self.numerics
        # the n_bands + 1 edges first: every later request is answered from this one search
        bottoms, _ = self.lattice.band_edges(self.n_bands + 1)
        sb = self.lattice.subbands(self.n_bands, n_kz=num.n_kz, n_z=num.n_z)
        ov = overlaps(sb, num.n_modes)
        r = self.resonant_band
        w_max = max(self.band_omega0 or (self.omega0,))
        e_max = sb.edge(r) + max(num.eta_max, 1.0) * sb.width(r) + w_max * 1.001 + 1.0
        table = projected_dos(
            self.lattice,
            self.n_bands,
            2 * num.n_modes - 1,
            e_max,
            step=num.energy_step,
            ratio=num.grading_ratio,
            min_spacing=num.min_spacing,
        )
        return Geometry(sb, ov, table, float(bottoms[-1]))

    @property
    def subbands(self) -> Subbands:
        """The subbands (shortcut for ``geometry.subbands``)."""
        return self.geometry.subbands

    def mu(self, eta: Any) -> np.ndarray:
        """Chemical potential (meV) of Lifshitz parameter eta of the resonant subband."""
        return self.subbands.mu_from_eta(eta, self.resonant_band)

    def omega(self, g: float) -> np.ndarray:
        """Cut-off energies per band (meV) at coupling g: w0 sqrt(1 - 2g) or w0."""
        g = check.in_range("g", g, 0.0, 0.5, high_open=True)
        w0 = np.asarray(self.band_omega0 or (self.omega0,) * self.n_bands, dtype=float)
        return w0 * (math.sqrt(1.0 - 2.0 * g) if self.cutoff == "migdal" else 1.0)

    def with_(self, **changes: Any) -> Model:
        """A copy with some fields changed (the geometry is recomputed if needed)."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        """Plain-data configuration (JSON/TOML-ready) that :meth:`from_dict` reads back."""
        pairing: dict[str, Any] = {
            "omega0": self.omega0,
            "n_bands": self.n_bands,
            "resonant_band": self.resonant_band,
            "background_coupling": self.background_coupling,
            "interband": self.interband,
            "cutoff": self.cutoff,
            "chemical_potential": self.chemical_potential,
        }
        if self.interband_value is not None:
            pairing["interband_value"] = self.interband_value
        if self.coupling_matrix is not None:
            pairing["coupling_matrix"] = [list(row) for row in self.coupling_matrix]
        if self.band_omega0 is not None:
            pairing["band_omega0"] = list(self.band_omega0)
        if self.coupling_scale != 1.0:  # absent at the default: configurations stay as before
            pairing["coupling_scale"] = self.coupling_scale
        return {
            "name": self.name,
            "description": self.description,
            "lattice": self.lattice.to_dict(),
            "pairing": pairing,
            "numerics": {f.name: getattr(self.numerics, f.name) for f in fields(Numerics)},
        }

    def to_json(self) -> str:
        """The configuration as a JSON string (stored in result files)."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, config: Mapping[str, Any], where: str = "config") -> Model:
        """Build a model from a configuration mapping (the TOML layout of the presets).

        Every value is checked for its type and range before any geometry is computed; a bad
        one raises a one-line ValueError ``"<where>: <section>.<key> must ..., got ..."``
        naming its TOML path (e.g. ``numerics.n_kz``), the value and the allowed range.
        """
        try:
            return _from_dict(cls, config)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None


def _from_dict(cls: type[Model], config: Mapping[str, Any]) -> Model:
    check.table("config", config)
    check.known_keys(
        "the config", config, ("name", "description", "lattice", "pairing", "numerics")
    )
    for section in ("lattice", "pairing"):
        if section not in config:
            raise ValueError(f"the config lacks the [{section}] section")
    pairing = dict(check.table("pairing", config["pairing"]))
    check.known_keys("[pairing]", pairing, _PAIRING_KEYS)
    if "omega0" not in pairing:
        raise ValueError("[pairing] lacks omega0 (bare phonon energy, meV)")
    pairing = _check_pairing(_PAIRING_DEFAULTS | pairing, "pairing.")
    num_cfg = dict(check.table("numerics", config.get("numerics", {})))
    check.known_keys("[numerics]", num_cfg, [f.name for f in fields(Numerics)])
    defaults = {f.name: f.default for f in fields(Numerics)}
    numerics = Numerics(**_check_numerics(defaults | num_cfg, "numerics."))
    name = check.text("name", config.get("name", "custom"))
    description = check.text("description", config.get("description", ""))
    lattice = _lattice_from(check.table("lattice", config["lattice"]), pairing["resonant_band"])
    return cls(lattice=lattice, numerics=numerics, name=name, description=description, **pairing)


def load_model(path: str | Path) -> Model:
    """Read a model from a TOML file (same layout as the shipped presets).

    Raises
    ------
    ValueError
        One line naming the file and what is wrong: missing, a directory, unreadable, not
        UTF-8 text, not valid TOML, or a bad value (named by its TOML path, e.g.
        ``numerics.n_kz``, with the allowed range).
    """
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"config file {str(p)!r} is a directory, not a TOML file")
    if not p.exists():
        raise ValueError(f"config file {str(p)!r} does not exist")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"config file {str(p)!r} cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"config file {str(p)!r} is not a UTF-8 text (TOML) file: byte {exc.start} is "
            f"0x{raw[exc.start]:02x}"
        ) from None
    try:
        cfg = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config file {str(p)!r} is not valid TOML: {exc}") from None
    return Model.from_dict(cfg, where=str(p))


PRESETS = ("A", "B")


def preset(name: str, **numerics: Any) -> Model:
    """One of the two heterostructures of the reference study (SPEC §8).

    Parameters
    ----------
    name : {"A", "B"}
        "A": H3S-like, Delta_E = 274 meV, w0 = 330 meV; "B": CSH-like design,
        Delta_E = 145 meV, w0 = 225 meV. Both: L = 0.85 nm, W = 0.55 nm, m = 1, 3 subbands,
        resonant subband 3, g11 = g22 = 0.1, geometric interband rule.
    **numerics
        Overrides of :class:`Numerics` fields.

    Notes
    -----
    The study (Mazziotti et al., 2021) quotes w0 so that the softened phonon w0 sqrt(1 - 2g)
    matches 160 meV (A) and Delta_E (B) "at moderate coupling", but 330 sqrt(1 - 0.6) = 209 meV
    and 225 sqrt(1 - 0.5) = 159 meV do not match those targets. We keep w0 as given.
    """
    key = check.choice("preset", str(name).upper(), PRESETS)
    text = resources.files("multigap.presets").joinpath(f"{key}.toml").read_text()
    cfg = tomllib.loads(text)
    if numerics:
        cfg.setdefault("numerics", {}).update(numerics)
    return Model.from_dict(cfg, where=f"preset {key}")
