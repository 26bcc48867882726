"""Scalar layers: Neuron, Linear, Layer (micrograd's name: a Linear of ReLU neurons), MLP,
Sequential. Each is called on ONE sample.

A sample is a sequence of ``nin`` numbers or Values (a layer with ``nin == 1`` also takes a
single Value or number). What comes out follows micrograd's ``Layer``:

- ``Neuron``: one Value.
- ``Linear(nin, nout)`` and ``MLP(nin, [..., nout])``: a list of ``nout`` Values, except for
  ``nout == 1``, where the Value itself comes out, so ``MLP(3, [4, 4, 1])(x)`` is a Value
  and ``sum((yout - ygt)**2 for ...)`` works on it.
- ``Sequential``: whatever its last module returns.

The tensor engine's layers (:mod:`minitorch_nn.tensor.nn`) take a whole batch instead and
always return a Tensor of shape ``(n, nout)``, also for ``nout == 1``.

``nonlin=True`` / ``nonlin=False`` (micrograd's keyword) is ``activation="relu"`` / ``None``.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Sequence
from typing import Any

from ..engine import Value, dot
from ..engine.functional import dense_trusted, neuron_rule
from .activations import check_activation
from .init import get_initializer, make_rng
from .module import Module, build_model, register_model


def _check_size(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive int, got {value!r}")
    return value


def _inputs(layer: Module, x: Any, nin: int) -> tuple[Any, ...]:
    """``x`` as a tuple of ``nin`` inputs; for ``nin == 1`` a lone Value or number is the one
    input (the output of a one-output layer feeding the next layer)."""
    if nin == 1 and (
        isinstance(x, Value) or (isinstance(x, numbers.Real) and not isinstance(x, bool))
    ):
        return (x,)
    try:
        n = len(x)
    except TypeError:
        raise TypeError(
            f"{layer!r} expected a sequence of {nin} inputs, got {type(x).__name__}"
        ) from None
    if n != nin:
        raise ValueError(f"{layer!r} expected {nin} inputs, got {n}")
    return tuple(x)


def _activation(activation: Any, nonlin: bool | None, who: str) -> str | None:
    """The activation name from ``activation`` or micrograd's ``nonlin`` flag (True = relu)."""
    if nonlin is None:
        if isinstance(activation, bool):
            raise TypeError(
                f"{who}: activation must be 'relu', 'tanh', 'sigmoid' or None, got "
                f"{activation!r}; micrograd's flag is the keyword nonlin={activation!r}"
            )
        return check_activation(activation)
    if activation is not None:
        raise ValueError(
            f"{who}: give activation or nonlin, not both "
            f"(got activation={activation!r}, nonlin={nonlin!r})"
        )
    if not isinstance(nonlin, bool):
        raise TypeError(f"{who}: nonlin must be True (relu) or False (none), got {nonlin!r}")
    return "relu" if nonlin else None


@register_model
class Neuron(Module):
    """act(b + w_1 x_1 + ... + w_n x_n), computed as one node (micrograd's order): ``dot``
    without an activation, else the fused ``dot_relu`` / ``dot_tanh`` / ``dot_sigmoid``.
    The default is no activation; micrograd's ``Neuron(nin)`` (ReLU) is ``nonlin=True``."""

    def __init__(
        self,
        nin: int,
        activation: str | None = None,
        init: str = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
        *,
        nonlin: bool | None = None,
    ) -> None:
        self.nin = _check_size(nin, "nin")
        self.activation = _activation(activation, nonlin, "Neuron")
        self.init = init
        weights, bias = get_initializer(init)(nin, make_rng(seed, rng))
        self.w = [Value(w) for w in weights]
        self.b = Value(bias)

    def forward(self, x: Sequence[Any] | Value | float) -> Value:
        return dot(self.w, _inputs(self, x, self.nin), self.b, self.activation)

    def config(self) -> dict[str, Any]:
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation, "init": self.init}

    def extra_repr(self) -> str:
        act = f", activation={self.activation!r}" if self.activation else ""
        return f"{self.nin}{act}"

    def __repr__(self) -> str:
        return f"Neuron({self.extra_repr()})"


class LinearBase(Module):
    """What every engine's ``Linear`` shares: sizes, activation, init, config and repr."""

    config_type = "Linear"
    nin: int
    nout: int
    activation: str | None
    init: str

    def _set_arguments(
        self,
        nin: int,
        nout: int,
        activation: str | None,
        init: str,
        seed: int | None,
        rng: random.Random | None,
        nonlin: bool | None = None,
    ) -> random.Random:
        """Check and store the constructor's arguments; the generator to draw weights from."""
        self.nin = _check_size(nin, "nin")
        self.nout = _check_size(nout, "nout")
        self.activation = _activation(activation, nonlin, "Linear")
        self.init = init
        return make_rng(seed, rng)

    def config(self) -> dict[str, Any]:
        return {
            "type": self.config_type,
            "nin": self.nin,
            "nout": self.nout,
            "activation": self.activation,
            "init": self.init,
        }

    def __repr__(self) -> str:
        act = f", activation={self.activation!r}" if self.activation else ""
        return f"Linear({self.nin}, {self.nout}{act})"


