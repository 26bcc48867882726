"""nn: parameter discovery, names, repr, layers, init, state_dict, config."""

from __future__ import annotations

import math
import random
import types
from typing import Any

import numpy as np
import pytest

from minitorch_nn.engine import Node, Value
from minitorch_nn.nn import (
    MLP,
    Layer,
    Linear,
    Module,
    Neuron,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    build_model,
    get_activation,
)


class ArrayParam(Node):
    """A stand-in for a tensor-engine parameter: ``.data`` is a numpy array."""

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = np.ones_like(self.data)
        self.requires_grad = requires_grad

    def _zero_like(self) -> np.ndarray:
        return np.zeros_like(self.data)


class Block(Module):
    def __init__(self) -> None:
        self.scale = Value(2.0)


class Custom(Module):
    """Parameters hidden in every kind of container, plus things that are not parameters."""

    def __init__(self) -> None:
        self.a = Value(1.0)
        self.nested = [[Value(2.0), (Value(3.0),)], {"x": Value(4.0), "blk": Block()}]
        self.table = {"k": Block()}
        self.rate = 0.5  # a float is not a parameter
        self.name = "custom"
        self.constant = ArrayParam([1.0, 2.0], requires_grad=False)
        self.shared = self.a  # the same Value twice: counted once, under its first name


# ---------------------------------------------------------------- discovery and names
def test_mlp_has_micrograd_parameter_count() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    assert len(model.parameters()) == 337
    assert model.num_parameters() == 337


def test_parameters_found_in_nested_lists_tuples_dicts_and_modules() -> None:
    model = Custom()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["a", "nested.0.0", "nested.0.1.0", "nested.1.x", "nested.1.blk.scale",
                     "table.k.scale"]  # fmt: skip
    assert [p.data for p in model.parameters()] == [1.0, 2.0, 3.0, 4.0, 2.0, 2.0]


def test_parameter_order_is_weights_then_bias_per_neuron() -> None:
    model = MLP(3, [2, 1], seed=0)
    expected = []
    for layer in model.layers:
        for neuron in layer.neurons:
            expected += [*neuron.w, neuron.b]
    assert model.parameters() == expected
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.w.2",
        "layers.0.neurons.0.b",
    ]
    assert names[-1] == "layers.1.neurons.0.b"
    assert len(set(names)) == len(names)


def test_dotted_name_reaches_the_parameter() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    named = dict(model.named_parameters())
    assert named["layers.1.neurons.3.w.0"] is model.layers[1].neurons[3].w[0]


def test_cyclic_references_do_not_loop() -> None:
    parent = Block()
    child = Block()
    parent.child = child
    child.parent = parent  # a cycle
    assert parent.parameters() == [parent.scale, child.scale]


def test_children_and_modules() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert model.children() == model.layers
    assert [name for name, _ in model.named_children()] == ["layers.0", "layers.1"]
    modules = model.modules()
    assert modules[0] is model
    assert len(modules) == 1 + 2 + 3 + 1  # MLP, two Linear, four neurons
    assert all(isinstance(m, Module) for m in modules)


def test_unknown_attribute_raises_attribute_error() -> None:
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(AttributeError):
        model.layer  # noqa: B018 - a typo must not return None


def test_train_and_eval_reach_every_module() -> None:
    model = MLP(2, [3, 1], seed=0)
    assert model.training
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_resets_every_parameter() -> None:
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_forward_not_implemented_on_plain_module() -> None:
    with pytest.raises(NotImplementedError, match="Block does not implement forward"):
        Block()(1.0)


# ---------------------------------------------------------------- layers
def test_neuron_is_bias_plus_dot_then_activation() -> None:
    neuron = Neuron(2, activation="relu", seed=1)
    w0, w1, b = (p.data for p in neuron.parameters())
    neuron.b.data = 0.25
    out = neuron([3.0, -1.0])
    assert isinstance(out, Value)
    assert out.data == max(0.0, 0.25 + w0 * 3.0 + w1 * -1.0)
    assert b == 0.0  # uniform init: zero bias


