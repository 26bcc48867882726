"""Training curves: loss and accuracy per epoch from a ``History`` or a dict of lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

__all__ = ["plot_history"]


def _history_columns(history: Any) -> dict[str, list[float]]:
    """History object, ``{"epochs": [per-epoch dicts]}`` or a dict of lists -> dict of lists."""
    data = history.to_dict() if hasattr(history, "to_dict") else history
    if not isinstance(data, Mapping):
        raise TypeError(
            "expected a History, a dict with 'epochs' or a dict of lists, "
            f"got {type(data).__name__}"
        )
    if (
        "epochs" in data
        and isinstance(data["epochs"], Sequence)
        and all(isinstance(row, Mapping) for row in data["epochs"])
    ):
        rows = data["epochs"]
        keys = {key for row in rows for key in row}
        columns = {key: [row.get(key) for row in rows] for key in keys}
    else:
        columns = {
            key: list(values) for key, values in data.items() if isinstance(values, Sequence)
        }
    return {
        key: [np.nan if v is None else float(v) for v in values]
        for key, values in columns.items()
        if all(v is None or isinstance(v, (int, float, np.number)) for v in values)
    }


def _plot_metric(ax: Axes, columns: dict[str, list[float]], key: str, epochs: list[float]) -> bool:
    drawn = False
    for name, style, label in ((key, "-", "train"), (f"val_{key}", "--", "validation")):
        values = columns.get(name)
        if not values or np.all(np.isnan(values)):
            continue
        xs = epochs if len(epochs) == len(values) else list(range(1, len(values) + 1))
        final = next(v for v in reversed(values) if not np.isnan(v))
        shown = f"{final:.1%}" if key == "accuracy" else f"{final:.4g}"
        ax.plot(xs, values, style, linewidth=1.8, label=f"{label} (final {shown})")
        drawn = True
    return drawn


def _accuracy_limits(columns: dict[str, list[float]]) -> tuple[float, float]:
    """The accuracy axis fits the recorded range (never beyond [0, 1]) with a small margin, at
    least 5 percentage points tall, so the last few points of progress stay visible."""
    values = np.array([v for k in ("accuracy", "val_accuracy") for v in columns.get(k, [])])
    values = values[np.isfinite(values)]
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 0.05:
        mid = min(max((lo + hi) / 2, 0.025), 0.975)
        lo, hi = mid - 0.025, mid + 0.025
    pad = 0.06 * (hi - lo)
    return max(lo - pad, -0.01), min(hi + pad, 1.01)


def plot_history(history_or_dict: Any, axes: Sequence[Axes] | None = None) -> np.ndarray:
    """Loss (left) and accuracy (right) per epoch, train solid and validation dashed; the
    legend gives each curve's final value. The accuracy axis fits the recorded range.

    Accepts a ``History``, its ``to_dict()`` or a plain dict of lists with keys ``loss``,
    ``accuracy``, ``val_loss``, ``val_accuracy`` (and optionally ``epoch``). Returns the 2 Axes.
    """
    columns = _history_columns(history_or_dict)
    if not columns.get("loss") and not columns.get("accuracy"):
        raise ValueError(
            f"history has no 'loss' or 'accuracy' values to plot; got keys {sorted(columns)}"
        )
    if axes is None:
        fig, axes_arr = plt.subplots(1, 2, figsize=(11.0, 4.2), layout="constrained")
        fig.suptitle("Training history")
    else:
        axes_arr = np.asarray(axes, dtype=object).reshape(-1)
        if axes_arr.size != 2:
            raise ValueError(f"axes must hold 2 Axes (loss, accuracy), got {axes_arr.size}")
    n_epochs = max(len(columns.get("loss", [])), len(columns.get("accuracy", [])))
    epochs = columns.get("epoch") or list(range(1, n_epochs + 1))
    loss_ax, acc_ax = axes_arr[0], axes_arr[1]

    if _plot_metric(loss_ax, columns, "loss", epochs):
        finite = np.array([v for k in ("loss", "val_loss") for v in columns.get(k, [])])
        finite = finite[np.isfinite(finite)]
        if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
            loss_ax.set_yscale("log")
        loss_ax.legend(fontsize="small")
    else:
        loss_ax.text(
            0.5, 0.5, "no loss recorded", ha="center", va="center", transform=loss_ax.transAxes
        )
    loss_ax.set_title("Loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("loss")

    if _plot_metric(acc_ax, columns, "accuracy", epochs):
        low, high = _accuracy_limits(columns)
        acc_ax.set_ylim(low, high)
        acc_ax.yaxis.set_major_formatter(
            PercentFormatter(1.0, decimals=0 if high - low > 0.1 else 1)
        )
        acc_ax.legend(fontsize="small", loc="lower right")
    else:
        acc_ax.text(
            0.5, 0.5, "no accuracy recorded", ha="center", va="center", transform=acc_ax.transAxes
        )
    acc_ax.set_title("Accuracy")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy")
    for ax in (loss_ax, acc_ax):
        ax.grid(True, alpha=0.3)
    return axes_arr
