"""micrograd's demo recipe reproduces the last line of micrograd's published notebook:
``step 99 loss 0.010978370135492717, accuracy 100.0%``."""

from __future__ import annotations

import math
import random
import time
from typing import Any

from sklearn.datasets import make_moons

from minitorch_nn import Value, losses
from minitorch_nn.nn import MLP
from minitorch_nn.optim import SGD
from minitorch_nn.optim.schedules import linear_decay

MICROGRAD_FINAL_LOSS = 0.010978370135492717


def _one(out: Any) -> Value:
    return out if isinstance(out, Value) else out[0]


def run_demo_recipe(steps: int = 100) -> tuple[float, float, float]:
    """(final loss, final accuracy, seconds per step) of the demo recipe."""
    X, y = make_moons(n_samples=100, noise=0.1, random_state=1337)
    y = y * 2 - 1  # labels in {-1, +1}
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))  # micrograd after random.seed(1337)
    optimizer = SGD(model.parameters(), lr=1.0)
    schedule = linear_decay(1.0, 0.1, 100)  # 1.0 - 0.9*k/100
    inputs = [list(row) for row in X]
    start = time.perf_counter()
    for k in range(steps):
        # one Value per sample (micrograd's one-output MLP; a one-item list before that change)
        scores = [_one(model(x)) for x in inputs]
        data_loss = losses.hinge_loss(scores, y)
        total_loss = data_loss + 1e-4 * losses.l2_penalty(model.parameters())
        accuracy = sum((t > 0) == (s.data > 0) for t, s in zip(y, scores)) / len(y)
        optimizer.zero_grad()
        total_loss.backward()
        optimizer.lr = schedule(k)
        optimizer.step()
    seconds_per_step = (time.perf_counter() - start) / steps
    return total_loss.data, accuracy, seconds_per_step


def test_demo_recipe_matches_micrograd_final_line() -> None:
    loss, accuracy, seconds_per_step = run_demo_recipe()
    print(
        f"demo recipe: final loss {loss!r}, accuracy {accuracy:.0%}, {seconds_per_step:.3f} s/step"
    )
    assert math.isclose(loss, MICROGRAD_FINAL_LOSS, rel_tol=1e-9, abs_tol=0.0)
    assert accuracy == 1.0


def test_linear_decay_is_the_demo_formula_bit_for_bit() -> None:
    schedule = linear_decay(1.0, 0.1, 100)
    assert [schedule(k) for k in range(100)] == [1.0 - 0.9 * k / 100 for k in range(100)]
