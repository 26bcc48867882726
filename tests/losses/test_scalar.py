"""Losses: hand values, gradients against PyTorch, stability and input checks."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from minitorch_nn import losses
from minitorch_nn.engine import Value, gradcheck
from minitorch_nn.losses import (
    LOSSES,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2_penalty,
    mse_loss,
)


def values(xs: list[float]) -> list[Value]:
    return [Value(x) for x in xs]


# ---------------------------------------------------------------- hand values
def test_mse_by_hand() -> None:
    assert mse_loss(values([1.0, 2.0, 4.0]), [1.0, 0.0, 1.0]).data == pytest.approx(13 / 3)


def test_hinge_by_hand_and_margin_gradient() -> None:
    s = values([2.0, 0.5, -0.25])
    loss = hinge_loss(s, [1, 1, 1])  # terms: 0, 0.5, 1.25
    assert loss.data == pytest.approx(1.75 / 3, rel=1e-15)
    loss.backward()
    assert [v.grad for v in s] == [0.0, -1 / 3, -1 / 3]  # no gradient past the margin
    assert hinge_loss(values([0.5]), [-1]).data == 1.5


def test_bce_with_logits_by_hand() -> None:
    loss = binary_cross_entropy_with_logits(values([0.0, 2.0]), [1, 0])
    expected = (math.log(2) + math.log(1 + math.exp(2.0))) / 2
    assert loss.data == pytest.approx(expected, rel=1e-15)


def test_bce_by_hand() -> None:
    loss = binary_cross_entropy(values([0.8, 0.25]), [1, 0])
    assert loss.data == pytest.approx(-(math.log(0.8) + math.log(0.75)) / 2, rel=1e-15)


def test_cross_entropy_by_hand() -> None:
    loss = cross_entropy([values([1.0, 2.0, 3.0])], [2])
    expected = math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 3.0
    assert loss.data == pytest.approx(expected, rel=1e-14)


def test_l2_penalty_is_sum_of_squares() -> None:
    ps = values([1.0, -2.0, 3.0])
    penalty = l2_penalty(ps)
    assert penalty.data == 14.0
    penalty.backward()
    assert [p.grad for p in ps] == [2.0, -4.0, 6.0]
    assert penalty.op == "sumsq" and len(penalty._parents) == 3  # one node, not 3 muls + sum


def test_hinge_on_one_element_lists_equals_hinge_on_values() -> None:
    scores = values([0.5, -2.0, 0.25])
    wrapped = hinge_loss([[s] for s in scores], [1, -1, -1])
    plain = hinge_loss(scores, np.array([1, -1, -1]))
    assert wrapped.data == plain.data == (0.5 + 0.0 + 1.25) * (1.0 / 3)
    mixed = hinge_loss([[scores[0]], scores[1], (0.25,)], [1, -1, -1])  # lists, a Value, a number
    assert mixed.data == plain.data
    with pytest.raises(ValueError, match="prediction 1 has 2 outputs"):
        hinge_loss([[scores[0]], [scores[1], scores[2]]], [1, -1])
    with pytest.raises(ValueError, match="target 1 is 0.0, expected -1 or \\+1"):
        hinge_loss([[scores[0]], [scores[1]]], [1, 0])


def test_mean_uses_micrograds_evaluation_order() -> None:
    terms = [0.1, 0.7, 0.3]
    loss = mse_loss(values([t**0.5 for t in terms]), [0.0, 0.0, 0.0])
    squares = [(t**0.5) ** 2 for t in terms]
    assert loss.data == sum(squares) * (1.0 / 3)


def test_accepts_one_element_lists_like_mlp_outputs_and_numpy_targets() -> None:
    scores = [[Value(0.5)], [Value(-2.0)]]
    assert hinge_loss(scores, np.array([1, -1])).data == 0.25
    assert mse_loss([0.5, 1.0], np.array([[0.5], [0.0]])).data == 0.5


def test_losses_table() -> None:
    assert LOSSES["mse"] is mse_loss
    assert LOSSES["hinge"] is hinge_loss
    assert LOSSES["bce"] is binary_cross_entropy_with_logits
    assert LOSSES["cross_entropy"] is cross_entropy


# ---------------------------------------------------------------- stability
def test_cross_entropy_is_finite_for_huge_logits() -> None:
    z = values([1000.0, -1000.0, 0.0])
    loss = cross_entropy([z], [1])
    assert loss.data == pytest.approx(2000.0)
    loss.backward()
    grads = [v.grad for v in z]
    assert all(math.isfinite(g) for g in grads)
    assert grads == pytest.approx([1.0, -1.0, 0.0])


def test_bce_with_logits_is_finite_for_huge_logits() -> None:
    x = values([1000.0, -1000.0])
    loss = binary_cross_entropy_with_logits(x, [0, 1])
    assert loss.data == pytest.approx(1000.0)
    loss.backward()
    assert [v.grad for v in x] == pytest.approx([0.5, -0.5])


def test_bce_clamps_log_of_zero_like_torch() -> None:
    assert binary_cross_entropy(values([0.0]), [1]).data == 100.0
    assert binary_cross_entropy(values([1.0]), [1]).data == 0.0


# ---------------------------------------------------------------- input checks
@pytest.mark.parametrize(
    ("fn", "preds", "targets", "message"),
    [
        (mse_loss, [1.0, 2.0], [1.0], "2 predictions but 1 targets"),
        (hinge_loss, [], [], "empty batch"),
        (hinge_loss, [1.0], [0], "target 0 is 0.0, expected -1 or \\+1"),
        (binary_cross_entropy_with_logits, [1.0], [2], r"expected a number in \[0, 1\]"),
        (binary_cross_entropy, [1.5], [1], r"probability 0 is 1.5"),
        (cross_entropy, [[1.0, 2.0]], [2], r"target 0 is 2, expected a class index in \[0, 1\]"),
        (cross_entropy, [[1.0, 2.0]], [0.5], "expected a class index"),
        (cross_entropy, [], [], "empty batch"),
        (cross_entropy, [[1.0]], [0, 1], "1 predictions but 2 targets"),
        (mse_loss, [[Value(1.0), Value(2.0)]], [1.0], "prediction 0 has 2 outputs, expected 1"),
    ],
)
def test_bad_inputs_raise_value_error(
    fn: Callable[..., Value], preds: Any, targets: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fn(preds, targets)


# ---------------------------------------------------------------- gradients
def test_losses_pass_gradcheck() -> None:
    assert gradcheck(lambda a, b: cross_entropy([[a, b, 0.3]], [0]), [0.2, -0.4])
    assert gradcheck(lambda a, b: binary_cross_entropy_with_logits([a, b], [1, 0]), [0.7, -1.1])
    assert gradcheck(lambda a, b: binary_cross_entropy([a, b], [1, 0.3]), [0.7, 0.2])


# ---------------------------------------------------------------- against PyTorch
CASES = {
    "mse": ([0.3, -1.2, 2.5, 0.0], [0.0, -1.0, 2.0, 1.0]),
    "hinge": ([0.3, -1.2, 2.5, 0.9], [1, 1, 1, -1]),
    "bce_logits": ([0.3, -1.2, 25.0, -7.0], [1, 0, 1, 1]),
    "bce": ([0.3, 0.6, 0.999, 0.01], [1, 0, 1, 0]),
}


def torch_loss(torch: Any, name: str, x: Any, t: Any) -> Any:
    F = torch.nn.functional
    if name == "mse":
        return F.mse_loss(x, t)
    if name == "hinge":
        return torch.relu(1 - t * x).mean()
    if name == "bce_logits":
        return F.binary_cross_entropy_with_logits(x, t)
    return F.binary_cross_entropy(x, t)


OURS = {
    "mse": mse_loss,
    "hinge": hinge_loss,
    "bce_logits": binary_cross_entropy_with_logits,
    "bce": binary_cross_entropy,
}


@pytest.mark.parametrize("name", list(CASES))
def test_binary_and_regression_losses_match_torch(torch: Any, name: str) -> None:
    preds, targets = CASES[name]
    ours_in = values(preds)
    ours = OURS[name](ours_in, targets)
    ours.backward()
    x = torch.tensor(preds, requires_grad=True)
    theirs = torch_loss(torch, name, x, torch.tensor(targets, dtype=torch.float64))
    theirs.backward()
    assert ours.data == pytest.approx(theirs.item(), rel=1e-13)
    assert [v.grad for v in ours_in] == pytest.approx(x.grad.tolist(), rel=1e-12, abs=1e-15)


def test_cross_entropy_matches_torch(torch: Any) -> None:
    rows = [[0.2, -1.0, 3.0], [1000.0, -1000.0, 5.0], [0.0, 0.0, 0.0], [-2.0, 4.0, 1.5]]
    targets = [2, 1, 0, 1]
    ours_in = [values(r) for r in rows]
    ours = cross_entropy(ours_in, targets)
    ours.backward()
    x = torch.tensor(rows, requires_grad=True)
    theirs = torch.nn.functional.cross_entropy(x, torch.tensor(targets))
    theirs.backward()
    assert ours.data == pytest.approx(theirs.item(), rel=1e-13)
    ours_grad = [[v.grad for v in r] for r in ours_in]
    assert np.allclose(ours_grad, x.grad.tolist(), rtol=1e-12, atol=1e-15)


def test_module_exports() -> None:
    assert set(losses.__all__) >= {"mse_loss", "hinge_loss", "cross_entropy", "l2_penalty"}