def test_neuron_gradients_by_hand() -> None:
    neuron = Neuron(2, activation="tanh", seed=3)
    x = [Value(0.5), Value(-1.5)]
    out = neuron(x)
    out.backward()
    d = 1.0 - out.data**2
    assert math.isclose(neuron.w[0].grad, d * 0.5, rel_tol=1e-15)
    assert math.isclose(neuron.w[1].grad, d * -1.5, rel_tol=1e-15)
    assert math.isclose(neuron.b.grad, d, rel_tol=1e-15)
    assert math.isclose(x[1].grad, d * neuron.w[1].data, rel_tol=1e-15)


def test_one_output_gives_the_value_itself_and_more_give_a_list() -> None:
    layer = Linear(3, 1, seed=0)
    out = layer([1.0, 2.0, 3.0])
    assert isinstance(out, Value)
    assert out.data == layer.neurons[0]([1.0, 2.0, 3.0]).data
    outs = Linear(3, 4, seed=0)([1, 2, 3])
    assert isinstance(outs, list) and len(outs) == 4
    assert all(isinstance(v, Value) for v in outs)
    assert isinstance(MLP(3, [4, 1], seed=0)(np.array([1.0, 2.0, 3.0])), Value)
    two = MLP(3, [4, 2], seed=0)([1.0, 2.0, 3.0])
    assert isinstance(two, list) and len(two) == 2


def test_a_one_output_layer_feeds_the_next_layer() -> None:
    # micrograd's MLP(2, [1, 3]) fails here (a Value is not iterable); ours passes it on
    model = MLP(2, [1, 3], activation="tanh", seed=0)
    hidden = model.layers[0]([0.5, -1.0])  # tanh(b + w.x): a hidden layer's activation
    assert isinstance(hidden, Value) and hidden.op == "dot_tanh"
    out = model([0.5, -1.0])
    assert [v.data for v in out] == [v.data for v in model.layers[1]([hidden])]
    assert [v.data for v in model.layers[1](hidden)] == [v.data for v in out]
    assert Neuron(1, seed=0)(2.0).data == Neuron(1, seed=0)([2.0]).data
    seq = Sequential(Linear(2, 1, seed=0), Tanh(), Linear(1, 2, seed=1))
    assert len(seq([0.5, -1.0])) == 2
    with pytest.raises(TypeError, match="expected a sequence of 2 inputs, got bool"):
        Linear(2, 1, seed=0)(True)


def test_wrong_input_length_names_the_layer() -> None:
    with pytest.raises(ValueError, match=r"Linear\(3, 4\) expected 3 inputs, got 2"):
        Linear(3, 4, seed=0)([1.0, 2.0])
    with pytest.raises(ValueError, match=r"expected 2 inputs, got 3"):
        MLP(2, [4, 1], seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="expected a sequence of 2 inputs"):
        Neuron(2, seed=0)(1.0)


