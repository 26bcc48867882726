"""What the page draws, as JSON-ready values: heatmaps, weights and the data's pictures.

The output and every neuron are evaluated over the square [-6, 6]^2 by the tensor engine from
the live weights (a scalar model is converted first), one grid row per heatmap row with
x2 = +6 at the top. A heatmap is sent as base64 bytes, one per cell: value v in [-1, 1] ->
round((v + 1) * 127.5). JSON has no NaN, so a diverged number is sent as null (losses) or
clipped (heatmaps, weights).
"""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine import no_grad
from ..tensor import Tensor
from .datasets import CLASSIFICATION, DOMAIN, REGRESSION, features, make_dataset

OUTPUT_GRID = 64  # the output heatmap: 64 x 64 cells
NEURON_GRID = 24  # each neuron's heatmap


def finite(x: float) -> float | None:
    """JSON has no NaN: a non-finite number becomes null."""
    return float(x) if math.isfinite(x) else None


def shown(values: Any) -> Any:
    """An array as nested lists for the page, 4 decimals; a diverged entry (NaN, inf) shows as
    0 or +-1e6, since JSON has no NaN."""
    array = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=1e6, neginf=-1e6)
    return np.clip(array, -1e6, 1e6).round(4).tolist()


def pixels(values: np.ndarray) -> str:
    """Values in [-1, 1] (clipped) as base64 bytes 0..255, row by row."""
    scaled = np.rint((np.clip(np.nan_to_num(values), -1.0, 1.0) + 1.0) * 127.5)
    return base64.b64encode(scaled.astype(np.uint8).tobytes()).decode("ascii")


def grid_points(size: int) -> np.ndarray:
    """Cell centres of a size x size grid over the square, row 0 at the top (x2 = +6):
    an array (size * size, 2) of (x1, x2)."""
    step = 2 * DOMAIN / size
    centres = -DOMAIN + step * (np.arange(size) + 0.5)
    x1, x2 = np.meshgrid(centres, centres[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


@functools.lru_cache(maxsize=64)
def thumbnail(dataset: str, noise: int) -> list[list[float]]:
    """150 points of ``dataset`` as [x1, x2, label] rows, for the page's dataset buttons."""
    X, y = make_dataset(dataset, 150, noise, seed=0)
    return np.round(np.column_stack([X, y]), 2).tolist()


def layer_outputs(model: Any, feature_names: Sequence[str], size: int) -> list[np.ndarray]:
    """Every layer's outputs of the tensor ``model`` over a size x size grid: arrays
    (size * size, n_out)."""
    x = Tensor(features(grid_points(size), feature_names))
    outputs = []
    with no_grad(), np.errstate(all="ignore"):  # a diverged model draws as saturated
        for layer in model.layers:
            x = layer(x)
            outputs.append(np.asarray(x.data))
    return outputs


def output_picture(scores: np.ndarray, loss: str) -> np.ndarray:
    """What the output heatmap shows, in [-1, 1]: 2 sigmoid(score) - 1 = tanh(score / 2)
    for cross-entropy (the probability of class 1, rescaled), else the score itself
    (its target is -1 or +1, or the regression value)."""
    return np.tanh(scores / 2) if loss == "bce" else scores


def model_pictures(model: Any, feature_names: Sequence[str], loss: str) -> dict[str, Any]:
    """The tensor ``model``'s output heatmap, each hidden neuron's heatmap, and its weights
    and biases, layer by layer."""
    output = layer_outputs(model, feature_names, OUTPUT_GRID)[-1][:, 0]
    hidden = layer_outputs(model, feature_names, NEURON_GRID)[:-1]
    return {
        "output": pixels(output_picture(output, loss)),
        "neurons": [[pixels(layer[:, j]) for j in range(layer.shape[1])] for layer in hidden],
        "weights": [shown(layer.weight.data) for layer in model.layers],
        "biases": [shown(layer.bias.data) for layer in model.layers],
    }


def data_pictures(feature_names: Sequence[str], problem: str, noise: int) -> dict[str, Any]:
    """Each input feature's heatmap (scaled to [-1, 1]), the grid sizes and the square, and
    a thumbnail of every dataset of ``problem``."""
    grid = features(grid_points(NEURON_GRID), feature_names)
    scale = np.max(np.abs(grid), axis=0)
    return {
        "inputs": [pixels(grid[:, j] / max(scale[j], 1e-12)) for j in range(grid.shape[1])],
        "output_grid": OUTPUT_GRID,
        "neuron_grid": NEURON_GRID,
        "domain": DOMAIN,
        "thumbnails": {
            name: thumbnail(name, noise)
            for name in (CLASSIFICATION if problem == "classification" else REGRESSION)
        },
    }
