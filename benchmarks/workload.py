"""The reference workload: micrograd's demo recipe (moons, MLP(2, [H, H, 1]), hinge + L2, SGD).

Every implementation gets the same data and the same starting weights: the data come from
``make_moons(n, noise=0.1)`` after ``np.random.seed(1337)`` and the weights are the ones
micrograd's ``MLP`` draws after ``random.seed(1337)`` (uniform(-1, 1) weights neuron by
neuron, zero biases), exactly as its demo notebook does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

ALPHA = 1e-4  # L2 strength of the demo


@dataclass(frozen=True)
class Recipe:
    """One size of the demo recipe."""

    n_samples: int = 100
    hidden: int = 16
    steps: int = 100

    @property
    def sizes(self) -> list[int]:
        return [2, self.hidden, self.hidden, 1]

    @property
    def label(self) -> str:
        return f"n={self.n_samples}, H={self.hidden}"

    def lr(self, k: int) -> float:
        """The demo's schedule: 1.0 - 0.9 * k / steps."""
        return 1.0 - 0.9 * k / self.steps


@dataclass(frozen=True)
class Problem:
    """Data and starting weights shared by every implementation."""

    recipe: Recipe
    X: np.ndarray  # (n, 2) float64
    y: np.ndarray  # (n,) int64 in {-1, +1}
    weights: list[np.ndarray]  # per layer (n_out, n_in), neuron-major like micrograd
    biases: list[np.ndarray]  # per layer (n_out,)


def make_problem(recipe: Recipe) -> Problem:
    """The notebook's data and micrograd's initial weights for ``recipe``."""
    from sklearn.datasets import make_moons

    np.random.seed(1337)
    X, y = make_moons(n_samples=recipe.n_samples, noise=0.1)
    y = y * 2 - 1
    rng = random.Random(1337)  # micrograd draws from the global generator after seed(1337)
    sizes = recipe.sizes
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = np.array([[rng.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)])
        weights.append(W)
        biases.append(np.zeros(n_out))
    return Problem(recipe, X, y, weights, biases)


def save_problem(problem: Problem, path: str) -> None:
    """Write ``problem`` to an .npz (plain arrays, no pickle) for a worker process."""
    r = problem.recipe
    arrays = {"recipe": np.array([r.n_samples, r.hidden, r.steps]), "X": problem.X, "y": problem.y}
    for i, (W, b) in enumerate(zip(problem.weights, problem.biases)):
        arrays[f"W{i}"], arrays[f"b{i}"] = W, b
    np.savez(path, allow_pickle=False, **arrays)


def load_problem(path: str) -> Problem:
    """The problem :func:`save_problem` wrote (numpy only: no sklearn in the worker)."""
    with np.load(path, allow_pickle=False) as f:
        n, hidden, steps = (int(v) for v in f["recipe"])
        layers = len(Recipe(n, hidden, steps).sizes) - 1
        weights = [f[f"W{i}"] for i in range(layers)]
        biases = [f[f"b{i}"] for i in range(layers)]
        return Problem(Recipe(n, hidden, steps), f["X"], f["y"], weights, biases)
