"""Optimizers: torch.optim parity over 20 steps, arrays, validation, state; LR schedules."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from minitorch_nn.engine import Value
from minitorch_nn.losses import mse_loss
from minitorch_nn.nn import MLP
from minitorch_nn.optim import OPTIMIZERS, SGD, Adam, AdamW, MomentumSGD, Optimizer, RMSprop
from minitorch_nn.optim.schedules import constant, cosine, linear_decay, step_decay

# ---------------------------------------------------------------- the shared problem
X = [[0.5, -1.0, 0.2], [1.5, 0.3, -0.7], [-0.4, 0.9, 1.1], [0.0, -0.2, 0.4], [1.2, 1.0, -1.3],
     [-1.1, 0.1, 0.6], [0.7, -0.6, -0.2], [-0.3, -1.4, 0.9]]  # fmt: skip
Y = [0.3, -0.5, 1.0, 0.1, -1.2, 0.8, 0.0, 0.6]


def make_model() -> MLP:
    return MLP(3, [6, 4, 1], activation="tanh", seed=5)


def torch_copy(torch: Any, model: MLP) -> list[Any]:
    """torch.nn.Linear layers holding the same weights as ``model``."""
    layers = []
    for layer in model.layers:
        lin = torch.nn.Linear(layer.nin, layer.nout)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons]))
            lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons]))
        layers.append(lin)
    return layers


def torch_forward(torch: Any, layers: list[Any], x: Any) -> Any:
    for i, lin in enumerate(layers):
        x = lin(x)
        if i < len(layers) - 1:
            x = torch.tanh(x)
    return x


def flat_torch_params(layers: list[Any]) -> list[float]:
    """In our order: each neuron's weights, then its bias."""
    out = []
    for lin in layers:
        for row, b in zip(lin.weight.tolist(), lin.bias.tolist()):
            out += [*row, b]
    return out


CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.5}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.02, "weight_decay": 0.3, "betas": (0.85, 0.995)}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9, "momentum": 0.5, "centered": True,
                 "weight_decay": 0.01}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=[f"{n}{k}" for n, k in CONFIGS])
def test_matches_torch_optim_over_20_steps(torch: Any, name: str, kwargs: dict[str, Any]) -> None:
    model = make_model()
    layers = torch_copy(torch, model)
    ours = OPTIMIZERS[name.lower()](model.parameters(), **kwargs)
    theirs = getattr(torch.optim, name)([p for lin in layers for p in lin.parameters()], **kwargs)
    xt, yt = torch.tensor(X), torch.tensor(Y).reshape(-1, 1)
    for _ in range(20):
        loss = mse_loss([model(x) for x in X], Y)
        ours.zero_grad()
        loss.backward()
        ours.step()
        torch_loss = torch.nn.functional.mse_loss(torch_forward(torch, layers, xt), yt)
        theirs.zero_grad()
        torch_loss.backward()
        theirs.step()
        assert loss.data == pytest.approx(torch_loss.item(), rel=1e-9)
    ours_params = [p.data for p in model.parameters()]
    assert np.allclose(ours_params, flat_torch_params(layers), rtol=1e-9, atol=0)


def test_scheduled_lr_matches_torch(torch: Any) -> None:
    model = make_model()
    layers = torch_copy(torch, model)
    ours = SGD(model.parameters(), lr=1.0, momentum=0.9)
    theirs = torch.optim.SGD([p for lin in layers for p in lin.parameters()], lr=1.0, momentum=0.9)
    schedule = cosine(0.1, 20, lr_min=0.01)
    xt, yt = torch.tensor(X), torch.tensor(Y).reshape(-1, 1)
    for k in range(20):
        ours.lr = schedule(k)
        for group in theirs.param_groups:
            group["lr"] = schedule(k)
        ours.zero_grad()
        mse_loss([model(x) for x in X], Y).backward()
        ours.step()
        theirs.zero_grad()
        torch.nn.functional.mse_loss(torch_forward(torch, layers, xt), yt).backward()
        theirs.step()
    assert np.allclose([p.data for p in model.parameters()], flat_torch_params(layers), rtol=1e-9)


# ---------------------------------------------------------------- by hand, without torch
def test_sgd_momentum_by_hand() -> None:
    x = Value(1.0)
    opt = SGD([x], lr=0.1, momentum=0.5)
    trajectory = []
    for _ in range(3):
        opt.zero_grad()
        (x * x).backward()  # grad 2x
        opt.step()
        trajectory.append(x.data)
    # b1 = 2; x = 0.8. b2 = 0.5*2 + 1.6 = 2.6; x = 0.54. b3 = 1.3 + 1.08 = 2.38; x = 0.302
    assert trajectory == pytest.approx([0.8, 0.54, 0.302], rel=1e-15)


