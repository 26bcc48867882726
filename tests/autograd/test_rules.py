"""The op table drives the op tests of both engines: every elementwise op of
``minitorch_nn.autograd.rules.OPS`` on ``Value`` and on ``Tensor``, against its float forward,
central differences, PyTorch float64 (values, gradients, second derivatives), and with fast
paths on and off. Adding an op the documented way (one entry) is shown with ``softplus``."""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import minitorch_nn.tensor as T
from minitorch_nn import fast
from minitorch_nn.autograd import OPS, Op, register, unregister
from minitorch_nn.engine import Value, gradcheck
from minitorch_nn.engine import grad as value_grad
from minitorch_nn.plot import to_dot
from minitorch_nn.tensor import Tensor

# name -> (torch function, sampler of the points where the op is checked)
POSITIVE = ("log", "sqrt", "pow")  # ops checked on positive inputs only (pow: the base)


def _points(name: str, arity: int, size: int = 6) -> list[np.ndarray]:
    """A fixed draw per op: normals away from 0 (the kinks of relu and abs), or positive."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    xs = []
    for k in range(arity):
        x = rng.normal(size=size)
        x = np.where(np.abs(x) < 0.1, 0.4, x)
        if name in POSITIVE and k == 0:
            x = np.abs(x) + 0.2
        xs.append(x)
    return xs


def _torch_fn(torch: Any, name: str) -> Callable[..., Any]:
    return {
        "add": torch.add,
        "sub": torch.sub,
        "mul": torch.mul,
        "div": torch.div,
        "pow": torch.pow,
        "neg": torch.neg,
        "exp": torch.exp,
        "log": torch.log,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "relu": torch.relu,
        "sin": torch.sin,
        "cos": torch.cos,
        "sqrt": torch.sqrt,
        "abs": torch.abs,
        "softplus": torch.nn.functional.softplus,
    }[name]


def _call(op: Op, *xs: Any) -> Any:
    """op on engine nodes through the generated method or operator, as a user calls it."""
    if op.arity == 2:
        return getattr(xs[0], f"__{op.operator}__")(xs[1])
    if op.method:
        return getattr(xs[0], op.method)()
    return getattr(xs[0], f"__{op.operator}__")()


@pytest.fixture(params=[True, False], ids=["fast", "generic"])
def fast_paths(request: pytest.FixtureRequest) -> Iterator[bool]:
    """Each op test runs with the fast paths on and off."""
    if request.param:
        yield True
    else:
        with fast.disabled():
            yield False


OP_NAMES = sorted(OPS)


def test_every_op_of_the_table_has_a_torch_reference(torch: Any) -> None:
    for name in OPS:
        assert callable(_torch_fn(torch, name)), name


@pytest.mark.parametrize("name", OP_NAMES)
def test_value_and_tensor_compute_the_float_forward(name: str, fast_paths: bool) -> None:
    op = OPS[name]
    xs = _points(name, op.arity)
    expected = [op.forward(*(float(x[i]) for x in xs)) for i in range(len(xs[0]))]
    scalar = [_call(op, *(Value(float(x[i])) for x in xs)).data for i in range(len(xs[0]))]
    tensor = _call(op, *(Tensor(x) for x in xs)).data
    assert scalar == expected
    np.testing.assert_allclose(tensor, expected, rtol=1e-15, atol=0.0)


@pytest.mark.parametrize("name", OP_NAMES)
def test_gradients_match_central_differences(name: str, fast_paths: bool) -> None:
    op = OPS[name]
    xs = _points(name, op.arity)
    for i in range(len(xs[0])):
        assert gradcheck(lambda *v: _call(op, *v), [float(x[i]) for x in xs])
    assert T.gradcheck(lambda *t: _call(op, *t), xs)


@pytest.mark.parametrize("name", OP_NAMES)
def test_both_engines_match_torch_float64(name: str, torch: Any, fast_paths: bool) -> None:
    """Values, first and second derivatives (grad with create_graph) of both engines."""
    op = OPS[name]
    xs = _points(name, op.arity)
    theirs = [torch.tensor(x, requires_grad=True) for x in xs]
    out = _torch_fn(torch, name)(*theirs)
    firsts = torch.autograd.grad(out.sum(), theirs, create_graph=True)
    seconds = [
        torch.autograd.grad(g.sum(), t, allow_unused=True)[0] if g.requires_grad else None
        for g, t in zip(firsts, theirs)
    ]  # None: a constant first derivative (add, sub, neg), whose derivative is 0
    seconds = [torch.zeros_like(t) if s is None else s.detach() for s, t in zip(seconds, theirs)]
    firsts = tuple(g.detach() for g in firsts)
    # Tensor: d/dx sum(op(x)) and d/dx sum(d/dx op(x)) for each input
    ours = [Tensor(x, requires_grad=True) for x in xs]
    t_out = _call(op, *ours)
    t_firsts = T.grad(t_out.sum(), ours, create_graph=True)
    np.testing.assert_allclose(t_out.data, out.detach().numpy(), rtol=1e-12, atol=1e-14)
    for k, (g, s, t) in enumerate(zip(t_firsts, seconds, ours)):
        np.testing.assert_allclose(g.data, firsts[k].numpy(), rtol=1e-12, atol=1e-14)
        (g2,) = T.grad(g.sum(), [t])
        np.testing.assert_allclose(g2, s.numpy(force=True), rtol=1e-10, atol=1e-12)
    # Value: the same numbers sample by sample
    for i in range(len(xs[0])):
        vs = [Value(float(x[i])) for x in xs]
        v_firsts = value_grad(_call(op, *vs), vs, create_graph=True)
        for k, (g, v) in enumerate(zip(v_firsts, vs)):
            assert g.data == pytest.approx(float(firsts[k][i]), rel=1e-12, abs=1e-14)
            (g2,) = value_grad(g, [v])
            assert g2 == pytest.approx(float(seconds[k][i]), rel=1e-10, abs=1e-12)


# ------------------------------------------------------------------ adding an op: softplus
def _softplus_entry() -> Op:
    """softplus(x) = log(1 + e^x), written once against the namespace in its stable form
    relu(x) + log(1 + e^-|x|); d/dx = sigmoid(x)."""
    return Op(
        "softplus",
        "softplus",
        lambda m, xs, out: (m.sigmoid(xs[0]),),
        forward=lambda m, x: m.relu(x) + m.log(1.0 + m.exp(-m.abs(x))),
        doc="log(1 + e^x); d/dx = sigmoid(x).",
    )


@pytest.fixture
def softplus() -> Iterator[Op]:
    op = register(_softplus_entry())
    try:
        yield op
    finally:
        unregister("softplus")


def test_softplus_added_by_one_entry_works_on_both_engines(
    softplus: Op, torch: Any, fast_paths: bool
) -> None:
    F = torch.nn.functional
    points = [-3.0, -0.5, 0.0, 0.7, 4.0]
    # Value: forward, gradient against central differences and torch, second derivative
    for x in points:
        v = Value(x)
        out = v.softplus()  # type: ignore[attr-defined]
        out.backward()
        t = torch.tensor(x, requires_grad=True)
        t_out = F.softplus(t)
        (t_g,) = torch.autograd.grad(t_out, [t], create_graph=True)
        (t_g2,) = torch.autograd.grad(t_g, [t])
        assert out.data == pytest.approx(t_out.item(), rel=1e-14)
        assert v.grad == pytest.approx(t_g.item(), rel=1e-14)
        assert gradcheck(lambda a: a.softplus(), [x])
        w = Value(x)
        (g,) = value_grad(w.softplus(), [w], create_graph=True)  # type: ignore[attr-defined]
        (g2,) = value_grad(g, [w])
        assert g2 == pytest.approx(t_g2.item(), rel=1e-12)
    # Tensor: the same on an array at once
    a = np.array(points)
    ta = torch.tensor(a, requires_grad=True)
    t_out = F.softplus(ta)
    (t_g,) = torch.autograd.grad(t_out.sum(), [ta], create_graph=True)
    (t_g2,) = torch.autograd.grad(t_g.sum(), [ta])
    x = Tensor(a, requires_grad=True)
    out = x.softplus()  # type: ignore[attr-defined]
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-14)
    (g,) = T.grad(out.sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.data, t_g.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(T.grad(g.sum(), [x])[0], t_g2.numpy(), rtol=1e-12)
    assert T.gradcheck(lambda t: t.softplus(), [a])
    # the graph drawing labels the op node with the entry's symbol
    assert 'label="softplus"]' in to_dot(Value(0.5).softplus())  # type: ignore[attr-defined]


def test_unregister_removes_everything_register_made() -> None:
    register(_softplus_entry())
    unregister("softplus")
    assert "softplus" not in OPS
    assert not hasattr(Value, "softplus") and not hasattr(Tensor, "softplus")
    with pytest.raises(ValueError, match="exists already"):
        register(Op("exp", "exp", lambda m, xs, out: (out,), forward=math.exp))
    with pytest.raises(KeyError, match="no op named 'nope'"):
        unregister("nope")
