"""The playground: TensorFlow Playground's experience, trained live on minitorch_nn's engines.

``serve()`` (the ``minitorch-nn playground`` command) starts a local web server; the page
trains an MLP on circle, xor, gauss, spiral, moons (or the regression sets plane and
multi-gauss), draws the output and every neuron as heatmaps, and shows any neuron's
computation for a point as its autograd graph. Standard library only: no extra dependency.
"""

from .server import make_server, serve

__all__ = ["make_server", "serve"]
