"""The limits of ``minitorch-nn train`` and the argument types that hold every flag to its range.

Each type turns one command-line string into a value or raises ``argparse.ArgumentTypeError``
naming what was expected and what was given; the parser reports that in one line and exits
with status 2 before any work starts. The limits are documented in ``train --help``.
"""

from __future__ import annotations

import argparse
import math
import socket
from collections.abc import Callable
from typing import Any

MAX_SAMPLES = 1_000_000
MAX_PARAMETERS = 1_000_000
MAX_EPOCHS = 100_000  # History and metrics.json keep one record per epoch
MAX_NOISE = 100.0  # beyond it the points are noise; far beyond, coordinates overflow
MAX_L2 = 10.0  # beyond it the penalty alone decides the weights (all near 0)
MAX_SEED = 2**32 - 1  # numpy's and scikit-learn's seed range
MIN_VALIDATION = 10  # fewer validation points cannot measure accuracy finer than 10%
MIN_TRAINING = 10
# Bytes a training step holds, per sample: the scalar engine keeps about one graph node
# reference and local gradient per parameter; the tensor engine a few float64 arrays per
# layer width.
SCALAR_BYTES_PER_PARAMETER_AND_SAMPLE = 128
TENSOR_BYTES_PER_UNIT_AND_SAMPLE = 64


def number(kind: type, test: Callable[[Any], bool], expected: str) -> Callable[[str], Any]:
    """An argument type: ``kind(text)``, finite, and passing ``test``; else "expected ...,
    got 'text'"."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if (isinstance(value, float) and not math.isfinite(value)) or not test(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


def count_up_to(limit: int, why: str = "") -> Callable[[str], int]:
    """An argument type for an integer from 1 to ``limit``."""
    return number(int, lambda v: 1 <= v <= limit, f"an integer from 1 to {limit:,}{why}")


def host(text: str) -> str:
    """An address the playground can listen on: an IP address or a name that resolves."""
    try:
        socket.getaddrinfo(text, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise argparse.ArgumentTypeError(
            f"expected an IP address or a host name that resolves, got {text!r}"
        ) from None
    return text


positive_int = number(int, lambda v: v >= 1, "an integer >= 1")
sample_count = count_up_to(MAX_SAMPLES, " (the limit)")
epoch_count = count_up_to(MAX_EPOCHS, " (the limit)")
hidden_size = count_up_to(MAX_PARAMETERS)
seed = number(int, lambda v: 0 <= v <= MAX_SEED, f"an integer from 0 to {MAX_SEED}")
port = number(int, lambda v: 1 <= v <= 65535, "a port number from 1 to 65535")
positive_float = number(float, lambda v: v > 0, "a finite number > 0")
noise = number(float, lambda v: 0 <= v <= MAX_NOISE, f"a number from 0 to {MAX_NOISE:g}")
l2 = number(float, lambda v: 0 <= v <= MAX_L2, f"a number from 0 to {MAX_L2:g}")
fraction = number(float, lambda v: 0 <= v < 1, "a fraction in [0, 1)")
