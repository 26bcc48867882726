"""What scikit-learn's own MLP tests check for the 'sgd' and 'adam' solvers, on our estimators:
accuracy on its datasets, partial_fit, warm_start, early stopping, n_iter_no_change and tol,
loss_curve_, parameter validation, ConvergenceWarning, float32 inputs; plus code written for
sklearn.neural_network running unchanged, GridSearchCV over processes, and huge targets."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from minitorch_nn.sklearn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
IRIS_X = StandardScaler().fit_transform(IRIS_X)


def digits(n=200, n_class=3):
    X, y = load_digits(n_class=n_class, return_X_y=True)
    return MinMaxScaler().fit_transform(X[:n]), y[:n]


def logistic_loss(clf, X, y):
    """Our own computation of scikit-learn's training loss from coefs_ and intercepts_."""
    a = X
    for i, (W, b) in enumerate(zip(clf.coefs_, clf.intercepts_)):
        a = a @ W + b
        if i < len(clf.coefs_) - 1:
            a = np.maximum(a, 0.0)
    p = 1.0 / (1.0 + np.exp(-a[:, 0]))
    data = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    penalty = 0.5 * clf.alpha * sum(float((W**2).sum()) for W in clf.coefs_) / len(X)
    return data + penalty


# --------------------------------------------------------------------------- accuracy
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu"])
def test_learns_iris(solver, activation):
    clf = MLPClassifier(
        hidden_layer_sizes=(10,),
        activation=activation,
        solver=solver,
        learning_rate_init=0.1,
        max_iter=80,
        random_state=1,
    )
    assert clf.fit(IRIS_X, IRIS_Y).score(IRIS_X, IRIS_Y) > 0.9
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_learns_digits_and_breast_cancer(solver):
    X, y = digits()
    clf = MLPClassifier(hidden_layer_sizes=(20,), solver=solver, max_iter=40, random_state=1)
    clf.set_params(learning_rate_init=0.1 if solver == "sgd" else 0.01)
    assert clf.fit(X, y).score(X, y) > 0.95
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X[:200])
    clf.fit(X, y[:200])
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic"
    assert clf.score(X, y[:200]) > 0.95


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_regression_on_diabetes(solver):
    X, y = load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X[:150]), (y[:150] - y[:150].mean()) / y[:150].std()
    reg = MLPRegressor(
        hidden_layer_sizes=(30,),
        solver=solver,
        learning_rate_init=0.01,
        max_iter=150,
        random_state=1,
    )
    assert reg.fit(X, y).score(X, y) > 0.6
    assert reg.predict(X).shape == (150,)


def test_multilabel_gives_one_probability_per_label():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 3] > 0.5]).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.05, max_iter=80)
    clf.set_params(random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    assert clf.predict(X).shape == (80, 3) and clf.predict_proba(X).shape == (80, 3)
    assert clf.score(X, Y) > 0.8  # subset accuracy: every label right


# --------------------------------------------------------------------------- loss_
def test_loss_includes_the_l2_penalty_over_the_batch():
    X, y = IRIS_X[:100], IRIS_Y[:100]  # two classes
    for alpha in (0.0, 10.0):
        # a tiny learning rate keeps the weights where loss_ was measured
        clf = MLPClassifier(hidden_layer_sizes=(5,), solver="sgd", learning_rate_init=1e-300)
        clf.set_params(alpha=alpha, batch_size=100, max_iter=1, shuffle=False, random_state=0)
        clf.fit(X, y)
        assert clf.loss_ == pytest.approx(logistic_loss(clf, X, y), rel=1e-12)
        assert clf.loss_curve_ == [clf.loss_] and clf.best_loss_ == clf.loss_
        assert clf.t_ == 100 and clf.n_iter_ == 1 and clf.n_layers_ == 3
        assert [c.shape for c in clf.coefs_] == [(4, 5), (5, 1)]
        assert [b.shape for b in clf.intercepts_] == [(5,), (1,)]


def test_loss_curve_records_every_epoch():
    clf = MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05, tol=0.0)
    clf.set_params(max_iter=25, n_iter_no_change=100, random_state=0).fit(IRIS_X, IRIS_Y)
    assert clf.n_iter_ == 25 and len(clf.loss_curve_) == 25
    assert clf.loss_ == clf.loss_curve_[-1] and clf.best_loss_ == min(clf.loss_curve_)
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0]


