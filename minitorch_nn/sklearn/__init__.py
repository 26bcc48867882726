"""scikit-learn's MLP estimators on minitorch_nn: ``MLPClassifier`` and ``MLPRegressor``."""

from .estimators import _SGD, MLPClassifier, MLPRegressor  # noqa: F401 - patched by a test

__all__ = ["MLPClassifier", "MLPRegressor"]
