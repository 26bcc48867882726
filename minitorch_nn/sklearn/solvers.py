"""scikit-learn's solvers on numpy arrays: the 'sgd' and 'adam' update rules, applied in place,
and the learning-rate schedules with what each does when training stalls.

A solver is driven by the estimator's epoch loop: ``update_params(params, grads)`` after each
batch, ``iteration_ends(t)`` after each epoch (t = samples seen so far), and
``trigger_stopping(message, verbose)`` when the loss or validation score has stalled for
``n_iter_no_change`` epochs: True to stop, False to go on (with a lower learning rate).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class Solver:
    """What both solvers share: the current ``learning_rate``, no schedule between epochs, and
    a stall that stops training."""

    def __init__(self, learning_rate_init: float) -> None:
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)

    def update_params(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """One step: change each array of ``params`` in place from its gradient in ``grads``."""
        raise NotImplementedError

    def iteration_ends(self, time_step: int) -> None:
        """An epoch ended, ``time_step`` samples seen so far; the rate stays as it is."""

    def trigger_stopping(self, message: str, verbose: Any) -> bool:
        """Training stalled (``message`` says how): stop."""
        if verbose:
            print(f"{message} Stopping.")
        return True


class SGD(Solver):
    """scikit-learn's SGD rule, in place: v <- momentum * v - lr * g; p <- p + v, or with
    Nesterov p <- p + momentum * v - lr * g.

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
        super().__init__(learning_rate_init)
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
        """'adaptive': divide the rate by 5 and go on, until it is <= 1e-6; else stop."""
        if self.schedule != "adaptive":
            return super().trigger_stopping(message, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(f"{message} Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(f"{message} Setting learning rate to {self.learning_rate:f}")
        return False


class Adam(Solver):
    """scikit-learn's Adam rule, in place, at update t = 1, 2, ...:
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
        super().__init__(learning_rate_init)
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


def new_solver(estimator: Any, params: list[np.ndarray]) -> Solver:
    """The solver ``estimator.solver`` names ('sgd' or 'adam'), set up from the estimator's
    parameters, for the arrays ``params``."""
    if estimator.solver == "sgd":
        return SGD(
            params,
            estimator.learning_rate_init,
            estimator.learning_rate,
            estimator.momentum,
            estimator.nesterovs_momentum,
            estimator.power_t,
        )
    return Adam(
        params,
        estimator.learning_rate_init,
        estimator.beta_1,
        estimator.beta_2,
        estimator.epsilon,
    )
