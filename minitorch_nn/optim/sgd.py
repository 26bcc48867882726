"""Stochastic gradient descent with momentum, dampening, Nesterov, weight decay (torch.optim.SGD).

One step, with g the gradient, p the parameter and b the momentum buffer:

    g <- g + weight_decay * p                      (if weight_decay != 0)
    b <- g  on the first step,
         momentum * b + (1 - dampening) * g  after  (if momentum != 0)
    g <- g + momentum * b  if nesterov, else b     (if momentum != 0)
    p <- p - lr * g
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..autograd.graph import Node
from .optimizer import Optimizer, check_hyper, clone

_ndarray = np.ndarray


def sgd_update(
    p: Any,
    g: Any,
    buf: Any,
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> tuple[Any, Any]:
    """The SGD rule for one parameter: (new p, new momentum buffer or None)."""
    if weight_decay != 0:
        g = g + weight_decay * p
    if momentum != 0:
        buf = clone(g) if buf is None else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    return p - lr * g, buf


class SGD(Optimizer):
    """``SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False)``."""

    hyperparameters = ("momentum", "dampening", "weight_decay", "nesterov")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        check_hyper(0.0 <= momentum < 1.0, f"Invalid momentum value: {momentum}")
        check_hyper(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        check_hyper(0.0 <= dampening <= 1.0, f"Invalid dampening value: {dampening}")
        check_hyper(
            not nesterov or (momentum > 0 and dampening == 0),
            "Nesterov momentum requires a momentum and zero dampening",
        )
        self.momentum = momentum
        self.dampening = dampening
        self.weight_decay = weight_decay
        self.nesterov = nesterov

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient.

        Plain SGD (no momentum, no weight decay) on an engine's array parameters (Tensors)
        updates the array in place, ``p -= lr * g``, as torch does: the same numbers as
        ``sgd_update`` without allocating a new parameter array each step. When the
        parameters and their gradients still tile the optimizer's two buffers (see
        ``zero_grad``), that is one ``data -= lr * grad`` over all parameters at once.
        """
        if self.momentum != 0 or self.weight_decay != 0:
            super().step()
            return
        self._check_lr(self.lr)
        lr = self.lr
        params, flat = self.params, self._flat
        if (
            flat is not None
            and flat.data.flags.writeable
            and flat.holds_data(params)
            and flat.holds_grads(params)
        ):
            data = flat.data  # a local: ``flat.data -= ...`` would also rebind the field
            data -= lr * flat.grad  # elementwise: the per-parameter numbers
            return
        for i, p in enumerate(params):
            g = p.grad
            if g is None:
                continue
            data = p.data
            if (
                type(data) is _ndarray
                and type(g) is _ndarray
                and data.shape == g.shape
                and data.dtype == g.dtype
                and isinstance(p, Node)
            ):
                try:
                    data -= lr * g
                    continue
                except ValueError:  # read-only data: replaced below instead
                    pass
            self._step_one(i, p, g)

    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        new_p, buf = sgd_update(
            data,
            grad,
            state.get("momentum_buffer"),
            lr=self.lr,
            momentum=self.momentum,
            dampening=self.dampening,
            weight_decay=self.weight_decay,
            nesterov=self.nesterov,
        )
        return new_p, ({} if buf is None else {"momentum_buffer": buf})


class MomentumSGD(SGD):
    """SGD with ``momentum=0.9`` by default (the "momentum" entry of ``OPTIMIZERS``)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.9,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr, momentum, dampening, weight_decay, nesterov)
