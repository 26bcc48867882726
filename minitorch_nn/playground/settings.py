"""The playground's settings and the limits the server enforces, whatever the page sends.

:class:`Config` holds every setting of one session (the page keeps the same names in its
URL); :func:`parse_config` applies a dict of settings to a Config, checking each one, and
raises :class:`ConfigError` (HTTP 400) with one message saying what was given and what was
expected. :func:`integer` and :func:`number` are the checks every other request field uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .datasets import CLASSIFICATION, DATASETS, FEATURES, REGRESSION, problem_of
from .engines import ENGINES

N_POINTS = 500  # points per dataset, train and test together
TRAIN_BUDGET = 0.05  # seconds of training per "play" request: the page redraws >10 times/s
MAX_LAYERS, MAX_NEURONS = 6, 8
ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": None}
OPTIMIZER_NAMES = ("sgd", "momentum", "adam")
REGULARIZATION = ("none", "l1", "l2")
LOSS_NAMES = ("mse", "bce", "hinge")
# settings whose change builds a new model (and data): the rest apply to the running training
STRUCTURAL = ("dataset", "problem", "noise", "ratio", "features", "hidden", "activation",
              "engine", "seed", "loss")  # fmt: skip


class ConfigError(ValueError):
    """A setting or request the server refuses (HTTP 400), with one message saying why."""


@dataclass
class Config:
    """Every setting of a session; the page keeps the same names in its URL."""

    dataset: str = "circle"
    problem: str = "classification"
    noise: int = 0  # percent, 0..50
    ratio: int = 50  # percent of the points that train, 10..90
    batch: int = 10
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    hidden: list[int] = field(default_factory=lambda: [4, 4])
    activation: str = "tanh"
    lr: float = 0.03
    loss: str = "mse"
    reg: str = "none"
    reg_rate: float = 0.0
    optimizer: str = "sgd"
    engine: str = "tensor"
    seed: int = 0


def integer(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as an int in [low, high]; ConfigError for a bool, a fraction, NaN or out of
    range. The range is checked before ``int(value)``, which NaN and infinity would break."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not low <= value <= high
        or value != int(value)
    ):
        raise ConfigError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def number(name: str, value: Any, low: float, high: float, low_open: bool = False) -> float:
    """``value`` as a finite float in [low, high] ((low, high] when ``low_open``)."""
    interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number in {interval}, got {value!r}")
    value = float(value)
    inside = (value > low if low_open else value >= low) and value <= high
    if not math.isfinite(value) or not inside:
        raise ConfigError(f"{name} must be a finite number in {interval}, got {value!r}")
    return value


def _choice(name: str, value: Any, options: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise ConfigError(f"unknown {name} {value!r}; expected one of {', '.join(options)}")
    return value


def _hidden(value: Any) -> list[int]:
    if not isinstance(value, list):
        raise ConfigError(f"hidden must be a list of layer sizes, got {value!r}")
    if len(value) > MAX_LAYERS:
        raise ConfigError(
            f"hidden has {len(value)} layers; expected 0 to {MAX_LAYERS} hidden layers"
        )
    return [
        integer(f"hidden layer {i + 1} size (neurons)", n, 1, MAX_NEURONS)
        for i, n in enumerate(value)
    ]


def _features(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"features must be a non-empty list of names, got {value!r}")
    chosen = [_choice("feature", name, list(FEATURES)) for name in value]
    if len(set(chosen)) != len(chosen):
        raise ConfigError(f"features lists a name twice: {chosen}")
    return [name for name in FEATURES if name in chosen]  # the page's fixed order


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "dataset": lambda v: _choice("dataset", v, DATASETS),
    "problem": lambda v: _choice("problem", v, ("classification", "regression")),
    "noise": lambda v: integer("noise", v, 0, 50),
    "ratio": lambda v: integer("ratio (percent of points for training)", v, 10, 90),
    "batch": lambda v: integer("batch", v, 1, N_POINTS),
    "features": _features,
    "hidden": _hidden,
    "activation": lambda v: _choice("activation", v, list(ACTIVATIONS)),
    "lr": lambda v: number("lr", v, 0.0, 10.0, low_open=True),
    "loss": lambda v: _choice("loss", v, LOSS_NAMES),
    "reg": lambda v: _choice("reg", v, REGULARIZATION),
    "reg_rate": lambda v: number("reg_rate", v, 0.0, 10.0),
    "optimizer": lambda v: _choice("optimizer", v, OPTIMIZER_NAMES),
    "engine": lambda v: _choice("engine", v, ENGINES),
    "seed": lambda v: integer("seed", v, 0, 2**31 - 1),
}


def parse_config(raw: Any, base: Config | None = None) -> Config:
    """``base`` (default: the defaults) with the settings in the dict ``raw`` applied, each
    checked; ConfigError for an unknown name, a bad value or a dataset of the other problem."""
    if not isinstance(raw, dict):
        raise ConfigError(f"config must be a JSON object of settings, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_CHECKS))
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}; expected some of {', '.join(_CHECKS)}")
    values = asdict(base if base is not None else Config())
    values.update({name: _CHECKS[name](value) for name, value in raw.items()})
    config = Config(**values)
    if problem_of(config.dataset) != config.problem:
        expected = CLASSIFICATION if config.problem == "classification" else REGRESSION
        raise ConfigError(
            f"dataset {config.dataset!r} is not a {config.problem} dataset; expected one of "
            f"{', '.join(expected)}"
        )
    if config.problem == "regression" and config.loss != "mse":
        raise ConfigError(f"loss {config.loss!r} is for classification; regression uses 'mse'")
    return config
