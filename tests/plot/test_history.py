"""Training curves: loss and accuracy per epoch (Agg backend, conftest)."""

from __future__ import annotations

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest

from minitorch_nn.data import load_dataset
from minitorch_nn.plot import plot_history, save_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def assert_real_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    image = mpimg.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].var() > 1e-3  # not a blank canvas


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
