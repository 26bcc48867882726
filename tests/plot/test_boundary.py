"""Decision boundaries: labels from predictor output, the grid, the picture (Agg, conftest)."""

from __future__ import annotations

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest

from minitorch_nn.data import load_dataset
from minitorch_nn.plot import (
    class_colors,
    class_margins,
    decision_grid,
    grid_bounds,
    plot_decision_boundary,
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
