"""The writer's lock of a store: one writing process at a time.

``fcntl.flock`` on a lock file named after the store's real path, in a per-user temporary
directory (never beside the store), taken without waiting: another process holding it raises
:class:`StoreBusyError` at once, naming its pid. The lock is re-entrant within a process, and
the kernel releases it when its process ends, however (SIGKILL included). Windows has no
``fcntl``: there stores are not locked.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

__all__ = ["StoreBusyError", "acquire", "lock_store", "release"]


class StoreBusyError(ValueError):
    """Another process is writing the store."""


_HELD: dict[str, list[int]] = {}  # real path of a store -> [lock descriptor, holders]
_HELD_LOCK = threading.Lock()


def _lock_file(key: str) -> Path:
    """The lock file of the store at real path ``key``: in a per-user temporary directory,
    never beside the store (named after a hash of the path)."""
    folder = Path(tempfile.gettempdir()) / f"multigap-locks-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.lock"


def _flock(path: Path, store: str) -> int:
    """Lock ``path`` exclusively without waiting; its descriptor, or StoreBusyError."""
    assert fcntl is not None
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                owner = os.read(fd, 32).decode(errors="replace").strip() or "?"
            finally:
                os.close(fd)
            raise StoreBusyError(
                f"store {store!r} is being written by another process (pid {owner}): "
                f"wait for it to finish, or choose another path"
            ) from None
        try:  # the holder before us may have removed the file: lock the current one
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            return fd
        os.close(fd)


def acquire(path: Path) -> str | None:
    """Take the writer's lock of store ``path`` for this process; the key to release it.

    Re-entrant within a process (the holders are counted); another process holding it raises
    :class:`StoreBusyError` at once.
    """
    if fcntl is None:  # pragma: no cover - Windows
        return None
    key = os.path.realpath(path)
    with _HELD_LOCK:
        if key in _HELD:
            _HELD[key][1] += 1
        else:
            _HELD[key] = [_flock(_lock_file(key), str(path)), 1]
    return key


def release(key: str | None) -> None:
    if key is None:  # pragma: no cover - Windows
        return
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] > 0:
            return
        del _HELD[key]
        try:
            _lock_file(key).unlink(missing_ok=True)  # while still holding it (see _flock)
        finally:
            os.close(held[0])


@contextmanager
def lock_store(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the writer's lock of store ``path`` inside the block (:class:`StoreBusyError`
    if another process holds it)."""
    key = acquire(Path(path))
    try:
        yield
    finally:
        release(key)
