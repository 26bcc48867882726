"""What both engines' losses share: the loss names and the target checks."""

from __future__ import annotations

from typing import Any


def is_class_index(target: Any, k: int) -> bool:
    """True for a number (not a bool) that is a whole number in [0, k)."""
    if isinstance(target, bool) or not isinstance(target, (int, float)):
        return False
    return float(target).is_integer() and 0 <= target < k


# The name fit, the CLI and the estimators take for each loss, and its function's name.
LOSS_FUNCTIONS = {
    "mse": "mse_loss",
    "hinge": "hinge_loss",
    "bce": "binary_cross_entropy_with_logits",
    "cross_entropy": "cross_entropy",
}
