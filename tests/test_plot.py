"""Decision-boundary pictures, training curves and the training GIF (Agg backend, conftest)."""

from __future__ import annotations

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from minitorch_nn.data import load_dataset
from minitorch_nn.plot import (
    BoundaryRecorder,
    animate_training,
    class_colors,
    class_margins,
    decision_grid,
    frame_title,
    grid_bounds,
    plot_decision_boundary,
    plot_history,
    save_figure,
    to_labels,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def assert_real_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    image = mpimg.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].var() > 1e-3  # not a blank canvas


def misclassified_count(ax):
    rings = [c for c in ax.collections if c.get_gid() == "misclassified"]
    return 0 if not rings else len(rings[0].get_offsets())


# --------------------------------------------------------------------------- labels


def test_to_labels_rules():
    np.testing.assert_array_equal(to_labels(np.array([-0.3, 0.0, 2.5])), [0, 0, 1])
    np.testing.assert_array_equal(to_labels(np.array([[0.1, 0.9, 0.0], [3, 1, 2]])), [1, 0])
    np.testing.assert_array_equal(to_labels(np.array([[-1.5], [0.7]])), [0, 1])
    np.testing.assert_array_equal(to_labels([2, 0, 1]), [2, 0, 1])
    np.testing.assert_array_equal(to_labels(np.array([2.0, 0.0, 1.0])), [2, 0, 1])
    np.testing.assert_array_equal(to_labels(np.array([-1, 1, 1])), [0, 1, 1])
    np.testing.assert_array_equal(to_labels(np.array([True, False])), [1, 0])
    assert to_labels([0.5]).dtype == np.int64
    with pytest.raises(ValueError, match="-1/\\+1"):
        to_labels(np.array([-2, 0, 1]))
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(n, k\)"):
        to_labels(np.zeros((2, 2, 2)))


def test_class_margins_are_positive_exactly_on_the_predicted_class():
    scores = np.array([[0.2, 0.9, -1.0], [3.0, 1.0, 2.5]])
    np.testing.assert_allclose(class_margins(scores, 3), [[-0.7, 0.5], [0.7, -2.0], [-1.9, -0.5]])
    np.testing.assert_allclose(class_margins(np.array([-0.5, 2.0]), 2), [[0.5, -2.0], [-0.5, 2.0]])
    np.testing.assert_allclose(class_margins([2, 0], 3), [[-0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]])
    rng = np.random.default_rng(0)
    for output in (rng.normal(size=(50, 4)), rng.normal(size=50), rng.integers(0, 4, 50)):
        margins = class_margins(output, 4)
        np.testing.assert_array_equal(np.argmax(margins, axis=0), to_labels(output))
        assert np.all((margins > 0).sum(axis=0) <= 1)


def test_class_colors_are_distinct_for_few_and_many_classes():
    for k in (2, 3, 9, 15):
        colors = class_colors(k)
        assert len(colors) == k and len(set(colors)) == k


def test_grid_covers_the_data_with_a_margin():
    X = np.array([[0.0, -1.0], [2.0, 3.0]])
    x_min, x_max, y_min, y_max = grid_bounds(X)
    assert x_min < 0.0 and x_max > 2.0 and y_min < -1.0 and y_max > 3.0
    xx, yy, labels = decision_grid(lambda P: P[:, 0] - 1.0, (x_min, x_max, y_min, y_max), 7)
    assert xx.shape == yy.shape == labels.shape == (7, 7)
    np.testing.assert_array_equal(labels, (xx > 1.0).astype(int))


def test_decision_grid_checks_the_predictor_and_resolution():
    with pytest.raises(ValueError, match="returned 1 labels for 25 grid points"):
        decision_grid(lambda P: np.zeros(1), (0, 1, 0, 1), 5)
    with pytest.raises(ValueError, match="resolution"):
        decision_grid(lambda P: P[:, 0], (0, 1, 0, 1), 1)


# --------------------------------------------------------------------------- decision boundary


def test_binary_boundary_from_a_score_callable(tmp_path):
    X, y = load_dataset("moons", n_samples=80, noise=0.1, seed=0)
    expected_wrong = int(np.sum((moons_scores(X) > 0).astype(int) != y))
    assert expected_wrong > 0
    ax = plot_decision_boundary(moons_scores, X, y, resolution=40)
    assert misclassified_count(ax) == expected_wrong
    accuracy = 1 - expected_wrong / len(y)
    assert f"{accuracy:.1%}" in ax.get_title()
    assert ax.get_aspect() == 1.0
    x_lo, x_hi = ax.get_xlim()
    assert x_lo < X[:, 0].min() and x_hi > X[:, 0].max()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["class 0", "class 1", f"misclassified ({expected_wrong})"]
    path = save_figure(ax.figure, tmp_path / "binary.png")
    assert_real_png(path)


