"""Tensor layers with the scalar layers' names and arguments, taking a whole batch at once.

``Linear(nin, nout)`` holds one ``weight`` Tensor (nin, nout) and one ``bias`` (nout,) and maps
a batch (n, nin) to (n, nout) as ``act(x @ weight + bias)`` (one graph node for the affine
part). ``MLP``, ``Sequential`` and the activation modules are as in :mod:`minitorch_nn.nn`;
the activation modules and ``Sequential`` are the scalar ones, which work on any node.

Weights are drawn in the scalar layers' order (neuron by neuron, its weights then its bias),
so the same ``seed`` or ``rng`` gives the same numbers on both engines, and neuron j of a
scalar Linear is column j: ``weight[:, j]``. ``from_scalar`` / ``to_scalar`` convert a model
between the engines keeping every number.

A model's parameters are kept in one buffer (``flatten_parameters``), so that an optimizer can
zero all gradients and take a plain SGD step with one array op each.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from .. import nn as scalar_nn
from ..engine import Value
from ..nn.activations import ReLU, Sigmoid, Tanh
from ..nn.init import get_initializer
from ..nn.layers import LinearBase, MLPBase, Sequential
from ..nn.module import Module, register_model
from .functional import linear
from .ops import RULES
from .tensor import Tensor, apply

_AFFINE = {None: RULES["linear"], "relu": RULES["linear_relu"]}  # one node per layer

__all__ = [
    "MLP",
    "Linear",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "flatten_parameters",
    "from_scalar",
    "to_scalar",
]


def flatten_parameters(module: Module) -> None:
    """Move the arrays of ``module.parameters()`` into one new contiguous 1-D buffer.

    Each parameter's ``.data`` becomes the view (its shape) of the next slice of the buffer,
    holding the same numbers; ``.grad`` is left as it is. An optimizer built on these
    parameters then zeroes their gradients and takes a plain SGD step with one array op each
    (``minitorch_nn.optim.flat``). Writing into a parameter, ``p.data[...] = x``, keeps it in
    the buffer; rebinding it, ``p.data = new_array``, takes it out, which is still correct but
    sends optimizers back to the per-parameter path: call ``flatten_parameters`` again after
    replacing arrays (and build the optimizer after that). Does nothing unless every parameter
    is a Tensor and all have one dtype.
    """
    params = module.parameters()
    if not params or not all(isinstance(p, Tensor) for p in params):
        return
    arrays = [np.asarray(p.data) for p in params]
    dtype = arrays[0].dtype
    if any(a.dtype != dtype for a in arrays):
        return
    buffer = np.empty(sum(a.size for a in arrays), dtype=dtype)
    offset = 0
    for p, a in zip(params, arrays):
        view = buffer[offset : offset + a.size].reshape(a.shape)
        view[...] = a
        p.data = view
        offset += a.size


@register_model
class Linear(LinearBase):
    """y = act(x @ weight + bias): a batch (n, nin) -> (n, nout); a single (nin,) -> (nout,)."""

    config_type = "TensorLinear"  # not "Linear": that name rebuilds the scalar layer

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = None,
        init: str = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        rng = self._set_arguments(nin, nout, activation, init, seed, rng)
        draw = get_initializer(init)
        weight = np.empty((nin, nout))
        bias = np.empty(nout)
        for j in range(nout):  # neuron by neuron, as the scalar Linear draws them
            weight[:, j], bias[j] = draw(nin, rng)
        self.weight = Tensor(weight, requires_grad=True)
        self.bias = Tensor(bias, requires_grad=True)
        flatten_parameters(self)

    def forward(self, x: Any) -> Tensor:
        data = x.data if type(x) is Tensor else x
        if type(data) is np.ndarray and data.ndim == 2 and data.shape[1] == self.nin:
            # the common case, a batch (n, nin): the checks below would all pass
            rule = _AFFINE.get(self.activation)
            weight, bias = self.weight, self.bias
            if (
                rule is not None
                and data.dtype.kind == "f"
                and weight.data.shape == (self.nin, self.nout)
                and bias.data.shape == (self.nout,)
            ):  # what linear() would check, for its one-node x @ W + b (+ relu)
                return apply(rule, (x, weight, bias))  # (n, nout)
            return linear(x, weight, bias, self.activation)  # (n, nout)
        shape = x.shape if isinstance(x, (Tensor, np.ndarray)) else np.shape(x)
        if not shape or shape[-1] != self.nin or len(shape) > 2:
            raise ValueError(
                f"{self!r} expected a batch of shape (n, {self.nin}) or one sample ({self.nin},),"
                f" got shape {tuple(shape)}"
            )
        if not isinstance(x, (Tensor, np.ndarray)):
            x = np.asarray(x, dtype=np.float64)
        return linear(x, self.weight, self.bias, self.activation)  # (n, nout)


@register_model
class MLP(MLPBase):
    """Linear layers with ``activation`` between them and none after the last:
    (n, nin) -> (n, nouts[-1]). Same weights as ``nn.MLP`` for the same seed or rng."""

    config_type = "TensorMLP"  # the two engines' MLPs keep their own names in checkpoints
    linear_class = Linear

    def _built(self) -> None:
        flatten_parameters(self)  # one buffer for the whole model

    def forward(self, x: Any) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x  # (n, nouts[-1])


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
        flatten_parameters(out)
        return out
    if isinstance(model, scalar_nn.Linear):
        return _linear_to_tensor(model)  # flat already: Linear.__init__ flattens it
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
