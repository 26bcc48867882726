"""What training minimizes, in scikit-learn's form, on numpy arrays: the output activation, the
output's loss plus the L2 penalty ``0.5 * alpha * sum(W**2) / n`` over the weights (not the
intercepts), and the gradient of that loss with respect to the logits and the weights.

Each output activation comes with its own loss (identity with the squared error, exp with the
Poisson deviance, logistic and softmax with the log loss), so the gradient with respect to the
logits Z is the same for all four: ``w (P - Y) / n``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, xlogy


def activate(name: str, Z: np.ndarray) -> np.ndarray:
    """The output activation ``name`` of logits Z (n, k): identity, exp, logistic or softmax."""
    if name == "identity":
        return Z
    if name == "exp":
        return np.exp(Z)
    if name == "logistic":
        return expit(Z)
    e = np.exp(Z - Z.max(axis=1, keepdims=True))  # softmax
    return e / e.sum(axis=1, keepdims=True)


def output_loss(name: str, Y: np.ndarray, P: np.ndarray, weights: np.ndarray | None) -> float:
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


def total_weight(weights: np.ndarray | None, n_rows: int) -> float:
    """n in the formulas: the number of rows, or the sum of their sample weights."""
    return n_rows if weights is None else float(weights.sum())


def penalized_loss(
    name: str,
    Y: np.ndarray,
    P: np.ndarray,
    weights: np.ndarray | None,
    coefs: list[np.ndarray],
    alpha: float,
    n: float,
) -> float:
    """output_loss(name, Y, P) + 0.5 * alpha * sum(W**2 for W in coefs) / n."""
    penalty = sum(float(np.dot(W.ravel(), W.ravel())) for W in coefs)
    return output_loss(name, Y, P, weights) + 0.5 * alpha * penalty / n


def logits_gradient(
    Y: np.ndarray, P: np.ndarray, weights: np.ndarray | None, n: float
) -> np.ndarray:
    """d(loss)/dZ = w (P - Y) / n, shape (n_rows, k): the same for every output activation
    paired with its own loss."""
    delta = P - Y if weights is None else (P - Y) * weights[:, None]
    return delta / n


def add_penalty_gradient(
    grads: list[np.ndarray], coefs: list[np.ndarray], alpha: float, n: float
) -> list[np.ndarray]:
    """``grads`` of the output loss for coefs + intercepts, with the penalty's gradient
    alpha * W / n added to those of the coefs."""
    n_coefs = len(coefs)
    with_penalty = [g + (alpha / n) * W for g, W in zip(grads[:n_coefs], coefs)]
    return with_penalty + grads[n_coefs:]