def test_mlp_has_activation_between_layers_and_none_after_last() -> None:
    model = MLP(2, [4, 4, 1], activation="tanh", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", None]
    model.layers[-1].neurons[0].b.data = -100.0  # a linear output can be far below -1
    assert model([0.1, 0.2]).data < -90


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        MLP(2, [3], activation="gelu")
    with pytest.raises(ValueError, match="unknown init 'xavier'"):
        Linear(2, 3, init="xavier")
    with pytest.raises(ValueError, match="nin must be a positive int, got 0"):
        Neuron(0)
    with pytest.raises(ValueError, match="nouts must be a non-empty list"):
        MLP(2, 16)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed or rng, not both"):
        MLP(2, [3], seed=1, rng=random.Random(1))


def test_micrograd_nonlin_keyword_and_layer() -> None:
    assert Neuron(2, nonlin=True, seed=0).activation == "relu"
    assert Neuron(2, nonlin=False, seed=0).activation is None
    assert Linear(2, 3, nonlin=True, seed=0).activation == "relu"
    layer = Layer(2, 3, seed=0)  # micrograd's Layer: ReLU neurons unless nonlin=False
    assert isinstance(layer, Linear) and layer.activation == "relu"
    assert all(n.activation == "relu" for n in layer.neurons)
    assert Layer(2, 3, nonlin=False, seed=0).activation is None
    assert [p.data for p in layer.parameters()] == [
        p.data for p in Linear(2, 3, activation="relu", seed=0).parameters()
    ]
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert build_model(layer.config()).config() == layer.config()
    with pytest.raises(ValueError, match="give activation or nonlin, not both"):
        Neuron(2, activation="tanh", nonlin=True)
    with pytest.raises(TypeError, match="micrograd's flag is the keyword nonlin=True"):
        Neuron(2, True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="nonlin must be True"):
        Linear(2, 3, nonlin="relu")  # type: ignore[arg-type]


def test_repr() -> None:
    assert repr(MLP(2, [16, 16, 1], seed=0)) == "MLP(2 -> [16 relu, 16 relu, 1])"
    assert repr(MLP(3, [8, 2], activation="tanh", seed=0)) == "MLP(3 -> [8 tanh, 2])"
    assert repr(MLP(3, [8, 2], activation=None, seed=0)) == "MLP(3 -> [8, 2])"
    assert repr(Linear(3, 4, activation="relu", seed=0)) == "Linear(3, 4, activation='relu')"
    assert repr(Neuron(3, seed=0)) == "Neuron(3)"
    seq = Sequential(Linear(2, 3, seed=0), ReLU(), Linear(3, 1, seed=0))
    assert repr(seq) == "Sequential(\n  (0): Linear(2, 3)\n  (1): ReLU()\n  (2): Linear(3, 1)\n)"
    assert repr(Custom()).startswith("Custom(\n  (nested.1.blk): Block()")


def test_sequential_chains_modules_and_finds_their_parameters() -> None:
    first, second = Linear(2, 3, seed=0), Linear(3, 1, seed=1)
    seq = Sequential(first, Tanh(), second)
    x = [0.3, -0.7]
    expected = second([h.tanh() for h in first(x)]).data
    assert seq(x).data == expected  # what the last module returns: one output, one Value
    assert seq.parameters() == first.parameters() + second.parameters()
    assert len(seq) == 3 and seq[1].__class__ is Tanh
    with pytest.raises(TypeError, match="argument 0 must be a Module"):
        Sequential(lambda x: x)  # type: ignore[arg-type]


def test_activation_modules_work_elementwise() -> None:
    xs = [Value(-1.0), Value(2.0)]
    assert [v.data for v in ReLU()(xs)] == [0.0, 2.0]
    assert [v.data for v in Tanh()(xs)] == [math.tanh(-1.0), math.tanh(2.0)]
    assert Sigmoid()(Value(0.0)).data == 0.5
    assert get_activation(None)(xs[0]) is xs[0]
    with pytest.raises(ValueError, match="unknown activation"):
        get_activation("swish")


# ---------------------------------------------------------------- initialisation
def test_uniform_init_draws_like_micrograd() -> None:
    rng = random.Random(1337)
    expected = []
    for nin, nout in [(2, 16), (16, 16), (16, 1)]:
        for _ in range(nout):
            expected += [rng.uniform(-1, 1) for _ in range(nin)] + [0.0]  # bias: no draw
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    assert [p.data for p in model.parameters()] == expected


def test_without_seed_layers_draw_from_the_random_module_in_micrograds_order() -> None:
    state = random.getstate()
    try:
        random.seed(1337)
        expected = []
        for nin, nout in [(2, 16), (16, 16), (16, 1)]:
            for _ in range(nout):
                expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
        after_expected = random.random()
        random.seed(1337)
        model = MLP(2, [16, 16, 1])
        assert [p.data for p in model.parameters()] == expected
        assert random.random() == after_expected  # 336 draws: one per weight, none per bias
        random.seed(5)
        kaiming = Linear(4, 2, init="kaiming")
        random.seed(5)
        assert [p.data for p in kaiming.parameters()] == [
            random.uniform(-0.5, 0.5) for _ in range(10)
        ]
        random.seed(2)
        before = random.getstate()
        MLP(2, [3, 1], seed=9)
        Neuron(3, rng=random.Random(4))
        assert random.getstate() == before  # seed= and rng= leave the module's generator alone
    finally:
        random.setstate(state)


def test_same_seed_same_weights_and_different_seed_different_weights() -> None:
    def weights(**kwargs: Any) -> list[float]:
        return [p.data for p in MLP(2, [4, 1], **kwargs).parameters()]

    assert weights(seed=7) == weights(seed=7) == weights(rng=random.Random(7))
    assert weights(seed=7) != weights(seed=8)
    assert weights(seed=7, init="kaiming") == weights(seed=7, init="kaiming")


def test_kaiming_init_is_torch_linear_default_range() -> None:
    layer = Linear(16, 64, init="kaiming", seed=0)
    bound = 1 / math.sqrt(16)
    ws = [w.data for n in layer.neurons for w in n.w]
    bs = [n.b.data for n in layer.neurons]
    assert all(-bound <= v <= bound for v in ws + bs)
    assert max(ws) > 0.9 * bound and min(ws) < -0.9 * bound  # the whole range is used
    assert all(b != 0.0 for b in bs)


# ---------------------------------------------------------------- state_dict
def test_state_dict_round_trip() -> None:
    source, target = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=2)
    state = source.state_dict()
    assert list(state) == [name for name, _ in source.named_parameters()]
    assert all(type(v) is float for v in state.values())
    target.load_state_dict(state)
    assert target([0.5, -0.5]).data == source([0.5, -0.5]).data
    state["layers.0.neurons.0.b"] = 99.0  # the state_dict is a copy
    assert source.layers[0].neurons[0].b.data == 0.0


