"""The Tensor engine's kernels (minitorch_nn.fast.kernels) give numpy's plain numbers bit for
bit: relu against kept zeros, products into recycled arrays, the wide bias add."""

from __future__ import annotations

import numpy as np
import pytest

import minitorch_nn.tensor as T
from minitorch_nn import fast
from minitorch_nn.tensor import Tensor
from minitorch_nn.tensor.ops import NUMPY_MATH


# ------------------------------------------------------------------ fast paths, same numbers
def _edge_values(size: int) -> np.ndarray:
    x = np.random.default_rng(3).normal(size=size)
    x[:8] = [-0.0, 0.0, np.nan, -np.inf, np.inf, 1e308, -1e-320, 5e-324]
    return x


@pytest.mark.parametrize("shape", [(7, 5), (300, 130), (41, 1_000)])
def test_relu_equals_numpy_maximum_bit_for_bit(shape: tuple[int, ...]) -> None:
    """relu runs against kept zeros, blockwise for large arrays ((41, 1000): one block of
    32,768 numbers and a leftover tail; the diagonal weight stays small, 8 MB):
    the numbers, signs of zero and nans are numpy's ``maximum(x, 0.0)``'s."""
    x = _edge_values(int(np.prod(shape))).reshape(shape)
    w, b = np.diag(np.linspace(0.5, 2.0, shape[1])), np.linspace(-1.0, 1.0, shape[1])
    with np.errstate(invalid="ignore"):  # the reference: inf * 0 in numpy's product warns
        expected_linear = np.maximum(x @ w + b, 0.0)
    cases = [
        (Tensor(x).relu().data, np.maximum(x, 0.0)),
        (T.linear(x, Tensor(w), Tensor(b), "relu").data, expected_linear),
    ]
    for out, expected in cases:
        assert np.array_equal(out, expected, equal_nan=True)
        assert np.array_equal(np.signbit(out), np.signbit(expected))
    strided = x[:, ::2]  # not contiguous: the plain path
    assert np.array_equal(Tensor(strided).relu().data, np.maximum(strided, 0.0), equal_nan=True)


def test_outer_product_matmul_in_vjps_is_exact() -> None:
    g, w = (
        np.random.default_rng(4).normal(size=(50, 1)),
        np.random.default_rng(5).normal(size=(1, 7)),
    )
    assert np.array_equal(NUMPY_MATH.matmul(g, w), np.matmul(g, w))


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((16, 10_000), (10_000, 16)), ((8, 4_096), (4_096, 16)), ((16, 9_000), (9_000, 1))],
)
def test_products_over_a_long_inner_dimension(
    a_shape: tuple[int, int], b_shape: tuple[int, int]
) -> None:
    """x^T @ G over a tall batch is numpy's product, bit for bit with fast paths on and off
    (a product split over blocks of the inner dimension would sum in another order)."""
    rng = np.random.default_rng(11)
    x, g = rng.normal(size=a_shape[::-1]), rng.normal(size=b_shape)
    out = NUMPY_MATH.matmul(x.T, g)
    assert out.shape == (a_shape[0], b_shape[1])
    assert np.array_equal(out, np.matmul(x.T, g))


@pytest.mark.parametrize(("n", "k", "m"), [(10_000, 16, 16), (4_097, 8, 24), (9_000, 16, 1)])
def test_tall_products_are_exact_with_fast_paths_on_and_off(n: int, k: int, m: int) -> None:
    """G @ W^T for a tall G (a fast path writes it into a recycled array) gives the generic
    np.matmul's numbers exactly (products taken in blocks of rows did not, on OpenBLAS)."""
    rng = np.random.default_rng(12)
    g, w = rng.normal(size=(n, k)), rng.normal(size=(m, k))
    out = NUMPY_MATH.matmul(g, w.T)
    with fast.disabled():
        assert np.array_equal(out, NUMPY_MATH.matmul(g, w.T))


@pytest.mark.parametrize("n", [5000, 4099, 4097])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_linear_on_a_tall_batch_is_x_at_w_plus_b_bit_for_bit(n: int, dtype: type) -> None:
    """The bias of a tall batch is added in wide rows (and the tail row by row): same sums."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(n, 3)).astype(dtype)
    w, b = rng.normal(size=(3, 16)).astype(dtype), rng.normal(size=16)
    expected = x @ w
    expected += b
    out = T.linear(x, Tensor(w, dtype=dtype), Tensor(b), activation=None)
    assert out.dtype == expected.dtype
    assert np.array_equal(out.data, expected)
    relu = T.linear(x, Tensor(w, dtype=dtype), Tensor(b), activation="relu")
    assert np.array_equal(relu.data, np.maximum(expected, 0.0))
