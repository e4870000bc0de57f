"""Resumable result stores for sweeps: one netCDF file, always complete and valid.

A :class:`SweepStore` holds the result grid of a sweep in memory (every variable, NaN, or False
for booleans, where not yet computed, and a boolean ``computed`` mask over the sweep's
dimensions) and, given a path, mirrors it to a netCDF file (h5netcdf engine):

* the file is rewritten *atomically* (temporary file in the same directory, fsync,
  :func:`os.replace`, fsync of the directory), so a crash or SIGKILL at any moment leaves either
  the previous or the new complete file, never a corrupt one;
* rewrites are rate-limited (at most one every ``interval`` seconds, and never more than ~10 % of
  the wall time), plus always when forced (an interrupted sweep) and at the end, so a
  1001 x 100 map is not IO-bound;
* opening an existing file checks that it was made with the same parameters (every attribute of
  the template, e.g. model configuration, package version, grids, quantities; the coordinates;
  the variables with their dimensions and units) and refuses it otherwise with a message naming
  what differs (:class:`StoreMismatchError`): results of different sweeps are never mixed;
* the finished file holds exactly the result Dataset (the ``computed`` mask is dropped), with no
  timestamps, so an interrupted and resumed sweep ends with a file identical to an uninterrupted
  one.

* one writing process at a time: a store is locked (``fcntl.flock`` on a lock file named
  after its real path in a per-user temporary directory, released when the sweep ends or its
  process dies) from the moment it is opened, and another process that opens it is refused at
  once (:class:`StoreBusyError`); a new store is written
  (empty) as soon as it is opened, so a sweep with other parameters that comes later is
  compared with it even before the first batch is done;
* every data variable carries a ``sha256`` attribute, the checksum of its values (dtype,
  shape and bytes); reopening a store (and ``multigap plot``) verifies it, so a flipped byte
  is refused (:class:`StoreCorruptError`) instead of being reused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from multigap.runs.locks import StoreBusyError, acquire, lock_store, release

__all__ = [
    "CHECKSUM",
    "COMPUTED",
    "StoreBusyError",
    "StoreCorruptError",
    "StoreMismatchError",
    "SweepStore",
    "atomic_write",
    "checksum",
    "describe_differences",
    "lock_store",
    "missing_points",
    "verify_checksums",
]

#: Name of the boolean mask of computed points in an unfinished store.
COMPUTED = "computed"
#: Engine of every store file.
ENGINE: Final = "h5netcdf"

#: Readable names of the attributes compared when a store is reopened (with their verb).
ATTR_LABELS = {
    "config": ("model configuration", "differs"),
    "multigap_version": ("package version", "differs"),
    "grids": ("numerical grids", "differ"),
    "quantities": ("quantities", "differ"),
}


#: Attribute of every data variable holding the checksum of its values.
CHECKSUM = "sha256"


class StoreMismatchError(ValueError):
    """An existing store was made with other parameters than the sweep asking for it."""


class StoreCorruptError(StoreMismatchError):
    """A variable of a store does not match its checksum (the file was damaged or edited)."""


# ---------------------------------------------------------------------------- checksums
def checksum(values: Any) -> str:
    """SHA-256 of an array's dtype (little-endian), shape and C-order bytes, as hex."""
    arr = np.asarray(values)
    arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    h = hashlib.sha256(f"{arr.dtype.str}{arr.shape}".encode())
    h.update(arr.tobytes())
    return h.hexdigest()


def verify_checksums(ds: xr.Dataset, where: str) -> None:
    """Raise :class:`StoreCorruptError` if a data variable does not match its checksum.

    Variables without a ``sha256`` attribute (files not written by a sweep) are not checked.
    ``where`` names the file in the message.
    """
    for name, var in ds.data_vars.items():
        want = var.attrs.get(CHECKSUM)
        if want is not None and checksum(var.values) != want:
            raise StoreCorruptError(
                f"{where}: the values of {name!r} do not match their checksum (the file was "
                f"damaged or edited): delete it and run the map again"
            )


def missing_points(ds: xr.Dataset) -> tuple[int, int]:
    """(points not computed, points in all) of a store; (0, n) for a finished one."""
    if COMPUTED not in ds.data_vars:
        n = int(np.prod([ds.sizes[d] for d in ("eta", "g") if d in ds.sizes]))
        return 0, n
    mask = np.asarray(ds[COMPUTED].values, dtype=bool)
    return int((~mask).sum()), int(mask.size)