# --------------------------------------------------------------------------- partial_fit
def test_partial_fit_needs_classes_first_and_then_keeps_them():
    clf = MLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(IRIS_X, IRIS_Y)
    clf.partial_fit(IRIS_X[:50], IRIS_Y[:50], classes=[0, 1, 2])  # only class 0 seen
    assert list(clf.classes_) == [0, 1, 2] and clf.predict_proba(IRIS_X).shape == (150, 3)
    clf.partial_fit(IRIS_X[50:], IRIS_Y[50:])
    assert clf.n_iter_ == 1 and clf.t_ == 150 and len(clf.loss_curve_) == 2
    with pytest.raises(ValueError, match=r"classes \[7\] that are not in classes_"):
        clf.partial_fit(IRIS_X[:3], [0, 1, 7])
    with pytest.raises(ValueError, match="differs from the classes of the first call"):
        clf.partial_fit(IRIS_X, IRIS_Y, classes=[0, 1])
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(IRIS_X, IRIS_Y, classes=[0, 1, 2])


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_epochs_equal_fit(solver):
    settings = dict(hidden_layer_sizes=(6,), solver=solver, learning_rate_init=0.05, shuffle=False)
    settings.update(tol=0.0, batch_size=40, random_state=3)
    fitted = MLPClassifier(max_iter=6, **settings).fit(IRIS_X, IRIS_Y)
    incremental = MLPClassifier(**settings)
    for _ in range(6):
        incremental.partial_fit(IRIS_X, IRIS_Y, classes=np.unique(IRIS_Y))
    np.testing.assert_array_equal(incremental.loss_curve_, fitted.loss_curve_)
    for a, b in zip(
        incremental.coefs_ + incremental.intercepts_, fitted.coefs_ + fitted.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    X, y = load_diabetes(return_X_y=True)
    y = y / 100.0
    reg = MLPRegressor(max_iter=4, **settings).fit(X[:80], y[:80])
    again = MLPRegressor(**settings)
    for _ in range(4):
        again.partial_fit(X[:80], y[:80])
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


# --------------------------------------------------------------------------- warm_start
def test_warm_start_continues_from_the_fitted_weights():
    clf = MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05, max_iter=5)
    clf.set_params(random_state=0, warm_start=True, tol=0.0).fit(IRIS_X, IRIS_Y)
    first = list(clf.loss_curve_)
    clf.fit(IRIS_X, IRIS_Y)
    assert clf.loss_curve_[:5] == first and len(clf.loss_curve_) == 10
    assert clf.n_iter_ == 5 and clf.t_ == 1500
    assert clf.loss_curve_[5] < first[0]  # it did not start again from fresh weights
    cold = MLPClassifier(**{**clf.get_params(), "warm_start": False}).fit(IRIS_X, IRIS_Y)
    assert cold.loss_curve_ == first
    with pytest.raises(ValueError, match="warm_start needs y with the same classes"):
        clf.fit(IRIS_X[:100], IRIS_Y[:100])


# --------------------------------------------------------------------------- stopping rules
def test_early_stopping_scores_a_held_out_split_and_keeps_the_best():
    X, y = digits(300)
    clf = MLPClassifier(hidden_layer_sizes=(10,), early_stopping=True, max_iter=200)
    clf.set_params(learning_rate_init=0.05, n_iter_no_change=3, random_state=0).fit(X, y)
    assert clf.best_loss_ is None and clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_ == len(clf.loss_curve_)
    assert clf.best_validation_score_ == max(clf.validation_scores_) > 0.9
    assert clf._no_improvement_count == 4  # n_iter_no_change + 1 epochs without progress
    assert clf.t_ == clf.n_iter_ * 270  # 10% of 300 samples held out
    plain = MLPClassifier(hidden_layer_sizes=(10,), max_iter=3, random_state=0).fit(X, y)
    assert plain.validation_scores_ is None and plain.best_validation_score_ is None