def test_three_class_boundary_from_a_label_callable(tmp_path):
    X, y = load_dataset("spiral", n_samples=90, seed=0)
    expected_wrong = int(np.sum(sector_labels(X) != y))
    ax = plot_decision_boundary(sector_labels, X, y, resolution=40, title="spiral")
    assert ax.get_title() == "spiral"
    assert misclassified_count(ax) == expected_wrong
    assert [t.get_text() for t in ax.get_legend().get_texts()][:3] == [
        "class 0",
        "class 1",
        "class 2",
    ]
    assert_real_png(save_figure(ax, tmp_path / "nested" / "dir" / "spiral.png"))


def test_boundary_with_argmax_scores_and_a_given_axes():
    X, y = load_dataset("blobs", n_samples=60, seed=0)
    centres = np.array([X[y == k].mean(axis=0) for k in range(3)])

    def nearest_centre_scores(P):
        return -((P[:, None, :] - centres[None]) ** 2).sum(axis=2)  # (n, 3)

    fig, axes = plt.subplots(1, 2)
    ax = plot_decision_boundary(nearest_centre_scores, X, y, ax=axes[1], resolution=30)
    assert ax is axes[1]
    assert misclassified_count(ax) == int(np.sum(nearest_centre_scores(X).argmax(1) != y))


def test_perfect_classifier_marks_nothing_and_pm1_targets_work():
    X, y = load_dataset("xor", n_samples=40, noise=0.0, seed=0)
    y_pm1 = 2 * y - 1  # hinge-loss targets
    ax = plot_decision_boundary(lambda P: -P[:, 0] * P[:, 1], X, y_pm1, resolution=30)
    assert misclassified_count(ax) == 0
    assert "100.0%" in ax.get_title()


def test_boundary_errors():
    X, y = load_dataset("moons", n_samples=20, seed=0)
    with pytest.raises(TypeError, match="callable"):
        plot_decision_boundary(42, X, y)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plot_decision_boundary(moons_scores, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="same length"):
        plot_decision_boundary(moons_scores, X, y[:-1])
    with pytest.raises(ValueError, match="NaN or inf"):
        plot_decision_boundary(moons_scores, np.full((3, 2), np.nan), np.zeros(3))


def test_model_scores_are_never_read_as_labels(monkeypatch):
    class ConstantModel:  # raw output 2.0 everywhere: a score (> 0 -> class 1), not label 2
        def parameters(self):
            return []

    import minitorch_nn.train as train

    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    monkeypatch.setattr(train, "decision_function", lambda model, P: np.full(len(P), 2.0))
    _, _, grid = decision_grid(ConstantModel(), grid_bounds(X), 4)
    np.testing.assert_array_equal(grid, 1)
    _, _, grid = decision_grid(lambda P: np.full(len(P), 2.0), grid_bounds(X), 4)
    np.testing.assert_array_equal(grid, 2)  # a callable's integral floats are labels


def test_boundary_from_a_model_uses_train_predict(tmp_path):
    from minitorch_nn.nn import MLP
    from minitorch_nn.train import predict

    X, y = load_dataset("moons", n_samples=30, seed=0)
    model = MLP(2, [4, 1], seed=0)
    ax = plot_decision_boundary(model, X, y, resolution=20)
    assert misclassified_count(ax) == int(np.sum(predict(model, X) != y))
    assert_real_png(save_figure(ax, tmp_path / "model.png"))


def test_validation_points_are_hollow_and_counted_in_the_title():
    X, y = load_dataset("moons", n_samples=60, seed=0)
    X_train, y_train, X_val, y_val = X[:45], y[:45], X[45:], y[45:]
    ax = plot_decision_boundary(moons_scores, X_train, y_train, X_val=X_val, y_val=y_val)
    hollow = [c for c in ax.collections if c.get_gid() == "validation"]
    assert len(hollow) == 1 and len(hollow[0].get_offsets()) == len(X_val)
    assert hollow[0].get_facecolors().size == 0  # no fill: only rings
    right = to_labels(moons_scores(X_train)) == y_train
    val_right = to_labels(moons_scores(X_val)) == y_val
    assert ax.get_title() == (
        f"accuracy {right.mean():.1%} train, {val_right.mean():.1%} validation"
    )
    # misclassified rings cover both sets; the picture covers the validation points too
    assert misclassified_count(ax) == int((~right).sum() + (~val_right).sum())
    x_min, x_max = ax.get_xlim()
    assert x_min < X_val[:, 0].min() and X_val[:, 0].max() < x_max
    assert "validation" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="both X_val and y_val"):
        plot_decision_boundary(moons_scores, X_train, y_train, X_val=X_val)


def test_a_scalar_models_grid_matches_its_own_predictions():
    # the grid runs on a tensor-engine copy; its labels are the model's labels
    from minitorch_nn.nn import MLP
    from minitorch_nn.train import predict

    X, _ = load_dataset("moons", n_samples=30, seed=0)
    model = MLP(2, [6, 6, 1], seed=1)
    xx, yy, labels = decision_grid(model, grid_bounds(X), resolution=25)
    points = np.column_stack([xx.ravel(), yy.ravel()])
    np.testing.assert_array_equal(labels.ravel(), predict(model, points))


