"""The tensor losses equal the scalar ones (values, gradients and error messages) and torch's;
``minitorch_nn.losses`` sends Tensor predictions to them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minitorch_nn import losses
from minitorch_nn.engine import Value
from minitorch_nn.losses import tensor as tensor_losses
from minitorch_nn.tensor import Tensor

RTOL = 1e-12
ROOT = Path(__file__).resolve().parents[1]


def binary_case(kind: str, n: int = 7, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Predictions (n,) and targets (n,) suited to one binary/regression loss."""
    rng = np.random.default_rng(seed)
    preds = rng.normal(size=n) * 3
    if kind == "hinge":
        return preds, rng.choice([-1.0, 1.0], size=n)
    if kind == "probs":
        return rng.uniform(0.01, 0.99, size=n), rng.uniform(0, 1, size=n)
    if kind == "logits":
        return preds, rng.uniform(0, 1, size=n)
    return preds, rng.normal(size=n)


BINARY = [
    ("mse_loss", "mse"),
    ("hinge_loss", "hinge"),
    ("binary_cross_entropy_with_logits", "logits"),
    ("binary_cross_entropy", "probs"),
]


def scalar_loss(name: str, preds: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """(value, gradient w.r.t. the predictions) on the scalar engine, one [Value] per sample."""
    values = [Value(float(p)) for p in preds.reshape(len(preds), -1).ravel()]
    if preds.ndim == 2 and name == "cross_entropy":
        k = preds.shape[1]
        rows = [values[i * k : (i + 1) * k] for i in range(len(preds))]
        out = losses.cross_entropy(rows, targets)
    else:
        out = getattr(losses, name)([[v] for v in values], targets)
    out.backward()
    return out.data, np.array([v.grad for v in values]).reshape(preds.shape)


def tensor_loss(name: str, preds: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """(value, gradient) on the tensor engine, through the dispatching ``losses`` module."""
    x = Tensor(preds, requires_grad=True)
    out = getattr(losses, name)(x, targets)
    assert isinstance(out, Tensor) and out.shape == ()
    out.backward()
    assert x.grad is not None
    return out.item(), x.grad


@pytest.mark.parametrize(("name", "kind"), BINARY)
@pytest.mark.parametrize("column", [False, True], ids=["(n,)", "(n,1)"])
def test_binary_losses_equal_the_scalar_engine(name: str, kind: str, column: bool) -> None:
    preds, targets = binary_case(kind)
    shaped = preds.reshape(-1, 1) if column else preds
    value, grad = tensor_loss(name, shaped, targets)
    expected_value, expected_grad = scalar_loss(name, preds, targets)
    assert value == pytest.approx(expected_value, rel=RTOL, abs=0)
    np.testing.assert_allclose(grad.reshape(-1), expected_grad, rtol=RTOL, atol=1e-15)


def test_cross_entropy_equals_the_scalar_engine() -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(6, 4)) * 3
    targets = np.array([0, 3, 1, 2, 2, 0])
    value, grad = tensor_loss("cross_entropy", logits, targets)
    expected_value, expected_grad = scalar_loss("cross_entropy", logits, targets)
    assert value == pytest.approx(expected_value, rel=RTOL, abs=0)
    np.testing.assert_allclose(grad, expected_grad, rtol=RTOL, atol=1e-15)


def test_l2_penalty_is_one_sum_of_squares_node_and_takes_a_generator() -> None:
    w = Tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    b = Tensor([0.25, -1.0], requires_grad=True)
    out = losses.l2_penalty(p for p in (w, b))
    assert isinstance(out, Tensor) and out.op == "sum_of_squares"
    scalar = losses.l2_penalty([Value(v) for v in [1.0, -2.0, 0.5, 3.0, 0.25, -1.0]])
    assert out.item() == pytest.approx(scalar.data, rel=RTOL)
    out.backward()
    np.testing.assert_array_equal(w.grad, 2 * w.data)
    np.testing.assert_array_equal(b.grad, 2 * b.data)
    assert tensor_losses.l2_penalty([]).item() == 0.0


def test_huge_logits_stay_finite_with_the_right_gradients() -> None:
    logits = np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0])
    targets = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    value, grad = tensor_loss("binary_cross_entropy_with_logits", logits, targets)
    assert value == pytest.approx((0 + 0 + 1000 + 1000 + np.log(2)) / 5, rel=RTOL)
    sigmoid = np.array([1.0, 0.0, 1.0, 0.0, 0.5])
    np.testing.assert_allclose(grad, (sigmoid - targets) / 5, rtol=RTOL, atol=0)
    scalar_value, scalar_grad = scalar_loss("binary_cross_entropy_with_logits", logits, targets)
    assert value == pytest.approx(scalar_value, rel=RTOL)
    np.testing.assert_allclose(grad, scalar_grad, rtol=RTOL, atol=0)
    ce_value, ce_grad = tensor_loss(
        "cross_entropy", np.array([[1000.0, -1000.0], [-1000.0, 1000.0]]), np.array([1, 1])
    )
    assert ce_value == pytest.approx(1000.0, rel=RTOL)
    np.testing.assert_allclose(ce_grad, [[0.5, -0.5], [0.0, 0.0]], atol=1e-300)


