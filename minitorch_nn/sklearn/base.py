"""What ``MLPClassifier`` and ``MLPRegressor`` share: scikit-learn's parameters, ``fit`` with its
stochastic epoch loop and stopping rules, and the fitted attributes.

One epoch, for each minibatch (X_b, Y_b) of the (shuffled) samples::

    Z = network(X_b);  P = output_activation(Z)            # (n_b, n_outputs)
    loss = output_loss(Y_b, P) + 0.5 * alpha * sum(W**2) / n_b
    grads = backprop(d loss / d Z = (P - Y_b) / n_b) + alpha * W / n_b
    solver.update_params(params, grads)

then ``loss_`` (the batches' mean), the stopping rule and the solver's schedule.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches, shuffle
from sklearn.utils.validation import check_is_fitted

from . import objective, validation
from .network import build_network
from .solvers import new_solver


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
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


class BaseMLP(BaseEstimator):
    """What both estimators share: parameters, the stochastic training loop, attributes.

    A subclass says what differs: ``_targets`` (validated X and float targets Y (n, k)),
    ``_output_activation``, ``_labels_of`` and ``_score_on`` (for early stopping).
    """

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

    # ------------------------------------------------------------ what a subclass says
    def _targets(self, X: Any, y: Any, incremental: bool, reset: bool) -> Any:
        """(X, Y): validated X and the training targets as floats (n, n_outputs)."""
        raise NotImplementedError

    def _output_activation(self) -> str:
        """The output activation: 'identity', 'exp', 'logistic' or 'softmax'."""
        raise NotImplementedError

    def _labels_of(self, Y: np.ndarray) -> Any:
        """What ``score`` compares predictions with, from training targets Y (n, k)."""
        raise NotImplementedError

    def _score_on(self, X: np.ndarray, y: Any, weights: np.ndarray | None) -> float:
        raise NotImplementedError

    # ------------------------------------------------------------ fitting
    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Any:
        hidden = validation.check_params(self)
        first_pass = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        X, Y = self._targets(X, y, incremental, reset=first_pass)
        weights = validation.sample_weights(sample_weight, len(X))
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

    def _initialize(self, layer_units: list[int], dtype: np.dtype) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = layer_units[-1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        self._layer_units = layer_units
        self._dtype = np.dtype(dtype)
        self._net = build_network(self.engine, layer_units, self.activation, self._random_state)
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

    def _batch_step(
        self, X: np.ndarray, Y: np.ndarray, weights: np.ndarray | None, params: list[np.ndarray]
    ) -> float:
        """One update on a batch; returns the batch loss (output loss plus the L2 term). With
        sample weights w, n is sum(w) and each sample's terms are weighted."""
        n = objective.total_weight(weights, len(X))
        coefs = params[: self.n_layers_ - 1]
        outputs, Z = self._net.forward(X)
        P = objective.activate(self.out_activation_, Z)
        loss = objective.penalized_loss(self.out_activation_, Y, P, weights, coefs, self.alpha, n)
        grads = self._net.gradients(outputs, objective.logits_gradient(Y, P, weights, n))
        grads = objective.add_penalty_gradient(grads, coefs, self.alpha, n)
        with interrupts_held():  # a Ctrl-C lands between steps, never inside one
            self._solver.update_params(params, grads)
            self._net.store(params)
        return loss

    def _epoch(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        weights: np.ndarray | None,
        sample_idx: np.ndarray,
        batch_size: int,
        params: list[np.ndarray],
    ) -> float:
        """One pass over the samples in the order ``sample_idx``, one update a batch; returns
        the mean of the batch losses weighted by batch size."""
        total = 0.0
        for batch in gen_batches(len(X), batch_size):
            idx = sample_idx[batch] if self.shuffle else batch
            w = None if weights is None else weights[idx]
            total += self._batch_step(X[idx], Y[idx], w, params) * (batch.stop - batch.start)
        return total / len(X)

    def _batch_size(self, n_samples: int) -> int:
        """'auto': min(200, n_samples); an int larger than n_samples warns and uses all."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        requested = int(self.batch_size)
        if requested > n_samples:
            warnings.warn(
                f"batch_size={requested} is larger than the {n_samples} training "
                "samples; using batches of all samples",
                stacklevel=5,  # the caller of fit: here, _fit_stochastic, _fit, fit
            )
        return min(requested, n_samples)

    def _validation_split(
        self, X: np.ndarray, Y: np.ndarray, weights: np.ndarray | None
    ) -> tuple[Any, ...]:
        """(X, Y, weights) for training and (X, y, weights) of the held-out
        ``validation_fraction``, stratified for single-output classifiers."""
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
        return X, Y, weights, X_val, self._labels_of(Y_val), weights_val

    def _fit_stochastic(
        self, X: np.ndarray, Y: np.ndarray, weights: np.ndarray | None, incremental: bool
    ) -> None:
        params = self._net.params()
        if not incremental or not hasattr(self, "_solver"):
            self._solver = new_solver(self, params)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True; use fit")
        early_stopping = bool(self.early_stopping)
        if early_stopping:
            X, Y, weights, X_val, y_val, weights_val = self._validation_split(X, Y, weights)
        n_samples = len(X)
        sample_idx = np.arange(n_samples)
        batch_size = self._batch_size(n_samples)
        try:
            self.n_iter_ = 0
            for _ in range(self.max_iter):
                if self.shuffle:
                    sample_idx = shuffle(sample_idx, random_state=self._random_state)
                self.loss_ = self._epoch(X, Y, weights, sample_idx, batch_size, params)
                self.n_iter_ += 1
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
                        stacklevel=4,  # the caller of fit: here, _fit, fit
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=4)
        if early_stopping:  # keep the weights of the best validation score
            for p, best in zip(params, self._best_params):
                p[...] = best
            self._net.store(params)

    # ------------------------------------------------------------ stopping rules
    def _count_stall(self, stalled: bool) -> None:
        """Count the epochs in a row without improvement; one that improves resets the count."""
        self._no_improvement_count = self._no_improvement_count + 1 if stalled else 0

    def _track_loss(self) -> None:
        """A stall: the loss did not fall below best_loss_ - tol."""
        last = self.loss_curve_[-1]
        assert self.best_loss_ is not None
        self._count_stall(last > self.best_loss_ - self.tol)
        self.best_loss_ = min(self.best_loss_, last)

    def _track_validation(
        self, X_val: np.ndarray, y_val: Any, weights: np.ndarray | None, params: list[np.ndarray]
    ) -> None:
        """A stall: the validation score did not rise above best + tol. The best weights are
        kept for the end."""
        score = self._score_on(X_val, y_val, weights)
        assert self.validation_scores_ is not None and self.best_validation_score_ is not None
        self.validation_scores_.append(score)
        if self.verbose:
            print(f"Validation score: {score:f}")
        self._count_stall(score < self.best_validation_score_ + self.tol)
        if score > self.best_validation_score_:
            self.best_validation_score_ = score
            self._best_params = [p.copy() for p in params]

    # ------------------------------------------------------------ prediction
    def _outputs(self, X: Any, check_input: bool = True) -> np.ndarray:
        """The output layer's activations (n, n_outputs), in float64."""
        check_is_fitted(self, "model_")
        if check_input:
            X = validation.validate_X(self, X)
        X = np.asarray(X, dtype=np.float64)
        return objective.activate(self.out_activation_, self._net.logits(X))

    # ------------------------------------------------------------ fitted weights
    def _fitted_params(self, name: str) -> list[np.ndarray]:
        """Copies of the weights then biases, in the dtype of the training X."""
        if "model_" not in self.__dict__:
            raise AttributeError(f"{name} exists after fit; call fit first")
        return [p.astype(self._dtype, copy=True) for p in self._net.params()]

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices, ``coefs_[i]`` of shape (n_in, n_out) for layer i (copies)."""
        return self._fitted_params("coefs_")[: self.n_layers_ - 1]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors, ``intercepts_[i]`` of shape (n_out,) for layer i (copies)."""
        return self._fitted_params("intercepts_")[self.n_layers_ - 1 :]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
