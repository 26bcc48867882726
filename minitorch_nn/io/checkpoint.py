"""Checkpoints in the safetensors format, named as PyTorch names them.

A checkpoint is a plain ``.safetensors`` file (8-byte little-endian header length, a JSON
header, then the raw tensor bytes). For an MLP, Linear, Neuron or Sequential of either engine,
every Linear of the flattened ``torch.nn.Sequential`` that ``interop.to_torch(model)`` builds is
stored as ``"{i}.weight"`` (nout, nin) and ``"{i}.bias"`` (nout,), float64, where ``i`` is the
layer's index in that Sequential (activations take indices too: ``MLP(2, [16, 16, 1])`` gives
``0.*``, ``2.*``, ``4.*``). So ``safetensors.torch.load_file(path)`` loads straight into
``to_torch(model).load_state_dict``. A Neuron is stored as a Linear with one output.
Other registered models are stored under their own ``state_dict`` names (layout "native").

The header's ``__metadata__`` (string values) holds ``format``, ``format_version``,
``library_version``, ``layout`` ("torch" or "native"), ``config`` (``model.config()`` as JSON)
and ``sha256``: the digest of the config string, a zero byte, then every tensor as
little-endian float64 bytes in name order (it catches a damaged file, not a forged one).

Saving: ``save_model`` writes to a temp file ``.{name}.{pid}.{random}.minitorch-tmp`` in the
target's directory, fsyncs it and ``os.replace``s it over the target, so a crash leaves either
the old file or the new one. It writes regular files only: a directory, a device (/dev/null),
a FIFO or a socket is refused with ValueError before anything is written. A symlink is written
through: its target is replaced, the link itself is kept. Saving over an existing file keeps
its permission bits (0o777 part) and, where allowed, its owner. Temp files left by a save that
was killed are removed by the next save to the same target (when the process that wrote them
is gone).

Loading reads the file once into memory (never executes code: there is no pickle anywhere),
checks the header by itself (size, UTF-8, JSON nesting, duplicate names, dtypes F64/F32/F16,
shapes, offsets that tile the data exactly, the digest), checks the config against the tensors
actually present (names, count, shapes, total size) *before* building any model, then builds
a new model and fills it; the model is returned only when complete. Every refusal is a
ValueError naming the problem (a missing file is FileNotFoundError). The old ``.npz`` format
(version 1) is refused with a message saying the format changed.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib
import json
import math
import os
import secrets
import stat
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..engine import Node
from ..nn import Neuron, Sequential, build_model
from ..nn.activations import ReLU, Sigmoid, Tanh
from ..nn.layers import LinearBase, MLPBase
from ..nn.module import set_checkpoint_io, set_data

FORMAT = "minitorch_nn.checkpoint"
VERSION = 2  # 1 was the .npz container (before safetensors)
TORCH_LAYOUT = "torch"
NATIVE_LAYOUT = "native"
MAX_HEADER_BYTES = 1 << 20  # our headers are a few KB; safetensors itself allows 100 MB
MAX_SCALARS = 100_000_000  # 800 MB of float64: far beyond any model this package trains
MAX_JSON_DEPTH = 64  # nesting of any JSON we parse (a Sequential in a Sequential ... )
MAX_DIMS = 8  # a parameter here has at most 2 dimensions; refuse anything exotic early
TMP_SUFFIX = ".minitorch-tmp"
_DTYPES: dict[str, np.dtype[Any]] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
}
_NPZ_MAGIC = b"PK\x03\x04"

# Config types whose tensors this module can name (and predict from the config alone).
_MLP_TYPES = ("MLP", "TensorMLP")
_LINEAR_TYPES = ("Linear", "TensorLinear")
_ACT_TYPES = ("ReLU", "Tanh", "Sigmoid")
_TENSOR_TYPES = ("TensorMLP", "TensorLinear")  # need minitorch_nn.tensor.nn registered
_CONFIG_KEYS = {
    **{t: {"nin", "nouts", "activation", "init"} for t in _MLP_TYPES},
    **{t: {"nin", "nout", "activation", "init"} for t in _LINEAR_TYPES},
    "Neuron": {"nin", "activation", "init"},
    "Sequential": {"layers"},
    **{t: set() for t in _ACT_TYPES},
}

PathLike = str | os.PathLike[str]


# --------------------------------------------------------------------------- the torch layout
def _size(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SCALARS:
        raise ValueError(f"config {what} must be an int in [1, {MAX_SCALARS}], got {value!r:.80}")
    return value


def _torch_plan(config: Any, budget: int = MAX_SCALARS) -> list[tuple[int, int, int]] | None:
    """(torch index, nin, nout) of every Linear that ``config`` describes, in order, read from
    the config alone (nothing is built); None when it holds a type outside the families above.
    Raises ValueError for a config of a known type with missing, extra or bad values, or one
    that describes more than ``budget`` numbers (the walk stops there: a long config costs no
    more than the tensors it is checked against)."""
    plan: list[tuple[int, int, int]] = []
    total = 0

    def add(nin: int, nout: int) -> None:
        nonlocal total
        total += nout * nin + nout  # weight (nout, nin) and bias (nout,)
        if total > budget:
            raise ValueError(
                f"the config describes more than {budget} numbers, the file holds {budget}"
            )
        plan.append((index, nin, nout))

    index = 0  # position in the flattened torch Sequential (activations count)
    stack: list[tuple[Any, int]] = [(config, 0)]
    while stack:
        cfg, depth = stack.pop()
        if not isinstance(cfg, dict) or not isinstance(cfg.get("type"), str):
            raise ValueError(f"config entry must be an object with a 'type', got {cfg!r:.80}")
        kind = cfg["type"]
        if kind not in _CONFIG_KEYS:
            return None
        if set(cfg) - {"type"} != _CONFIG_KEYS[kind]:
            raise ValueError(
                f"config of a {kind} must have the keys {sorted(_CONFIG_KEYS[kind])}, "
                f"got {sorted(set(cfg) - {'type'})}"
            )
        if kind == "Sequential":
            layers = cfg["layers"]
            if not isinstance(layers, list):
                raise ValueError(
                    f"config of a Sequential needs a list of layers, got {layers!r:.80}"
                )
            if depth >= MAX_JSON_DEPTH // 2:
                raise ValueError(f"config nests Sequentials deeper than {MAX_JSON_DEPTH // 2}")
            stack.extend((c, depth + 1) for c in reversed(layers))
            continue
        if kind in _ACT_TYPES:
            index += 1
            continue
        activation = cfg["activation"]
        if activation is not None and not isinstance(activation, str):
            raise ValueError(f"config activation must be a string or null, got {activation!r}")
        if not isinstance(cfg["init"], str):
            raise ValueError(f"config init must be a string, got {cfg['init']!r:.80}")
        nin = _size(cfg["nin"], "nin")
        if kind in _MLP_TYPES:
            nouts = cfg["nouts"]
            if not isinstance(nouts, list) or not nouts or len(nouts) > MAX_SCALARS:
                raise ValueError(f"config nouts must be a non-empty list, got {nouts!r:.80}")
            sizes = [nin, *(_size(n, "nouts entry") for n in nouts)]
            for k in range(len(nouts)):
                add(sizes[k], sizes[k + 1])
                index += 2 if activation is not None and k < len(nouts) - 1 else 1
            continue
        nout = 1 if kind == "Neuron" else _size(cfg["nout"], "nout")
        add(nin, nout)
        index += 1 if activation is None else 2
    return plan


def _plan_shapes(plan: list[tuple[int, int, int]]) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for i, nin, nout in plan:
        shapes[f"{i}.weight"] = (nout, nin)
        shapes[f"{i}.bias"] = (nout,)
    return shapes


def _dense_modules(model: Any) -> list[Any] | None:
    """The Neurons and Linears (either engine) of ``model`` in forward order, walking MLPs
    and Sequentials; None when it holds a module of another kind."""
    found: list[Any] = []
    stack = [model]
    while stack:
        module = stack.pop()
        if isinstance(module, (MLPBase, Sequential)):
            stack.extend(reversed(list(module.layers)))
        elif isinstance(module, (LinearBase, Neuron)):
            found.append(module)
        elif not isinstance(module, (ReLU, Tanh, Sigmoid)):
            return None
    return found


def _param(value: Any, where: str) -> Any:
    """``value`` if it is an engine node (a parameter), else ValueError saying what it is."""
    if not isinstance(value, Node):
        raise ValueError(
            f"{where} is a plain {type(value).__name__} ({value!r:.40}), not a parameter "
            "(Value or Tensor): was it assigned directly? Set its .data instead"
        )
    return value


def _read_dense(module: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(weight (nout, nin), bias (nout,)) of a Neuron or a Linear of either engine."""
    if isinstance(module, Neuron):
        neurons = [module]
    elif hasattr(module, "neurons"):
        neurons = module.neurons
    else:
        weight = _param(getattr(module, "weight", None), f"{where}.weight").data
        bias = _param(getattr(module, "bias", None), f"{where}.bias").data
        return np.array(weight, dtype=np.float64).T, np.array(bias, dtype=np.float64).reshape(-1)
    weights, biases = [], []
    for j, n in enumerate(neurons):
        at = where if isinstance(module, Neuron) else f"{where}.neurons.{j}"
        weights.append([_param(w, f"{at}.w.{i}").data for i, w in enumerate(n.w)])
        biases.append(_param(n.b, f"{at}.b").data)
    return np.array(weights, dtype=np.float64), np.array(biases, dtype=np.float64)


