"""Activations by name (``"relu"``, ``"tanh"``, ``"sigmoid"``, ``None``) and as modules.

Each function calls the node's own method (``x.relu()``), so it serves any engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .module import Module, register_model


def identity(x: Any) -> Any:
    """x; d/dx = 1."""
    return x


def relu(x: Any) -> Any:
    """max(0, x); d/dx = 1 if x > 0 else 0."""
    return x.relu()


def tanh(x: Any) -> Any:
    """tanh(x); d/dx = 1 - tanh(x)^2."""
    return x.tanh()


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x); d/dx = s (1 - s)."""
    return x.sigmoid()


ACTIVATIONS: dict[str | None, Callable[[Any], Any]] = {
    None: identity,
    "relu": relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
}


def check_activation(name: Any) -> str | None:
    """``name`` if it names an activation (None = identity), else ValueError listing them."""
    if name is None or (isinstance(name, str) and name in ACTIVATIONS):
        return name
    known = ", ".join(repr(k) for k in ACTIVATIONS)
    raise ValueError(f"unknown activation {name!r}; expected one of {known}")


def get_activation(name: str | None) -> Callable[[Any], Any]:
    """The function for an activation name (None gives the identity)."""
    return ACTIVATIONS[check_activation(name)]


class _Elementwise(Module):
    """Applies one activation to a node, or to each node of a list (returns a list)."""

    name: str

    def forward(self, x: Any) -> Any:
        fn = ACTIVATIONS[self.name]
        if isinstance(x, (list, tuple)):
            return [fn(v) for v in x]
        return fn(x)

    def config(self) -> dict[str, Any]:
        return {"type": type(self).__name__}


@register_model
class ReLU(_Elementwise):
    """max(0, x) for each input."""

    name = "relu"


@register_model
class Tanh(_Elementwise):
    """tanh(x) for each input."""

    name = "tanh"


@register_model
class Sigmoid(_Elementwise):
    """1 / (1 + e^-x) for each input."""

    name = "sigmoid"