def test_bce_gradient_at_a_zero_logit_is_sigmoid_minus_target_on_both_engines() -> None:
    for t in (0.0, 0.25, 1.0):
        for engine_loss in (scalar_loss, tensor_loss):
            _, grad = engine_loss("binary_cross_entropy_with_logits", np.zeros(1), np.array([t]))
            assert grad.tolist() == [0.5 - t], engine_loss.__name__


def test_bce_on_probabilities_zero_and_one_is_clamped_without_nan() -> None:
    probs = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    targets = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    value, grad = tensor_loss("binary_cross_entropy", probs, targets)
    expected_value, expected_grad = scalar_loss("binary_cross_entropy", probs, targets)
    assert value == pytest.approx(expected_value, rel=RTOL) == (100 + 100 + np.log(2)) / 5
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, expected_grad, rtol=RTOL, atol=0)


# --------------------------------------------------------------------------- torch
def test_every_tensor_loss_matches_torch(torch) -> None:  # noqa: ANN001
    functional = torch.nn.functional
    cases = {
        "mse_loss": lambda p, t: functional.mse_loss(p, t),
        "hinge_loss": lambda p, t: torch.clamp(1 - t * p, min=0).mean(),
        "binary_cross_entropy_with_logits": functional.binary_cross_entropy_with_logits,
        "binary_cross_entropy": functional.binary_cross_entropy,
    }
    for name, kind in BINARY:
        preds, targets = binary_case(kind, n=9, seed=3)
        if kind == "logits":
            preds[:3] = [0.0, 800.0, -800.0]
        value, grad = tensor_loss(name, preds, targets)
        p = torch.tensor(preds, requires_grad=True)
        expected = cases[name](p, torch.tensor(targets))
        expected.backward()
        assert value == pytest.approx(expected.item(), rel=RTOL), name
        np.testing.assert_allclose(grad, p.grad.numpy(), rtol=1e-10, atol=1e-15, err_msg=name)

    logits = np.random.default_rng(4).normal(size=(5, 3)) * 4
    logits[0] = [1000.0, -1000.0, 0.0]
    targets = np.array([2, 0, 1, 1, 2])
    value, grad = tensor_loss("cross_entropy", logits, targets)
    z = torch.tensor(logits, requires_grad=True)
    expected = functional.cross_entropy(z, torch.tensor(targets))
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=RTOL)
    np.testing.assert_allclose(grad, z.grad.numpy(), rtol=1e-10, atol=1e-15)

    params = [np.arange(6.0).reshape(2, 3) - 2, np.array([0.5, -1.5])]
    mine = [Tensor(a, requires_grad=True) for a in params]
    theirs = [torch.tensor(a, requires_grad=True) for a in params]
    out = losses.l2_penalty(mine)
    ref = sum((w**2).sum() for w in theirs)
    out.backward()
    ref.backward()
    assert out.item() == pytest.approx(ref.item(), rel=RTOL)
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.grad, t.grad.numpy(), rtol=RTOL)


# --------------------------------------------------------------------------- errors
def _error(fn, *args) -> str:  # noqa: ANN001
    with pytest.raises(ValueError) as info:
        fn(*args)
    return str(info.value)


BAD_BINARY = [
    ("mse_loss", np.zeros(0), np.zeros(0), "empty batch"),
    ("mse_loss", np.zeros(3), np.zeros(2), "3 predictions but 2 targets"),
    ("hinge_loss", np.zeros((3, 2)), np.ones(3), "prediction 0 has 2 outputs"),
    ("hinge_loss", np.zeros(3), np.array([1.0, 0.0, -1.0]), "target 1 is 0.0, expected -1 or +1"),
    ("hinge_loss", np.zeros(2), np.array([1.0, np.nan]), "target 1 is nan"),
    ("binary_cross_entropy_with_logits", np.zeros(2), np.array([0.0, 2.0]), "target 1 is 2.0"),
    ("binary_cross_entropy", np.zeros(2), np.array([0.0, -0.5]), "target 1 is -0.5"),
    ("binary_cross_entropy", np.array([0.5, 1.5]), np.zeros(2), "probability 1 is 1.5"),
    ("binary_cross_entropy", np.array([np.nan, 0.5]), np.zeros(2), "probability 0 is nan"),
]