@register_model
class Linear(LinearBase):
    """``nout`` neurons on the same inputs, one node each (the inputs' data are gathered once
    for the whole layer). Returns the list of ``nout`` Values, or for ``nout == 1`` the one
    Value itself, as micrograd's ``Layer`` does."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = None,
        init: str = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
        *,
        nonlin: bool | None = None,
    ) -> None:
        rng = self._set_arguments(nin, nout, activation, init, seed, rng, nonlin)
        self.neurons = [Neuron(nin, self.activation, init=init, rng=rng) for _ in range(nout)]

    def forward(self, x: Sequence[Any] | Value | float) -> Value | list[Value]:
        out = self._run(_inputs(self, x, self.nin))
        return out[0] if self.nout == 1 else out

    def _run(self, x: tuple[Any, ...]) -> list[Value]:
        """The layer on ``x`` (already checked: ``nin`` inputs)."""
        rows = [(n.w, n.b) for n in self.neurons]
        return dense_trusted(neuron_rule(self.activation), rows, x)


class Layer(Linear):
    """micrograd's ``Layer(nin, nout, nonlin=True)``: a ``Linear`` whose neurons default to
    ReLU, as micrograd's do (``nonlin=False``: none). One output gives the Value itself.
    Its config and checkpoints name it ``Linear`` (same weights, same activation)."""

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        init: str = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(nin, nout, init=init, seed=seed, rng=rng, nonlin=nonlin)


class MLPBase(Module):
    """What every engine's ``MLP`` shares: Linear layers (the engine's ``linear_class``) with
    ``activation`` between them and none after the last (micrograd's ``MLP(nin, nouts)``)."""

    config_type = "MLP"
    linear_class: type[LinearBase]

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
        make: Any = self.linear_class
        self.layers = [
            make(sizes[i], sizes[i + 1], activation if i < last else None, init=init, rng=rng)
            for i in range(len(self.nouts))
        ]
        self._built()

    def _built(self) -> None:
        """Called once the layers exist: an engine's MLP may arrange them further here."""

    def config(self) -> dict[str, Any]:
        return {
            "type": self.config_type,
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "init": self.init,
        }

    def __repr__(self) -> str:
        hidden = [f"{n} {self.activation}" if self.activation else str(n) for n in self.nouts]
        sizes = ", ".join([*hidden[:-1], str(self.nouts[-1])])
        return f"MLP({self.nin} -> [{sizes}])"


@register_model
class MLP(MLPBase):
    """The scalar MLP, called on one sample: a list of ``nouts[-1]`` Values out, or the one
    Value itself when ``nouts[-1] == 1`` (micrograd's convention). ``MLP(2, [16, 16, 1])``
    has 337 parameters. (The tensor MLP maps a batch (n, nin) to (n, nouts[-1]) instead.)"""

    linear_class = Linear

    def forward(self, x: Sequence[Any] | Value | float) -> Value | list[Value]:
        out: Any = _inputs(self, x, self.nin)
        for layer in self.layers:
            if type(layer) is Linear and type(out) is tuple and len(out) == layer.nin:
                out = tuple(layer._run(out))  # checked here: skip Linear.forward's check
            else:
                out = layer(out)  # a one-output layer gives a Value: the next takes it as is
        if type(out) is tuple:
            return out[0] if len(out) == 1 else list(out)
        return out  # a Value for one output, else (nouts[-1],) Values


@register_model
class Sequential(Module):
    """Modules applied in turn: ``Sequential(Linear(2, 8), Tanh(), Linear(8, 1))``. Returns
    what the last module returns (here one Value: the last Linear has one output)."""

    def __init__(self, *modules: Module) -> None:
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(
                    f"Sequential: argument {i} must be a Module, got {type(m).__name__}"
                )
        self.layers = list(modules)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __repr__(self) -> str:
        lines = [f"  ({i}): " + repr(m).replace("\n", "\n  ") for i, m in enumerate(self.layers)]
        return "Sequential(\n" + "\n".join(lines) + "\n)" if lines else "Sequential()"

    def config(self) -> dict[str, Any]:
        return {"type": "Sequential", "layers": [m.config() for m in self.layers]}

    @classmethod
    def from_config(cls, kwargs: dict[str, Any]) -> Sequential:
        return cls(*(build_model(c) for c in kwargs.get("layers", [])))
