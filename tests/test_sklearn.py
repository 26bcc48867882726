"""MLPClassifier / MLPRegressor: scikit-learn's own estimator checks, plus the habits of its
users (Pipeline, GridSearchCV, cross_val_score, string labels, clear errors)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_moons
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from minitorch_nn import checkpoint
from minitorch_nn.sklearn import MLPClassifier, MLPRegressor
from minitorch_nn.tensor import nn as tnn
from minitorch_nn.train import decision_function

# Small settings so the whole check suite runs in seconds on the default Tensor engine.
CHECK_SETTINGS = dict(hidden_layer_sizes=(8,), epochs=40, learning_rate=0.05, random_state=0)

# Checks expected to fail, with the reason (scikit-learn marks them xfail; strict below).
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {"MLPClassifier": {}, "MLPRegressor": {}}


def _expected_failed(estimator):
    return EXPECTED_FAILED_CHECKS[type(estimator).__name__]


@parametrize_with_checks(
    [MLPClassifier(**CHECK_SETTINGS), MLPRegressor(**CHECK_SETTINGS)],
    expected_failed_checks=_expected_failed,
    xfail_strict=True,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# --------------------------------------------------------------------------- behaviour
def moons(n=60, seed=0):
    X, y = make_moons(n, noise=0.1, random_state=seed)
    return X, y


@pytest.mark.parametrize("engine", ["scalar", "tensor"])
def test_classifier_learns_moons_with_string_labels(engine):
    X, y = moons(80)
    labels = np.array(["left", "right"])[y]
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), epochs=60, learning_rate=0.05, engine=engine, random_state=0
    ).fit(X, labels)
    assert list(clf.classes_) == ["left", "right"]
    assert clf.n_features_in_ == 2
    assert clf.score(X, labels) > 0.85
    assert set(clf.predict(X)) <= {"left", "right"}
    proba = clf.predict_proba(X)
    assert proba.shape == (80, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # predict is the more likely class; the decision score is the model's raw logit
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.decision_function(X), decision_function(clf.model_, X))


def test_multiclass_uses_one_score_per_class():
    X, y = make_blobs(60, centers=3, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(8,), epochs=30, engine="scalar", random_state=0)
    clf.fit(X, y + 10)
    assert list(clf.classes_) == [10, 11, 12]
    assert clf.decision_function(X).shape == (60, 3)
    assert clf.model_.nouts == [8, 3]
    assert clf.score(X, y + 10) > 0.8


def test_model_is_a_minitorch_model_that_checkpoints(tmp_path):
    X, y = moons(40)
    clf = MLPClassifier(hidden_layer_sizes=(4,), epochs=5, random_state=0)
    clf.fit(X, y)
    assert isinstance(clf.model_, tnn.MLP)
    assert len(clf.history_["loss"]) == 5
    path = tmp_path / "clf.npz"
    checkpoint.save_model(clf.model_, path)
    again = checkpoint.load_model(path)
    np.testing.assert_array_equal(decision_function(again, X), clf.decision_function(X))


@pytest.mark.parametrize("engine", ["scalar", "tensor"])
def test_regressor_fits_a_line_with_standardised_targets(engine):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = 100.0 + 30.0 * X[:, 0] - 20.0 * X[:, 1]
    reg = MLPRegressor(hidden_layer_sizes=(8,), epochs=80, engine=engine, random_state=0)
    assert reg.fit(X, y) is reg
    assert reg.score(X, y) > 0.95
    assert reg.y_mean_ == pytest.approx(y.mean())
    assert reg.predict(X).shape == (60,)


def test_same_random_state_same_model_and_clone_is_unfitted():
    X, y = moons(30)
    a = MLPClassifier(hidden_layer_sizes=(4,), epochs=3, engine="scalar", random_state=3)
    b = clone(a)
    assert not hasattr(b, "model_")
    a.fit(X, y)
    b.fit(X, y)
    assert a.model_.state_dict() == b.model_.state_dict()


def test_default_engine_is_tensor_and_matches_scalar_start():
    X, y = moons(40)
    clf = MLPClassifier(hidden_layer_sizes=(5,), epochs=1, random_state=1).fit(X, y)
    assert clf.engine == "tensor"
    assert type(clf.model_.parameters()[0]).__name__ == "Tensor"
    scalar = MLPClassifier(hidden_layer_sizes=(5,), epochs=1, random_state=1, engine="scalar")
    scalar.fit(X, y)  # same seed, same initial draws, one identical full-batch Adam step
    np.testing.assert_allclose(
        clf.decision_function(X), scalar.decision_function(X), rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize("engine", ["scalar", "tensor"])
def test_pipeline_gridsearch_and_cross_val_score(engine):
    X, y = moons(48)
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(6,), epochs=15, engine=engine, random_state=0),
    )
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    grid = GridSearchCV(
        pipe, {"mlpclassifier__learning_rate": [0.001, 0.1]}, cv=2, error_score="raise"
    )
    grid.fit(X, y)
    assert grid.best_params_["mlpclassifier__learning_rate"] in (0.001, 0.1)
    assert grid.best_estimator_[-1].model_.nin == 2


def test_clear_errors():
    X, y = moons(20)
    clf = MLPClassifier(hidden_layer_sizes=(3,), epochs=2, engine="scalar")
    with pytest.raises(NotFittedError):
        clf.predict(X)
    with pytest.raises(ValueError, match="1 class"):
        clf.fit(X, np.zeros(20))
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(np.where(X > 0.5, np.nan, X), y)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="3 features.*expecting 2"):
        clf.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, np.linspace(0, 1, 20))
    with pytest.raises(ValueError, match="handles 2 classes, got 3"):
        MLPClassifier(loss="hinge", engine="scalar").fit(X, np.arange(20) % 3)
    with pytest.raises(ValueError, match="engine must be one of"):
        MLPClassifier(engine="gpu").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be positive"):
        MLPClassifier(hidden_layer_sizes=(0,), engine="scalar").fit(X, y)
    with pytest.raises(ValueError, match="loss must be one of"):
        MLPRegressor(loss="hinge", engine="scalar").fit(X, y)