@pytest.mark.parametrize("n_iter_no_change", [2, 5, 10])
def test_training_stops_after_n_iter_no_change_epochs_within_tol(n_iter_no_change):
    X, y = digits(100, n_class=2)
    tol = 0.01
    clf = MLPClassifier(solver="sgd", tol=tol, n_iter_no_change=n_iter_no_change)
    clf.set_params(hidden_layer_sizes=(10,), max_iter=500, random_state=0).fit(X, y)
    assert clf.n_iter_ < 500
    assert clf._no_improvement_count == n_iter_no_change + 1
    losses = clf.loss_curve_
    for i in range(len(losses) - n_iter_no_change - 1, len(losses)):
        assert losses[i] > min(losses[:i]) - tol  # no epoch in the stall beat the best by tol


def test_n_iter_no_change_inf_runs_max_iter_and_warns():
    X, y = digits(100, n_class=2)
    clf = MLPClassifier(solver="sgd", tol=0.01, n_iter_no_change=np.inf, max_iter=30)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(30\) reached"):
        clf.set_params(hidden_layer_sizes=(5,), random_state=0).fit(X, y)
    assert clf.n_iter_ == 30


def test_adaptive_learning_rate_divides_by_five_until_tiny():
    X, y = digits(100, n_class=2)
    clf = MLPClassifier(solver="sgd", learning_rate="adaptive", tol=0.5, max_iter=500)
    clf.set_params(hidden_layer_sizes=(5,), n_iter_no_change=1, random_state=0).fit(X, y)
    assert clf.n_iter_ < 500 and clf._solver.learning_rate <= 1e-6
    invscaling = MLPClassifier(solver="sgd", learning_rate="invscaling", power_t=0.5)
    invscaling.set_params(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(X, y)
    assert invscaling._solver.learning_rate == pytest.approx(0.001 / (300 + 1) ** 0.5)


def test_convergence_warning_only_when_max_iter_is_reached():
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning, match="hasn't converged"):
        clf.fit(IRIS_X, IRIS_Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.partial_fit(IRIS_X, IRIS_Y)  # one epoch by design: no warning
        MLPClassifier(hidden_layer_sizes=(4,), tol=10.0, n_iter_no_change=1).fit(IRIS_X, IRIS_Y)


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "name, value",
    [
        ("hidden_layer_sizes", -1),
        ("hidden_layer_sizes", (5, 0)),
        ("activation", "softplus"),
        ("solver", "rmsprop"),
        ("alpha", -1.0),
        ("batch_size", 0),
        ("batch_size", "all"),
        ("learning_rate", "cosine"),
        ("learning_rate_init", 0.0),
        ("power_t", -0.5),
        ("max_iter", 0),
        ("max_iter", 2.5),
        ("shuffle", "yes"),
        ("tol", -1.0),
        ("momentum", 2.0),
        ("momentum", -0.5),
        ("nesterovs_momentum", "no"),
        ("early_stopping", 2),
        ("validation_fraction", 1.0),
        ("beta_1", 1.0),
        ("beta_2", -0.1),
        ("epsilon", -0.5),
        ("n_iter_no_change", -1),
        ("n_iter_no_change", 0),
        ("warm_start", None),
        ("engine", "gpu"),
    ],
)
def test_bad_parameters_are_value_errors_naming_the_parameter(name, value):
    for estimator in (MLPClassifier(max_iter=2), MLPRegressor(max_iter=2)):
        estimator.set_params(**{name: value})
        with pytest.raises(ValueError, match=name):
            estimator.fit(IRIS_X[:20], IRIS_Y[:20])


def test_lbfgs_is_refused_with_the_solvers_we_have():
    with pytest.raises(ValueError, match=r"solver='lbfgs' is not available.*\['sgd', 'adam'\]"):
        MLPClassifier(solver="lbfgs").fit(IRIS_X, IRIS_Y)


