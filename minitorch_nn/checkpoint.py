"""Checkpoints: a model's named parameters in a ``.npz`` file, plus a JSON header.

Layout (a standard ``.npz``, readable by ``np.load(path, allow_pickle=False)``):

- ``__header__``: uint8 bytes of a UTF-8 JSON object
  ``{"format": "minitorch_nn.checkpoint", "version": 1, "library_version": ...,
  "config": model.config(), "params": [{"name": ..., "shape": [...]}, ...]}``
- one float64 array per parameter, under its dotted name (shape ``()`` for a scalar Value).

Writes are atomic (a temp file in the same directory, then ``os.replace``), so a crash mid-save
leaves the previous file intact. Reads never unpickle, check every entry against the header and
the target model before touching it, and raise ValueError saying what is wrong.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ._version import __version__

FORMAT = "minitorch_nn.checkpoint"
VERSION = 1
HEADER_KEY = "__header__"
MAX_HEADER_BYTES = 1 << 20  # a header is a few KB; refuse anything near a megabyte
MAX_SCALARS = 100_000_000  # 800 MB of float64: far beyond any model this package trains
NPY_HEADER_SLACK = 65_536 + 16  # the largest header an .npy entry may carry

PathLike = str | os.PathLike[str]


# --------------------------------------------------------------------------- saving
def save_model(model: Any, path: PathLike) -> Path:
    """Write ``model``'s config and parameters to ``path`` atomically; return the path.

    The file is written exactly at ``path`` (no ``.npz`` is appended). Raises ValueError for
    non-finite parameters (the file could not be loaded back) or a config that is not JSON.
    """
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    for name, value in model.state_dict().items():
        arr = np.asarray(value, dtype=np.float64)
        if name == HEADER_KEY or not name or "/" in name or "\\" in name:
            raise ValueError(f"cannot save a parameter named {name!r}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"refusing to save parameter {name!r}: it holds NaN or inf")
        arrays[name] = arr
    header = {
        "format": FORMAT,
        "version": VERSION,
        "library_version": __version__,
        "config": model.config(),
        "params": [{"name": n, "shape": list(a.shape)} for n, a in arrays.items()],
    }
    try:
        header_bytes = json.dumps(header).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"model.config() is not JSON-serialisable: {exc}") from exc
    entries = {HEADER_KEY: np.frombuffer(header_bytes, dtype=np.uint8), **arrays}

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            _write_npz(f, entries)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _default_file_mode())  # mkstemp makes 0600; give what open() would
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def _default_file_mode() -> int:
    """0o666 minus the process umask: the mode a plain ``open(path, "w")`` would give."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _write_npz(f: Any, entries: dict[str, np.ndarray]) -> None:
    """The same layout as ``np.savez``: one ``<name>.npy`` member per array."""
    with zipfile.ZipFile(f, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for name, arr in entries.items():
            with zf.open(name + ".npy", mode="w") as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


# --------------------------------------------------------------------------- loading
def load_model(path: PathLike) -> Any:
    """Rebuild the model saved at ``path`` (``nn.build_model(config)`` + its parameters)."""
    from .nn import build_model

    header, arrays = read_checkpoint(path)
    try:
        model = build_model(header["config"])
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(
            f"{path}: cannot rebuild a model from config {header['config']!r}: {exc}"
        ) from exc
    _load_checked(model, header, arrays, path)
    return model


def load_state_into(model: Any, path: PathLike) -> Any:
    """Load the parameters saved at ``path`` into an existing ``model`` with the same names
    and shapes; the model is unchanged when anything is wrong. Returns the model."""
    header, arrays = read_checkpoint(path)
    _load_checked(model, header, arrays, path)
    return model


def read_checkpoint(path: PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The validated header and the parameter arrays of a checkpoint file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint file at {path}")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path} is not a checkpoint: not an .npz (zip) file")
    try:
        with np.load(path, allow_pickle=False) as npz:
            header = _read_header(npz, path)
            arrays = _read_arrays(npz, header, path)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ValueError(f"{path} is a damaged .npz file (truncated or corrupt): {exc}") from exc
    except MemoryError as exc:
        raise ValueError(f"{path}: an entry declares more data than fits in memory") from exc
    return header, arrays


def _member_size(npz: Any, name: str) -> int:
    return int(npz.zip.getinfo(name + ".npy").file_size)


def _read_entry(npz: Any, name: str, path: Path) -> np.ndarray:
    try:
        return np.asarray(npz[name])
    except ValueError as exc:  # e.g. an object array, which would need pickle
        raise ValueError(f"{path}: entry {name!r} cannot be read safely: {exc}") from exc


def _entry_header(npz: Any, name: str, path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype an entry's own .npy header declares, read before any data."""
    fmt = np.lib.format
    try:
        with npz.zip.open(name + ".npy") as f:
            version = fmt.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = fmt.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _, dtype = fmt.read_array_header_2_0(f)
            else:
                raise ValueError(f"unsupported .npy version {version}")
    except ValueError as exc:
        raise ValueError(f"{path}: entry {name!r} has a bad .npy header: {exc}") from exc
    return tuple(shape), np.dtype(dtype)


def _read_header(npz: Any, path: Path) -> dict[str, Any]:
    if HEADER_KEY not in npz.files:
        raise ValueError(f"{path} is not a minitorch_nn checkpoint: it has no {HEADER_KEY!r}")
    if _member_size(npz, HEADER_KEY) > MAX_HEADER_BYTES + NPY_HEADER_SLACK:
        raise ValueError(f"{path}: the header is larger than {MAX_HEADER_BYTES} bytes")
    raw = _read_entry(npz, HEADER_KEY, path)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ValueError(
            f"{path}: the header must be a 1-D uint8 array, got {raw.dtype} of shape {raw.shape}"
        )
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: the header is not valid JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise ValueError(f"{path}: the header must be a JSON object, got {type(header).__name__}")
    if header.get("format") != FORMAT:
        raise ValueError(f"{path}: wrong format {header.get('format')!r}, expected {FORMAT!r}")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{path}: bad format version {version!r}, expected an int >= 1")
    if version > VERSION:
        raise ValueError(
            f"{path}: format version {version} is newer than this library reads ({VERSION}); "
            "upgrade minitorch_nn"
        )
    if not isinstance(header.get("config"), dict):
        raise ValueError(f"{path}: the header has no model config (a JSON object)")
    _check_param_list(header.get("params"), path)
    return header


def _check_param_list(params: Any, path: Path) -> None:
    if not isinstance(params, list):
        raise ValueError(f"{path}: the header's 'params' must be a list, got {params!r:.80}")
    total = 0
    seen: set[str] = set()
    for p in params:
        if not (isinstance(p, dict) and isinstance(p.get("name"), str)):
            raise ValueError(f"{path}: bad parameter entry {p!r:.80} in the header")
        shape = p.get("shape")
        if not (
            isinstance(shape, list)
            and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
        ):
            raise ValueError(f"{path}: parameter {p['name']!r} has a bad shape {shape!r:.80}")
        if p["name"] in seen or p["name"] == HEADER_KEY:
            raise ValueError(f"{path}: parameter {p['name']!r} is listed twice in the header")
        seen.add(p["name"])
        total += math.prod(shape)
        if total > MAX_SCALARS:
            raise ValueError(
                f"{path}: the header declares more than {MAX_SCALARS} parameters; refusing"
            )


def _names(names: Any, limit: int = 5) -> str:
    names = sorted(names)
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _read_arrays(npz: Any, header: dict[str, Any], path: Path) -> dict[str, np.ndarray]:
    declared = {p["name"]: tuple(p["shape"]) for p in header["params"]}
    stored = set(npz.files) - {HEADER_KEY}
    if missing := set(declared) - stored:
        raise ValueError(f"{path}: parameters listed in the header are missing: {_names(missing)}")
    if extra := stored - set(declared):
        raise ValueError(f"{path}: entries not listed in the header: {_names(extra)}")
    arrays = {}
    for name, shape in declared.items():
        if _member_size(npz, name) > 8 * math.prod(shape) + NPY_HEADER_SLACK:
            raise ValueError(
                f"{path}: entry {name!r} is larger than its declared shape {shape}; refusing"
            )
        stored_shape, stored_dtype = _entry_header(npz, name, path)
        if stored_dtype.kind not in "fiu":
            raise ValueError(f"{path}: parameter {name!r} has dtype {stored_dtype}, expected float")
        if stored_shape != shape:
            raise ValueError(
                f"{path}: parameter {name!r} has shape {stored_shape}, the header says {shape}"
            )
        arr = _read_entry(npz, name, path).astype(np.float64)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{path}: parameter {name!r} holds NaN or inf")
        arrays[name] = arr
    return arrays


def _load_checked(
    model: Any, header: dict[str, Any], arrays: dict[str, np.ndarray], path: PathLike
) -> None:
    """Check names and shapes against ``model``, then load everything or nothing."""
    current = model.state_dict()
    if missing := set(current) - set(arrays):
        raise ValueError(
            f"{path}: wrong architecture: the model's parameters {_names(missing)} are not in "
            f"the checkpoint (saved config: {header['config']})"
        )
    if extra := set(arrays) - set(current):
        raise ValueError(
            f"{path}: wrong architecture: the checkpoint's parameters {_names(extra)} are not in "
            f"the model (saved config: {header['config']})"
        )
    state: dict[str, Any] = {}
    for name, value in current.items():
        arr = arrays[name]
        if arr.shape != np.shape(value):
            raise ValueError(
                f"{path}: wrong architecture: parameter {name!r} has shape {arr.shape} in the "
                f"checkpoint, {np.shape(value)} in the model"
            )
        state[name] = float(arr) if isinstance(value, (int, float)) else arr.copy()
    backup = copy.deepcopy(current)
    try:
        model.load_state_dict(state)
    except BaseException:
        model.load_state_dict(backup)
        raise
