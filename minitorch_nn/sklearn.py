"""scikit-learn estimators on minitorch_nn: ``MLPClassifier`` and ``MLPRegressor``.

They follow scikit-learn's rules: ``__init__`` only stores its arguments, ``fit`` validates
with scikit-learn's own helpers and sets the fitted attributes (names ending in ``_``):
``classes_`` (classifier; any labels, strings included), ``n_features_in_``, ``model_`` (the
trained minitorch_nn model, so plots and checkpoints work on it) and ``history_``.

The network is ``MLP(n_features, [*hidden_layer_sizes, n_outputs], activation)``, trained by
:func:`minitorch_nn.train.fit`. Classifier outputs: one score for two classes (label
``classes_[1]`` when the score is > 0), one score per class otherwise. The regressor trains on
standardised targets, ``(y - mean) / std``, and maps its predictions back.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils import validation as _validation
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from . import train
from .nn import MLP, Module

ENGINES = ("tensor", "scalar")
CLASSIFIER_LOSSES = ("auto", "bce", "hinge", "cross_entropy")
REGRESSOR_LOSSES = ("mse",)


def _validate_data(estimator: Any, *args: Any, **kwargs: Any) -> Any:
    """``sklearn.utils.validation.validate_data`` (scikit-learn >= 1.6), else the older
    ``estimator._validate_data``: both check X (and y), and set or check n_features_in_."""
    validate = getattr(_validation, "validate_data", None)
    if validate is not None:
        return validate(estimator, *args, **kwargs)
    return estimator._validate_data(*args, **kwargs)


def _hidden_sizes(value: Any) -> list[int]:
    sizes = [value] if isinstance(value, (int, np.integer)) else list(value)
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(
                f"hidden_layer_sizes must be positive ints, got {value!r} (bad entry {n!r})"
            )
    return [int(n) for n in sizes]


class _BaseMLP(BaseEstimator):
    """Shared constructor, model building and training; subclasses choose loss and targets."""

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (16, 16),
        activation: str = "relu",
        loss: str = "auto",
        optimizer: str = "adam",
        learning_rate: float = 0.01,
        epochs: int = 200,
        batch_size: int | None = None,
        l2: float = 0.0,
        engine: str = "tensor",
        random_state: Any = None,
        verbose: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.l2 = l2
        self.engine = engine
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------ building and training
    def _build_model(self, n_features: int, n_outputs: int, seed: int) -> Module:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        nouts = [*_hidden_sizes(self.hidden_layer_sizes), n_outputs]
        if self.engine == "scalar":
            return MLP(n_features, nouts, activation=self.activation, init="kaiming", seed=seed)
        tensor_nn = importlib.import_module("minitorch_nn.tensor.nn")
        model: Module = tensor_nn.MLP(
            n_features, nouts, activation=self.activation, init="kaiming", seed=seed
        )
        return model

    def _train(self, X: np.ndarray, targets: np.ndarray, n_outputs: int, loss: Any) -> None:
        """Build ``model_`` and train it on float X (n, d) and loss targets (n,)."""
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        self.model_ = self._build_model(X.shape[1], n_outputs, seed)
        self.history_ = train.fit(
            self.model_,
            X,
            targets,
            loss=loss,
            optimizer=self.optimizer,
            lr=self.learning_rate,
            epochs=self.epochs,
            batch_size=self.batch_size,
            l2=self.l2,
            verbose=bool(self.verbose),
            seed=seed,
            engine=self.engine,
        )

    def _scores(self, X: Any) -> np.ndarray:
        """Raw model outputs for validated X: (n,) for one output, (n, k) otherwise."""
        check_is_fitted(self, "model_")
        X = _validate_data(self, X, reset=False, dtype=np.float64)
        return train.decision_function(self.model_, X, engine=self.engine)


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier trained with minitorch_nn.

    loss: "auto" ("bce" on one logit for two classes, "cross_entropy" on one score per class
    otherwise), "bce", "hinge" (two classes only) or "cross_entropy". Labels may be any
    sortable values (ints, strings); ``classes_`` holds them in sorted order.
    """

    def _loss_for(self, n_classes: int) -> tuple[str, int]:
        """(loss name, number of model outputs) for ``n_classes`` classes."""
        if self.loss not in CLASSIFIER_LOSSES:
            raise ValueError(f"loss must be one of {CLASSIFIER_LOSSES}, got {self.loss!r}")
        loss = self.loss
        if loss == "auto":
            loss = "bce" if n_classes == 2 else "cross_entropy"
        if loss in ("bce", "hinge") and n_classes != 2:
            raise ValueError(
                f"loss {loss!r} handles 2 classes, got {n_classes}; use 'cross_entropy' or 'auto'"
            )
        return loss, (1 if loss in ("bce", "hinge") else n_classes)

    def fit(self, X: Any, y: Any) -> MLPClassifier:
        """Train on X (n_samples, n_features) and labels y (n_samples,); returns self."""
        X, y = _validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"MLPClassifier needs samples of at least 2 classes; got 1 class: {classes[0]!r}"
            )
        loss, n_outputs = self._loss_for(len(classes))
        self.classes_ = classes
        self._train(X, y_index.astype(np.int64), n_outputs, loss)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores: (n,) for two classes (> 0 means ``classes_[1]``), else (n, n_classes)."""
        scores = self._scores(X)
        if scores.ndim == 2 and scores.shape[1] == 2:  # cross_entropy on two classes
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n, n_classes) probabilities: sigmoid of the one score, or softmax of the scores."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = 0.5 * (1.0 + np.tanh(0.5 * scores))  # sigmoid without overflow
            return np.stack([1.0 - p, p], axis=1)
        z = np.exp(scores - scores.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log(predict_proba(X))."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most likely label of each row, from ``classes_``."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.int64) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor (mean squared error) trained with minitorch_nn.

    Targets are standardised for training, ``t = (y - y_mean_) / y_scale_``, and predictions
    mapped back: ``y_mean_ + y_scale_ * model_(x)``.
    """

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (16, 16),
        activation: str = "relu",
        loss: str = "mse",
        optimizer: str = "adam",
        learning_rate: float = 0.01,
        epochs: int = 200,
        batch_size: int | None = None,
        l2: float = 0.0,
        engine: str = "tensor",
        random_state: Any = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            loss=loss,
            optimizer=optimizer,
            learning_rate=learning_rate,
            epochs=epochs,
            batch_size=batch_size,
            l2=l2,
            engine=engine,
            random_state=random_state,
            verbose=verbose,
        )

    def fit(self, X: Any, y: Any) -> MLPRegressor:
        """Train on X (n_samples, n_features) and real targets y (n_samples,); returns self."""
        if self.loss not in REGRESSOR_LOSSES:
            raise ValueError(f"loss must be one of {REGRESSOR_LOSSES}, got {self.loss!r}")
        X, y = _validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        self.y_mean_ = float(y.mean())
        std = float(y.std())
        self.y_scale_ = std if std > 0 else 1.0
        targets = (y - self.y_mean_) / self.y_scale_
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        # fit()'s "mse" maps {0,1} labels to {-1,+1}; a callable loss gets the targets as given.
        mse = train.adapter_for(None, self.engine).loss_fn("mse")
        self._train(X, targets, 1, mse)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n_samples,)."""
        scores = self._scores(X).reshape(-1)  # checks fitted first
        return self.y_mean_ + self.y_scale_ * scores


__all__ = ["MLPClassifier", "MLPRegressor"]