@pytest.mark.parametrize(("name", "preds", "targets", "fragment"), BAD_BINARY)
def test_binary_errors_are_the_scalar_engines_word_for_word(
    name: str, preds: np.ndarray, targets: np.ndarray, fragment: str
) -> None:
    rows = [list(map(Value, row)) for row in np.atleast_2d(preds.T).T.tolist()]
    scalar_message = _error(getattr(losses, name), rows, targets)
    tensor_message = _error(getattr(losses, name), Tensor(preds), targets)
    assert tensor_message == scalar_message
    assert fragment in tensor_message


BAD_CLASSES = [
    (np.zeros((0, 3)), np.zeros(0, dtype=int), "empty batch"),
    (np.zeros((2, 3)), np.array([0, 1, 2]), "2 predictions but 3 targets"),
    (np.zeros((2, 3)), np.array([0, 3]), "target 1 is 3, expected a class index in [0, 2]"),
    (np.zeros((2, 3)), np.array([-1, 0]), "target 0 is -1"),
    (np.zeros((2, 3)), np.array([0.0, 1.5]), "target 1 is 1.5"),
    (np.zeros((2, 3)), np.array([True, False]), "target 0 is True"),
    (np.zeros((2, 3)), [0, "a"], "target 0 is '0'"),  # numpy makes both strings
    (np.zeros((2, 3)), [0, None], "target 1 is None"),
]


@pytest.mark.parametrize(("logits", "targets", "fragment"), BAD_CLASSES)
def test_cross_entropy_errors_are_the_scalar_engines_word_for_word(
    logits: np.ndarray, targets: object, fragment: str
) -> None:
    rows = [list(map(Value, row)) for row in logits.tolist()]
    scalar_message = _error(losses.cross_entropy, rows, targets)
    tensor_message = _error(losses.cross_entropy, Tensor(logits), targets)
    assert tensor_message == scalar_message
    assert fragment in tensor_message


def test_class_scores_must_be_rows() -> None:
    scalar_message = _error(losses.cross_entropy, [Value(1.0), Value(2.0)], [0, 1])
    assert _error(losses.cross_entropy, Tensor([1.0, 2.0]), [0, 1]) == scalar_message
    assert "shape (n, k)" in _error(losses.cross_entropy, Tensor(1.0), [0])
    assert "shape (n,) or (n, 1)" in _error(losses.hinge_loss, Tensor(np.zeros((2, 1, 1))), [1, 1])


# --------------------------------------------------------------------------- dispatch
def test_list_of_tensors_is_stacked_and_dispatched() -> None:
    a, b = Tensor(0.5, requires_grad=True), Tensor(-2.0, requires_grad=True)
    out = losses.hinge_loss([a, b], [1.0, 1.0])
    assert isinstance(out, Tensor)
    assert out.item() == pytest.approx((0.5 + 3.0) / 2)
    out.backward()
    assert (a.grad, b.grad) == (-0.5, -0.5)


def test_dispatch_keeps_names_and_docs() -> None:
    for name in ("mse_loss", "hinge_loss", "cross_entropy", "l2_penalty"):
        fn = getattr(losses, name)
        assert fn.__name__ == name and fn.__doc__
    assert set(tensor_losses.LOSSES) == set(losses.LOSSES)


def test_the_scalar_path_never_imports_the_tensor_engine() -> None:
    code = (
        "import sys\n"
        "from minitorch_nn import losses\n"
        "from minitorch_nn.engine import Value\n"
        "out = losses.hinge_loss([[Value(0.5)]], [1]) + losses.l2_penalty([Value(1.0)])\n"
        "out.backward()\n"
        "assert not [m for m in sys.modules if m.startswith('minitorch_nn.tensor')], 'imported'\n"
        "print(out.data)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == 1.5


def test_l2_penalty_takes_a_generator_of_tensors_once() -> None:
    """losses.l2_penalty(model.parameters()) and a generator of Tensors give one node."""
    from minitorch_nn import losses
    from minitorch_nn.tensor import Tensor

    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([[3.0]], requires_grad=True)
    from_list = losses.l2_penalty([a, b])
    from_generator = losses.l2_penalty(t for t in (a, b))
    assert isinstance(from_generator, Tensor)
    assert float(from_list) == float(from_generator) == 14.0
