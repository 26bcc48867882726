"""Training: ``fit`` (the only epoch loop in the package), its callbacks, prediction, engines.

- ``engines``: the engine registry (``ENGINES``, ``get_engine``, ``engine_of``,
  ``adapter_for``) and the adapters through which ``fit`` drives an engine.
- ``fit``: the loop; ``callbacks``: ``History``, ``Callback``, ``EarlyStopping``, ... and
  fit's own (progress bar, NaN guard, metrics); ``metrics``: ``predict``, ``evaluate``, ...
- ``step``: ``collector_paused`` and the guard that keeps Ctrl-C out of an optimizer step.

Checkpointing during training is ``minitorch_nn.io.ModelCheckpoint`` (files are io's job).
"""

from .callbacks import (
    Callback,
    CallbackList,
    EarlyStopping,
    History,
    LambdaCallback,
    Monitor,
)
from .engines import (
    ENGINES,
    Engine,
    EngineAdapter,
    ScalarAdapter,
    adapter_for,
    copy_weights,
    engine_of,
    engine_of_node,
    get_engine,
    weight_copier,
)
from .fit import DEFAULT_LR, fit
from .metrics import (
    BINARY_LOSSES,
    MULTICLASS_LOSSES,
    accuracy,
    check_features,
    decision_function,
    evaluate,
    labels_from_scores,
    loss_targets,
    predict,
    predict_proba,
)
from .step import InterruptGuard, collector_paused

__all__ = [
    "BINARY_LOSSES",
    "DEFAULT_LR",
    "ENGINES",
    "MULTICLASS_LOSSES",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "Engine",
    "EngineAdapter",
    "History",
    "InterruptGuard",
    "LambdaCallback",
    "Monitor",
    "ScalarAdapter",
    "accuracy",
    "adapter_for",
    "check_features",
    "collector_paused",
    "copy_weights",
    "decision_function",
    "engine_of",
    "engine_of_node",
    "evaluate",
    "fit",
    "get_engine",
    "labels_from_scores",
    "loss_targets",
    "predict",
    "predict_proba",
    "weight_copier",
]
