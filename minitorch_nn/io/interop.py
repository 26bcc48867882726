"""PyTorch export and import: ``to_torch(model)`` and ``from_torch(sequential)``.

Both go through one small description of a feed-forward network, a list of layers:

- ``_Dense(weight, bias)``: ``y = x W^T + b`` with ``weight`` of shape (nout, nin), as
  ``torch.nn.Linear`` stores it (our scalar ``Neuron`` j holds row j; the Tensor engine's
  ``Linear.weight`` is the transpose, (nin, nout));
- ``_Act(name)``: an elementwise activation, "relu", "tanh" or "sigmoid".

Every number is copied as float64, so a round trip keeps every bit. torch is imported only
inside the two public functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from ..nn import Module, Neuron, ReLU, Sequential, Sigmoid, Tanh
from ..nn.layers import MLPBase
from ..nn.module import set_data
from ..train.engines import ENGINES as REGISTRY
from ..train.engines import get_engine

ENGINES = tuple(REGISTRY)  # the engines from_torch can build on (the registry's names)
_ACT_MODULES: dict[str, type[Module]] = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


@dataclass
class _Dense:
    weight: np.ndarray  # (nout, nin)
    bias: np.ndarray  # (nout,)

    @property
    def nin(self) -> int:
        return int(self.weight.shape[1])

    @property
    def nout(self) -> int:
        return int(self.weight.shape[0])


@dataclass
class _Act:
    name: str


_Spec = _Dense | _Act


def _import_torch() -> Any:
    # Imported here, not at the top: torch is an optional dependency, and importing it would put
    # its start-up cost on every ``import minitorch_nn``.
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            "to_torch/from_torch need PyTorch, which is not installed; "
            "install it with: pip install minitorch_nn[torch]"
        ) from exc
    return torch


# --------------------------------------------------------------------------- our models -> specs
def _linear_specs(layer: Any) -> list[_Spec]:
    """A scalar ``Linear`` (neurons), a ``Neuron`` (a Linear with one output) or a Tensor
    ``Linear`` (weight (nin, nout), bias (nout,))."""
    if isinstance(layer, Neuron):
        weight = np.array([[w.data for w in layer.w]], dtype=np.float64)  # (1, nin)
        bias = np.array([layer.b.data], dtype=np.float64)
    elif hasattr(layer, "neurons"):
        weight = np.array([[w.data for w in n.w] for n in layer.neurons], dtype=np.float64)
        bias = np.array([n.b.data for n in layer.neurons], dtype=np.float64)
    else:
        weight = np.array(layer.weight.data, dtype=np.float64).T.copy()
        bias_param = getattr(layer, "bias", None)
        bias = (
            np.zeros(weight.shape[0])
            if bias_param is None
            else np.array(bias_param.data, dtype=np.float64).reshape(-1)
        )
    specs: list[_Spec] = [_Dense(weight, bias)]
    activation = getattr(layer, "activation", None)
    if activation is not None:
        specs.append(_Act(_act_name(activation, layer)))
    return specs


def _act_name(activation: Any, owner: Any) -> str:
    name = activation if isinstance(activation, str) else getattr(activation, "name", None)
    if name not in _ACT_MODULES:
        raise ValueError(
            f"to_torch: cannot convert activation {activation!r} of {type(owner).__name__}; "
            f"expected one of {sorted(_ACT_MODULES)}"
        )
    return str(name)


def _specs_of(model: Any) -> list[_Spec]:
    """Flatten ``model`` (MLP, Linear, Sequential, activations; either engine) into specs."""
    specs: list[_Spec] = []
    stack: list[Any] = [model]
    while stack:
        module = stack.pop()
        kind = type(module).__name__
        if isinstance(module, (Sequential, MLPBase)):  # both engines' MLPs and Sequential
            stack.extend(reversed(list(module.layers)))
        elif isinstance(module, Neuron) or (
            kind == "Linear" and (hasattr(module, "neurons") or hasattr(module, "weight"))
        ):
            specs.extend(_linear_specs(module))
        elif kind in ("ReLU", "Tanh", "Sigmoid"):
            specs.append(_Act(kind.lower()))
        else:
            raise ValueError(
                f"to_torch: cannot convert a {kind}; supported: MLP, Linear, Neuron, "
                "Sequential, ReLU, Tanh, Sigmoid (scalar or tensor engine)"
            )
    _check_chain(specs, "to_torch")
    return specs


def _check_chain(specs: list[_Spec], who: str) -> None:
    dense = [s for s in specs if isinstance(s, _Dense)]
    if not dense:
        raise ValueError(f"{who}: the model has no Linear layer; nothing to convert")
    for a, b in zip(dense, dense[1:]):
        if a.nout != b.nin:
            raise ValueError(
                f"{who}: a Linear with weight shape {a.weight.shape} (nout, nin) feeds a Linear "
                f"with weight shape {b.weight.shape}; expected {a.nout} inputs, got {b.nin}"
            )


# --------------------------------------------------------------------------- torch <-> specs
def _torch_specs(torch: Any, module: Any) -> list[_Spec]:
    """Flatten a torch Sequential (nested ones too) into specs; ValueError on anything else."""
    nn = torch.nn
    activations = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}
    specs: list[_Spec] = []
    stack: list[tuple[str, Any]] = [("", module)]
    while stack:
        where, m = stack.pop()
        if isinstance(m, nn.Sequential):
            children = list(m.named_children())
            stack.extend((f"{where}{name}.", c) for name, c in reversed(children))
        elif type(m) is nn.Linear:
            weight = m.weight.detach().cpu().to(torch.float64).numpy().copy()
            bias = (
                np.zeros(weight.shape[0])
                if m.bias is None
                else m.bias.detach().cpu().to(torch.float64).numpy().copy()
            )
            specs.append(_Dense(weight, bias))
        elif type(m) in activations:
            specs.append(_Act(activations[type(m)]))
        elif type(m) is nn.Identity:
            continue
        else:
            name = where.rstrip(".") or "<root>"
            raise ValueError(
                f"from_torch: cannot convert layer {name!r} of type {type(m).__name__}; "
                "supported: Linear, ReLU, Tanh, Sigmoid, Identity inside Sequential"
            )
    _check_chain(specs, "from_torch")
    return specs


def _build_torch(torch: Any, specs: list[_Spec]) -> Any:
    nn = torch.nn
    layers = []
    for spec in specs:
        if isinstance(spec, _Act):
            layers.append({"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[spec.name]())
            continue
        linear = nn.Linear(spec.nin, spec.nout, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(spec.weight))
            linear.bias.copy_(torch.from_numpy(spec.bias))
        layers.append(linear)
    return nn.Sequential(*layers)


# --------------------------------------------------------------------------- specs -> our models
def _engine_layers(engine: str) -> Any:
    """The layer module of ``engine`` (MLP, Linear, Sequential), from the engine registry,
    which imports the tensor engine only when it is asked for."""
    try:
        return get_engine(engine).layers()
    except ValueError as exc:
        raise ValueError(f"from_torch: {exc}") from exc


def _set_dense(layer: Any, spec: _Dense) -> None:
    """Copy ``spec`` into a freshly built Linear of either engine."""
    if hasattr(layer, "neurons"):
        for neuron, row, b in zip(layer.neurons, spec.weight.tolist(), spec.bias.tolist()):
            for w, value in zip(neuron.w, row):
                w.data = value
            neuron.b.data = b
    else:
        set_data(layer.weight, spec.weight.T)  # (nin, nout), in place: the model stays flat
        set_data(layer.bias, spec.bias)


def _mlp_shape(specs: list[_Spec]) -> tuple[list[_Dense], str | None] | None:
    """(dense layers, activation) when specs read Linear (act Linear)* with one activation."""
    dense = [s for s in specs if isinstance(s, _Dense)]
    acts = [s.name for s in specs if isinstance(s, _Act)]
    if len(specs) != 2 * len(dense) - 1 or len(set(acts)) > 1:
        return None
    if not all(isinstance(s, _Dense) == (i % 2 == 0) for i, s in enumerate(specs)):
        return None
    return dense, (acts[0] if acts else None)


def _build_ours(specs: list[_Spec], engine: str) -> Module:
    layers = _engine_layers(engine)
    mlp_cls, linear_cls = layers.MLP, layers.Linear
    shape = _mlp_shape(specs)
    if shape is not None:
        dense, activation = shape
        model = mlp_cls(dense[0].nin, [d.nout for d in dense], activation=activation, seed=0)
        for layer, spec in zip(model.layers, dense):
            _set_dense(layer, spec)
        return model
    modules: list[Module] = []
    for item in specs:
        if isinstance(item, _Act):
            modules.append(_ACT_MODULES[item.name]())
        else:
            linear = linear_cls(item.nin, item.nout, activation=None, seed=0)
            _set_dense(linear, item)
            modules.append(linear)
    return cast(Module, layers.Sequential(*modules))


# --------------------------------------------------------------------------- public API
def to_torch(model: Module) -> Any:
    """A ``torch.nn.Sequential`` of float64 ``Linear`` and activation layers computing what
    ``model`` computes (an MLP, Linear or Sequential of either engine, or a Neuron: a Linear
    with one output). torch's Linear stores
    weight (nout, nin): ``weight[j, i]`` is our neuron j's ``w[i]``."""
    torch = _import_torch()
    return _build_torch(torch, _specs_of(model))


def from_torch(sequential: Any, engine: str = "tensor") -> Module:
    """Our model computing what a torch ``Sequential`` of ``Linear``/``ReLU``/``Tanh``/
    ``Sigmoid`` layers computes: an ``MLP`` when the layers alternate Linear and one
    activation (none after the last Linear), else a ``Sequential``. Weights copied as float64.

    Raises ValueError naming the first layer it cannot convert.
    """
    torch = _import_torch()
    _engine_layers(engine)  # ValueError for an engine the registry does not know
    if not isinstance(sequential, torch.nn.Module):
        raise TypeError(
            f"from_torch expects a torch.nn.Sequential, got {type(sequential).__name__}"
        )
    return _build_ours(_torch_specs(torch, sequential), engine)


__all__ = ["from_torch", "to_torch"]
