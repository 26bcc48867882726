"""``MLPClassifier`` and ``MLPRegressor``: what differs between the two estimators (their targets,
output activation, predictions and score); what they share is in :mod:`.base`."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, unique_labels

from . import validation
from .base import BaseMLP


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier`` on minitorch_nn.

    Sigmoid outputs with the binary log loss for two classes (one output, ``classes_[1]``
    when p > 0.5) and for multilabel indicator targets (one output per label); softmax outputs
    with the log loss for more classes. Labels may be any sortable values.
    """

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _set_classes(self, labels: Any, source: str) -> None:
        """``classes_`` and the label binarizer from ``labels`` (``source`` names them in the
        error): ValueError unless they hold at least 2 classes."""
        binarizer = LabelBinarizer().fit(labels)
        found = binarizer.classes_.tolist()
        if len(found) < 2:
            raise ValueError(
                f"MLPClassifier needs at least 2 classes; {source} has {len(found)} "
                f"class{'' if len(found) == 1 else 'es'}: {found}"
            )
        self._label_binarizer = binarizer
        self.classes_ = binarizer.classes_

    def _targets(self, X: Any, y: Any, incremental: bool, reset: bool) -> Any:
        X, y = validation.validate_Xy(self, X, y, reset=reset)
        check_classification_targets(y)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._set_classes(y, "y")
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
            multilabel = np.asarray(y).ndim == 2 and np.asarray(y).shape[1] > 1
            if multilabel:  # the labels are the indicator matrix's columns
                self._set_classes(y, "y")
            else:
                self._set_classes(np.asarray(classes), "classes")
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


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor: scikit-learn's ``MLPRegressor`` on minitorch_nn.

    loss 'squared_error' (identity outputs, half the mean squared error) or 'poisson' (exp
    outputs, half the Poisson deviance; y >= 0). y may have several columns.
    """

    # scikit-learn reads an estimator's parameters from its __init__ signature, so the
    # regressor spells out BaseMLP's parameters again after its own first one, ``loss``, as
    # scikit-learn's MLPRegressor does; a test checks both against scikit-learn's.
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
        validation.check_choice("loss", self.loss, validation.REGRESSOR_LOSSES)
        X, y = validation.validate_Xy(self, X, y, reset=reset, y_numeric=True)
        return X, validation.regression_targets(self.loss, y)

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