# --------------------------------------------------------------------------- float32
@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_float32_inputs_give_float32_parameters_and_outputs(Estimator):
    X, y = IRIS_X, IRIS_Y
    settings = dict(hidden_layer_sizes=(6,), max_iter=10, random_state=0)
    est32 = Estimator(**settings).fit(X.astype(np.float32), y)
    est64 = Estimator(**settings).fit(X, y)
    assert all(c.dtype == np.float32 for c in est32.coefs_ + est32.intercepts_)
    assert all(c.dtype == np.float64 for c in est64.coefs_ + est64.intercepts_)
    method = "predict_proba" if Estimator is MLPClassifier else "predict"
    out32 = getattr(est32, method)(X.astype(np.float32))
    out64 = getattr(est64, method)(X)
    assert out32.dtype == np.float32 and out64.dtype == np.float64
    np.testing.assert_allclose(out32, out64, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- huge targets
@pytest.mark.parametrize("scale", [1e160, 1e307, -1.7e308])
def test_huge_finite_targets_are_refused_clearly_never_called_nan_or_inf(scale):
    X = IRIS_X[:40]
    y = scale * (1.0 + 0.1 * IRIS_X[:40, 0])  # |1 + 0.1 x| < 1 here: all finite
    assert np.all(np.isfinite(y))
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="overflows float64.*Rescale y") as info:
        reg.fit(X, y)
    assert "NaN" not in str(info.value) and "infinity" not in str(info.value)
    assert not hasattr(reg, "model_")
    # rescaled as the message says, the same targets train and predict finite values
    factor = float(np.max(np.abs(y)))
    reg.set_params(max_iter=300, learning_rate_init=0.02).fit(X, y / factor)
    prediction = reg.predict(X) * factor
    assert np.all(np.isfinite(prediction))
    assert np.max(np.abs(prediction / y - 1.0)) < 0.3  # within 30%, of the right sign
    assert np.mean(prediction / factor) == pytest.approx(np.mean(y / factor), rel=0.05)


def test_large_but_safe_targets_train_to_finite_predictions():
    X = IRIS_X[:40]
    y = 1e100 * (1.0 + 0.1 * IRIS_X[:40, 0])
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(X, y)
    assert np.all(np.isfinite(reg.predict(X))) and np.isfinite(reg.loss_)


# --------------------------------------------------------------------------- drop-in
SKLEARN_SCRIPT = """
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.neural_network import MLPClassifier, MLPRegressor

X, y = load_digits(n_class=4, return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X[:300], y[:300], random_state=0)
clf = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32,), solver="sgd", learning_rate_init=0.05,
                  momentum=0.9, alpha=1e-3, batch_size=32, max_iter=30, early_stopping=True,
                  validation_fraction=0.2, n_iter_no_change=5, random_state=1),
)
clf.fit(X_train, y_train)
mlp = clf[-1]
result = {
    "accuracy": clf.score(X_test, y_test),
    "proba_shape": clf.predict_proba(X_test).shape,
    "coef_shapes": [c.shape for c in mlp.coefs_],
    "n_iter": mlp.n_iter_,
    "curve": len(mlp.loss_curve_) == len(mlp.validation_scores_) == mlp.n_iter_,
}
reg = MLPRegressor(hidden_layer_sizes=(16, 8), solver="adam", learning_rate_init=0.01,
                   max_iter=40, random_state=0)
reg.partial_fit(X_train / 16.0, y_train / 3.0)
reg.fit(X_train / 16.0, y_train / 3.0)
result["r2"] = reg.score(X_test / 16.0, y_test / 3.0)
"""


def run_script(source):
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        exec(compile(source, "<script>", "exec"), namespace)
    return namespace["result"]


def test_code_written_for_scikit_learn_runs_with_only_the_import_swapped():
    ours_source = SKLEARN_SCRIPT.replace(
        "from sklearn.neural_network import", "from minitorch_nn.sklearn import"
    )
    assert ours_source != SKLEARN_SCRIPT
    theirs, ours = run_script(SKLEARN_SCRIPT), run_script(ours_source)
    assert ours["accuracy"] > 0.9 and abs(ours["accuracy"] - theirs["accuracy"]) < 0.03
    assert ours["r2"] > 0.5 and abs(ours["r2"] - theirs["r2"]) < 0.05
    for key in ("proba_shape", "coef_shapes", "n_iter", "curve"):
        assert ours[key] == theirs[key], key


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
def test_parameters_are_scikit_learns_in_its_order_with_its_defaults(name):
    """The regressor spells out the shared parameters again after ``loss`` (scikit-learn reads
    them from __init__); both lists must stay scikit-learn's, then our ``engine``."""
    import inspect

    import sklearn.neural_network

    import minitorch_nn.sklearn

    def parameters(estimator):
        signature = inspect.signature(estimator)
        return [(p.name, p.default, p.kind) for p in signature.parameters.values()]

    theirs = parameters(getattr(sklearn.neural_network, name))
    ours = parameters(getattr(minitorch_nn.sklearn, name))
    assert ours == [*theirs, ("engine", "tensor", inspect.Parameter.KEYWORD_ONLY)]