# --------------------------------------------------------------------------- history


def _history_dict(n=12, with_val=True):
    rows = []
    for i in range(n):
        row = {"epoch": i + 1, "loss": 1.0 / (i + 1), "accuracy": 0.5 + 0.04 * i}
        if with_val:
            row.update(val_loss=1.2 / (i + 1), val_accuracy=0.45 + 0.04 * i)
        row.update(lr=0.1, seconds=0.01)
        rows.append(row)
    return {"epochs": rows}


def _labels(ax):
    return [line.get_label() for line in ax.get_lines()]


def test_history_from_epoch_records(tmp_path):
    axes = plot_history(_history_dict())
    assert len(axes) == 2
    loss_ax, acc_ax = axes
    assert loss_ax.get_title() == "Loss" and acc_ax.get_title() == "Accuracy"
    assert _labels(loss_ax) == ["train (final 0.08333)", "validation (final 0.1)"]
    assert _labels(acc_ax) == ["train (final 94.0%)", "validation (final 89.0%)"]
    np.testing.assert_array_equal(loss_ax.get_lines()[0].get_xdata(), np.arange(1, 13))
    assert_real_png(save_figure(axes[0].figure, tmp_path / "history.png"))


def test_history_object_and_dict_of_lists():
    class FakeHistory:  # the shape of train.History
        def to_dict(self):
            return _history_dict(5, with_val=False)

    loss_ax, acc_ax = plot_history(FakeHistory())
    assert _labels(loss_ax) == ["train (final 0.2)"]
    loss_ax, acc_ax = plot_history({"loss": [3.0, 2.0, 1.0], "val_loss": [3.5, 2.5, None]})
    assert len(loss_ax.get_lines()) == 2
    assert acc_ax.texts[0].get_text() == "no accuracy recorded"


def test_history_from_a_real_fit_run():
    from minitorch_nn.nn import MLP
    from minitorch_nn.train import fit

    X, y = load_dataset("moons", n_samples=30, seed=0)
    history = fit(MLP(2, [4, 1], seed=0), X, y, epochs=3, verbose=False, X_val=X, y_val=y)
    loss_ax, acc_ax = plot_history(history)
    assert len(loss_ax.get_lines()) == 2 and len(acc_ax.get_lines()) == 2
    np.testing.assert_allclose(loss_ax.get_lines()[0].get_ydata(), history["loss"])


def test_accuracy_axis_fits_the_recorded_range():
    _, acc_ax = plot_history({"accuracy": [0.9, 0.95, 0.99, 1.0], "val_accuracy": [0.88, 0.97]})
    low, high = acc_ax.get_ylim()
    assert 0.8 < low < 0.88 and 1.0 <= high <= 1.01  # not flattened against 0%
    _, acc_ax = plot_history({"accuracy": [0.0, 0.5, 1.0]})
    low, high = acc_ax.get_ylim()
    assert -0.01 <= low <= 0.0 and 1.0 <= high <= 1.01  # never far beyond [0, 1]
    _, acc_ax = plot_history({"accuracy": [1.0, 1.0]})
    low, high = acc_ax.get_ylim()
    assert low < 1.0 <= high and high - low >= 0.05  # a flat line still gets a readable axis


def test_history_log_scale_for_a_loss_spanning_decades():
    loss_ax, _ = plot_history({"loss": [10.0, 1.0, 0.01]})
    assert loss_ax.get_yscale() == "log"


def test_history_into_given_axes_and_errors():
    fig, axes = plt.subplots(2, 1)
    returned = plot_history(_history_dict(3), axes=axes)
    assert list(returned) == list(axes)
    with pytest.raises(ValueError, match="2 Axes"):
        plot_history(_history_dict(3), axes=[axes[0]])
    with pytest.raises(ValueError, match="no 'loss' or 'accuracy'"):
        plot_history({"lr": [0.1, 0.1]})
    with pytest.raises(TypeError, match="History"):
        plot_history([1.0, 2.0])


# --------------------------------------------------------------------------- animation


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


# --------------------------------------------------------------------------- files


def test_save_figure_is_atomic_and_checks_its_input(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    target = tmp_path / "a" / "b.png"
    assert save_figure(fig, target, close=True) == target
    assert target.read_bytes()[:8] == PNG_SIGNATURE
    assert not plt.fignum_exists(fig.number)
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.png"]
    plain = target.parent / "plain.txt"
    plain.write_text("x")  # the permissions any new file gets here (umask), not mkstemp's 0600
    assert target.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    with pytest.raises(ValueError, match="suffix"):
        save_figure(plt.figure(), tmp_path / "noext")
    with pytest.raises(TypeError, match="Figure or Axes"):
        save_figure("figure", tmp_path / "x.png")
