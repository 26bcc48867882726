"""Shared test helpers. Tests that need torch use the ``torch`` fixture: skipped when torch is
missing on a developer's machine, but a failure in CI (``CI=true``)."""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")
# scikit-learn's estimator checks test array-API input only when SciPy's array-API support is
# on, which SciPy reads once, at its first import: set it before any test imports scikit-learn.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


def require_torch():  # noqa: ANN201 - returns the torch module
    """Import torch; skip locally when it is missing, fail in CI."""
    if os.environ.get("CI", "").lower() == "true":
        import torch  # noqa: PLC0415 - a missing torch in CI must fail loudly

        return torch
    return pytest.importorskip("torch")


@pytest.fixture
def torch():  # noqa: ANN201
    mod = require_torch()
    mod.set_default_dtype(mod.float64)
    return mod
