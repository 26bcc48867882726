"""Checkpoints: round trips, the file layout, atomic saves and every malformed-file error."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest

from minitorch_nn import checkpoint
from minitorch_nn.checkpoint import (
    FORMAT,
    HEADER_KEY,
    load_model,
    load_state_into,
    read_checkpoint,
    save_model,
)
from minitorch_nn.nn import MLP
from minitorch_nn.train import decision_function

X = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 0.1]])


def model(hidden: int = 4, seed: int = 0) -> MLP:
    return MLP(2, [hidden, 1], activation="tanh", seed=seed)


def header_of(m: MLP) -> dict:
    state = m.state_dict()
    return {
        "format": FORMAT,
        "version": 1,
        "config": m.config(),
        "params": [{"name": n, "shape": list(np.shape(v))} for n, v in state.items()],
    }


def write_npz(path, header, arrays) -> None:
    """A hand-made checkpoint: ``np.savez`` with a uint8 JSON header."""
    raw = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    with open(path, "wb") as f:
        np.savez(f, **{HEADER_KEY: raw}, **arrays)


def arrays_of(m: MLP) -> dict[str, np.ndarray]:
    return {n: np.asarray(v, dtype=np.float64) for n, v in m.state_dict().items()}


# --------------------------------------------------------------------------- round trips
def test_round_trip_rebuilds_the_same_model(tmp_path):
    original = model()
    path = save_model(original, tmp_path / "m.npz")
    restored = load_model(path)
    assert restored.config() == original.config()
    assert restored.state_dict() == original.state_dict()
    np.testing.assert_array_equal(decision_function(restored, X), decision_function(original, X))


def test_module_save_and_load_wrappers(tmp_path):
    original = model()
    original.save(tmp_path / "m.npz")
    assert MLP.load(tmp_path / "m.npz").state_dict() == original.state_dict()


def test_load_state_into_an_existing_model(tmp_path):
    original, other = model(seed=0), model(seed=1)
    assert other.state_dict() != original.state_dict()
    save_model(original, tmp_path / "m.npz")
    assert load_state_into(other, tmp_path / "m.npz") is other
    assert other.state_dict() == original.state_dict()


def test_file_is_a_plain_npz_with_a_uint8_json_header(tmp_path):
    original = model()
    path = save_model(original, tmp_path / "weights")  # no suffix is added
    assert path == tmp_path / "weights" and path.exists()
    with np.load(path, allow_pickle=False) as npz:
        raw = npz[HEADER_KEY]
        assert raw.dtype == np.uint8 and raw.ndim == 1
        header = json.loads(raw.tobytes())
        assert set(npz.files) == {HEADER_KEY, *original.state_dict()}
        assert npz["layers.0.neurons.0.w.0"].shape == ()
    assert header["format"] == FORMAT and header["version"] == 1
    assert header["config"] == original.config()
    assert len(header["params"]) == original.num_parameters()


# --------------------------------------------------------------------------- atomic saves
def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    save_model(model(seed=0), path)
    before = path.read_bytes()

    def crash(f, entries):
        f.write(b"half a file")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(checkpoint, "_write_npz", crash)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save_model(model(seed=1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temp file left behind


def test_save_refuses_non_finite_weights(tmp_path):
    m = model()
    m.parameters()[3].data = math.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        save_model(m, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


# --------------------------------------------------------------------------- malformed files
class _Marker:
    """Unpickling this creates a file: proof that a loader executed pickle code."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickle_renamed_npz_is_refused_without_executing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(_Marker(str(marker))))
    with pytest.raises(ValueError, match=r"not an \.npz"):
        load_model(path)
    assert not marker.exists()


def test_pickled_object_array_inside_an_npz_is_refused_without_executing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    payload = np.array([_Marker(str(marker))], dtype=object)
    with open(path, "wb") as f:
        np.savez(f, **{HEADER_KEY: payload})
    with pytest.raises(ValueError, match="cannot be read safely"):
        load_model(path)
    assert not marker.exists()


def test_text_file_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("hello")
    with pytest.raises(ValueError, match=r"not an \.npz \(zip\) file"):
        load_model(path)


