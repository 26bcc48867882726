"""What one ``minitorch-nn train`` run is asked to do: :class:`TrainConfig` and its defaults.

The defaults are the demo recipe on 150 training points of moons (hinge loss + 1e-4 L2, SGD
with the learning rate falling linearly from 1.0 to 0.1, 100 full-batch epochs), which reaches
100% training accuracy; a quarter of the 200 points is held out as the validation set.
metrics.json records the configuration as run, with the defaults that depend on the data
filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEDULES = ("linear", "cosine", "constant")
# Learning rates that work for each optimizer on these toy problems (the demo uses SGD 1.0).
DEFAULT_LR = {"sgd": 1.0, "momentum": 0.1, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.01}


@dataclass
class TrainConfig:
    """Everything ``minitorch-nn train`` needs; written into metrics.json."""

    dataset: str = "moons"
    n_samples: int = 200
    noise: float = 0.1
    validation_fraction: float = 0.25
    hidden: list[int] = field(default_factory=lambda: [16, 16])
    activation: str = "relu"
    loss: str | None = None  # None: hinge for two classes, cross_entropy for more
    optimizer: str = "sgd"
    lr: float | None = None  # None: DEFAULT_LR[optimizer]
    schedule: str = "linear"
    l2: float = 1e-4
    epochs: int = 100
    batch_size: int | None = None
    seed: int = 0
    out: str | None = None  # None: runs/<dataset>
    engine: str = "scalar"
    gif: bool = False
    quiet: bool = False
