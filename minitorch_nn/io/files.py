"""The file side of a checkpoint: an atomic write that refuses special files, and a bounded read.

Writing: ``atomic_write`` puts the bytes in a temp file ``.{name}.{pid}.{random}.minitorch-tmp``
beside the target, fsyncs it and ``os.replace``s it over the target, so a crash leaves either
the old file or the new one. Only regular files are written: ``save_target`` refuses a
directory, a device (/dev/null), a FIFO or a socket with ValueError before anything is written.
A symlink is written through: its target is replaced, the link itself is kept. Writing over an
existing file keeps its permission bits (0o777 part) and, where allowed, its owner. Temp files
left by a write that was killed are removed by the next write to the same target (when the
process that wrote them is gone).

Reading: ``read_file`` reads a regular file whole, refusing special files and anything larger
than the caller's limit before reading it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

TMP_SUFFIX = ".minitorch-tmp"


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def save_target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The regular file to replace (a symlink's final target) and its stat, None if new."""
    target = Path(os.path.realpath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise FileNotFoundError(
                f"cannot save to {path}: directory {target.parent} does not exist"
            ) from None
        return target, None
    except OSError as exc:  # e.g. a symlink loop
        raise ValueError(f"cannot save to {path}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        where = "" if target == path else f" (the symlink points to {target})"
        raise ValueError(
            f"refusing to save to {path}{where}: it is {_kind(st.st_mode)}; a checkpoint is "
            "written as a regular file (give a file name such as model.safetensors)"
        )
    return target, st


def _default_file_mode() -> int:
    """0o666 minus the process umask: the mode a plain ``open(path, "w")`` would give."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _remove_stale_temps(target: Path) -> None:
    """Delete temp files of earlier saves to ``target`` whose writing process is gone."""
    prefix = f".{target.name}."
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(TMP_SUFFIX)):
                continue
            pid_text = name[len(prefix) : -len(TMP_SUFFIX)].split(".")[0]
            if not pid_text.isdigit() or not entry.is_file(follow_symlinks=False):
                continue
            if int(pid_text) != os.getpid() and not _alive(int(pid_text)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or not a pid we can ask about: leave it
    return True


def atomic_write(target: Path, existing: os.stat_result | None, payload: bytes) -> None:
    """Write ``payload`` to a temp file beside ``target``, fsync, then ``os.replace``."""
    _remove_stale_temps(target)
    tmp = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}"
    mode = _default_file_mode() if existing is None else stat.S_IMODE(existing.st_mode) & 0o777
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            if existing is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.fchown(f.fileno(), existing.st_uid, existing.st_gid)
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        save_target(target)  # still a regular file (or absent) just before replacing it
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block
    except FileNotFoundError:
        raise FileNotFoundError(f"no checkpoint file at {path}") from None
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise ValueError(f"{path} is {_kind(st.st_mode)}, not a checkpoint file")
    with os.fdopen(fd, "rb") as f:
        if st.st_size > limit:
            raise ValueError(f"{path} has {st.st_size} bytes, more than a checkpoint may ({limit})")
        data = f.read(st.st_size + 1)  # read(n) allocates n bytes up front: never the limit
    if len(data) > st.st_size:
        raise ValueError(f"{path} grew while being read (another process writing it?)")
    return data


__all__ = ["TMP_SUFFIX", "atomic_write", "read_file", "save_target"]