def _write_dense(module: Any, weight: np.ndarray, bias: np.ndarray) -> None:
    """Copy weight (nout, nin) and bias (nout,) into a Neuron or a Linear of either engine."""
    if not hasattr(module, "neurons") and not isinstance(module, Neuron):
        set_data(module.weight, weight.T)  # the tensor Linear holds (nin, nout), in place
        set_data(module.bias, bias)
        return
    neurons = [module] if isinstance(module, Neuron) else module.neurons
    for neuron, row, b in zip(neurons, weight.tolist(), bias.tolist()):
        for w, value in zip(neuron.w, row):
            w.data = value
        neuron.b.data = b


def _torch_state(model: Any, config: dict[str, Any]) -> dict[str, np.ndarray] | None:
    """``to_torch(model).state_dict()`` as float64 numpy arrays, or None when ``model`` does
    not map onto a torch Sequential (another kind of module, or a config that disagrees)."""
    plan = _torch_plan(config)
    dense = _dense_modules(model)
    if plan is None or dense is None or len(plan) != len(dense):
        return None
    state: dict[str, np.ndarray] = {}
    for (i, nin, nout), module in zip(plan, dense):
        weight, bias = _read_dense(module, f"dense layer {i}")
        if weight.shape != (nout, nin) or bias.shape != (nout,):
            return None
        state[f"{i}.weight"], state[f"{i}.bias"] = weight, bias
    return state


