"""Compare the engine's gradients with central differences."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .functional import grad
from .value import Value, _check_number


def numerical_grad(fn: Callable[..., Value], xs: Sequence[float], eps: float = 1e-6) -> list[float]:
    """Central differences: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for each input i."""
    result = []
    for i in range(len(xs)):
        plus = [Value(x + (eps if j == i else 0.0)) for j, x in enumerate(xs)]
        minus = [Value(x - (eps if j == i else 0.0)) for j, x in enumerate(xs)]
        result.append((_scalar(fn(*plus)) - _scalar(fn(*minus))) / (2 * eps))
    return result


def _scalar(out: Any) -> float:
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    return out.data


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> bool:
    """True when ``grad(fn(*inputs))`` matches central differences within atol + rtol*|num|.

    Raises AssertionError naming the input whose two gradients disagree most, and both numbers.
    """
    xs = [x.data if isinstance(x, Value) else _check_number(x, "gradcheck input") for x in inputs]
    leaves = [Value(x) for x in xs]
    analytic = grad(fn(*leaves), leaves)
    numeric = numerical_grad(fn, xs, eps)
    worst, worst_excess = -1, 0.0
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        excess = abs(a - n) - (atol + rtol * abs(n))
        if math.isnan(a) != math.isnan(n) or excess > worst_excess:
            worst, worst_excess = i, math.inf if math.isnan(excess) else excess
    if worst >= 0:
        raise AssertionError(
            f"gradcheck: input {worst} (x = {xs[worst]!r}): analytic gradient "
            f"{analytic[worst]!r} vs numerical {numeric[worst]!r} "
            f"(atol={atol}, rtol={rtol})"
        )
    return True
