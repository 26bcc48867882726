"""scikit-learn's MLP estimators on minitorch_nn: ``MLPClassifier`` and ``MLPRegressor``.

Code written for ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` runs with only the
import changed: the constructors take scikit-learn's parameters with its names, defaults and
meanings, and fitting sets its attributes. The network runs on a minitorch_nn engine, which
computes every gradient by backpropagation through its graph.

Accepted parameters (scikit-learn's): ``hidden_layer_sizes``, ``activation`` ('identity',
'logistic', 'tanh', 'relu'), ``solver`` ('sgd', 'adam'), ``alpha``, ``batch_size`` ('auto' =
min(200, n_samples), or an int), ``learning_rate`` ('constant', 'invscaling', 'adaptive'),
``learning_rate_init``, ``power_t``, ``max_iter``, ``shuffle``, ``random_state``, ``tol``,
``verbose``, ``warm_start``, ``momentum``, ``nesterovs_momentum``, ``early_stopping``,
``validation_fraction``, ``beta_1``, ``beta_2``, ``epsilon``, ``n_iter_no_change``, ``max_fun``
(accepted and checked; it only concerns 'lbfgs') and, for the regressor, ``loss``
('squared_error', 'poisson'); ``fit`` and ``partial_fit`` take ``sample_weight``. Our own
extra: ``engine`` ('tensor', the default, or 'scalar': the same numbers, one Value per number
and much slower).

Fitted attributes: ``classes_``, ``loss_``, ``loss_curve_``, ``best_loss_``,
``validation_scores_``, ``best_validation_score_``, ``n_iter_``, ``t_``, ``n_layers_``,
``n_outputs_``, ``out_activation_``, ``coefs_`` (arrays (n_in, n_out)), ``intercepts_``,
``n_features_in_``, and ``model_``: the trained minitorch_nn ``MLP`` (plots and checkpoints
work on it). Methods: ``fit``, ``partial_fit``, ``predict``, ``predict_proba``,
``predict_log_proba``, ``score``.

The training follows scikit-learn's rules, so a fit with the same ``random_state`` draws the
same starting weights and batches and follows the same loss curve (to rounding):

- weights start uniform in +-sqrt(6 / (n_in + n_out)) (2 instead of 6 for 'logistic');
- the loss is the output's loss plus ``0.5 * alpha * sum(W**2) / n_batch`` over the weights
  (not the intercepts): half the squared error for regression, the log loss of sigmoid
  (two classes, multilabel) or softmax (several classes) outputs for classification;
  ``loss_`` is its mean over the epoch's batches, weighted by batch size;
- 'sgd': ``v <- momentum * v - lr * g``, ``p <- p + v`` (Nesterov: ``p <- p + momentum * v
  - lr * g``); 'invscaling': ``lr = learning_rate_init / (t_ + 1) ** power_t`` after each
  epoch, ``t_`` counting the samples seen; 'adaptive': ``lr / 5`` each time the loss (or the
  validation score) stalls, stopping once ``lr <= 1e-6``;
- 'adam': ``lr_t = learning_rate_init * sqrt(1 - beta_2**t) / (1 - beta_1**t)``,
  ``p <- p - lr_t * m / (sqrt(v) + epsilon)``;
- training stops when the loss has not fallen below ``best_loss_ - tol`` (with
  ``early_stopping``: the score on the held-out ``validation_fraction`` has not risen above
  ``best_validation_score_ + tol``) for more than ``n_iter_no_change`` epochs; early stopping
  keeps the weights of the best validation score. Reaching ``max_iter`` first warns with
  ``sklearn.exceptions.ConvergenceWarning``.

What differs: 'lbfgs' is not offered (a ValueError names the solvers we have); sparse X is
made dense; float32 X gives float32 ``coefs_``,
``intercepts_`` and predictions as in scikit-learn, but the arithmetic is float64. A regressor
refuses ('squared_error') targets so large that their squared error would overflow float64,
where scikit-learn would train to inf or NaN.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import numbers
import signal
import threading
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from scipy.special import expit, xlogy
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d, gen_batches, shuffle
from sklearn.utils import validation as _validation
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted

from .. import nn, train
from ..engine import Value

ENGINES = ("tensor", "scalar")
SOLVERS = ("sgd", "adam")
ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
LEARNING_RATES = ("constant", "invscaling", "adaptive")
REGRESSOR_LOSSES = ("squared_error", "poisson")
# scikit-learn's hidden activation names -> minitorch_nn's
_HIDDEN = {"identity": None, "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


def _validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
    """``sklearn.utils.validation.validate_data`` (scikit-learn >= 1.6), else the older
    ``estimator._validate_data``: both check X (and y), and set or check n_features_in_."""
    validate = getattr(_validation, "validate_data", None)
    if validate is not None:
        return validate(estimator, *args, **kwargs)
    return estimator._validate_data(*args, **kwargs)


# --------------------------------------------------------------------------- parameters
def _hidden_sizes(value: Any) -> list[int]:
    """``hidden_layer_sizes`` as a list of ints >= 1 (an int is one layer, () none)."""
    sizes = [value] if isinstance(value, (numbers.Integral, str)) else value
    try:
        sizes = list(sizes)
    except TypeError:
        sizes = [sizes]
    for n in sizes:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(
                f"hidden_layer_sizes must be an int >= 1 or a sequence of them, got {value!r} "
                f"(bad entry {n!r})"
            )
    return [int(n) for n in sizes]


def _is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_))


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not _is_bool(x) and not math.isnan(x)


def _is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not _is_bool(x)


def _check(ok: bool, name: str, value: Any, expected: str) -> None:
    if not ok:
        raise ValueError(f"The {name!r} parameter must be {expected}; got {value!r}.")


def _check_choice(name: str, value: Any, choices: Sequence[str]) -> None:
    _check(isinstance(value, str) and value in choices, name, value, f"one of {list(choices)}")


# --------------------------------------------------------------------------- solvers
class _SGD:
    """scikit-learn's SGD rule on numpy arrays, in place: v <- momentum * v - lr * g;
    p <- p + v, or with Nesterov p <- p + momentum * v - lr * g.

    ``learning_rate`` is the current rate: 'invscaling' sets it to lr0 / (t + 1) ** power_t
    at each epoch's end (t = samples seen so far); 'adaptive' divides it by 5 whenever training
    stalls (``trigger_stopping``) and stops once it is <= 1e-6; 'constant' stops at once.
    """

    def __init__(
        self,
        params: list[np.ndarray],
        learning_rate_init: float,
        schedule: str,
        momentum: float,
        nesterov: bool,
        power_t: float,
    ) -> None:
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.schedule = schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = [np.zeros_like(p) for p in params]

    def update_params(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        lr, mu = self.learning_rate, self.momentum
        for p, v, g in zip(params, self.velocities, grads):
            v *= mu
            v -= lr * g
            p += mu * v - lr * g if self.nesterov else v

    def iteration_ends(self, time_step: int) -> None:
        if self.schedule == "invscaling":
            self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def trigger_stopping(self, message: str, verbose: Any) -> bool:
        if self.schedule != "adaptive":
            if verbose:
                print(f"{message} Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(f"{message} Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(f"{message} Setting learning rate to {self.learning_rate:f}")
        return False


class _Adam:
    """scikit-learn's Adam rule on numpy arrays, in place, at update t = 1, 2, ...:
    m <- beta_1 m + (1 - beta_1) g;  v <- beta_2 v + (1 - beta_2) g^2;
    lr_t = lr0 sqrt(1 - beta_2^t) / (1 - beta_1^t);  p <- p - lr_t m / (sqrt(v) + epsilon).
    (torch.optim.Adam adds its epsilon to sqrt(v_hat) instead, so the two differ slightly.)"""

    def __init__(
        self,
        params: list[np.ndarray],
        learning_rate_init: float,
        beta_1: float,
        beta_2: float,
        epsilon: float,
    ) -> None:
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]

    def update_params(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.learning_rate = self.learning_rate_init * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for p, m, v, g in zip(params, self.ms, self.vs, grads):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= self.learning_rate * m / (np.sqrt(v) + self.epsilon)

    def iteration_ends(self, time_step: int) -> None:
        """Adam's rate does not depend on the epoch."""

    def trigger_stopping(self, message: str, verbose: Any) -> bool:
        if verbose:
            print(f"{message} Stopping.")
        return True


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold a Ctrl-C (SIGINT) that arrives inside the block until the block has finished, then
    hand it to the previous handler (Python's raises KeyboardInterrupt): an update interrupted
    this way is applied to every parameter or, if the signal came first, to none. Outside the
    main thread, where signal handlers cannot be set, the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[Any] = []

    def hold(signum: int, frame: Any) -> None:
        held.append(frame)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held and callable(previous):
            previous(signal.SIGINT, held[0])


# --------------------------------------------------------------------------- the network
class _Network:
    """A minitorch_nn MLP seen as scikit-learn's ``coefs_ + intercepts_``: weight arrays
    (n_in, n_out) then bias arrays (n_out,). On the tensor engine these are the model's own
    arrays (the solver updates them in place); on the scalar engine they are copies, written
    back into the Values by ``store``."""

    def __init__(self, model: Any, engine: str) -> None:
        self.model = model
        self.engine = engine
        self.adapter = train.adapter_for(model, engine)

    @classmethod
    def build(
        cls, engine: str, layer_units: list[int], activation: str, rng: np.random.RandomState
    ) -> _Network:
        """A new MLP with scikit-learn's Glorot-uniform start, drawn from ``rng`` layer by
        layer (weights, then biases) as scikit-learn draws them."""
        factor = 2.0 if activation == "logistic" else 6.0
        arrays: list[np.ndarray] = []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            bound = math.sqrt(factor / (fan_in + fan_out))
            arrays.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
            arrays.append(rng.uniform(-bound, bound, fan_out))
        nouts = layer_units[1:]
        hidden = _HIDDEN[activation]
        if engine == "tensor":
            tensor_nn = importlib.import_module("minitorch_nn.tensor.nn")
            model = tensor_nn.MLP(layer_units[0], nouts, activation=hidden, seed=0)
        else:
            model = nn.MLP(layer_units[0], nouts, activation=hidden, seed=0)
        net = cls(model, engine)
        params = net.params()
        for p, a in zip(params, arrays[0::2] + arrays[1::2]):  # weights first, then biases
            p[...] = a
        net.store(params)
        return net

    def params(self) -> list[np.ndarray]:
        """[W_0, ..., W_L, b_0, ..., b_L] (the model's own arrays on the tensor engine)."""
        layers = self.model.layers
        if self.engine == "tensor":
            return [lay.weight.data for lay in layers] + [lay.bias.data for lay in layers]
        coefs, intercepts = [], []
        for layer in layers:
            coefs.append(np.array([[v.data for v in n.w] for n in layer.neurons]).T.copy())
            intercepts.append(np.array([n.b.data for n in layer.neurons], dtype=np.float64))
        return coefs + intercepts

    def store(self, params: list[np.ndarray]) -> None:
        """Write ``params`` (in the order of ``params()``) into the model."""
        layers = self.model.layers
        if self.engine == "tensor":
            for p, q in zip(self.params(), params):
                if p is not q:
                    p[...] = q
            return
        for layer, W, b in zip(layers, params[: len(layers)], params[len(layers) :]):
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    w.data = float(W[i, j])
                neuron.b.data = float(b[j])

    def logits(self, X: np.ndarray) -> np.ndarray:
        """The last layer's outputs before the output activation, no graph: (n, n_outputs)."""
        scores = train.decision_function(self.model, X, engine=self.engine)
        return scores.reshape(len(X), -1)

    def forward(self, X: np.ndarray) -> tuple[Any, np.ndarray]:
        """(engine outputs with their graph, their values as an array (n, n_outputs))."""
        outputs = self.adapter.forward(self.model, X)
        return outputs, self.adapter.scores(outputs)

    def gradients(self, outputs: Any, delta: np.ndarray) -> list[np.ndarray]:
        """d(loss)/d(params) by backpropagation from d(loss)/d(outputs) = ``delta`` (n, k)."""
        self.model.zero_grad()
        if self.engine == "tensor":
            outputs.backward(delta)
            layers = self.model.layers
            return [lay.weight.grad for lay in layers] + [lay.bias.grad for lay in layers]
        # scalar: backward from sum(output * delta), whose gradient per output is delta
        surrogate: Any = 0.0
        for row, d_row in zip(outputs, delta.tolist()):
            for out, d in zip(row, d_row):
                surrogate = out * d + surrogate
        if isinstance(surrogate, Value):
            surrogate.backward()
        coefs, intercepts = [], []
        for layer in self.model.layers:
            coefs.append(np.array([[v.grad for v in n.w] for n in layer.neurons]).T.copy())
            intercepts.append(np.array([n.b.grad for n in layer.neurons], dtype=np.float64))
        return coefs + intercepts


# --------------------------------------------------------------------------- output layer
def _activate(name: str, Z: np.ndarray) -> np.ndarray:
    """The output activation of logits Z (n, k): identity, exp, logistic or softmax."""
    if name == "identity":
        return Z
    if name == "exp":
        return np.exp(Z)
    if name == "logistic":
        return expit(Z)
    e = np.exp(Z - Z.max(axis=1, keepdims=True))  # softmax
    return e / e.sum(axis=1, keepdims=True)


def _output_loss(name: str, Y: np.ndarray, P: np.ndarray, weights: np.ndarray | None) -> float:
    """scikit-learn's loss of outputs P (n, k) against targets Y (n, k), where mean is the
    mean over samples (weighted by ``weights`` when given): identity: 0.5 * mean((Y - P)^2)
    averaged over outputs; exp: sum_k mean(Y log(Y / P) - Y + P) (half Poisson deviance);
    logistic: -sum_k mean(Y log P + (1 - Y) log(1 - P)); softmax: -sum_k mean(Y log P), with P
    clipped to [eps, 1 - eps]."""
    if name == "identity":
        return float(0.5 * np.average((Y - P) ** 2, weights=weights, axis=0).mean())
    if name == "exp":
        return float(np.average(xlogy(Y, Y / P) - Y + P, weights=weights, axis=0).sum())
    eps = np.finfo(P.dtype).eps
    P = np.clip(P, eps, 1 - eps)
    terms = xlogy(Y, P) + xlogy(1 - Y, 1 - P) if name == "logistic" else xlogy(Y, P)
    return float(-np.average(terms, weights=weights, axis=0).sum())


def _sample_weights(sample_weight: Any, n_samples: int) -> np.ndarray | None:
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


# --------------------------------------------------------------------------- estimators
class _BaseMLP(BaseEstimator):
    """What both estimators share: parameters, the stochastic training loop, attributes."""

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        engine: str = "tensor",
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.engine = engine

    # ------------------------------------------------------------ checks
    def _check_params(self) -> list[int]:
        """ValueError naming the first bad parameter; the hidden layer sizes otherwise."""
        if self.solver == "lbfgs":
            raise ValueError(
                "solver='lbfgs' is not available in minitorch_nn.sklearn; the solvers are "
                f"{list(SOLVERS)} ('adam' is scikit-learn's default)"
            )
        _check_choice("solver", self.solver, SOLVERS)
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("learning_rate", self.learning_rate, LEARNING_RATES)
        _check_choice("engine", self.engine, ENGINES)
        for name, lo, hi, interval in (
            ("alpha", 0.0, math.inf, "a float >= 0"),
            ("power_t", 0.0, math.inf, "a float >= 0"),
            ("tol", 0.0, math.inf, "a float >= 0"),
            ("momentum", 0.0, 1.0, "a float in [0, 1]"),
        ):
            value = getattr(self, name)
            _check(_is_real(value) and lo <= value <= hi, name, value, interval)
        for name, interval in (
            ("learning_rate_init", "a float > 0"),
            ("epsilon", "a float > 0"),
        ):
            value = getattr(self, name)
            _check(_is_real(value) and value > 0, name, value, interval)
        for name in ("validation_fraction", "beta_1", "beta_2"):
            value = getattr(self, name)
            _check(_is_real(value) and 0 <= value < 1, name, value, "a float in [0, 1)")
        for name in ("max_iter", "max_fun"):
            value = getattr(self, name)
            _check(_is_int(value) and value >= 1, name, value, "an int >= 1")
        n = self.n_iter_no_change
        _check(
            (_is_int(n) and n >= 1) or (_is_real(n) and n == math.inf),
            "n_iter_no_change",
            n,
            "an int >= 1 or numpy.inf",
        )
        b: Any = self.batch_size
        _check(b == "auto" or (_is_int(b) and b >= 1), "batch_size", b, "'auto' or an int >= 1")
        for name in ("shuffle", "warm_start", "nesterovs_momentum", "early_stopping"):
            value = getattr(self, name)
            _check(_is_bool(value), name, value, "a bool")
        _check(_is_bool(self.verbose) or _is_int(self.verbose), "verbose", self.verbose, "a bool")
        return _hidden_sizes(self.hidden_layer_sizes)

    def _validate_X(self, X: Any) -> np.ndarray:
        """Validated dense X (float64 or float32) for prediction, with the fitted width."""
        X = _validate_data(
            self, X, reset=False, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32)
        )
        return X.toarray() if hasattr(X, "toarray") else X  # the engines take dense rows

    def _validate_Xy(self, X: Any, y: Any, reset: bool, **kwargs: Any) -> tuple[Any, Any]:
        """Validated dense X (float64 or float32) and y (a column becomes 1-D, with a warning)."""
        X, y = _validate_data(
            self,
            X,
            y,
            reset=reset,
            multi_output=True,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            **kwargs,
        )
        if hasattr(X, "toarray"):
            X = X.toarray()
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    # ------------------------------------------------------------ fitting
    def _targets(self, X: Any, y: Any, incremental: bool, reset: bool) -> Any:
        """(X, Y): validated X and the training targets as floats (n, n_outputs)."""
        raise NotImplementedError

    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Any:
        hidden = self._check_params()
        first_pass = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        X, Y = self._targets(X, y, incremental, reset=first_pass)
        weights = _sample_weights(sample_weight, len(X))
        layer_units = [X.shape[1], *hidden, Y.shape[1]]
        if not first_pass and self._layer_units != layer_units:
            raise ValueError(
                f"{type(self).__name__} was fitted with layer sizes {self._layer_units}; "
                f"the new data and parameters need {layer_units}. Refit without warm_start."
            )
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(layer_units, X.dtype)
        self._fit_stochastic(np.asarray(X, dtype=np.float64), Y, weights, incremental)
        if not all(np.all(np.isfinite(p)) for p in self._net.params()):
            raise ValueError(
                "training produced non-finite weights (inf or NaN); the inputs may hold "
                "values too large for this learning rate: scale X (and y), or lower "
                "learning_rate_init"
            )
        return self

    def _output_activation(self) -> str:
        raise NotImplementedError

    def _initialize(self, layer_units: list[int], dtype: np.dtype) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = layer_units[-1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        self._layer_units = layer_units
        self._dtype = np.dtype(dtype)
        self._net = _Network.build(self.engine, layer_units, self.activation, self._random_state)
        self.model_ = self._net.model
        self._best_params = [p.copy() for p in self._net.params()]
        self.loss_curve_: list[float] = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_: list[float] | None = []
            self.best_validation_score_: float | None = -np.inf
            self.best_loss_: float | None = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _new_solver(self, params: list[np.ndarray]) -> _SGD | _Adam:
        if self.solver == "sgd":
            return _SGD(
                params,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        return _Adam(params, self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon)

    def _batch_step(
        self, X: np.ndarray, Y: np.ndarray, weights: np.ndarray | None, params: list[np.ndarray]
    ) -> float:
        """One update on a batch; returns the batch loss (output loss plus the L2 term). With
        sample weights w, n below is sum(w) and each sample's terms are weighted."""
        n = len(X) if weights is None else float(weights.sum())
        outputs, Z = self._net.forward(X)
        P = _activate(self.out_activation_, Z)
        n_coefs = self.n_layers_ - 1
        penalty = sum(float(np.dot(W.ravel(), W.ravel())) for W in params[:n_coefs])
        loss = _output_loss(self.out_activation_, Y, P, weights) + 0.5 * self.alpha * penalty / n
        # d(loss)/d(logits) = w (P - Y) / n for each output activation with its own loss
        delta = P - Y if weights is None else (P - Y) * weights[:, None]
        grads = self._net.gradients(outputs, delta / n)
        grads = [
            g + (self.alpha / n) * W if i < n_coefs else g
            for i, (g, W) in enumerate(zip(grads, params))
        ]
        with _interrupts_held():  # a Ctrl-C lands between steps, never inside one
            self._solver.update_params(params, grads)
            self._net.store(params)
        return loss

    def _fit_stochastic(
        self, X: np.ndarray, Y: np.ndarray, weights: np.ndarray | None, incremental: bool
    ) -> None:
        params = self._net.params()
        if not incremental or not hasattr(self, "_solver"):
            self._solver = self._new_solver(params)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True; use fit")
        early_stopping = bool(self.early_stopping)
        if early_stopping:
            stratify = Y if (isinstance(self, ClassifierMixin) and Y.shape[1] == 1) else None
            arrays = (X, Y) if weights is None else (X, Y, weights)
            parts = train_test_split(
                *arrays,
                random_state=self._random_state,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
            X, X_val, Y, Y_val = parts[:4]
            weights, weights_val = (parts[4], parts[5]) if weights is not None else (None, None)
            if len(X_val) < 2:
                raise ValueError(
                    f"the validation set has {len(X_val)} sample(s), expected at least 2; "
                    "increase validation_fraction or the number of samples"
                )
            y_val = self._labels_of(Y_val)
        n_samples = len(X)
        sample_idx = np.arange(n_samples)
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            requested = int(self.batch_size)
            if requested > n_samples:
                warnings.warn(
                    f"batch_size={requested} is larger than the {n_samples} training "
                    "samples; using batches of all samples",
                    stacklevel=4,
                )
            batch_size = min(requested, n_samples)
        try:
            self.n_iter_ = 0
            for _ in range(self.max_iter):
                if self.shuffle:
                    sample_idx = shuffle(sample_idx, random_state=self._random_state)
                total = 0.0
                for batch in gen_batches(n_samples, batch_size):
                    idx = sample_idx[batch] if self.shuffle else batch
                    w = None if weights is None else weights[idx]
                    total += self._batch_step(X[idx], Y[idx], w, params) * (
                        batch.stop - batch.start
                    )
                self.n_iter_ += 1
                self.loss_ = total / n_samples
                self.t_ += n_samples
                self.loss_curve_.append(self.loss_)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                if early_stopping:
                    self._track_validation(X_val, y_val, weights_val, params)
                else:
                    self._track_loss()
                self._solver.iteration_ends(self.t_)
                if self._no_improvement_count > self.n_iter_no_change:
                    what = "Validation score" if early_stopping else "Training loss"
                    message = (
                        f"{what} did not improve more than tol={self.tol:f} for "
                        f"{self.n_iter_no_change} consecutive epochs."
                    )
                    if self._solver.trigger_stopping(message, self.verbose):
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                        "and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                        stacklevel=4,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=4)
        if early_stopping:  # keep the weights of the best validation score
            for p, best in zip(params, self._best_params):
                p[...] = best
            self._net.store(params)

    def _track_loss(self) -> None:
        """No improvement: the loss did not fall below best_loss_ - tol."""
        last = self.loss_curve_[-1]
        assert self.best_loss_ is not None
        if last > self.best_loss_ - self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        self.best_loss_ = min(self.best_loss_, last)

    def _track_validation(
        self, X_val: np.ndarray, y_val: Any, weights: np.ndarray | None, params: list[np.ndarray]
    ) -> None:
        """No improvement: the validation score did not rise above best + tol; the best
        weights are kept for the end."""
        score = self._score_on(X_val, y_val, weights)
        assert self.validation_scores_ is not None and self.best_validation_score_ is not None
        self.validation_scores_.append(score)
        if self.verbose:
            print(f"Validation score: {score:f}")
        if score < self.best_validation_score_ + self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        if score > self.best_validation_score_:
            self.best_validation_score_ = score
            self._best_params = [p.copy() for p in params]

    def _labels_of(self, Y: np.ndarray) -> Any:
        """What ``score`` compares predictions with, from training targets Y (n, k)."""
        raise NotImplementedError

    def _score_on(self, X: np.ndarray, y: Any, weights: np.ndarray | None) -> float:
        raise NotImplementedError

    # ------------------------------------------------------------ prediction
    def _outputs(self, X: Any, check_input: bool = True) -> np.ndarray:
        """The output layer's activations (n, n_outputs), in float64."""
        check_is_fitted(self, "model_")
        if check_input:
            X = self._validate_X(X)
        X = np.asarray(X, dtype=np.float64)
        return _activate(self.out_activation_, self._net.logits(X))

    # ------------------------------------------------------------ fitted weights
    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices, ``coefs_[i]`` of shape (n_in, n_out) for layer i (copies)."""
        if "model_" not in self.__dict__:
            raise AttributeError("coefs_ exists after fit; call fit first")
        params = self._net.params()[: self.n_layers_ - 1]
        return [p.astype(self._dtype, copy=True) for p in params]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors, ``intercepts_[i]`` of shape (n_out,) for layer i (copies)."""
        if "model_" not in self.__dict__:
            raise AttributeError("intercepts_ exists after fit; call fit first")
        params = self._net.params()[self.n_layers_ - 1 :]
        return [p.astype(self._dtype, copy=True) for p in params]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier`` on minitorch_nn.

    Sigmoid outputs with the binary log loss for two classes (one output, ``classes_[1]``
    when p > 0.5) and for multilabel indicator targets (one output per label); softmax outputs
    with the log loss for more classes. Labels may be any sortable values.
    """

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _targets(self, X: Any, y: Any, incremental: bool, reset: bool) -> Any:
        X, y = self._validate_Xy(X, y, reset=reset)
        check_classification_targets(y)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            binarizer = LabelBinarizer().fit(y)
            if len(binarizer.classes_) < 2:
                raise ValueError(
                    "MLPClassifier needs samples of at least 2 classes; got 1 class: "
                    f"{binarizer.classes_[0]!r}"
                )
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start needs y with the same classes as the previous fit: "
                        f"had {self.classes_.tolist()}, y has {classes.tolist()}"
                    )
            elif len(np.setdiff1d(classes, self.classes_)):
                raise ValueError(
                    f"y has classes {np.setdiff1d(classes, self.classes_).tolist()} that are "
                    f"not in classes_ {self.classes_.tolist()}"
                )
        Y = self._label_binarizer.transform(y).astype(np.float64)  # (n, n_outputs)
        return X, Y

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Train on X (n_samples, n_features) and labels y (n_samples,) or a label indicator
        matrix (n_samples, n_labels), optionally weighting each sample; returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> MLPClassifier:
        """One epoch over (X, y). The first call needs ``classes``: every label that will
        ever appear (``np.unique(y_all)``); later calls may leave it out."""
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            binarizer = LabelBinarizer()
            target_kind = np.asarray(y).ndim == 2 and np.asarray(y).shape[1] > 1
            binarizer.fit(y if target_kind else np.asarray(classes))
            if len(binarizer.classes_) < 2:
                raise ValueError(
                    "partial_fit needs at least 2 classes, got "
                    f"classes={np.asarray(classes).tolist()}"
                )
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
        elif classes is not None and not np.array_equal(
            np.unique(np.asarray(classes)), self.classes_
        ):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the first "
                f"call to partial_fit, {self.classes_.tolist()}"
            )
        return self._fit(X, y, sample_weight, incremental=True)

    def _labels_of(self, Y: np.ndarray) -> Any:
        return self._label_binarizer.inverse_transform(Y)

    def _score_on(self, X: np.ndarray, y: Any, weights: np.ndarray | None) -> float:
        pred = self._predict(X, check_input=False)
        return float(accuracy_score(y, pred, sample_weight=weights))

    def _predict(self, X: Any, check_input: bool = True) -> Any:
        P = self._outputs(X, check_input)
        return self._label_binarizer.inverse_transform(P.ravel() if P.shape[1] == 1 else P)

    def predict(self, X: Any) -> np.ndarray:
        """The predicted label of each row (from ``classes_``); a 0/1 indicator matrix for
        multilabel targets."""
        return np.asarray(self._predict(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n_samples, n_classes) probabilities in the order of ``classes_``: [1 - p, p] for two
        classes, the softmax for more, each label's own probability for multilabel."""
        P = self._outputs(X)
        if P.shape[1] == 1:
            P = np.column_stack([1.0 - P[:, 0], P[:, 0]])
        return P.astype(self._dtype, copy=False)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log(predict_proba(X))."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor: scikit-learn's ``MLPRegressor`` on minitorch_nn.

    loss 'squared_error' (identity outputs, half the mean squared error) or 'poisson' (exp
    outputs, half the Poisson deviance; y >= 0). y may have several columns.
    """

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        engine: str = "tensor",
    ) -> None:
        self.loss = loss
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            engine=engine,
        )

    def _output_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _targets(self, X: Any, y: Any, incremental: bool, reset: bool) -> Any:
        _check_choice("loss", self.loss, REGRESSOR_LOSSES)
        X, y = self._validate_Xy(X, y, reset=reset, y_numeric=True)
        Y = np.asarray(y, dtype=np.float64)
        Y = Y.reshape(len(Y), -1)  # (n, n_outputs)
        if self.loss == "poisson" and np.any(Y < 0):
            raise ValueError("loss='poisson' needs targets y >= 0; y has negative values")
        if self.loss == "squared_error":
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
        return X, Y

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Train on X (n_samples, n_features) and targets y (n_samples,) or
        (n_samples, n_outputs), optionally weighting each sample; returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch over (X, y), continuing from the current weights and solver state."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _labels_of(self, Y: np.ndarray) -> Any:
        return Y[:, 0] if Y.shape[1] == 1 else Y

    def _score_on(self, X: np.ndarray, y: Any, weights: np.ndarray | None) -> float:
        pred = self._predict(X, check_input=False)
        if not np.all(np.isfinite(pred)):
            return float("nan")
        return float(r2_score(y, pred, sample_weight=weights))

    def _predict(self, X: Any, check_input: bool = True) -> np.ndarray:
        P = self._outputs(X, check_input)
        return (P[:, 0] if P.shape[1] == 1 else P).astype(self._dtype, copy=False)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets: (n_samples,) for one target, else (n_samples, n_outputs)."""
        return self._predict(X)


__all__ = ["MLPClassifier", "MLPRegressor"]
