"""The Optimizer base: bookkeeping only. Subclasses supply the update rule.

An optimizer holds a list of parameters (anything with ``.data`` and ``.grad``, where both
are floats or both numpy arrays) and one state dict per parameter. ``step()`` skips a
parameter whose ``.grad`` is None and otherwise asks ``update(data, grad, state)`` for the
new data and state; ``update`` is a pure function of its arguments and the hyperparameters.

When the parameters are engine nodes whose arrays tile one buffer (see :mod:`.flat`), the
optimizer keeps their gradients in one buffer too: ``zero_grad`` zeroes it in one call and
plain SGD updates all parameters with one array op, with the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..autograd.graph import Node
from .flat import FlatParams, find_flat


def check_hyper(ok: bool, message: str) -> None:
    """Raise ValueError(message) unless ``ok`` (PyTorch's wording, e.g. 'Invalid learning rate')."""
    if not ok:
        raise ValueError(message)


def zeros_like(x: Any) -> Any:
    """0.0 for a float, a zero array for an array."""
    return np.zeros_like(x) if isinstance(x, np.ndarray) else 0.0


def clone(x: Any) -> Any:
    """A copy of an array (floats are immutable and returned as they are)."""
    return x.copy() if isinstance(x, np.ndarray) else x


def _export(x: Any) -> Any:
    return x.copy() if isinstance(x, np.ndarray) else x


class Optimizer:
    """Base class: ``params``, ``lr``, per-parameter ``state``, ``step``, ``zero_grad``."""

    #: names of the hyperparameters (attributes) saved by ``state_dict``, besides ``lr``
    hyperparameters: tuple[str, ...] = ()

    def __init__(self, params: Iterable[Any], lr: float) -> None:
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(
                f"{type(self).__name__} expects model.parameters(), got the model "
                f"{type(params).__name__} itself"
            )
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise TypeError(
                    f"{type(self).__name__}: params[{i}] ({type(p).__name__}) has no "
                    ".data and .grad; expected a parameter such as a Value"
                )
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: params[{i}] appears more than once")
            seen.add(id(p))
        self._check_lr(lr)
        self.lr = lr
        self.state: list[dict[str, Any]] = [{} for _ in self.params]
        # one buffer for all parameters (engine nodes only: a plain object's arrays are the
        # caller's and are never written in place); None for Values, whose data are floats
        self._flat: FlatParams | None = (
            find_flat(self.params) if all(isinstance(p, Node) for p in self.params) else None
        )

    def _check_lr(self, lr: float) -> None:
        check_hyper(lr >= 0.0, f"Invalid learning rate: {lr}")

    # ------------------------------------------------------------ the rule
    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """(new data, new state) for one parameter; must not modify its arguments."""
        raise NotImplementedError

    # ------------------------------------------------------------ bookkeeping
    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        self._check_lr(self.lr)
        for i, p in enumerate(self.params):
            grad = p.grad
            if grad is not None:
                self._step_one(i, p, grad)

    def _step_one(self, i: int, p: Any, grad: Any) -> None:
        """Update params[i] from its gradient ``grad`` with ``update``."""
        if type(grad) is not float and np.shape(grad) != np.shape(p.data):
            raise ValueError(
                f"{type(self).__name__}: params[{i}] has shape {np.shape(p.data)} but its "
                f"grad has shape {np.shape(grad)}; expected the same shape"
            )
        p.data, self.state[i] = self.update(p.data, grad, self.state[i])

    def zero_grad(self) -> None:
        """Set every parameter's gradient to zero.

        When the parameters' arrays still tile one buffer, their gradients are views of one
        gradient buffer owned by the optimizer, zeroed in place with one ``fill(0.0)`` (as
        torch's ``zero_grad(set_to_none=False)`` zeroes in place): a gradient array you want
        to keep across ``zero_grad`` must be copied. Otherwise each ``.grad`` becomes a new
        zero (a new array for an array parameter).
        """
        flat = self._flat
        if flat is not None and flat.holds_data(self.params):
            flat.grad.fill(0.0)
            for p, g in zip(self.params, flat.grad_views):
                p.grad = g
            return
        for p in self.params:
            zero_like = getattr(p, "_zero_like", None)
            p.grad = zero_like() if zero_like is not None else zeros_like(p.data)

    # ------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """{"type", "lr", hyperparameters..., "state": [per-parameter dict copies]}."""
        out: dict[str, Any] = {"type": type(self).__name__, "lr": self.lr}
        for name in self.hyperparameters:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        out["state"] = [{k: _export(v) for k, v in s.items()} for s in self.state]
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore ``lr``, hyperparameters and per-parameter state saved by ``state_dict``."""
        name = type(self).__name__
        if state_dict.get("type", name) != name:
            raise ValueError(f"load_state_dict: state is for {state_dict['type']}, not {name}")
        states = state_dict.get("state")
        if not isinstance(states, list) or len(states) != len(self.params):
            given = len(states) if isinstance(states, list) else type(states).__name__
            raise ValueError(
                f"load_state_dict: state for {given} parameters, expected {len(self.params)}"
            )
        for i, (p, s) in enumerate(zip(self.params, states)):
            for key, value in s.items():
                if np.shape(value) not in ((), np.shape(p.data)):
                    raise ValueError(
                        f"load_state_dict: state[{i}][{key!r}] has shape {np.shape(value)}, "
                        f"expected {np.shape(p.data)}"
                    )
        self._check_lr(state_dict["lr"])
        self.lr = state_dict["lr"]
        for hp in self.hyperparameters:
            if hp in state_dict:
                value = state_dict[hp]
                setattr(self, hp, tuple(value) if isinstance(value, list) else value)
        self.state = [{k: clone(v) for k, v in s.items()} for s in states]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in ("lr", *self.hyperparameters))
        return f"{type(self).__name__}({args})"
