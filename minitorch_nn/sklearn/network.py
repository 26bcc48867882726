"""An MLP on either engine seen as scikit-learn's arrays ``coefs_ + intercepts_``: the weight
arrays (n_in, n_out) of every layer, then the bias arrays (n_out,).

This is the one place in ``minitorch_nn.sklearn`` that maps an engine name to a Network
(:data:`NETWORKS`, reached through :func:`build_network`; the MLP class comes from the engine
registry, ``minitorch_nn.train.get_engine``); the rest of the package deals in those arrays
and never asks which engine runs them.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .. import train
from ..engine import Value

# scikit-learn's hidden activation names -> minitorch_nn's
HIDDEN_ACTIVATIONS = {"identity": None, "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}


class Network:
    """An MLP seen as arrays ``[W_0, ..., W_L, b_0, ..., b_L]``: ``params()`` reads them,
    ``store(params)`` writes them back, ``gradients`` backpropagates into arrays of the same
    shapes. Each engine's subclass says how its parameters become arrays."""

    engine: ClassVar[str]

    def __init__(self, model: Any) -> None:
        self.model = model
        self.adapter = train.adapter_for(model, self.engine)

    @classmethod
    def build(cls, layer_units: list[int], activation: str, rng: np.random.RandomState) -> Network:
        """A new MLP with scikit-learn's Glorot-uniform start, drawn from ``rng`` layer by
        layer (weights, then biases) as scikit-learn draws them: uniform in +-sqrt(f / (n_in +
        n_out)), f = 2 for 'logistic' and 6 otherwise."""
        factor = 2.0 if activation == "logistic" else 6.0
        arrays: list[np.ndarray] = []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            bound = math.sqrt(factor / (fan_in + fan_out))
            arrays.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
            arrays.append(rng.uniform(-bound, bound, fan_out))
        hidden = HIDDEN_ACTIVATIONS[activation]
        mlp = train.get_engine(cls.engine).mlp  # the registry's MLP for this engine
        net = cls(mlp(layer_units[0], layer_units[1:], activation=hidden, seed=0))
        params = net.params()
        for p, a in zip(params, arrays[0::2] + arrays[1::2]):  # weights first, then biases
            p[...] = a
        net.store(params)
        return net

    def params(self) -> list[np.ndarray]:
        """[W_0, ..., W_L, b_0, ..., b_L], the parameter values."""
        return self._arrays("data")

    def store(self, params: list[np.ndarray]) -> None:
        """Write ``params`` (in the order of ``params()``) into the model."""
        raise NotImplementedError

    def logits(self, X: np.ndarray) -> np.ndarray:
        """The last layer's outputs before the output activation, no graph: (n, n_outputs)."""
        scores = train.decision_function(self.model, X, engine=self.engine)
        return scores.reshape(len(X), -1)

    def forward(self, X: np.ndarray) -> tuple[Any, np.ndarray]:
        """(engine outputs with their graph, their values as an array (n, n_outputs))."""
        outputs = self.adapter.forward(self.model, X)
        return outputs, self.adapter.scores(outputs)

    def gradients(self, outputs: Any, delta: np.ndarray) -> list[np.ndarray]:
        """d(loss)/d(params) by backpropagation from d(loss)/d(outputs) = ``delta`` (n, k)."""
        self.model.zero_grad()
        self._backward(outputs, delta)
        return self._arrays("grad")

    def _arrays(self, field: str) -> list[np.ndarray]:
        """[W_0, ..., W_L, b_0, ..., b_L] read from each parameter's ``field``, data or grad."""
        raise NotImplementedError

    def _backward(self, outputs: Any, delta: np.ndarray) -> None:
        raise NotImplementedError


class TensorNetwork(Network):
    """On the tensor engine the arrays are the model's own: the solver updates them in place,
    so ``store`` only copies arrays that are not already the model's."""

    engine = "tensor"

    def _arrays(self, field: str) -> list[np.ndarray]:
        layers = self.model.layers
        weights = [getattr(layer.weight, field) for layer in layers]
        return weights + [getattr(layer.bias, field) for layer in layers]

    def store(self, params: list[np.ndarray]) -> None:
        for p, q in zip(self.params(), params):
            if p is not q:
                p[...] = q

    def _backward(self, outputs: Any, delta: np.ndarray) -> None:
        outputs.backward(delta)


class ScalarNetwork(Network):
    """On the scalar engine every number is a Value: the arrays are copies, and ``store``
    writes them back into the Values."""

    engine = "scalar"

    def _arrays(self, field: str) -> list[np.ndarray]:
        coefs, intercepts = [], []
        for layer in self.model.layers:
            rows = [[getattr(w, field) for w in n.w] for n in layer.neurons]  # (n_out, n_in)
            coefs.append(np.array(rows).T.copy())
            biases = [getattr(n.b, field) for n in layer.neurons]
            intercepts.append(np.array(biases, dtype=np.float64))
        return coefs + intercepts

    def store(self, params: list[np.ndarray]) -> None:
        layers = self.model.layers
        for layer, W, b in zip(layers, params[: len(layers)], params[len(layers) :]):
            for j, neuron in enumerate(layer.neurons):
                for i, w in enumerate(neuron.w):
                    w.data = float(W[i, j])
                neuron.b.data = float(b[j])

    def _backward(self, outputs: Any, delta: np.ndarray) -> None:
        # backward from sum(output * delta), whose gradient with respect to each output is delta
        surrogate: Any = 0.0
        for row, d_row in zip(outputs, delta.tolist()):
            for out, d in zip(row, d_row):
                surrogate = out * d + surrogate
        if isinstance(surrogate, Value):
            surrogate.backward()


# engine name -> how its parameters become arrays, for each engine of the registry
NETWORKS: dict[str, type[Network]] = {net.engine: net for net in (TensorNetwork, ScalarNetwork)}
ENGINES = tuple(name for name in train.ENGINES if name in NETWORKS)


def build_network(
    engine: str, layer_units: list[int], activation: str, rng: np.random.RandomState
) -> Network:
    """A new MLP on ``engine`` ('tensor' or 'scalar') with ``layer_units`` = [n_in, hidden...,
    n_out] and hidden ``activation`` (scikit-learn's name), started as scikit-learn starts."""
    return NETWORKS[engine].build(layer_units, activation, rng)
