"""Learning-rate schedules as pure functions of the step (or epoch) k = 0, 1, 2, ...

Each factory returns ``schedule(k) -> lr``; set ``optimizer.lr = schedule(k)`` before step k.
micrograd's demo, ``1.0 - 0.9*k/100``, is ``linear_decay(1.0, 0.1, 100)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Schedule = Callable[[int], float]


def _check_step(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"schedule step must be an int >= 0, got {k!r}")
    return k


def _check_positive(value: float, what: str) -> None:
    if not value > 0:
        raise ValueError(f"{what} must be > 0, got {value!r}")


def constant(lr: float) -> Schedule:
    """lr at every step."""
    _check_positive(lr, "lr")

    def schedule(k: int) -> float:
        _check_step(k)
        return lr

    return schedule


def linear_decay(lr0: float, lr_end_fraction: float, total: int) -> Schedule:
    """lr0 - lr0 (1 - f) min(k, total) / total: from lr0 down to f * lr0 at step ``total``."""
    _check_positive(lr0, "lr0")
    _check_positive(total, "total")
    if not 0.0 <= lr_end_fraction <= 1.0:
        raise ValueError(f"lr_end_fraction must be in [0, 1], got {lr_end_fraction!r}")
    decay = lr0 * (1.0 - lr_end_fraction)

    def schedule(k: int) -> float:
        return lr0 - decay * min(_check_step(k), total) / total

    return schedule


def step_decay(lr0: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """lr0 * gamma ** (k // step_size) (torch's StepLR)."""
    _check_positive(lr0, "lr0")
    _check_positive(step_size, "step_size")
    _check_positive(gamma, "gamma")

    def schedule(k: int) -> float:
        return lr0 * gamma ** (_check_step(k) // step_size)

    return schedule


def cosine(lr0: float, total: int, lr_min: float = 0.0) -> Schedule:
    """lr_min + (lr0 - lr_min) (1 + cos(pi min(k, total) / total)) / 2 (torch's
    CosineAnnealingLR without restarts)."""
    _check_positive(lr0, "lr0")
    _check_positive(total, "total")
    if not 0.0 <= lr_min <= lr0:
        raise ValueError(f"lr_min must be in [0, lr0={lr0}], got {lr_min!r}")

    def schedule(k: int) -> float:
        k = min(_check_step(k), total)
        return lr_min + (lr0 - lr_min) * (1.0 + math.cos(math.pi * k / total)) / 2.0

    return schedule


SCHEDULES: dict[str, Callable[..., Schedule]] = {
    "constant": constant,
    "linear_decay": linear_decay,
    "step_decay": step_decay,
    "cosine": cosine,
}