def test_truncated_file(tmp_path):
    path = save_model(model(), tmp_path / "m.npz")
    data = path.read_bytes()
    for keep in (len(data) // 2, len(data) - 30):
        path.write_bytes(data[:keep])
        with pytest.raises(ValueError, match="npz"):
            load_model(path)


def test_corrupted_member_is_reported(tmp_path):
    path = save_model(model(), tmp_path / "m.npz")
    data = bytearray(path.read_bytes())
    i = data.index(b"layers.0.neurons.0.b.npy") + 200  # inside that member's data
    data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="damaged|cannot be read"):
        load_model(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_model(tmp_path / "absent.npz")


def test_npz_without_header(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, w=np.zeros(3))
    with pytest.raises(ValueError, match="no '__header__'"):
        load_model(path)


def _mutated(tmp_path, edit_header=None, edit_arrays=None):
    m = model()
    header, arrays = header_of(m), arrays_of(m)
    if edit_header:
        edit_header(header)
    if edit_arrays:
        edit_arrays(arrays)
    path = tmp_path / "m.npz"
    write_npz(path, header, arrays)
    return path


@pytest.mark.parametrize(
    ("edit_header", "edit_arrays", "message"),
    [
        (lambda h: h.update(format="torch"), None, "wrong format 'torch'"),
        (lambda h: h.update(version=99), None, "newer"),
        (lambda h: h.update(version="1"), None, "bad format version"),
        (lambda h: h.pop("config"), None, "no model config"),
        (lambda h: h.update(params="all"), None, "must be a list"),
        (lambda h: h["params"].pop(), None, "not listed in the header"),
        (None, lambda a: a.pop("layers.1.neurons.0.b"), "missing: 'layers.1.neurons.0.b'"),
        (None, lambda a: a.update({"layers.0.neurons.0.b": np.zeros(2)}), "has shape"),
        (None, lambda a: a.update({"layers.0.neurons.0.b": np.array(math.nan)}), "NaN"),
        (None, lambda a: a.update({"layers.0.neurons.0.b": np.array("x")}), "dtype"),
        (lambda h: h["params"][0].update(shape=[-1]), None, "bad shape"),
        (lambda h: h["params"][0].update(shape=[100_000, 100_000]), None, "refusing"),
        (lambda h: h["config"].update(type="Transformer"), None, "cannot rebuild"),
    ],
)
def test_malformed_checkpoints_raise_value_error(tmp_path, edit_header, edit_arrays, message):
    path = _mutated(tmp_path, edit_header, edit_arrays)
    with pytest.raises(ValueError, match=message):
        load_model(path)


def test_entry_larger_than_declared_is_refused_before_reading(tmp_path):
    def oversized(arrays):
        arrays["layers.0.neurons.0.b"] = np.zeros(100_000)

    def declared_scalar(header):
        pass  # the header still says shape []

    path = _mutated(tmp_path, declared_scalar, oversized)
    with pytest.raises(ValueError, match="larger than its declared shape"):
        load_model(path)


def test_header_that_is_not_json(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, **{HEADER_KEY: np.frombuffer(b"{not json", dtype=np.uint8)})
    with pytest.raises(ValueError, match="not valid JSON"):
        read_checkpoint(path)


def test_wrong_architecture_leaves_the_model_untouched(tmp_path):
    save_model(model(hidden=4), tmp_path / "m.npz")
    target = model(hidden=5)
    before = target.state_dict()
    with pytest.raises(ValueError, match="wrong architecture"):
        load_state_into(target, tmp_path / "m.npz")
    assert target.state_dict() == before


def test_same_names_but_other_shapes_is_wrong_architecture(tmp_path):
    class Vector(MLP):
        """Pretends its first bias is a vector: same names, other shape."""

        def state_dict(self):
            state = super().state_dict()
            state["layers.0.neurons.0.b"] = np.zeros(2)
            return state

    save_model(model(), tmp_path / "m.npz")
    with pytest.raises(ValueError, match="wrong architecture.*shape"):
        load_state_into(Vector(2, [4, 1], activation="tanh", seed=0), tmp_path / "m.npz")


def test_a_failing_load_state_dict_is_rolled_back(tmp_path, monkeypatch):
    save_model(model(seed=0), tmp_path / "m.npz")
    target = model(seed=1)
    before = target.state_dict()
    real = MLP.load_state_dict
    calls = {"n": 0}

    def half_then_fail(self, state):
        calls["n"] += 1
        if calls["n"] == 1:  # apply the new weights, then fail like a partial load would
            real(self, state)
            raise RuntimeError("interrupted")
        real(self, state)

    monkeypatch.setattr(MLP, "load_state_dict", half_then_fail)
    with pytest.raises(RuntimeError, match="interrupted"):
        load_state_into(target, tmp_path / "m.npz")
    assert target.state_dict() == before


def test_saved_file_gets_the_usual_permissions(tmp_path):
    path = save_model(model(), tmp_path / "m.npz")
    plain = tmp_path / "plain"
    plain.write_text("")
    assert path.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