def test_adam_first_step_moves_by_lr() -> None:
    x = Value(3.0)
    opt = Adam([x], lr=0.1)
    x.grad = 123.0
    opt.step()
    assert x.data == pytest.approx(2.9, rel=1e-9)  # m_hat / sqrt(v_hat) = sign(g)


def test_adamw_decays_weights_even_without_gradient_signal() -> None:
    x = Value(2.0)
    opt = AdamW([x], lr=0.1, weight_decay=0.5)
    x.grad = 0.0
    opt.step()
    assert x.data == 2.0 * (1 - 0.1 * 0.5)


class ArrayParam:
    """Anything with .data and .grad works; here numpy arrays."""

    def __init__(self, data: Any) -> None:
        self.data = np.asarray(data, dtype=np.float64)
        self.grad: Any = None


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        lambda ps: Adam(ps, lr=0.05, weight_decay=0.1),
        lambda ps: AdamW(ps, lr=0.05),
        lambda ps: RMSprop(ps, lr=0.01, momentum=0.3, centered=True),
    ],
)
def test_array_parameters_update_like_float_parameters(make: Any) -> None:
    rng = np.random.default_rng(0)
    start = rng.normal(size=(2, 3))
    array_param = ArrayParam(start)
    float_params = [Value(float(v)) for v in start.ravel()]
    opt_arrays, opt_floats = make([array_param]), make(float_params)
    for _ in range(5):
        grads = rng.normal(size=(2, 3))
        array_param.grad = grads
        for p, g in zip(float_params, grads.ravel()):
            p.grad = float(g)
        opt_arrays.step()
        opt_floats.step()
    assert array_param.data.shape == (2, 3)
    assert np.allclose(array_param.data.ravel(), [p.data for p in float_params], rtol=1e-14)
    assert all(type(p.data) is float for p in float_params)  # floats stay plain floats


def test_momentum_buffer_does_not_alias_the_gradient() -> None:
    p = ArrayParam([1.0, 2.0])
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.array([1.0, 1.0])
    opt.step()
    p.grad += 5.0  # an engine accumulating in place must not change the buffer
    assert opt.state[0]["momentum_buffer"].tolist() == [1.0, 1.0]


def test_parameters_without_gradient_are_skipped() -> None:
    a, b = ArrayParam([1.0]), ArrayParam([2.0])
    a.grad = np.array([1.0])
    opt = Adam([a, b], lr=0.1)
    opt.step()
    assert b.data.tolist() == [2.0] and opt.state[1] == {}
    assert a.data[0] == pytest.approx(0.9)


