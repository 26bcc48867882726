"""The training GIF: a callback that records the decision grid during ``fit``, and the
animation of the boundary changing over training, drawn as the still picture is."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .boundary import (
    Bounds,
    accuracy_title,
    check_points,
    class_colors,
    class_margins,
    draw_points,
    draw_regions,
    grid_bounds,
    grid_output,
    grid_predictor,
    style_axes,
    to_labels,
)
from .files import temporary_sibling

__all__ = ["BoundaryRecorder", "animate_training", "frame_title"]


class BoundaryRecorder:
    """Training callback that stores the decision grid over ``X`` every ``every`` epochs.

    ``frames`` is a list of ``(epoch, grid_labels)`` with ``grid_labels`` of shape
    ``(resolution, resolution)`` over ``bounds``; ``margins`` holds, per frame, the class
    margin fields (see :func:`class_margins`) that draw smooth borders; ``logs`` the epoch's
    History record. Pass the recorder to :func:`animate_training`. The state at the end of
    training is always recorded. With ``include_initial`` (the default) the model as it is
    before training is recorded first, as epoch 0 (``fit`` numbers epochs from 1).
    """

    def __init__(
        self, X: Any, every: int = 1, resolution: int = 100, include_initial: bool = True
    ) -> None:
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be an integer >= 1, got {every!r}")
        self.bounds = grid_bounds(X)
        self.every = int(every)
        self.resolution = int(resolution)
        self.include_initial = include_initial
        self.frames: list[tuple[int, np.ndarray]] = []
        self.margins: list[np.ndarray] = []
        self.logs: list[dict[str, Any]] = []
        self._calls = 0
        self._last: tuple[int, dict[str, Any]] | None = None

    def _record(self, epoch: int, model: Any, logs: Mapping[str, Any] | None) -> None:
        predictor = grid_predictor(model)
        xx, _, raw = grid_output(predictor, self.bounds, self.resolution)
        labels = to_labels(raw, predictor.scores)
        n_classes = int(max(2, labels.max() + 1, raw.shape[1] if raw.ndim == 2 else 2))
        margins = class_margins(raw, n_classes, predictor.scores)
        self.frames.append((int(epoch), labels.reshape(xx.shape).astype(np.int16)))
        self.margins.append(margins.reshape(n_classes, *xx.shape).astype(np.float32))
        self.logs.append(dict(logs or {}))

    def on_train_begin(self, model: Any, history: Any = None) -> None:
        self.frames, self.margins, self.logs, self._calls, self._last = [], [], [], 0, None
        if self.include_initial:
            self._record(0, model, {})

    def on_epoch_end(self, epoch: int, model: Any, logs: Mapping[str, Any] | None = None) -> None:
        self._calls += 1
        if (self._calls - 1) % self.every == 0:
            self._record(epoch, model, logs)
            self._last = None
        else:
            self._last = (int(epoch), dict(logs or {}))

    def on_train_end(self, model: Any, history: Any = None) -> None:
        if self._last is not None:  # the final epoch fell between two recordings
            epoch, logs = self._last
            self._record(epoch, model, logs)
            self._last = None


def frame_title(epoch: int, logs: Mapping[str, Any]) -> str:
    """A title from an epoch's History record: "epoch 40: loss 0.1234" and, on a second line,
    "accuracy 97.5%" (or "accuracy 97.5% train, 95.0% validation"); "before training" for
    epoch 0. The training GIF's frames and the CLI's decision_boundary.png use it."""
    if epoch == 0 and not logs:
        return "before training"
    title = f"epoch {epoch}"
    if isinstance(logs.get("loss"), (int, float)):
        title += f": loss {logs['loss']:.4g}"
    if isinstance(logs.get("accuracy"), (int, float)):
        val = logs.get("val_accuracy")
        title += "\n" + accuracy_title(logs["accuracy"], val if isinstance(val, float) else None)
    return title


def _frame_fields(
    frames: Any, bounds: Bounds, resolution: int
) -> tuple[list[str], list[np.ndarray]]:
    """Per frame: its title and its class margin fields ``(n_classes, rows, cols)``."""
    titles, fields = [], []
    logs: list[dict[str, Any]] = []
    margins: list[np.ndarray] = []
    if isinstance(frames, BoundaryRecorder):
        logs, margins = frames.logs, frames.margins
        frames = frames.frames
    if len(frames) == 0:
        raise ValueError("animate_training needs at least one frame, got none")
    for i, frame in enumerate(frames):
        if callable(frame) or hasattr(frame, "parameters"):
            predictor = grid_predictor(frame)
            xx, _, raw = grid_output(predictor, bounds, resolution)
            labels = to_labels(raw, predictor.scores)
            n_classes = int(max(2, labels.max() + 1, raw.shape[1] if raw.ndim == 2 else 2))
            field = class_margins(raw, n_classes, predictor.scores).reshape(n_classes, *xx.shape)
            titles.append(f"step {i + 1}")
        else:
            epoch, grid = frame
            grid = np.asarray(grid)
            if grid.ndim != 2:
                raise ValueError(f"frame {i}: grid labels must be 2-D, got shape {grid.shape}")
            if i < len(margins) and margins[i].shape[1:] == grid.shape:
                field = margins[i]
            else:  # labels only: +-0.5 fields, borders halfway between grid cells
                n_classes = int(max(2, grid.max() + 1))
                field = class_margins(grid.reshape(-1).astype(np.int64), n_classes)
                field = field.reshape(n_classes, *grid.shape)
            titles.append(frame_title(int(epoch), logs[i] if i < len(logs) else {}))
        fields.append(field)
    shapes = {f.shape[1:] for f in fields}
    if len(shapes) != 1:
        raise ValueError(f"all frames must have the same grid shape, got {sorted(shapes)}")
    return titles, fields


def animate_training(
    frames: Any,
    X: Any,
    y: Any,
    path: str | os.PathLike[str],
    fps: float = 5,
    resolution: int = 100,
    bounds: Bounds | None = None,
    dpi: int = 120,
    hold: float = 2.0,
    X_val: Any = None,
    y_val: Any = None,
) -> Path:
    """Write a GIF of the decision boundary changing over training, drawn as
    :func:`plot_decision_boundary` draws it (same size at the same ``dpi``); each frame shows
    for ``1 / fps`` seconds and the last one for ``hold`` seconds more.

    ``frames`` is a :class:`BoundaryRecorder`, its ``.frames`` list of ``(epoch, grid_labels)``
    (the grid is rebuilt from ``X`` unless ``bounds`` is given, so pass the ``X`` the recorder
    saw), or a list of models / predict callables evaluated at ``resolution``. Validation
    points ``(X_val, y_val)`` are drawn hollow. Returns the path.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from PIL import Image  # noqa: PLC0415 - matplotlib's own dependency

    target = Path(path)
    if target.suffix.lower() != ".gif":
        raise ValueError(
            f"animate_training writes a GIF; expected a path ending in .gif, got {target}"
        )
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= 100:
        raise ValueError(f"fps must be a number in (0, 100], got {fps!r}")
    if isinstance(hold, bool) or not isinstance(hold, (int, float)) or not 0 <= hold <= 60:
        raise ValueError(f"hold must be a number of seconds in [0, 60], got {hold!r}")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    X_arr, y_arr = check_points(X, y)
    assert y_arr is not None
    Xv, yv = (None, None) if X_val is None else check_points(X_val, y_val)
    if bounds is None:
        bounds = frames.bounds if isinstance(frames, BoundaryRecorder) else grid_bounds(X_arr)
    titles, fields = _frame_fields(frames, bounds, resolution)
    top_label = [int(y_arr.max()) + 1, max(len(f) for f in fields)]
    if yv is not None:
        top_label.append(int(yv.max()) + 1)
    colors = class_colors(max(2, *top_label))
    rows, cols = fields[0].shape[1:]
    xx, yy = np.meshgrid(
        np.linspace(bounds[0], bounds[1], cols), np.linspace(bounds[2], bounds[3], rows)
    )

    fig = Figure(figsize=(6.0, 5.6), dpi=dpi)  # as plot_decision_boundary's figure
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    draw_points(ax, X_arr, y_arr, colors, Xv, yv)
    style_axes(ax, bounds)
    ax.legend(loc="best", fontsize="small", framealpha=0.85)
    # one crop for every frame: the tight box around the figure with its tallest title
    title = ax.set_title(max(titles, key=lambda t: (t.count("\n"), len(t))))
    canvas.draw()
    crop = fig.get_tightbbox(canvas.get_renderer()).padded(0.1)

    images = []
    for text, field in zip(titles, fields):
        regions = draw_regions(ax, xx, yy, field, colors)
        title.set_text(text)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches=crop)
        buffer.seek(0)
        with Image.open(buffer) as image:
            images.append(image.convert("RGB"))
        for artist in regions:
            artist.remove()
    frame_ms = round(1000 / fps)
    durations = [frame_ms] * len(images)
    durations[-1] += round(1000 * hold)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(target)
    try:
        images[0].save(
            tmp, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0
        )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