# --------------------------------------------------------------------------- saving
def save_model(model: Any, path: PathLike) -> Path:
    """Write ``model`` (config and parameters) to ``path`` atomically as safetensors; return
    ``path``. Tensors are named as ``to_torch(model).state_dict()`` names them when the model
    maps onto a torch Sequential, else by ``model.state_dict()``.

    Raises ValueError for a path that is a directory or a special file (nothing is written),
    non-finite parameters, parameters replaced by plain numbers, or a config that is not JSON.
    """
    path = Path(path)
    target, existing = _save_target(path)
    config = model.config()
    try:
        config_json = json.dumps(config, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"model.config() is not JSON-serialisable: {exc}") from exc
    tensors = _torch_state(model, config)
    layout = TORCH_LAYOUT
    if tensors is None:
        layout = NATIVE_LAYOUT
        tensors = {n: np.asarray(v, dtype=np.float64) for n, v in model.state_dict().items()}
    for name, arr in tensors.items():
        if not name or name == "__metadata__":
            raise ValueError(f"cannot save a parameter named {name!r}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"refusing to save parameter {name!r}: it holds NaN or inf")
    tensors = {n: np.array(a, dtype="<f8", order="C") for n, a in tensors.items()}
    metadata = {
        "format": FORMAT,
        "format_version": str(VERSION),
        "library_version": __version__,
        "layout": layout,
        "config": config_json,
        "sha256": _digest(config_json, tensors),
    }
    from safetensors.numpy import save  # noqa: PLC0415 - a compiled extension, loaded on use

    _atomic_write(target, existing, save(tensors, metadata=metadata))
    return path


def _digest(config_json: str, tensors: dict[str, np.ndarray]) -> str:
    """sha256 of the config, a zero byte, then each tensor's little-endian float64 bytes in
    name order."""
    h = hashlib.sha256(config_json.encode("utf-8") + b"\0")
    for name in sorted(tensors):
        h.update(np.array(tensors[name], dtype="<f8", order="C").tobytes())
    return h.hexdigest()


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _save_target(path: Path) -> tuple[Path, os.stat_result | None]:
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


def _atomic_write(target: Path, existing: os.stat_result | None, payload: bytes) -> None:
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
        _save_target(target)  # still a regular file (or absent) just before replacing it
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


# --------------------------------------------------------------------------- reading
def _read_file(path: Path) -> bytes:
    """The bytes of a regular file of at most the largest checkpoint we accept."""
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
        limit = 8 + MAX_HEADER_BYTES + 8 * MAX_SCALARS
        if st.st_size > limit:
            raise ValueError(f"{path} has {st.st_size} bytes, more than a checkpoint may ({limit})")
        data = f.read(st.st_size + 1)  # read(n) allocates n bytes up front: never the limit
    if len(data) > st.st_size:
        raise ValueError(f"{path} grew while being read (another process writing it?)")
    return data


def _json_depth(text: str) -> int:
    """The deepest nesting of [ and { in a JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the name {key!r:.80} appears twice")
        out[key] = value
    return out


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text:.40} overflows a float")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a checkpoint may hold")


def _parse_json(text: str, what: str) -> Any:
    """Strict JSON: bounded nesting, no duplicate names, no NaN, inf or overflowing numbers."""
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"{what} nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_finite_float,
            parse_constant=_refuse_constant,
        )
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise ValueError(f"{what} is not valid JSON: {exc}") from exc


def _shape(value: Any, name: str) -> tuple[int, ...]:
    if not (
        isinstance(value, list)
        and len(value) <= MAX_DIMS
        and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in value)
    ):
        raise ValueError(f"tensor {name!r:.80} has a bad shape {value!r:.80}")
    return tuple(value)


def _parse_header(data: bytes) -> tuple[dict[str, tuple[str, tuple[int, ...]]], dict[str, str]]:
    """({name: (dtype, shape)}, metadata) of a safetensors file, every field checked."""
    if data[:4] == _NPZ_MAGIC:
        raise ValueError(
            "this is an .npz checkpoint of minitorch_nn 0.1 (format version 1); checkpoints are "
            "safetensors files now: load it with minitorch_nn 0.1 and save it again"
        )
    if len(data) < 8:
        raise ValueError(f"too short for a safetensors file ({len(data)} bytes)")
    n = int.from_bytes(data[:8], "little")
    if n > MAX_HEADER_BYTES:
        raise ValueError(f"the header length field says {n} bytes, more than {MAX_HEADER_BYTES}")
    if 8 + n > len(data):
        raise ValueError(f"truncated: the header length says {n} bytes, the file has {len(data)}")
    try:
        text = data[8 : 8 + n].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the header is not UTF-8: {exc}") from exc
    header = _parse_json(text, "the header")
    if not isinstance(header, dict):
        raise ValueError(f"the header must be a JSON object, got {type(header).__name__}")
    metadata = header.pop("__metadata__", None)
    if not (isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())):
        raise ValueError("the header has no __metadata__ of strings (not a minitorch_nn file)")
    entries: dict[str, tuple[str, tuple[int, ...]]] = {}
    spans: list[tuple[int, int, str]] = []
    total = 0
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise ValueError(f"tensor {name!r:.80} needs exactly dtype, shape and data_offsets")
        dtype = info["dtype"]
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise ValueError(
                f"tensor {name!r:.80} has dtype {dtype!r:.40}; expected one of {list(_DTYPES)}"
            )
        shape = _shape(info["shape"], name)
        total += math.prod(shape)
        if total > MAX_SCALARS:
            raise ValueError(f"the tensors declare more than {MAX_SCALARS} numbers; refusing")
        offsets = info["data_offsets"]
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
            and 0 <= offsets[0] <= offsets[1]
        ):
            raise ValueError(f"tensor {name!r:.80} has bad data_offsets {offsets!r:.80}")
        if offsets[1] - offsets[0] != math.prod(shape) * _DTYPES[dtype].itemsize:
            raise ValueError(
                f"tensor {name!r:.80}: data_offsets {offsets} span {offsets[1] - offsets[0]} "
                f"bytes, its dtype {dtype} and shape {list(shape)} need "
                f"{math.prod(shape) * _DTYPES[dtype].itemsize}"
            )
        entries[name] = (dtype, shape)
        spans.append((offsets[0], offsets[1], name))
    end = 0
    for begin, stop, name in sorted(spans):
        if begin != end:
            raise ValueError(f"tensor {name!r:.80} starts at byte {begin}, expected {end}")
        end = stop
    if end != len(data) - 8 - n:
        raise ValueError(
            f"the tensors cover {end} bytes of data, the file holds {len(data) - 8 - n} "
            "(truncated or padded)"
        )
    return entries, metadata


def _check_metadata(metadata: dict[str, str]) -> dict[str, Any]:
    """format, version, layout and the config (parsed) from the metadata."""
    if metadata.get("format") != FORMAT:
        raise ValueError(f"wrong format {metadata.get('format')!r:.80}, expected {FORMAT!r}")
    version_text = metadata.get("format_version", "")
    if not (version_text.isascii() and version_text.isdigit()) or len(version_text) > 6:
        raise ValueError(f"bad format_version {version_text!r:.40}, expected an integer")
    if int(version_text) > VERSION:
        raise ValueError(
            f"format version {version_text} is newer than this library reads ({VERSION}); "
            "upgrade minitorch_nn"
        )
    if int(version_text) < VERSION:
        raise ValueError(f"format version {version_text} is not a safetensors checkpoint")
    layout = metadata.get("layout")
    if layout not in (TORCH_LAYOUT, NATIVE_LAYOUT):
        raise ValueError(f"unknown layout {layout!r:.40}, expected 'torch' or 'native'")
    if "config" not in metadata or "sha256" not in metadata:
        raise ValueError("the metadata has no model config or no sha256 digest")
    config = _parse_json(metadata["config"], "the model config")
    if not isinstance(config, dict):
        raise ValueError("the model config must be a JSON object")
    return {
        "format": FORMAT,
        "version": int(version_text),
        "library_version": metadata.get("library_version"),
        "layout": layout,
        "config": config,
    }


def _names(names: Any, limit: int = 5) -> str:
    names = sorted(names)
    shown = ", ".join(repr(n)[:80] for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _compare(
    expected: dict[str, tuple[int, ...]], present: dict[str, tuple[int, ...]], what: str
) -> None:
    """ValueError naming missing, extra and mis-shaped tensors of ``present``."""
    if missing := set(expected) - set(present):
        raise ValueError(f"{what} needs tensors the file does not hold: {_names(missing)}")
    if extra := set(present) - set(expected):
        raise ValueError(f"the file holds tensors {what} has no place for: {_names(extra)}")
    for name, shape in expected.items():
        if present[name] != shape:
            raise ValueError(
                f"tensor {name!r} has shape {present[name]} in the file, {what} needs {shape}"
            )


def read_checkpoint(path: PathLike) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The checked metadata (format, version, library_version, layout, config) and the
    float64 tensors of a checkpoint file. For a built-in model type the config has already
    been checked against the tensors' names and shapes; no model is built."""
    path = Path(path)
    data = _read_file(path)
    try:
        entries, metadata = _parse_header(data)
        info = _check_metadata(metadata)
        present = {name: shape for name, (_, shape) in entries.items()}
        plan = _torch_plan(info["config"], sum(math.prod(s) for s in present.values()))
        if info["layout"] == TORCH_LAYOUT:
            if plan is None:
                raise ValueError(
                    f"layout 'torch' needs an MLP, Linear, Neuron or Sequential config, got "
                    f"type {info['config'].get('type')!r:.80}"
                )
            _compare(_plan_shapes(plan), present, f"the config {info['config']!r:.200}")
        elif plan is not None:
            raise ValueError("a built-in model type must be stored in layout 'torch'")
        arrays = _load_tensors(data, entries)
        if _digest(metadata["config"], arrays) != metadata["sha256"]:
            raise ValueError("the sha256 digest does not match (the file is damaged)")
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    return info, arrays


def _load_tensors(
    data: bytes, entries: dict[str, tuple[str, tuple[int, ...]]]
) -> dict[str, np.ndarray]:
    """The tensors, read by safetensors from the (already checked) bytes, as float64."""
    from safetensors import SafetensorError  # noqa: PLC0415 - a compiled extension
    from safetensors.numpy import load  # noqa: PLC0415

    try:
        raw = load(data)
    except (SafetensorError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        raise ValueError(f"safetensors cannot read it: {exc}") from exc
    arrays: dict[str, np.ndarray] = {}
    for name, (dtype, shape) in entries.items():
        arr = raw.get(name)
        if arr is None or arr.shape != shape or arr.dtype != _DTYPES[dtype]:
            raise ValueError(f"safetensors read tensor {name!r} differently from its header")
        arr = arr.astype(np.float64)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"tensor {name!r} holds NaN or inf")
        arrays[name] = arr
    return arrays


# --------------------------------------------------------------------------- loading
def _build(config: dict[str, Any]) -> Any:
    """``build_model(config)``; the tensor engine is imported only when the config names one
    of its layers (its classes register themselves on import, and the scalar path must not
    pay for numpy kernels it never uses)."""
    if _mentions(config, _TENSOR_TYPES):
        importlib.import_module("minitorch_nn.tensor.nn")
    try:
        return build_model(config)
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise ValueError(f"cannot rebuild a model from config {config!r:.200}: {exc}") from exc


def _mentions(config: Any, types: tuple[str, ...]) -> bool:
    stack = [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") in types:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def load_model(path: PathLike) -> Any:
    """The model saved at ``path``: ``build_model(config)`` filled with the saved tensors.
    Raises ValueError naming what is wrong with the file; nothing is built before the
    config has been checked against the tensors present."""
    info, arrays = read_checkpoint(path)
    try:
        model = _build(info["config"])
        _fill(model, info, arrays)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    return model


def _fill(model: Any, info: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Load ``arrays`` into ``model`` all or nothing (restored if anything fails)."""
    backup = copy.deepcopy(model.state_dict())
    if info["layout"] == TORCH_LAYOUT:
        try:
            plan = _torch_plan(model.config())
        except NotImplementedError:  # a Module without config() has no torch layout
            plan = None
        dense = _dense_modules(model)
        if plan is None or dense is None or len(plan) != len(dense):
            raise ValueError(
                f"a torch-layout checkpoint cannot be loaded into a {type(model).__name__}"
            )
        for (i, _, _), module in zip(plan, dense):
            _read_dense(module, f"dense layer {i}")  # refuses parameters replaced by numbers
        _compare(_plan_shapes(plan), {n: a.shape for n, a in arrays.items()}, "the model")
        try:
            for (i, _, _), module in zip(plan, dense):
                _write_dense(module, arrays[f"{i}.weight"], arrays[f"{i}.bias"])
        except BaseException:
            model.load_state_dict(backup)
            raise
        return
    current = {n: np.shape(v) for n, v in backup.items()}
    _compare(current, {n: a.shape for n, a in arrays.items()}, "the model")
    state = {n: float(arrays[n]) if current[n] == () else arrays[n] for n in current}
    try:
        model.load_state_dict(state)
    except BaseException:
        model.load_state_dict(backup)
        raise


def load_state_into(model: Any, path: PathLike) -> Any:
    """Load the parameters saved at ``path`` into an existing ``model`` whose tensors have
    the same names and shapes (a scalar MLP's checkpoint loads into a tensor MLP of the same
    sizes); the model is unchanged when anything is wrong. Returns the model."""
    info, arrays = read_checkpoint(path)
    try:
        _fill(model, info, arrays)
    except ValueError as exc:
        raise ValueError(f"{path}: wrong architecture: {exc}") from exc
    return model


set_checkpoint_io(save_model, load_model)  # Module.save / Module.load delegate here

__all__ = ["FORMAT", "VERSION", "load_model", "load_state_into", "read_checkpoint", "save_model"]
