"""Checkpoints in the safetensors format, named as PyTorch names them.

``save_model(model, path)`` writes a ``.safetensors`` file (layout and checks in
:mod:`.format`, the atomic write in :mod:`.files`); ``load_model(path)`` rebuilds the model;
``load_state_into(model, path)`` fills an existing one.

For an MLP, Linear, Neuron or Sequential of either engine, every Linear of the flattened
``torch.nn.Sequential`` that ``interop.to_torch(model)`` builds is stored as ``"{i}.weight"``
(nout, nin) and ``"{i}.bias"`` (nout,), float64, where ``i`` is the layer's index in that
Sequential (activations take indices too: ``MLP(2, [16, 16, 1])`` gives ``0.*``, ``2.*``,
``4.*``). So ``safetensors.torch.load_file(path)`` loads straight into
``to_torch(model).load_state_dict``. A Neuron is stored as a Linear with one output.
Other registered models are stored under their own ``state_dict`` names (layout "native").

Loading reads the file once into memory (never executes code: there is no pickle anywhere),
checks the header by itself, checks the config against the tensors actually present (names,
count, shapes, total size) *before* building any model, then builds a new model and fills it;
the model is returned only when complete. Every refusal is a ValueError naming the problem (a
missing file is FileNotFoundError).
"""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..engine import Node
from ..nn import Neuron, Sequential, build_model
from ..nn.activations import ReLU, Sigmoid, Tanh
from ..nn.layers import LinearBase, MLPBase
from ..nn.module import set_checkpoint_io, set_data
from ..train.engines import get_engine
from .files import atomic_write, read_file, save_target
from .format import (
    FORMAT,
    MAX_FILE_BYTES,
    MAX_JSON_DEPTH,
    MAX_SCALARS,
    NATIVE_LAYOUT,
    TORCH_LAYOUT,
    VERSION,
    check_metadata,
    digest,
    load_tensors,
    parse_header,
)

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
    target, existing = save_target(path)
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
        "sha256": digest(config_json, tensors),
    }
    # safetensors is a compiled extension: imported on first save, out of the start-up path.
    from safetensors.numpy import save  # noqa: PLC0415

    atomic_write(target, existing, save(tensors, metadata=metadata))
    return path


# --------------------------------------------------------------------------- reading
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
    data = read_file(path, MAX_FILE_BYTES)
    try:
        entries, metadata = parse_header(data)
        info = check_metadata(metadata)
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
        arrays = load_tensors(data, entries)
        if digest(metadata["config"], arrays) != metadata["sha256"]:
            raise ValueError("the sha256 digest does not match (the file is damaged)")
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    return info, arrays


# --------------------------------------------------------------------------- loading
def _build(config: dict[str, Any]) -> Any:
    """``build_model(config)``; the tensor engine is imported only when the config names one
    of its layers (its classes register themselves on import, and the scalar path must not
    pay for numpy kernels it never uses)."""
    if _mentions(config, _TENSOR_TYPES):
        get_engine("tensor").layers()  # the registry imports the engine's layers
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