def test_grid_search_over_two_processes_finds_the_expected_parameters():
    grid = {"learning_rate_init": [1e-5, 0.05], "hidden_layer_sizes": [(16,)]}
    clf = MLPClassifier(max_iter=30, random_state=0)
    search = GridSearchCV(clf, grid, cv=3, n_jobs=2, error_score="raise").fit(IRIS_X, IRIS_Y)
    assert search.best_params_ == {"learning_rate_init": 0.05, "hidden_layer_sizes": (16,)}
    assert search.cv_results_["mean_test_score"][0] < 0.7  # 1e-5 barely moves the weights
    assert search.best_score_ > 0.9
    serial = GridSearchCV(clf, grid, cv=3, n_jobs=1).fit(IRIS_X, IRIS_Y)
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


def test_verbose_prints_each_epoch_as_scikit_learn_does(capsys):
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, verbose=True, early_stopping=True)
    clf.set_params(random_state=0).fit(IRIS_X, IRIS_Y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Iteration 1, loss = {clf.loss_curve_[0]:.8f}"
    assert lines[1] == f"Validation score: {clf.validation_scores_[0]:f}"
    assert len(lines) == 4


@pytest.mark.parametrize("early_stopping", [False, True])
def test_sample_weight_weights_each_sample_as_scikit_learn_does(early_stopping):
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    weights = np.random.default_rng(0).uniform(0.0, 2.0, len(IRIS_Y))
    settings = dict(hidden_layer_sizes=(5,), max_iter=8, random_state=0)
    settings.update(early_stopping=early_stopping, learning_rate_init=0.01)
    theirs = SkMLPClassifier(**settings).fit(IRIS_X, IRIS_Y, sample_weight=weights)
    ours = MLPClassifier(**settings).fit(IRIS_X, IRIS_Y, sample_weight=weights)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    unweighted = MLPClassifier(**settings).fit(IRIS_X, IRIS_Y)
    assert abs(unweighted.loss_curve_[-1] - ours.loss_curve_[-1]) > 1e-6
    with pytest.raises(ValueError, match="sample_weight must be finite and >= 0"):
        MLPClassifier(**settings).fit(IRIS_X, IRIS_Y, sample_weight=-weights)
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(3,\), expected \(150,\)"):
        MLPRegressor(**settings).fit(IRIS_X, IRIS_Y, sample_weight=[1.0, 2.0, 3.0])


def test_ctrl_c_during_an_update_finishes_that_update_then_stops(monkeypatch):
    import os
    import signal

    from minitorch_nn.sklearn import solvers

    settings = dict(hidden_layer_sizes=(6,), solver="sgd", momentum=0.0, batch_size=150)
    settings.update(shuffle=False, tol=0.0, learning_rate_init=0.1, random_state=0)
    reference = MLPClassifier(max_iter=3, **settings).fit(IRIS_X, IRIS_Y)  # 3 whole steps

    original = solvers.SGD.update_params
    calls = []

    def interrupted_on_the_third_step(self, params, grads):
        calls.append(1)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)  # arrives as the third update starts
        original(self, params, grads)

    monkeypatch.setattr(solvers.SGD, "update_params", interrupted_on_the_third_step)
    clf = MLPClassifier(max_iter=10, **settings)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        clf.fit(IRIS_X, IRIS_Y)
    assert len(calls) == 3 and clf.n_iter_ == 2  # the third epoch never finished
    for ours, whole in zip(clf.coefs_ + clf.intercepts_, reference.coefs_ + reference.intercepts_):
        np.testing.assert_array_equal(ours, whole)  # the third update was applied in full
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