def test_load_state_dict_names_missing_and_unexpected_entries() -> None:
    model = MLP(2, [2, 1], seed=0)
    state = model.state_dict()
    del state["layers.1.neurons.0.b"]
    state["layers.2.neurons.0.b"] = 0.0
    with pytest.raises(KeyError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "missing entries ['layers.1.neurons.0.b']" in message
    assert "unexpected entries ['layers.2.neurons.0.b']" in message


def test_load_state_dict_rejects_wrong_shape_and_loads_nothing() -> None:
    model = MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    state = {name: value + 1.0 for name, value in before.items()}
    state["layers.0.neurons.1.w.0"] = [1.0, 2.0]
    with pytest.raises(
        ValueError, match=r"'layers.0.neurons.1.w.0' has shape \(2,\), expected \(\)"
    ):
        model.load_state_dict(state)
    assert model.state_dict() == before  # nothing half-loaded
    state["layers.0.neurons.1.w.0"] = "abc"
    with pytest.raises(ValueError, match="is not numeric"):
        model.load_state_dict(state)


class ArrayModel(Module):
    def __init__(self) -> None:
        self.weight = ArrayParam(np.arange(6.0).reshape(2, 3))
        self.bias = ArrayParam(np.zeros(3))
        self.frozen = ArrayParam(np.ones(4), requires_grad=False)


def test_array_parameters_state_dict_and_shape_errors() -> None:
    model = ArrayModel()
    assert model.num_parameters() == 9
    state = model.state_dict()
    assert list(state) == ["weight", "bias"]  # requires_grad=False is not a parameter
    assert isinstance(state["weight"], np.ndarray)
    state["weight"][0, 0] = 100.0  # a copy, not a view
    assert model.weight.data[0, 0] == 0.0
    bad = {"weight": np.zeros((3, 2)), "bias": np.ones(3)}
    with pytest.raises(ValueError, match=r"'weight' has shape \(3, 2\), expected \(2, 3\)"):
        model.load_state_dict(bad)
    assert (model.bias.data == 0).all()  # not half-loaded
    good = {"weight": np.full((2, 3), 7.0), "bias": [1.0, 2.0, 3.0]}
    model.load_state_dict(good)
    good["weight"][0, 0] = -1.0
    assert (model.weight.data == 7.0).all()
    assert model.bias.data.tolist() == [1.0, 2.0, 3.0]
    model.zero_grad()
    assert (model.weight.grad == 0).all() and model.weight.grad.shape == (2, 3)


# ---------------------------------------------------------------- config and files
@pytest.mark.parametrize(
    "model",
    [
        MLP(2, [16, 16, 1], seed=0),
        MLP(3, [4, 2], activation="tanh", init="kaiming", seed=0),
        Linear(3, 2, activation="sigmoid", seed=0),
        Neuron(4, activation="relu", seed=0),
        Sequential(Linear(2, 3, seed=0), Tanh(), Linear(3, 1, seed=0), Sigmoid()),
    ],
    ids=repr,
)
def test_config_rebuilds_the_same_architecture(model: Module) -> None:
    import json

    config = json.loads(json.dumps(model.config()))  # JSON-able
    rebuilt = build_model(config)
    assert repr(rebuilt) == repr(model)
    assert rebuilt.config() == model.config()
    rebuilt.load_state_dict(model.state_dict())
    x = [0.1, -0.2, 0.3, 0.4][: getattr(model, "nin", 2)]
    assert np.allclose(
        [v.data for v in np.atleast_1d(rebuilt(x))], [v.data for v in np.atleast_1d(model(x))]
    )


def test_mlp_config_keys() -> None:
    assert MLP(2, [16, 16, 1], seed=0).config() == {
        "type": "MLP",
        "nin": 2,
        "nouts": [16, 16, 1],
        "activation": "relu",
        "init": "uniform",
    }


def test_build_model_rejects_unknown_type() -> None:
    with pytest.raises(ValueError, match="unknown model type 'Transformer'"):
        build_model({"type": "Transformer"})
    with pytest.raises(ValueError, match="'type' key"):
        build_model({"nin": 2})
    with pytest.raises(NotImplementedError, match="Block does not implement config"):
        Block().config()


def test_save_and_load_delegate_to_checkpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    saved: dict[str, Any] = {}
    fake = types.ModuleType("minitorch_nn.io.checkpoint")
    fake.save_model = lambda model, path: saved.update({path: model})  # type: ignore[attr-defined]
    fake.load_model = lambda path: saved[path]  # type: ignore[attr-defined]
    io = {"save_model": fake.save_model, "load_model": fake.load_model}  # type: ignore[attr-defined]
    monkeypatch.setattr("minitorch_nn.nn.module._CHECKPOINT_IO", io)
    model = MLP(2, [3, 1], seed=0)
    model.save("m.npz")
    assert saved == {"m.npz": model}
    assert MLP.load("m.npz") is model
    with pytest.raises(TypeError, match="holds a MLP, expected a Linear"):
        Linear.load("m.npz")


def test_matches_torch_forward_and_gradients(torch: Any) -> None:
    model = MLP(3, [5, 4, 2], activation="tanh", seed=11)
    torch_layers = []
    for layer in model.layers:
        lin = torch.nn.Linear(layer.nin, layer.nout)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons]))
            lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons]))
        torch_layers.append(lin)
    x = [0.3, -1.2, 0.8]
    out = model(x)
    h = torch.tensor([x])
    for i, lin in enumerate(torch_layers):
        h = lin(h)
        if i < len(torch_layers) - 1:
            h = torch.tanh(h)
    assert np.allclose([v.data for v in out], h[0].tolist(), rtol=1e-13, atol=0)
    (out[0] * out[1]).backward()
    (h[0, 0] * h[0, 1]).backward()
    ours = [p.grad for p in model.parameters()]
    theirs = []
    for lin in torch_layers:
        for row, b in zip(lin.weight.grad.tolist(), lin.bias.grad.tolist()):
            theirs += [*row, b]
    assert np.allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_hidden_layers_make_one_fused_node_per_neuron_per_sample() -> None:
    from minitorch_nn.autograd.graph import toposort

    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -1.0])
    nodes = [n for n in toposort(out) if n._op is not None]
    ops = [n.op for n in nodes]
    assert ops.count("dot_relu") == 32 and ops.count("dot") == 1 and len(nodes) == 33
    # the same numbers as dot followed by relu, neuron by neuron
    h = [
        n.b.data + sum(w.data * x for w, x in zip(n.w, [0.5, -1.0]))
        for n in model.layers[0].neurons
    ]
    first = [n for n in nodes if len(n._parents) == 3]
    assert [n.data for n in first] == pytest.approx([max(0.0, z) for z in h], rel=1e-15)
    tanh_neuron = Neuron(3, activation="tanh", seed=1)
    assert tanh_neuron([1.0, 2.0, 3.0]).op == "dot_tanh"
    assert Linear(2, 3, activation="sigmoid", seed=2)([0.1, 0.2])[0].op == "dot_sigmoid"
    assert Linear(2, 1, activation="sigmoid", seed=2)([0.1, 0.2]).op == "dot_sigmoid"
