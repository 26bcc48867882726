"""RMSprop (torch.optim.RMSprop). With gradient g, square average v, buffer b:

g <- g + weight_decay * p                      (if weight_decay != 0)
v <- alpha * v + (1 - alpha) * g^2
centered: g_avg <- alpha * g_avg + (1 - alpha) * g;  v~ = v - g_avg^2, else v~ = v
momentum > 0:  b <- momentum * b + g / (sqrt(v~) + eps);  p <- p - lr * b
otherwise:     p <- p - lr * g / (sqrt(v~) + eps)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .optimizer import Optimizer, check_hyper, zeros_like


def rmsprop_update(
    p: Any,
    g: Any,
    state: dict[str, Any],
    *,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
) -> tuple[Any, dict[str, Any]]:
    """The RMSprop rule for one parameter: (new p, new state). ``state`` is not modified."""
    if weight_decay != 0:
        g = g + weight_decay * p
    new: dict[str, Any] = {"step": state.get("step", 0) + 1}
    v = alpha * state.get("square_avg", zeros_like(p)) + (1 - alpha) * (g * g)
    new["square_avg"] = v
    if centered:
        g_avg = alpha * state.get("grad_avg", zeros_like(p)) + (1 - alpha) * g
        new["grad_avg"] = g_avg
        v = v - g_avg * g_avg
    avg = v**0.5 + eps
    if momentum > 0:
        buf = momentum * state.get("momentum_buffer", zeros_like(p)) + g / avg
        new["momentum_buffer"] = buf
        return p - lr * buf, new
    return p - lr * (g / avg), new


class RMSprop(Optimizer):
    """``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False)``."""

    hyperparameters = ("alpha", "eps", "weight_decay", "momentum", "centered")

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        check_hyper(eps >= 0.0, f"Invalid epsilon value: {eps}")
        check_hyper(0.0 <= momentum < 1.0, f"Invalid momentum value: {momentum}")
        check_hyper(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        check_hyper(0.0 <= alpha < 1.0, f"Invalid alpha value: {alpha}")
        self.alpha = alpha
        self.eps = eps
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.centered = centered

    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        return rmsprop_update(
            data,
            grad,
            state,
            lr=self.lr,
            alpha=self.alpha,
            eps=self.eps,
            weight_decay=self.weight_decay,
            momentum=self.momentum,
            centered=self.centered,
        )
