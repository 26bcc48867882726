"""Target checks that both engines' losses share."""

from __future__ import annotations

from typing import Any


def is_class_index(target: Any, k: int) -> bool:
    """True for a number (not a bool) that is a whole number in [0, k)."""
    if isinstance(target, bool) or not isinstance(target, (int, float)):
        return False
    return float(target).is_integer() and 0 <= target < k