def test_zero_grad() -> None:
    model = make_model()
    opt = SGD(model.parameters(), lr=0.1)
    mse_loss([model(x) for x in X], Y).backward()
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    arr = ArrayParam([[1.0, 2.0]])
    arr.grad = np.ones((1, 2))
    opt_arr = SGD([arr], lr=0.1)
    opt_arr.zero_grad()
    assert arr.grad.tolist() == [[0.0, 0.0]]


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ps: SGD(ps, lr=-1.0), "Invalid learning rate: -1.0"),
        (lambda ps: SGD(ps, lr=0.1, momentum=-0.1), "Invalid momentum value: -0.1"),
        (lambda ps: SGD(ps, lr=0.1, momentum=1.0), "Invalid momentum value: 1.0"),
        (lambda ps: SGD(ps, lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda ps: SGD(ps, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
        (
            lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            "zero dampening",
        ),
        (lambda ps: Adam(ps, lr=-0.5), "Invalid learning rate: -0.5"),
        (lambda ps: Adam(ps, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (lambda ps: Adam(ps, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (lambda ps: AdamW(ps, eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (lambda ps: AdamW(ps, weight_decay=-0.01), "Invalid weight_decay value: -0.01"),
        (lambda ps: RMSprop(ps, alpha=-0.5), "Invalid alpha value: -0.5"),
        (lambda ps: SGD([], lr=0.1), "empty parameter list"),
        (lambda ps: SGD(ps + ps, lr=0.1), r"params\[1\] appears more than once"),
    ],
)
def test_invalid_hyperparameters_raise_like_torch(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([Value(1.0)])


def test_lr_set_between_steps_is_checked_and_used() -> None:
    x = Value(1.0)
    opt = SGD([x], lr=0.1)
    x.grad = 1.0
    opt.lr = 0.5
    opt.step()
    assert x.data == 0.5
    opt.lr = -1.0
    with pytest.raises(ValueError, match="Invalid learning rate: -1.0"):
        opt.step()


def test_wrong_params_raise_type_error() -> None:
    with pytest.raises(TypeError, match=r"expects model.parameters\(\), got the model MLP"):
        SGD(make_model(), lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"params\[0\] \(float\) has no .data and .grad"):
        SGD([1.0], lr=0.1)


# ---------------------------------------------------------------- state
@pytest.mark.parametrize("name", ["sgd", "momentum", "adam", "adamw", "rmsprop"])
def test_state_dict_round_trip_continues_identically(name: str) -> None:
    def train(model: MLP, opt: Optimizer, steps: int) -> None:
        for _ in range(steps):
            opt.zero_grad()
            mse_loss([model(x) for x in X], Y).backward()
            opt.step()

    model = make_model()
    opt = OPTIMIZERS[name](model.parameters(), lr=0.01)
    train(model, opt, 3)
    saved_params, saved_opt = model.state_dict(), opt.state_dict()
    assert saved_opt["type"] == type(opt).__name__ and saved_opt["lr"] == 0.01
    train(model, opt, 3)

    clone = make_model()
    clone.load_state_dict(saved_params)
    clone_opt = OPTIMIZERS[name](clone.parameters(), lr=0.5)
    clone_opt.load_state_dict(saved_opt)
    assert clone_opt.lr == 0.01
    train(clone, clone_opt, 3)
    assert clone.state_dict() == model.state_dict()


def test_optimizer_load_state_dict_errors() -> None:
    params = [Value(1.0), Value(2.0)]
    opt = Adam(params)
    with pytest.raises(ValueError, match="state is for SGD, not Adam"):
        opt.load_state_dict(SGD(params, lr=0.1).state_dict())
    with pytest.raises(ValueError, match="state for 1 parameters, expected 2"):
        opt.load_state_dict(Adam([Value(1.0)]).state_dict())
    arr = ArrayParam([1.0, 2.0])
    arr.grad = np.ones(2)
    source = SGD([arr], lr=0.1, momentum=0.9)
    source.step()
    state = source.state_dict()
    state["state"][0]["momentum_buffer"] = np.ones(3)
    with pytest.raises(ValueError, match=r"has shape \(3,\), expected \(2,\)"):
        SGD([ArrayParam([0.0, 0.0])], lr=0.1).load_state_dict(state)


def test_optimizers_table_and_repr() -> None:
    assert set(OPTIMIZERS) == {"sgd", "momentum", "adam", "adamw", "rmsprop"}
    momentum = OPTIMIZERS["momentum"]([Value(1.0)], lr=0.1)
    assert isinstance(momentum, MomentumSGD) and momentum.momentum == 0.9
    assert AdamW([Value(1.0)]).weight_decay == 1e-2
    assert repr(SGD([Value(1.0)], lr=0.1)) == (
        "SGD(lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)"
    )


# ---------------------------------------------------------------- schedules
def test_schedules() -> None:
    assert [constant(0.3)(k) for k in (0, 50)] == [0.3, 0.3]
    demo = linear_decay(1.0, 0.1, 100)
    assert demo(0) == 1.0 and demo(99) == 1.0 - 0.9 * 99 / 100
    assert demo(100) == pytest.approx(0.1) and demo(500) == demo(100)
    steps = step_decay(1.0, step_size=10, gamma=0.5)
    assert [steps(k) for k in (0, 9, 10, 25)] == [1.0, 1.0, 0.5, 0.25]
    cos = cosine(1.0, 10, lr_min=0.1)
    assert cos(0) == 1.0 and cos(10) == pytest.approx(0.1) and cos(20) == cos(10)
    assert cos(5) == pytest.approx(0.55)
    assert all(cos(k) >= cos(k + 1) for k in range(10))
    assert math.isclose(cosine(2.0, 4)(2), 1.0)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: linear_decay(1.0, 1.5, 100), r"lr_end_fraction must be in \[0, 1\]"),
        (lambda: step_decay(1.0, 0), "step_size must be > 0"),
        (lambda: cosine(1.0, 10, lr_min=2.0), "lr_min must be in"),
        (lambda: constant(-0.1), "lr must be > 0"),
        (lambda: constant(0.1)(-1), "schedule step must be an int >= 0"),
    ],
)
def test_schedule_errors(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_sgd_replaces_read_only_tensor_data_with_the_rules_numbers() -> None:
    """The in-place fast path falls back to a new array when the data cannot be written."""
    from minitorch_nn.optim import sgd_update
    from minitorch_nn.tensor import Tensor

    rng = np.random.default_rng(3)
    p = Tensor(rng.normal(size=(5, 2)), requires_grad=True)
    p.grad = rng.normal(size=(5, 2))
    frozen = p.data
    frozen.flags.writeable = False
    before = frozen.copy()
    expected, _ = sgd_update(before, p.grad, None, lr=0.25)
    SGD([p], lr=0.25).step()
    assert p.data is not frozen and np.array_equal(p.data, expected)
    assert np.array_equal(frozen, before)
