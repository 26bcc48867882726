"""MLPClassifier / MLPRegressor: scikit-learn's own estimator checks, plus the habits of its
users (Pipeline, GridSearchCV, cross_val_score, string labels, clear errors)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris, make_blobs, make_moons
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from minitorch_nn.io import checkpoint
from minitorch_nn.sklearn import MLPClassifier, MLPRegressor
from minitorch_nn.tensor import nn as tnn
from minitorch_nn.train import decision_function

# Small settings so the whole check suite runs in seconds on the default Tensor engine.
CHECK_SETTINGS = dict(hidden_layer_sizes=(8,), max_iter=40, learning_rate_init=0.1, random_state=0)

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


FAST = dict(hidden_layer_sizes=(8,), learning_rate_init=0.05, random_state=0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("engine", ["scalar", "tensor"])
def test_classifier_learns_moons_with_string_labels(engine):
    X, y = moons(80)
    labels = np.array(["left", "right"])[y]
    clf = MLPClassifier(**FAST, max_iter=60, engine=engine).fit(X, labels)
    assert list(clf.classes_) == ["left", "right"]
    assert clf.n_features_in_ == 2 and clf.n_outputs_ == 1
    assert clf.out_activation_ == "logistic"
    assert clf.score(X, labels) > 0.85
    proba = clf.predict_proba(X)
    assert proba.shape == (80, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_engines_give_the_same_numbers():
    X, y = make_blobs(40, centers=3, random_state=0)
    settings = dict(hidden_layer_sizes=(5,), max_iter=4, batch_size=16, random_state=2)
    scalar = MLPClassifier(**settings, engine="scalar").fit(X, y)
    tensor = MLPClassifier(**settings).fit(X, y)
    assert tensor.engine == "tensor" and type(tensor.model_.parameters()[0]).__name__ == "Tensor"
    np.testing.assert_allclose(scalar.loss_curve_, tensor.loss_curve_, rtol=1e-12)
    for a, b in zip(scalar.coefs_ + scalar.intercepts_, tensor.coefs_ + tensor.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(scalar.predict_proba(X), tensor.predict_proba(X), rtol=1e-10)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "settings",
    [
        dict(solver="sgd", learning_rate="constant", momentum=0.9),
        dict(solver="sgd", learning_rate="invscaling", nesterovs_momentum=False),
        dict(solver="sgd", learning_rate="adaptive", learning_rate_init=0.5, n_iter_no_change=2),
        dict(solver="adam", alpha=0.1, beta_1=0.8, epsilon=1e-6),
        dict(solver="adam", activation="logistic", early_stopping=True),
        dict(solver="sgd", activation="tanh", shuffle=False, batch_size=7),
    ],
)
def test_same_loss_curve_as_scikit_learn(settings):
    """Same random_state: scikit-learn's starting weights, batches and update rules, so its
    loss curve and weights to rounding."""
    X, y = load_iris(return_X_y=True)
    kwargs = dict(hidden_layer_sizes=(6, 4), max_iter=15, random_state=0, batch_size=32)
    kwargs.update(settings)
    theirs = SkMLPClassifier(**kwargs).fit(X, y)
    ours = MLPClassifier(**kwargs).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert (ours.n_iter_, ours.t_, ours.n_layers_) == (theirs.n_iter_, theirs.t_, theirs.n_layers_)
    if theirs.best_loss_ is None:  # early stopping: the validation scores instead
        assert ours.best_loss_ is None
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
        assert ours.best_validation_score_ == theirs.best_validation_score_
    else:
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-9)
        assert ours.validation_scores_ is None and ours.best_validation_score_ is None
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-9)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_matches_scikit_learn_with_several_targets():
    X, y = load_diabetes(return_X_y=True)
    Y = np.column_stack([y, -0.5 * y]) / 100.0
    kwargs = dict(hidden_layer_sizes=(8,), max_iter=10, random_state=0, learning_rate_init=0.01)
    theirs = SkMLPRegressor(**kwargs).fit(X[:120], Y[:120])
    ours = MLPRegressor(**kwargs).fit(X[:120], Y[:120])
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert ours.predict(X[:5]).shape == (5, 2) and ours.out_activation_ == "identity"
    np.testing.assert_allclose(ours.predict(X[120:]), theirs.predict(X[120:]), atol=1e-9)


def test_model_is_a_minitorch_model_that_checkpoints(tmp_path):
    X, y = moons(40)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert isinstance(clf.model_, tnn.MLP)
    np.testing.assert_array_equal(clf.model_.layers[0].weight.data, clf.coefs_[0])
    path = tmp_path / "clf.npz"
    checkpoint.save_model(clf.model_, path)
    again = checkpoint.load_model(path)
    logits = decision_function(again, X)
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), clf.predict_proba(X)[:, 1])


def test_same_random_state_same_model_and_clone_is_unfitted():
    X, y = moons(30)
    a = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, engine="scalar", random_state=3)
    b = clone(a)
    assert not hasattr(b, "model_") and not hasattr(b, "coefs_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a.fit(X, y)
        b.fit(X, y)
    assert a.model_.state_dict() == b.model_.state_dict()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("engine", ["scalar", "tensor"])
def test_pipeline_gridsearch_and_cross_val_score(engine):
    X, y = moons(48)
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(6,), max_iter=15, engine=engine, random_state=0),
    )
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    grid = GridSearchCV(
        pipe, {"mlpclassifier__learning_rate_init": [0.001, 0.1]}, cv=2, error_score="raise"
    )
    grid.fit(X, y)
    assert grid.best_params_["mlpclassifier__learning_rate_init"] == 0.1
    assert grid.best_estimator_[-1].model_.nin == 2


def test_clear_errors():
    X, y = moons(20)
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, engine="scalar")
    with pytest.raises(NotFittedError):
        clf.predict(X)
    with pytest.raises(ValueError, match="1 class"):
        clf.fit(X, np.zeros(20))
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(np.where(X > 0.5, np.nan, X), y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    with pytest.raises(ValueError, match="3 features.*expecting 2"):
        clf.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, np.linspace(0, 1, 20))
    with pytest.raises(ValueError, match="'engine' parameter must be one of"):
        MLPClassifier(engine="gpu").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be an int >= 1"):
        MLPClassifier(hidden_layer_sizes=(0,)).fit(X, y)
    with pytest.raises(ValueError, match="'loss' parameter must be one of"):
        MLPRegressor(loss="hinge").fit(X, y)
