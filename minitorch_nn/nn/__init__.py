"""Modules on the scalar engine: Module (attribute walk), Neuron, Linear, MLP, Sequential,
activations and initialisers; ``Layer`` is micrograd's name for a Linear of ReLU neurons."""

from . import init
from .activations import ACTIVATIONS, ReLU, Sigmoid, Tanh, get_activation
from .layers import MLP, Layer, Linear, Neuron, Sequential
from .module import Module, build_model, register_model

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "build_model",
    "get_activation",
    "init",
    "register_model",
]
