"""Checks of what the estimators are given: their parameters (a ValueError that names the first
bad one and what it expects), X and y (through scikit-learn's own validation, which also sets
and checks ``n_features_in_``), regression targets, and sample weights."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.utils import column_or_1d
from sklearn.utils import validation as _validation

from .network import ENGINES

SOLVERS = ("sgd", "adam")
ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
LEARNING_RATES = ("constant", "invscaling", "adaptive")
REGRESSOR_LOSSES = ("squared_error", "poisson")


# --------------------------------------------------------------------------- parameters
def is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_))


def is_real(x: Any) -> bool:
    """A real number that is neither a bool nor NaN."""
    return isinstance(x, numbers.Real) and not is_bool(x) and not math.isnan(x)


def is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not is_bool(x)


def check(ok: bool, name: str, value: Any, expected: str) -> None:
    """ValueError naming parameter ``name``, its ``value`` and what was ``expected``."""
    if not ok:
        raise ValueError(f"The {name!r} parameter must be {expected}; got {value!r}.")


def check_choice(name: str, value: Any, choices: Sequence[str]) -> None:
    check(isinstance(value, str) and value in choices, name, value, f"one of {list(choices)}")


def hidden_sizes(value: Any) -> list[int]:
    """``hidden_layer_sizes`` as a list of ints >= 1 (an int is one layer, () none)."""
    sizes = [value] if isinstance(value, (numbers.Integral, str)) else value
    try:
        sizes = list(sizes)
    except TypeError:
        sizes = [sizes]
    for n in sizes:
        if is_bool(n) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(
                f"hidden_layer_sizes must be an int >= 1 or a sequence of them, got {value!r} "
                f"(bad entry {n!r})"
            )
    return [int(n) for n in sizes]


def check_params(estimator: Any) -> list[int]:
    """ValueError naming the first bad parameter of ``estimator``; its hidden layer sizes
    otherwise. The regressor's ``loss`` is checked with its targets."""
    if estimator.solver == "lbfgs":
        raise ValueError(
            "solver='lbfgs' is not available in minitorch_nn.sklearn; the solvers are "
            f"{list(SOLVERS)} ('adam' is scikit-learn's default)"
        )
    check_choice("solver", estimator.solver, SOLVERS)
    check_choice("activation", estimator.activation, ACTIVATIONS)
    check_choice("learning_rate", estimator.learning_rate, LEARNING_RATES)
    check_choice("engine", estimator.engine, ENGINES)
    for name, lo, hi, interval in (
        ("alpha", 0.0, math.inf, "a float >= 0"),
        ("power_t", 0.0, math.inf, "a float >= 0"),
        ("tol", 0.0, math.inf, "a float >= 0"),
        ("momentum", 0.0, 1.0, "a float in [0, 1]"),
    ):
        value = getattr(estimator, name)
        check(is_real(value) and lo <= value <= hi, name, value, interval)
    for name in ("learning_rate_init", "epsilon"):
        value = getattr(estimator, name)
        check(is_real(value) and value > 0, name, value, "a float > 0")
    for name in ("validation_fraction", "beta_1", "beta_2"):
        value = getattr(estimator, name)
        check(is_real(value) and 0 <= value < 1, name, value, "a float in [0, 1)")
    for name in ("max_iter", "max_fun"):
        value = getattr(estimator, name)
        check(is_int(value) and value >= 1, name, value, "an int >= 1")
    n = estimator.n_iter_no_change
    check(
        (is_int(n) and n >= 1) or (is_real(n) and n == math.inf),
        "n_iter_no_change",
        n,
        "an int >= 1 or numpy.inf",
    )
    b = estimator.batch_size
    check(b == "auto" or (is_int(b) and b >= 1), "batch_size", b, "'auto' or an int >= 1")
    for name in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
        value = getattr(estimator, name)
        check(is_bool(value), name, value, "a bool")
    verbose = estimator.verbose
    check(is_bool(verbose) or is_int(verbose), "verbose", verbose, "a bool")
    return hidden_sizes(estimator.hidden_layer_sizes)


# --------------------------------------------------------------------------- data
def _validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
    """``sklearn.utils.validation.validate_data`` (scikit-learn >= 1.6), else the older
    ``estimator._validate_data``: both check X (and y), and set or check n_features_in_."""
    validate = getattr(_validation, "validate_data", None)
    if validate is not None:
        return validate(estimator, *args, **kwargs)
    return estimator._validate_data(*args, **kwargs)


def _dense(X: Any) -> Any:
    """Sparse X as a dense array: the engines take dense rows."""
    return X.toarray() if hasattr(X, "toarray") else X


def validate_X(estimator: Any, X: Any) -> np.ndarray:
    """Validated dense X (float64 or float32) for prediction, with the fitted width."""
    X = _validate_data(
        estimator, X, reset=False, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32)
    )
    return _dense(X)


def validate_Xy(estimator: Any, X: Any, y: Any, reset: bool, **kwargs: Any) -> tuple[Any, Any]:
    """Validated dense X (float64 or float32) and y (a column becomes 1-D, with a warning)."""
    X, y = _validate_data(
        estimator,
        X,
        y,
        reset=reset,
        multi_output=True,
        accept_sparse=["csr", "csc"],
        dtype=(np.float64, np.float32),
        **kwargs,
    )
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    return _dense(X), y


def regression_targets(loss: str, y: Any) -> np.ndarray:
    """y as floats (n, n_outputs), checked for ``loss``: 'poisson' needs y >= 0;
    'squared_error' needs a sum of squared errors that float64 can hold."""
    Y = np.asarray(y, dtype=np.float64)
    Y = Y.reshape(len(Y), -1)  # (n, n_outputs)
    if loss == "poisson" and np.any(Y < 0):
        raise ValueError("loss='poisson' needs targets y >= 0; y has negative values")
    if loss == "squared_error":
        # the epoch's loss sums up to n squared errors; keep that sum below float64's max
        limit = math.sqrt(np.finfo(np.float64).max / (4.0 * Y.size))
        largest = float(np.max(np.abs(Y)))
        if largest > limit:
            raise ValueError(
                f"y holds finite values up to {largest:.3g} in magnitude; the squared error "
                f"of {Y.size} such targets overflows float64 (largest usable magnitude "
                f"{limit:.3g}). Rescale y first, e.g. divide it by {largest:.1g}, and "
                "multiply the predictions back"
            )
    return Y


def sample_weights(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """``sample_weight`` as floats (n_samples,), each finite and >= 0, not all 0; or None."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {w.shape}, expected {(n_samples,)} (one weight per sample)"
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("sample_weight must be finite and >= 0 for every sample")
    if not np.any(w > 0):
        raise ValueError("sample_weight is zero for every sample; expected a weight > 0")
    return w
