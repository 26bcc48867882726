"""Weight initialisation from Python's ``random`` module, a seed or a ``random.Random``.

Without ``seed=`` or ``rng=`` a layer draws from the global generator of the ``random`` module,
as micrograd does: after ``random.seed(1337)``, ``MLP(2, [16, 16, 1])`` has micrograd's exact
starting weights. ``seed=`` draws from a fresh ``random.Random(seed)`` instead, and ``rng=``
from the generator given (the global one is then left alone).

- ``"uniform"``: micrograd's rule, weights ~ U(-1, 1), bias 0 (no draw for the bias).
  ``random.Random(1337)`` gives the same numbers as micrograd after ``random.seed(1337)``.
- ``"kaiming"``: PyTorch's default for ``nn.Linear`` (kaiming_uniform with a = sqrt(5)),
  weights and bias ~ U(-1/sqrt(nin), 1/sqrt(nin)).

Each initialiser takes (nin, rng) and returns (weights, bias) for one neuron, drawing the
weights first and then the bias (if the bias is random).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

Initializer = Callable[[int, random.Random], tuple[list[float], float]]


class _GlobalRandom(random.Random):
    """A ``random.Random`` whose draws come from the ``random`` module's global generator, so
    ``random.seed(...)`` decides them (``uniform(a, b) = a + (b - a) * random()``, the same
    formula as ``random.uniform``). Only ``random`` and ``getrandbits`` are forwarded: every
    other method of ``random.Random`` is built on those two."""

    def random(self) -> float:
        return random.random()

    def getrandbits(self, k: int) -> int:
        return random.getrandbits(k)


GLOBAL_RANDOM: random.Random = _GlobalRandom()


def make_rng(seed: int | None = None, rng: random.Random | None = None) -> random.Random:
    """``rng`` if given, else ``random.Random(seed)`` if a seed is given, else
    ``GLOBAL_RANDOM``: the ``random`` module's own generator (micrograd's source of weights)."""
    if rng is not None and seed is not None:
        raise ValueError(f"give seed or rng, not both (got seed={seed!r} and an rng)")
    if rng is not None:
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    return GLOBAL_RANDOM if seed is None else random.Random(seed)


def uniform(nin: int, rng: random.Random) -> tuple[list[float], float]:
    """Weights ~ U(-1, 1), bias 0 (micrograd)."""
    return [rng.uniform(-1.0, 1.0) for _ in range(nin)], 0.0


def kaiming(nin: int, rng: random.Random) -> tuple[list[float], float]:
    """Weights and bias ~ U(-b, b) with b = 1/sqrt(nin) (PyTorch's nn.Linear default)."""
    bound = 1.0 / math.sqrt(nin)
    weights = [rng.uniform(-bound, bound) for _ in range(nin)]
    return weights, rng.uniform(-bound, bound)


INITIALIZERS: dict[str, Initializer] = {"uniform": uniform, "kaiming": kaiming}


def get_initializer(name: str) -> Initializer:
    """The initialiser called ``name``, or ValueError listing the known ones."""
    if name not in INITIALIZERS:
        known = ", ".join(repr(k) for k in INITIALIZERS)
        raise ValueError(f"unknown init {name!r}; expected one of {known}")
    return INITIALIZERS[name]
