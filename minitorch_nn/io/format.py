"""The checkpoint file format: safetensors bytes with our metadata, checked before parsing.

A checkpoint is a plain ``.safetensors`` file: an 8-byte little-endian header length, a JSON
header, then the raw tensor bytes. The header's ``__metadata__`` (string values) holds
``format``, ``format_version``, ``library_version``, ``layout`` ("torch" or "native"),
``config`` (``model.config()`` as JSON) and ``sha256``: the digest of the config string, a zero
byte, then every tensor as little-endian float64 bytes in name order (it catches a damaged
file, not a forged one).

``parse_header`` checks the header by itself (size, UTF-8, JSON nesting, duplicate names,
dtypes F64/F32/F16, shapes, offsets that tile the data exactly) before safetensors sees the
bytes; ``check_metadata`` checks the format, version and layout and parses the config;
``load_tensors`` lets safetensors read the checked bytes. Every refusal is a ValueError naming
the problem. The old ``.npz`` format (version 1) is refused with a message saying the format
changed.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np

FORMAT = "minitorch_nn.checkpoint"
VERSION = 2  # 1 was the .npz container (before safetensors)
TORCH_LAYOUT = "torch"
NATIVE_LAYOUT = "native"
MAX_HEADER_BYTES = 1 << 20  # our headers are a few KB; safetensors itself allows 100 MB
MAX_SCALARS = 100_000_000  # 800 MB of float64: far beyond any model this package trains
MAX_JSON_DEPTH = 64  # nesting of any JSON we parse (a Sequential in a Sequential ... )
MAX_DIMS = 8  # a parameter here has at most 2 dimensions; refuse anything exotic early
MAX_FILE_BYTES = 8 + MAX_HEADER_BYTES + 8 * MAX_SCALARS  # length field, header, float64 data
_DTYPES: dict[str, np.dtype[Any]] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
}
_NPZ_MAGIC = b"PK\x03\x04"


def digest(config_json: str, tensors: dict[str, np.ndarray]) -> str:
    """sha256 of the config, a zero byte, then each tensor's little-endian float64 bytes in
    name order."""
    h = hashlib.sha256(config_json.encode("utf-8") + b"\0")
    for name in sorted(tensors):
        h.update(np.array(tensors[name], dtype="<f8", order="C").tobytes())
    return h.hexdigest()


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


def parse_header(data: bytes) -> tuple[dict[str, tuple[str, tuple[int, ...]]], dict[str, str]]:
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


def check_metadata(metadata: dict[str, str]) -> dict[str, Any]:
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


def load_tensors(
    data: bytes, entries: dict[str, tuple[str, tuple[int, ...]]]
) -> dict[str, np.ndarray]:
    """The tensors, read by safetensors from the (already checked) bytes, as float64."""
    # safetensors is a compiled extension: imported on first load, so ``import minitorch_nn``
    # does not pay its start-up time.
    from safetensors import SafetensorError  # noqa: PLC0415
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


__all__ = [
    "FORMAT",
    "MAX_FILE_BYTES",
    "MAX_HEADER_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_SCALARS",
    "NATIVE_LAYOUT",
    "TORCH_LAYOUT",
    "VERSION",
    "check_metadata",
    "digest",
    "load_tensors",
    "parse_header",
]
