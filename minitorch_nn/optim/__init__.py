"""Optimizers (torch.optim's update rules on floats or numpy arrays) and LR schedules."""

from . import schedules
from .adam import Adam, AdamW, adam_update
from .optimizer import Optimizer
from .rmsprop import RMSprop, rmsprop_update
from .sgd import SGD, MomentumSGD, sgd_update

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": MomentumSGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
}

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adam",
    "AdamW",
    "MomentumSGD",
    "Optimizer",
    "RMSprop",
    "adam_update",
    "rmsprop_update",
    "schedules",
    "sgd_update",
]
