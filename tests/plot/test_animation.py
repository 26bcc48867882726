"""The training GIF: BoundaryRecorder during fit and animate_training (Agg backend, conftest)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from minitorch_nn.data import load_dataset
from minitorch_nn.plot import (
    BoundaryRecorder,
    animate_training,
    decision_grid,
    frame_title,
    plot_decision_boundary,
    save_figure,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def moons_scores(X):
    """A rough binary classifier for moons: float scores, label 1 where score > 0."""
    return 0.25 - X[:, 1]


def sector_labels(X):
    """Three-class labels by angle (the 'spiral' arms are not separated, so some are wrong)."""
    angle = np.arctan2(X[:, 1], X[:, 0]) + np.pi  # [0, 2 pi]
    return np.minimum((angle / (2 * np.pi / 3)).astype(int), 2)


def _rotating_predictor(step):
    w = np.array([np.cos(step / 2), np.sin(step / 2)])
    return lambda P: P @ w - 0.1


def test_recorder_stores_a_grid_every_k_epochs_and_the_last_one():
    X, y = load_dataset("moons", n_samples=40, seed=0)
    recorder = BoundaryRecorder(X, every=3, resolution=16)
    recorder.on_train_begin(_rotating_predictor(0), None)
    for epoch in range(1, 8):
        result = recorder.on_epoch_end(
            epoch, _rotating_predictor(epoch), {"loss": 1.0 / epoch, "accuracy": 0.5}
        )
        assert result is None  # never asks to stop
    recorder.on_train_end(_rotating_predictor(7), None)
    assert [epoch for epoch, _ in recorder.frames] == [0, 1, 4, 7]
    for epoch, grid in recorder.frames:
        assert grid.shape == (16, 16)
        _, _, expected = decision_grid(_rotating_predictor(epoch), recorder.bounds, 16)
        np.testing.assert_array_equal(grid, expected)
    assert recorder.logs[1] == {"loss": 1.0, "accuracy": 0.5}


def test_recorder_does_not_duplicate_a_recorded_last_epoch():
    X, _ = load_dataset("moons", n_samples=20, seed=0)
    recorder = BoundaryRecorder(X, every=2, resolution=8, include_initial=False)
    recorder.on_train_begin(None, None)
    for epoch in range(1, 4):
        recorder.on_epoch_end(epoch, _rotating_predictor(epoch), {})
    recorder.on_train_end(_rotating_predictor(3), None)
    assert [epoch for epoch, _ in recorder.frames] == [1, 3]
    with pytest.raises(ValueError, match="every"):
        BoundaryRecorder(X, every=0)


def test_animate_from_a_recorder_writes_a_gif(tmp_path):
    X, y = load_dataset("moons", n_samples=40, seed=0)
    recorder = BoundaryRecorder(X, every=1, resolution=16)
    recorder.on_train_begin(_rotating_predictor(0), None)
    for epoch in range(1, 4):
        recorder.on_epoch_end(epoch, _rotating_predictor(epoch), {"loss": 0.5, "accuracy": 0.9})
    recorder.on_train_end(_rotating_predictor(3), None)
    path = animate_training(recorder, X, y, tmp_path / "out" / "training.gif", fps=4)
    assert path.read_bytes()[:6] == b"GIF89a"
    with Image.open(path) as gif:
        assert gif.n_frames == 4
        first = np.asarray(gif.convert("RGB"), dtype=float)
        gif.seek(3)
        last = np.asarray(gif.convert("RGB"), dtype=float)
    assert first.var() > 10.0  # a picture, not a blank frame
    assert np.abs(first - last).mean() > 1.0  # the boundary moved
    assert list(tmp_path.joinpath("out").iterdir()) == [path]  # no temporary files left


def test_gif_frames_are_as_large_as_the_picture_and_the_last_is_held(tmp_path):
    X, y = load_dataset("moons", n_samples=40, seed=0)
    recorder = BoundaryRecorder(X, every=1, resolution=30)
    recorder.on_train_begin(_rotating_predictor(0), None)
    for epoch in (1, 2):
        recorder.on_epoch_end(epoch, _rotating_predictor(epoch), {"loss": 0.25, "accuracy": 0.9})
    assert [m.shape for m in recorder.margins] == [(2, 30, 30)] * 3  # smooth borders
    path = animate_training(
        recorder, X[:30], y[:30], tmp_path / "t.gif", fps=4, hold=2, X_val=X[30:], y_val=y[30:]
    )
    png = save_figure(
        plot_decision_boundary(
            _rotating_predictor(2),
            X[:30],
            y[:30],
            title=frame_title(2, recorder.logs[-1]),
            X_val=X[30:],
            y_val=y[30:],
        ),
        tmp_path / "t.png",
    )
    with Image.open(path) as gif, Image.open(png) as picture:
        assert gif.size == picture.size and gif.size[0] >= 600
        durations = []
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
    assert durations == [250, 250, 2250]
    assert frame_title(2, recorder.logs[-1]) == "epoch 2: loss 0.25\naccuracy 90.0%"
    assert frame_title(0, {}) == "before training"
    with pytest.raises(ValueError, match="hold"):
        animate_training(recorder, X, y, tmp_path / "u.gif", hold=-1)


def test_animate_from_frame_tuples_and_from_callables_three_classes(tmp_path):
    X, y = load_dataset("spiral", n_samples=60, seed=0)
    recorder = BoundaryRecorder(X, resolution=12, include_initial=False)
    for epoch in (1, 2):
        recorder.on_epoch_end(epoch, sector_labels, {})
    path = animate_training(recorder.frames, X, y, tmp_path / "tuples.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 2
    callables = [sector_labels, lambda P: (sector_labels(P) + 1) % 3, moons_scores]
    path = animate_training(callables, X, y, tmp_path / "callables.gif", resolution=12)
    with Image.open(path) as gif:
        assert gif.n_frames == 3


def test_animate_errors(tmp_path):
    X, y = load_dataset("moons", n_samples=20, seed=0)
    with pytest.raises(ValueError, match=r"\.gif"):
        animate_training([moons_scores], X, y, tmp_path / "a.png")
    with pytest.raises(ValueError, match="at least one frame"):
        animate_training([], X, y, tmp_path / "a.gif")
    with pytest.raises(ValueError, match="fps"):
        animate_training([moons_scores], X, y, tmp_path / "a.gif", fps=0)
    with pytest.raises(ValueError, match="same grid shape"):
        animate_training([(1, np.zeros((4, 4))), (2, np.zeros((5, 5)))], X, y, tmp_path / "a.gif")
    assert not any(tmp_path.iterdir())


def test_recorder_as_a_fit_callback(tmp_path):
    from minitorch_nn.nn import MLP
    from minitorch_nn.train import fit

    X, y = load_dataset("moons", n_samples=30, seed=0)
    recorder = BoundaryRecorder(X, every=2, resolution=10)
    fit(MLP(2, [4, 1], seed=0), X, y, epochs=3, verbose=False, callbacks=[recorder])
    assert [epoch for epoch, _ in recorder.frames] == [0, 1, 3]
    path = animate_training(recorder, X, y, tmp_path / "fit.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 3