# ------------------------------------------------------------------------------ file writing
def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def _remove_stale_temps(path: Path) -> None:
    """Delete temporary files left by writers of ``path`` that are no longer running."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        parts = tmp.name[len(path.name) + 2 :].split(".")
        try:
            pid = int(parts[0])
        except (ValueError, IndexError):
            continue
        alive = pid == os.getpid()
        if not alive:
            try:
                os.kill(pid, 0)
                alive = True
            except ProcessLookupError:
                alive = False
            except PermissionError:  # pragma: no cover - someone else's live process
                alive = True
        if not alive:
            tmp.unlink(missing_ok=True)


def atomic_write(ds: xr.Dataset, path: str | os.PathLike[str]) -> None:
    """Write ``ds`` to netCDF at ``path`` atomically (temp file, fsync, os.replace).

    Parameters
    ----------
    ds : xarray.Dataset
        What to write (h5netcdf engine).
    path : path-like
        Destination; its directory must exist. Readers see either the old file or the new one.
    """
    dest = Path(path)
    tmp = _temp_name(dest)
    try:
        ds.to_netcdf(tmp, engine=ENGINE)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)


# ------------------------------------------------------------------------------- comparison
def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out or {prefix: {}}
    return {prefix: value}


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_diff(old: str, new: str, limit: int = 4) -> str:
    """Up to ``limit`` differing leaves of two JSON documents, as ``key: old -> new``."""
    try:
        a, b = _flatten(json.loads(old)), _flatten(json.loads(new))
    except (TypeError, ValueError):
        return f"{_short(old)} in the store, {_short(new)} now"
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k, "<absent>") != b.get(k, "<absent>")]
    parts = [
        f"{k or '(value)'}: {_short(a.get(k, '<absent>'))} in the store, "
        f"{_short(b.get(k, '<absent>'))} now"
        for k in keys[:limit]
    ]
    if len(keys) > limit:
        parts.append(f"and {len(keys) - limit} more")
    return "; ".join(parts) if parts else "formatting only"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    return bool(a == b)


def _coord_diff(name: str, old: NDArray[Any], new: NDArray[Any]) -> str | None:
    if old.shape != new.shape:
        return f"coordinate {name} differs ({old.size} values in the store, {new.size} now)"
    if old.dtype.kind in "fc" and new.dtype.kind in "fc":
        equal = np.array_equal(old, new, equal_nan=True)
    else:
        equal = np.array_equal(old, new)
    if equal:
        return None
    i = int(np.flatnonzero(old != new)[0]) if old.size else 0
    return (
        f"coordinate {name} differs (value {i}: {old.ravel()[i]!r} in the store, "
        f"{new.ravel()[i]!r} now)"
    )


def describe_differences(stored: xr.Dataset, template: xr.Dataset) -> list[str]:
    """What differs between an existing store and the template of a sweep (empty if nothing).

    Compares every attribute of ``template`` (JSON attributes key by key), every coordinate
    (values and units), and every data variable (presence, dimensions, dtype kind, units).
    """
    out: list[str] = []
    for key, new in template.attrs.items():
        label, verb = ATTR_LABELS.get(key, (f"attribute {key!r}", "differs"))
        if key not in stored.attrs:
            out.append(f"the {label} record is missing from the store")
            continue
        old = stored.attrs[key]
        if _same(old, new):
            continue
        if isinstance(old, str) and isinstance(new, str) and key in ("config", "grids"):
            out.append(f"{label} {verb} ({_json_diff(old, new)})")
        else:
            out.append(f"{label} {verb} ({_short(old)} in the store, {_short(new)} now)")
    for key in stored.attrs:
        if key not in template.attrs:
            out.append(f"the store has an extra attribute {key!r}")
    for name, coord in template.coords.items():
        if name not in stored.coords:
            out.append(f"coordinate {name} is missing from the store")
            continue
        msg = _coord_diff(str(name), np.asarray(stored[name].values), np.asarray(coord.values))
        if msg:
            out.append(msg)
        elif stored[name].attrs.get("units") != coord.attrs.get("units"):
            out.append(
                f"units of coordinate {name} differ ({stored[name].attrs.get('units')!r} in "
                f"the store, {coord.attrs.get('units')!r} now)"
            )
    stored_vars = {str(k) for k in stored.data_vars} - {COMPUTED}
    new_vars = {str(k) for k in template.data_vars} - {COMPUTED}
    if stored_vars != new_vars:
        missing, extra = sorted(new_vars - stored_vars), sorted(stored_vars - new_vars)
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"extra {', '.join(extra)}")
        out.append(f"variables differ ({'; '.join(parts)})")
    for name in sorted(stored_vars & new_vars):
        a, b = stored[name], template[name]
        if a.dims != b.dims:
            out.append(f"dimensions of {name} differ ({a.dims} in the store, {b.dims} now)")
        elif a.dtype.kind != b.dtype.kind:
            out.append(f"type of {name} differs ({a.dtype} in the store, {b.dtype} now)")
        elif a.attrs.get("units") != b.attrs.get("units"):
            out.append(
                f"units of {name} differ ({a.attrs.get('units')!r} in the store, "
                f"{b.attrs.get('units')!r} now)"
            )
    if COMPUTED in stored.data_vars and stored[COMPUTED].dtype.kind != "b":
        out.append(f"the {COMPUTED!r} mask of the store is not boolean")
    return out


# ------------------------------------------------------------------------------------ store
class SweepStore:
    """The result grid of a sweep, optionally mirrored to a resumable netCDF file.

    Parameters
    ----------
    template : xarray.Dataset
        The finished result's form: coordinates, attributes and every data variable (values
        ignored) whose leading dimensions are ``dims``. Float variables start as NaN, booleans
        as False, integers as 0.
    dims : tuple of str
        The sweep's dimensions (e.g. ``("eta", "g")``); the ``computed`` mask spans them.
    path : path-like, optional
        The netCDF file. An existing file made with the same template is resumed (its computed
        points are kept); one made otherwise raises :class:`StoreMismatchError`.
    interval : float
        Least seconds between two rewrites of the file (default 2); the rate is further capped
        so that writing takes at most ~10 % of the wall time. 0 rewrites after every batch
        (tests, very slow batches).

    Attributes
    ----------
    computed : ndarray of bool
        Mask over ``dims`` of the points whose results are known.
    resumed : int
        Points already computed in the file when it was opened.
    """

    def __init__(
        self,
        template: xr.Dataset,
        dims: Sequence[str],
        path: str | os.PathLike[str] | None = None,
        *,
        interval: float = 2.0,
    ) -> None:
        if not math.isfinite(interval) or interval < 0:
            raise ValueError(f"interval must be a finite number >= 0 s, got {interval}")
        self.dims = tuple(dims)
        for d in self.dims:
            if d not in template.dims:
                raise ValueError(f"the template has no dimension {d!r}")
        self.path = None if path is None else Path(path)
        self.interval = float(interval)
        self._attrs = dict(template.attrs)
        self._coords = {
            name: (c.dims, np.asarray(c.values), dict(c.attrs))
            for name, c in template.coords.items()
        }
        self._order = [str(k) for k in template.data_vars if k != COMPUTED]
        self._vars: dict[str, tuple[tuple[str, ...], NDArray[Any], dict[str, Any]]] = {}
        for name in self._order:
            v = template[name]
            dims_v = tuple(str(d) for d in v.dims)
            if dims_v[: len(self.dims)] != self.dims:
                raise ValueError(
                    f"variable {name!r} must have leading dimensions {self.dims}, got {dims_v}"
                )
            self._vars[name] = (
                dims_v,
                _blank(v.shape, v.dtype),
                {k: a for k, a in v.attrs.items() if k != CHECKSUM},
            )
        self.shape = tuple(int(template.sizes[d]) for d in self.dims)
        self.computed: NDArray[np.bool_] = np.zeros(self.shape, dtype=bool)
        self._dirty = False
        self._on_disk_final = False
        self._next_write = 0.0
        self.writes = 0
        self.resumed = 0
        self._lock: str | None = None
        if self.path is not None:
            self._open(template)

    # -------------------------------------------------------------------------- opening
    def _open(self, template: xr.Dataset) -> None:
        assert self.path is not None
        if self.path.exists() and self.path.is_dir():
            raise ValueError(f"store {str(self.path)!r} is a directory, not a netCDF file")
        if not self.path.parent.is_dir():
            raise ValueError(f"the directory of store {str(self.path)!r} does not exist")
        self._lock = acquire(self.path)
        try:
            self._load(template)
        except BaseException:
            self.close()
            raise

    def _load(self, template: xr.Dataset) -> None:
        assert self.path is not None
        _remove_stale_temps(self.path)
        if not self.path.exists():  # written at once: a later other sweep is compared with it
            atomic_write(self.to_dataset(final=False), self.path)
            return
        try:
            stored = xr.load_dataset(self.path, engine=ENGINE)
        except Exception as exc:
            raise StoreMismatchError(
                f"store {str(self.path)!r} exists but is not a readable netCDF file ({exc}); "
                f"move or delete it, or choose another path"
            ) from None
        verify_checksums(stored, f"store {str(self.path)!r}")
        diffs = describe_differences(stored, template)
        if diffs:
            raise StoreMismatchError(
                f"store {str(self.path)!r} was made with other parameters and is not reused "
                f"(delete it or choose another path): " + "; ".join(diffs)
            )
        if COMPUTED in stored.data_vars:
            mask = np.asarray(stored[COMPUTED].transpose(*self.dims).values, dtype=bool)
        else:  # a finished store
            mask = np.ones(self.shape, dtype=bool)
            self._on_disk_final = True
        for name in self._order:
            dims_v, arr, _ = self._vars[name]
            arr[...] = np.asarray(stored[name].transpose(*dims_v).values, dtype=arr.dtype)
        self.computed = mask
        self.resumed = int(mask.sum())

    # --------------------------------------------------------------------------- writing
    def write(self, index: NDArray[np.intp], values: Mapping[str, NDArray[Any]]) -> None:
        """Store the results of the points ``index`` (flat C-order indices over ``dims``).

        ``values[name]`` has shape ``(len(index), *trailing dims of name)`` for every
        variable. The points are marked computed; the file is rewritten if due (rate-limited).
        """
        idx = np.asarray(index, dtype=np.intp)
        missing = [n for n in self._order if n not in values]
        if missing:
            raise ValueError(f"results lack the variables {', '.join(missing)}")
        for name in self._order:
            _, arr, _ = self._vars[name]
            flat = arr.reshape((math.prod(self.shape), *arr.shape[len(self.dims) :]))
            val = np.asarray(values[name])
            if val.shape != (idx.size, *flat.shape[1:]):
                raise ValueError(
                    f"results for {name!r} have shape {val.shape}, expected "
                    f"{(idx.size, *flat.shape[1:])}"
                )
            flat[idx] = val
        self.computed.reshape(-1)[idx] = True
        self._dirty = True
        self._on_disk_final = False
        self.flush()

    def flush(self, force: bool = False) -> bool:
        """Rewrite the file (atomically) if there are new results and a rewrite is due.

        Returns True when the file was written. ``force=True`` ignores the rate limit.
        """
        if self.path is None or not self._dirty:
            return False
        now = time.monotonic()
        if not force and now < self._next_write:
            return False
        atomic_write(self.to_dataset(final=False), self.path)
        end = time.monotonic()
        wait = max(self.interval, 10.0 * (end - now)) if self.interval > 0 else 0.0
        self._next_write = end + wait
        self._dirty = False
        self.writes += 1
        return True

    @property
    def complete(self) -> bool:
        """Every point is computed."""
        return bool(self.computed.all())

    def to_dataset(self, final: bool = True) -> xr.Dataset:
        """The grid as a Dataset; ``final=False`` adds the ``computed`` mask."""
        data: dict[str, xr.Variable] = {
            name: xr.Variable(dims_v, arr.copy(), {**attrs, CHECKSUM: checksum(arr)})
            for name, (dims_v, arr, attrs) in self._vars.items()
        }
        if not final:
            data[COMPUTED] = xr.Variable(
                self.dims,
                self.computed.copy(),
                {
                    "long_name": "point computed (unfinished sweep store)",
                    "units": "1",
                    CHECKSUM: checksum(self.computed),
                },
            )
        coords = {
            name: xr.Variable(dims_c, values.copy(), dict(attrs))
            for name, (dims_c, values, attrs) in self._coords.items()
        }
        return xr.Dataset(data, coords=coords, attrs=dict(self._attrs))

    def finish(self) -> xr.Dataset:
        """The finished result (without the mask); the file is rewritten in its final form.

        Raises ValueError if points are still missing.
        """
        if not self.complete:
            raise ValueError(
                f"{int((~self.computed).sum())} of {self.computed.size} points are not computed"
            )
        ds = self.to_dataset(final=True)
        if self.path is not None and not self._on_disk_final:
            atomic_write(ds, self.path)
            self.writes += 1
            self._on_disk_final = True
            self._dirty = False
        self.close()
        return ds

    def close(self) -> None:
        """Release the store's lock (the data in memory stay usable); safe to call twice."""
        if self.path is not None and self._lock is not None:
            lock, self._lock = self._lock, None
            release(lock)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown
            self.close()


def _blank(shape: tuple[int, ...], dtype: np.dtype[Any]) -> NDArray[Any]:
    kind = np.dtype(dtype).kind
    if kind in "fc":
        return np.full(shape, np.nan, dtype=dtype)
    return np.zeros(shape, dtype=dtype)
