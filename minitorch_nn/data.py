"""Toy 2-D datasets and minibatching, in plain numpy arrays (no engine imports).

Every dataset is a pair ``X`` of shape ``(n_samples, 2)`` (float64) and ``y`` of shape
``(n_samples,)`` (int64 class labels ``0..k-1``), reproducible from ``seed``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = [
    "DataLoader",
    "list_datasets",
    "load_dataset",
    "standardize",
    "train_test_split",
]

Arrays = tuple[np.ndarray, np.ndarray]


# --------------------------------------------------------------------------- validation


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def _check_noise(noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise}")
    return float(noise)


def _class_sizes(n_samples: int, n_classes: int) -> list[int]:
    """Split n_samples as evenly as possible over n_classes (first classes get the extra)."""
    base, extra = divmod(n_samples, n_classes)
    return [base + (1 if k < extra else 0) for k in range(n_classes)]


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Arrays:
    order = rng.permutation(len(y))
    return X[order], y[order]


def _sk_seed(rng: np.random.Generator, seed: int | None) -> int:
    """scikit-learn takes an int random_state; pass the user's seed through unchanged so that
    ``load_dataset("moons", seed=s)`` equals ``make_moons(random_state=s)``."""
    return int(rng.integers(2**31 - 1)) if seed is None else int(seed)


# --------------------------------------------------------------------------- generators


def _moons(n: int, noise: float, seed: int | None, rng: np.random.Generator, **_: Any) -> Arrays:
    from sklearn.datasets import make_moons  # imported on use: keeps CLI start-up fast

    X, y = make_moons(n_samples=n, noise=noise, random_state=_sk_seed(rng, seed))
    return X, y


def _circles(
    n: int, noise: float, seed: int | None, rng: np.random.Generator, factor: float = 0.5, **_: Any
) -> Arrays:
    if not (isinstance(factor, (int, float)) and 0 < factor < 1):
        raise ValueError(f"circles: factor must be in (0, 1), got {factor!r}")
    from sklearn.datasets import make_circles

    X, y = make_circles(
        n_samples=n, noise=noise, factor=float(factor), random_state=_sk_seed(rng, seed)
    )
    return X, y


def _blobs(
    n: int, noise: float, seed: int | None, rng: np.random.Generator, n_classes: int = 3, **_: Any
) -> Arrays:
    """k Gaussian clusters, centres evenly spaced on a circle of radius 2,
    per-coordinate standard deviation ``0.5 + noise``."""
    angles = 2 * np.pi * np.arange(n_classes) / n_classes + np.pi / 2
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (k, 2)
    y = np.repeat(np.arange(n_classes), _class_sizes(n, n_classes))
    X = centres[y] + (0.5 + noise) * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def _xor(n: int, noise: float, seed: int | None, rng: np.random.Generator, **_: Any) -> Arrays:
    """Points uniform in the four unit quadrants; class 1 where the coordinates' signs differ
    (x0 * x1 < 0), then Gaussian noise of std ``noise`` added to the coordinates."""
    y = rng.permutation(np.arange(n) % 2)
    sign0 = rng.choice([-1.0, 1.0], size=n)
    sign1 = np.where(y == 1, -sign0, sign0)
    magnitudes = rng.uniform(0.05, 1.0, size=(n, 2))
    X = np.stack([sign0, sign1], axis=1) * magnitudes + noise * rng.standard_normal((n, 2))
    return X, y


def _spiral(
    n: int, noise: float, seed: int | None, rng: np.random.Generator, n_classes: int = 3, **_: Any
) -> Arrays:
    """The CS231n spiral: class j has radius r in [0, 1] and angle theta in [4j, 4(j+1)]
    plus Gaussian angular noise of std ``2 * noise`` (noise=0.1 gives CS231n's 0.2);
    a point is ``r * (sin theta, cos theta)``."""
    Xs, ys = [], []
    for j, size in enumerate(_class_sizes(n, n_classes)):
        r = np.linspace(0.0, 1.0, size)
        theta = np.linspace(4.0 * j, 4.0 * (j + 1), size) + 2 * noise * rng.standard_normal(size)
        Xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        ys.append(np.full(size, j))
    return _shuffled(np.concatenate(Xs), np.concatenate(ys), rng)


_Generator = Callable[..., Arrays]

# name -> (generator, number of classes or None when set by `n_classes`, one-line description)
_DATASETS: dict[str, tuple[_Generator, int | None, str]] = {
    "moons": (_moons, 2, "two interleaving half circles (scikit-learn make_moons)"),
    "circles": (_circles, 2, "a small circle inside a large one (make_circles, factor=0.5)"),
    "blobs": (_blobs, None, "k Gaussian clusters, n_classes=3 by default"),
    "xor": (_xor, 2, "four quadrants, class 1 where the signs of x0 and x1 differ"),
    "spiral": (_spiral, None, "the CS231n spiral, n_classes=3 arms by default"),
}


def list_datasets() -> list[str]:
    """Names accepted by :func:`load_dataset`."""
    return list(_DATASETS)


def describe_datasets() -> dict[str, str]:
    """One-line description of each dataset, keyed by name."""
    return {name: entry[2] for name, entry in _DATASETS.items()}


def load_dataset(
    name: str,
    n_samples: int = 200,
    noise: float = 0.1,
    seed: int | None = 0,
    *,
    n_classes: int | None = None,
    factor: float = 0.5,
) -> Arrays:
    """Generate a 2-D classification dataset.

    Returns ``X`` float64 of shape ``(n_samples, 2)`` and ``y`` int64 of shape
    ``(n_samples,)`` with labels ``0..k-1``; classes are as balanced as ``n_samples`` allows.
    The same ``seed`` gives the same arrays; ``seed=None`` draws fresh randomness.
    ``n_classes`` applies to ``blobs`` and ``spiral`` (default 3; the others have 2);
    ``factor`` is the inner/outer radius ratio of ``circles``.
    """
    if name not in _DATASETS:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(_DATASETS)}")
    generator, fixed_classes, _ = _DATASETS[name]
    if fixed_classes is None:
        k = _check_int("n_classes", 3 if n_classes is None else n_classes, 2)
    else:
        if n_classes is not None and n_classes != fixed_classes:
            raise ValueError(
                f"dataset {name!r} has {fixed_classes} classes, got n_classes={n_classes!r}"
            )
        k = fixed_classes
    n = _check_int("n_samples", n_samples, k)
    noise_value = _check_noise(noise)
    if seed is not None:
        _check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    X, y = generator(n, noise_value, seed, rng, n_classes=k, factor=factor)
    return np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y, dtype=np.int64)


# --------------------------------------------------------------------------- preprocessing


def _check_xy(X: Any, y: Any, who: str) -> Arrays:
    X_arr = np.asarray(X, dtype=np.float64)
    y_arr = np.asarray(y)
    if X_arr.ndim != 2:
        raise ValueError(f"{who}: X must be 2-D (n_samples, n_features), got shape {X_arr.shape}")
    if y_arr.ndim < 1:
        raise ValueError(f"{who}: y must have one entry per sample, got a scalar {y_arr!r}")
    if len(X_arr) != len(y_arr):
        raise ValueError(
            f"{who}: X and y must have the same length, got {len(X_arr)} and {len(y_arr)}"
        )
    return X_arr, y_arr


def train_test_split(
    X: Any, y: Any, test_size: float | int = 0.25, seed: int | None = 0, stratify: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``test_size`` is a fraction in (0, 1) or a count in [1, n-1]. With ``stratify`` the class
    proportions are kept in both parts when every class has at least two samples and both parts
    can hold one of each class; otherwise the split is plain random.
    """
    X_arr, y_arr = _check_xy(X, y, "train_test_split")
    n = len(y_arr)
    if isinstance(test_size, bool) or not isinstance(
        test_size, (int, float, np.integer, np.floating)
    ):
        raise ValueError(f"test_size must be a fraction in (0, 1) or a count, got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        if not 1 <= test_size <= n - 1:
            raise ValueError(f"test_size as a count must be in [1, {n - 1}], got {test_size}")
        n_test = int(test_size)
    else:
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be in (0, 1), got {test_size}")
        n_test = math.ceil(test_size * n)
        if not 1 <= n_test <= n - 1:
            raise ValueError(
                f"test_size={test_size} of {n} samples leaves an empty train or test set"
            )
    strata = None
    if stratify and y_arr.ndim == 1:
        _, counts = np.unique(y_arr, return_counts=True)
        n_cls = len(counts)
        if counts.min() >= 2 and n_cls <= n_test and n_cls <= n - n_test and n_cls < n:
            strata = y_arr
    from sklearn.model_selection import train_test_split as _split

    X_tr, X_te, y_tr, y_te = _split(
        X_arr, y_arr, test_size=n_test, random_state=seed, stratify=strata
    )
    return X_tr, X_te, y_tr, y_te


def standardize(
    X: Any, mean: Any | None = None, std: Any | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-feature z-score: ``X_std = (X - mean) / std``; returns ``(X_std, mean, std)``.

    Without ``mean``/``std`` they are fitted on ``X`` (a constant column gets std 1, so it maps
    to 0 instead of dividing by zero). Pass the returned pair to transform new points or a grid
    the same way.
    """
    X_arr = np.asarray(X, dtype=np.float64)
    if X_arr.ndim != 2 or len(X_arr) == 0:
        raise ValueError(f"standardize: X must be 2-D with at least one row, got {X_arr.shape}")
    if (mean is None) != (std is None):
        raise ValueError("standardize: pass both mean and std (to reuse a fit) or neither")
    if mean is None:
        mean_arr = X_arr.mean(axis=0)
        std_arr = X_arr.std(axis=0)
        std_arr = np.where(std_arr > 0, std_arr, 1.0)
    else:
        mean_arr = np.asarray(mean, dtype=np.float64)
        std_arr = np.asarray(std, dtype=np.float64)
        expected = (X_arr.shape[1],)
        if mean_arr.shape != expected or std_arr.shape != expected:
            raise ValueError(
                f"standardize: mean and std must have shape {expected}, "
                f"got {mean_arr.shape} and {std_arr.shape}"
            )
        if not np.all(std_arr > 0):
            raise ValueError(f"standardize: std must be positive, got {std_arr}")
    return (X_arr - mean_arr) / std_arr, mean_arr, std_arr


# --------------------------------------------------------------------------- batching


class DataLoader:
    """Iterate ``(X_batch, y_batch)`` numpy minibatches; one pass over it is one epoch.

    Every sample appears exactly once per epoch; the last batch keeps the remainder
    (``len(loader) == ceil(n_samples / batch_size)``). With ``shuffle`` each epoch draws a new
    order from ``np.random.default_rng(seed)``, so the sequence of epochs is reproducible.
    """

    def __init__(
        self, X: Any, y: Any, batch_size: int, shuffle: bool = True, seed: int | None = None
    ) -> None:
        X_arr, y_arr = _check_xy(X, y, "DataLoader")
        if len(X_arr) == 0:
            raise ValueError("DataLoader: X is empty; expected at least one sample")
        if not np.all(np.isfinite(X_arr)):
            bad = np.argwhere(~np.isfinite(X_arr))[0]
            raise ValueError(
                f"DataLoader: X contains NaN or inf (first at row {bad[0]}, column {bad[1]}); "
                "expected finite values"
            )
        if y_arr.dtype.kind in "fc" and not np.all(np.isfinite(y_arr)):
            raise ValueError("DataLoader: y contains NaN or inf; expected finite values")
        self.batch_size = _check_int("batch_size", batch_size, 1)
        self.X = X_arr
        self.y = y_arr
        self.shuffle = bool(shuffle)
        self.seed = seed
        self._rng = np.random.default_rng(seed)

    @property
    def n_samples(self) -> int:
        return len(self.y)

    def __len__(self) -> int:
        return -(-self.n_samples // self.batch_size)

    def __iter__(self) -> Iterator[Arrays]:
        n = self.n_samples
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, self.n_samples, self.batch_size):
            idx = order[start : start + self.batch_size]
            yield self.X[idx], self.y[idx]  # (batch, n_features), (batch,)

    def __repr__(self) -> str:
        return (
            f"DataLoader(n_samples={self.n_samples}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, seed={self.seed})"
        )
