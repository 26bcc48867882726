"""The playground's data: TensorFlow Playground's datasets on the square [-6, 6]^2.

Classification (labels 0 and 1): circle, xor, spiral and moons come from
:func:`minitorch_nn.data.load_dataset`, scaled onto the square; gauss (two Gaussian clusters)
is made here. Regression (targets in [-1, 1]): plane, y = (x1 + x2) / 12, and multi-gauss, a
sum of signed Gaussian bumps, are made here. ``noise`` is TensorFlow Playground's percentage
(0 to 50); each generator turns it into its own spread. The same ``seed`` gives the same data.

:func:`features` maps the two coordinates to the chosen input features (x1, x2, x1², x2²,
x1·x2, sin x1, sin x2), in the order of :data:`FEATURES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..data import load_dataset

DOMAIN = 6.0  # points and heatmaps cover [-DOMAIN, DOMAIN] in both coordinates
RADIUS = 5.0  # the noiseless data fit in a disc of this radius, as in TensorFlow Playground

CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("plane", "multi-gauss")
DATASETS = CLASSIFICATION + REGRESSION

# name -> (label shown in the page, x1, x2 -> the feature)
FEATURES: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x1": ("x₁", lambda a, b: a),
    "x2": ("x₂", lambda a, b: b),
    "x1sq": ("x₁²", lambda a, b: a * a),
    "x2sq": ("x₂²", lambda a, b: b * b),
    "x1x2": ("x₁·x₂", lambda a, b: a * b),
    "sinx1": ("sin x₁", lambda a, b: np.sin(a)),
    "sinx2": ("sin x₂", lambda a, b: np.sin(b)),
}

# the bumps of multi-gauss: (centre x1, centre x2, sign)
_BUMPS = ((-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
          (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0))  # fmt: skip


def problem_of(dataset: str) -> str:
    """The problem type of ``dataset``: "classification" or "regression" (ValueError for an
    unknown name)."""
    if dataset in CLASSIFICATION:
        return "classification"
    if dataset in REGRESSION:
        return "regression"
    raise ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")


def _scaled(X: np.ndarray, centre: tuple[float, float], half_width: float) -> np.ndarray:
    """Shift ``centre`` to the origin and scale so that ``half_width`` becomes RADIUS."""
    return (X - np.asarray(centre)) * (RADIUS / half_width)


def make_dataset(
    name: str, n_samples: int = 500, noise: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``X`` (n_samples, 2) on [-6, 6]^2 and ``y`` (n_samples,): int labels {0, 1} for
    classification, float targets in [-1, 1] for regression; shuffled, reproducible."""
    problem_of(name)
    if not 0 <= noise <= 50:
        raise ValueError(f"noise must be a percentage in [0, 50], got {noise!r}")
    share = noise / 100.0  # 0 .. 0.5
    rng = np.random.default_rng(seed)
    if name == "circle":  # radii 1 and 0.5 -> 5 and 2.5
        X, y = load_dataset("circles", n_samples, 0.2 * share, seed=seed, factor=0.5)
        X = _scaled(X, (0.0, 0.0), 1.0)
    elif name == "xor":  # quadrants of [-1, 1]^2 -> [-5, 5]^2
        X, y = load_dataset("xor", n_samples, 0.3 * share, seed=seed)
        X = _scaled(X, (0.0, 0.0), 1.0)
    elif name == "spiral":  # two arms of radius 1 -> 5
        X, y = load_dataset("spiral", n_samples, 0.2 * share, seed=seed, n_classes=2)
        X = _scaled(X, (0.0, 0.0), 1.0)
    elif name == "moons":  # x1 in [-1, 2], x2 in [-0.5, 1] -> about [-4.5, 4.5] x [-2.5, 2.5]
        X, y = load_dataset("moons", n_samples, 0.3 * share, seed=seed)
        X = _scaled(X, (0.5, 0.25), 1.65)
    elif name == "gauss":  # class 1 around (2, 2), class 0 around (-2, -2)
        y = rng.permutation(np.arange(n_samples) % 2)
        centres = np.where(y[:, None] == 1, 2.0, -2.0)
        X = centres + (0.5 + 3.0 * share) * rng.standard_normal((n_samples, 2))
    else:
        X = rng.uniform(-RADIUS, RADIUS, size=(n_samples, 2))
        target = regression_target(name, X[:, 0], X[:, 1])
        y = np.clip(target + 2.0 * share * rng.standard_normal(n_samples), -1.0, 1.0)
        return X, y
    return np.clip(X, -DOMAIN, DOMAIN), np.asarray(y, dtype=np.int64)


def regression_target(name: str, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """The noiseless regression target: plane (x1 + x2) / 12; multi-gauss
    sum_k s_k exp(-|x - c_k|^2 / (2 * 1.6^2)), clipped to [-1, 1]."""
    if name == "plane":
        return np.clip((x1 + x2) / (2 * DOMAIN), -1.0, 1.0)
    if name == "multi-gauss":
        total = np.zeros_like(x1)
        for c1, c2, sign in _BUMPS:
            total += sign * np.exp(-((x1 - c1) ** 2 + (x2 - c2) ** 2) / (2 * 1.6**2))
        return np.clip(total, -1.0, 1.0)
    raise ValueError(f"{name!r} is not a regression dataset; expected one of {REGRESSION}")


def features(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The input features ``names`` of the points ``X`` (n, 2): an array (n, len(names))."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.stack([FEATURES[name][1](x1, x2) for name in names], axis=1)


def split(
    X: np.ndarray, y: np.ndarray, train_percent: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first ``train_percent`` % of the (already shuffled) points train, the rest test."""
    n_train = min(max(1, round(len(X) * train_percent / 100)), len(X) - 1)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]
