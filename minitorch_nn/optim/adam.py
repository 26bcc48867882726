"""Adam and AdamW (torch.optim.Adam, torch.optim.AdamW). At step t, with gradient g:

    Adam:   g <- g + weight_decay * p              (L2 penalty folded into the gradient)
    AdamW:  p <- p - lr * weight_decay * p         (decoupled weight decay)
    m <- beta1 * m + (1 - beta1) * g
    v <- beta2 * v + (1 - beta2) * g^2
    m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
    p <- p - lr * m_hat / (sqrt(v_hat) + eps)

evaluated as PyTorch does: p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .optimizer import Optimizer, check_hyper, zeros_like


def adam_update(
    p: Any,
    g: Any,
    m: Any,
    v: Any,
    t: int,
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    decoupled: bool = False,
) -> tuple[Any, Any, Any]:
    """The Adam (or, with ``decoupled``, AdamW) rule at step ``t`` >= 1: (new p, new m, new v)."""
    beta1, beta2 = betas
    if weight_decay != 0:
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * (g * g)
    step_size = lr / (1 - beta1**t)
    denom = v**0.5 / (1 - beta2**t) ** 0.5 + eps
    return p - step_size * (m / denom), m, v


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)``."""

    hyperparameters = ("betas", "eps", "weight_decay")
    decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        betas = tuple(betas)  # type: ignore[assignment]
        check_hyper(len(betas) == 2, f"betas must be a pair (beta1, beta2), got {betas}")
        check_hyper(eps >= 0.0, f"Invalid epsilon value: {eps}")
        check_hyper(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        check_hyper(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        check_hyper(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay

    def update(self, data: Any, grad: Any, state: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        t = state.get("step", 0) + 1
        m = state.get("exp_avg", zeros_like(data))
        v = state.get("exp_avg_sq", zeros_like(data))
        new_p, m, v = adam_update(
            data,
            grad,
            m,
            v,
            t,
            lr=self.lr,
            betas=self.betas,
            eps=self.eps,
            weight_decay=self.weight_decay,
            decoupled=self.decoupled,
        )
        return new_p, {"step": t, "exp_avg": m, "exp_avg_sq": v}


class AdamW(Adam):
    """``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)``:
    Adam with decoupled weight decay."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)
