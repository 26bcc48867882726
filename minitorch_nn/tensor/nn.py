"""Tensor layers with the scalar layers' names and arguments, taking a whole batch at once.

``Linear(nin, nout)`` holds one ``weight`` Tensor (nin, nout) and one ``bias`` (nout,) and maps
a batch (n, nin) to (n, nout) as ``act(x @ weight + bias)`` (one graph node for the affine
part). ``MLP``, ``Sequential`` and the activation modules are as in :mod:`minitorch_nn.nn`;
the activation modules and ``Sequential`` are the scalar ones, which work on any node.

Weights are drawn in the scalar layers' order (neuron by neuron, its weights then its bias),
so the same ``seed`` or ``rng`` gives the same numbers on both engines, and neuron j of a
scalar Linear is column j: ``weight[:, j]``. ``from_scalar`` / ``to_scalar`` convert a model
between the engines keeping every number.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import nn as scalar_nn
from ..engine import Value
from ..nn.activations import ReLU, Sigmoid, Tanh, check_activation
from ..nn.init import get_initializer, make_rng
from ..nn.layers import Sequential
from ..nn.module import _MODEL_TYPES, Module
from .functional import linear
from .tensor import Tensor

__all__ = ["MLP", "Linear", "ReLU", "Sequential", "Sigmoid", "Tanh", "from_scalar", "to_scalar"]


def _check_size(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive int, got {value!r}")
    return value


def _register(name: str, cls: type[Module]) -> None:
    """Let ``build_model({"type": name, ...})`` rebuild ``cls``; tensor layers use their own
    type names ("TensorLinear", "TensorMLP") so they do not replace the scalar ones."""
    _MODEL_TYPES[name] = cls


class Linear(Module):
    """y = act(x @ weight + bias): a batch (n, nin) -> (n, nout); a single (nin,) -> (nout,)."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = None,
        init: str = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.nin = _check_size(nin, "nin")
        self.nout = _check_size(nout, "nout")
        self.activation = check_activation(activation)
        self.init = init
        draw = get_initializer(init)
        rng = make_rng(seed, rng)
        weight = np.empty((nin, nout))
        bias = np.empty(nout)
        for j in range(nout):  # neuron by neuron, as the scalar Linear draws them
            weight[:, j], bias[j] = draw(nin, rng)
        self.weight = Tensor(weight, requires_grad=True)
        self.bias = Tensor(bias, requires_grad=True)

    def forward(self, x: Any) -> Tensor:
        data = x.data if type(x) is Tensor else x
        if type(data) is np.ndarray and data.ndim == 2 and data.shape[1] == self.nin:
            # the common case, a batch (n, nin): the checks below would all pass
            return linear(x, self.weight, self.bias, self.activation)  # (n, nout)
        shape = x.shape if isinstance(x, (Tensor, np.ndarray)) else np.shape(x)
        if not shape or shape[-1] != self.nin or len(shape) > 2:
            raise ValueError(
                f"{self!r} expected a batch of shape (n, {self.nin}) or one sample ({self.nin},),"
                f" got shape {tuple(shape)}"
            )
        if not isinstance(x, (Tensor, np.ndarray)):
            x = np.asarray(x, dtype=np.float64)
        return linear(x, self.weight, self.bias, self.activation)  # (n, nout)

    def config(self) -> dict[str, Any]:
        return {
            "type": "TensorLinear",
            "nin": self.nin,
            "nout": self.nout,
            "activation": self.activation,
            "init": self.init,
        }

    def __repr__(self) -> str:
        act = f", activation={self.activation!r}" if self.activation else ""
        return f"Linear({self.nin}, {self.nout}{act})"


class MLP(Module):
    """Linear layers with ``activation`` between them and none after the last:
    (n, nin) -> (n, nouts[-1]). Same weights as ``nn.MLP`` for the same seed or rng."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | None = "relu",
        init: str = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.nin = _check_size(nin, "nin")
        if isinstance(nouts, int) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        self.nouts = [_check_size(n, "each of nouts") for n in nouts]
        self.activation = check_activation(activation)
        self.init = init
        rng = make_rng(seed, rng)
        sizes = [self.nin, *self.nouts]
        last = len(self.nouts) - 1
        self.layers = [
            Linear(sizes[i], sizes[i + 1], activation if i < last else None, init=init, rng=rng)
            for i in range(len(self.nouts))
        ]

    def forward(self, x: Any) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x  # (n, nouts[-1])

    def config(self) -> dict[str, Any]:
        return {
            "type": "TensorMLP",
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "init": self.init,
        }

    def __repr__(self) -> str:
        hidden = [f"{n} {self.activation}" if self.activation else str(n) for n in self.nouts]
        sizes = ", ".join([*hidden[:-1], str(self.nouts[-1])])
        return f"MLP({self.nin} -> [{sizes}])"


_register("TensorLinear", Linear)
_register("TensorMLP", MLP)


# ---------------------------------------------------------------- converting between engines
def _linear_to_tensor(layer: scalar_nn.Linear) -> Linear:
    out = Linear(layer.nin, layer.nout, layer.activation, init=layer.init, seed=0)
    out.weight.data[...] = [[n.w[i].data for n in layer.neurons] for i in range(layer.nin)]
    out.bias.data[...] = [n.b.data for n in layer.neurons]
    return out


def _linear_to_scalar(layer: Linear) -> scalar_nn.Linear:
    out = scalar_nn.Linear(layer.nin, layer.nout, layer.activation, init=layer.init, seed=0)
    weight, bias = layer.weight.data, layer.bias.data
    for j, neuron in enumerate(out.neurons):
        neuron.w = [Value(float(weight[i, j])) for i in range(layer.nin)]
        neuron.b = Value(float(bias[j]))
    return out


def from_scalar(model: Module) -> Module:
    """The tensor version of a scalar ``MLP``, ``Linear`` or ``Sequential`` (activations kept),
    with the same numbers: neuron j's weights become ``weight[:, j]``, its bias ``bias[j]``."""
    if isinstance(model, scalar_nn.MLP):
        out = MLP(model.nin, model.nouts, model.activation, init=model.init, seed=0)
        out.layers = [_linear_to_tensor(layer) for layer in model.layers]
        return out
    if isinstance(model, scalar_nn.Linear):
        return _linear_to_tensor(model)
    if isinstance(model, Sequential):
        return Sequential(*(from_scalar(m) for m in model.layers))
    if isinstance(model, (ReLU, Tanh, Sigmoid)):
        return model
    raise TypeError(
        f"from_scalar: expected a scalar MLP, Linear, Sequential or activation, "
        f"got {type(model).__name__}"
    )


def to_scalar(model: Module) -> Module:
    """The scalar version of a tensor ``MLP``, ``Linear`` or ``Sequential``, same numbers."""
    if isinstance(model, MLP):
        out = scalar_nn.MLP(model.nin, model.nouts, model.activation, init=model.init, seed=0)
        out.layers = [_linear_to_scalar(layer) for layer in model.layers]
        return out
    if isinstance(model, Linear):
        return _linear_to_scalar(model)
    if isinstance(model, Sequential):
        return Sequential(*(to_scalar(m) for m in model.layers))
    if isinstance(model, (ReLU, Tanh, Sigmoid)):
        return model
    raise TypeError(
        f"to_scalar: expected a tensor MLP, Linear, Sequential or activation, "
        f"got {type(model).__name__}"
    )
