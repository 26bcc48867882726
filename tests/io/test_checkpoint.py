"""Checkpoints: safetensors files named as PyTorch names them, round trips for every model
kind, loading into torch, atomic saves, special files, permissions and crash leftovers."""

from __future__ import annotations

import json
import os
import pickle
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from minitorch_nn.io import checkpoint
from minitorch_nn.io.checkpoint import (
    FORMAT,
    VERSION,
    load_model,
    load_state_into,
    read_checkpoint,
    save_model,
)
from minitorch_nn.io.files import TMP_SUFFIX
from minitorch_nn.nn import MLP, Linear, Module, Neuron, Sequential, Tanh, register_model
from minitorch_nn.tensor import Tensor
from minitorch_nn.tensor import nn as tnn

ROOT = Path(__file__).resolve().parents[2]
X = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 0.1]])


def model(hidden: int = 4, seed: int = 0) -> MLP:
    return MLP(2, [hidden, 1], activation="tanh", seed=seed)


# Every model kind that maps onto a torch Sequential, and the torch names it is stored under.
MODELS = {
    "scalar MLP": (lambda: MLP(2, [4, 3, 1], activation="tanh", seed=0), [0, 2, 4]),
    "tensor MLP": (lambda: tnn.MLP(2, [5, 2], activation="relu", seed=1), [0, 2]),
    "MLP without activation": (lambda: MLP(2, [3, 1], activation=None, seed=2), [0, 1]),
    "scalar Linear": (lambda: Linear(2, 3, activation="sigmoid", seed=3), [0]),
    "tensor Linear": (lambda: tnn.Linear(2, 3, seed=4), [0]),
    "Neuron": (lambda: Neuron(2, activation="relu", seed=5), [0]),
    "Sequential": (
        lambda: Sequential(Linear(2, 3, activation="relu", seed=6), Tanh(), Linear(3, 1, seed=7)),
        [0, 3],
    ),
    "nested Sequential": (
        lambda: Sequential(Sequential(Linear(2, 3, seed=8), Tanh()), MLP(3, [2, 1], seed=9)),
        [0, 2, 4],
    ),
    "tensor Sequential": (
        lambda: tnn.Sequential(tnn.Linear(2, 4, activation="tanh", seed=10), tnn.Linear(4, 1)),
        [0, 2],
    ),
}


def same_model(a: Module, b: Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return (
        type(a) is type(b)
        and a.config() == b.config()
        and sa.keys() == sb.keys()
        and all(np.array_equal(sa[k], sb[k]) for k in sa)
    )


def run(X: np.ndarray, m: Module) -> np.ndarray:
    """m on every row of X as a float array (n, nout), for either engine."""
    if any(isinstance(p, Tensor) for p in m.parameters()):
        return np.asarray(m(X).data, dtype=np.float64).reshape(len(X), -1)  # a batch at once
    rows = []
    for x in X.tolist():
        out = m(x)
        rows.append([v.data for v in (out if isinstance(out, list) else [out])])
    return np.array(rows)


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_every_model_kind_round_trips(tmp_path, kind):
    build, indices = MODELS[kind]
    original = build()
    path = save_model(original, tmp_path / "m.safetensors")
    restored = load_model(path)
    assert same_model(restored, original)
    names = set(load_file(path))
    assert names == {f"{i}.{p}" for i in indices for p in ("weight", "bias")}
    info, _ = read_checkpoint(path)
    assert info["layout"] == "torch" and info["config"] == original.config()


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_checkpoint_loads_straight_into_to_torch(tmp_path, kind, torch):
    from safetensors.torch import load_file as torch_load_file

    from minitorch_nn.io.interop import to_torch

    original = MODELS[kind][0]()
    path = save_model(original, tmp_path / "m.safetensors")
    net = to_torch(MODELS[kind][0]())  # torch's copy of a model with other weights ...
    net.load_state_dict(torch_load_file(path))  # ... gets the saved ones, strict names
    expected = to_torch(original).state_dict()
    for name, value in net.state_dict().items():
        assert torch.equal(value, expected[name]), name
    got = net(torch.tensor(X)).detach().numpy().reshape(len(X), -1)
    np.testing.assert_allclose(got, run(X, original), rtol=1e-12, atol=1e-12)


def test_cli_written_model_loads_into_pytorch(tmp_path, torch):
    from safetensors.torch import load_file as torch_load_file

    from minitorch_nn.io.interop import to_torch

    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "minitorch_nn", "train", "--n-samples", "40", "--epochs", "3"]
    cmd += ["--hidden", "5", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = out / "model.safetensors"
    ours = load_model(path)
    net = to_torch(ours)
    with torch.no_grad():
        for p in net.parameters():
            p.zero_()
    net.load_state_dict(torch_load_file(path))
    got = net(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(got, run(X, ours), rtol=1e-12, atol=1e-12)


def test_file_layout_metadata_and_float64(tmp_path):
    from safetensors import safe_open

    original = model()
    path = save_model(original, tmp_path / "weights")  # no suffix is added
    assert path == tmp_path / "weights" and path.exists()
    with safe_open(path, framework="numpy") as f:
        meta = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 - not a dict
    assert meta["format"] == FORMAT and meta["format_version"] == str(VERSION)
    assert meta["layout"] == "torch" and json.loads(meta["config"]) == original.config()
    assert len(meta["sha256"]) == 64 and meta["library_version"]
    assert {k: v.shape for k, v in tensors.items()} == {
        "0.weight": (4, 2),
        "0.bias": (4,),
        "2.weight": (1, 4),
        "2.bias": (1,),
    }
    assert all(v.dtype == np.float64 for v in tensors.values())
    neuron = original.layers[0].neurons[3]
    assert tensors["0.weight"][3, 1] == neuron.w[1].data and tensors["0.bias"][3] == neuron.b.data


def test_module_save_and_load_wrappers(tmp_path):
    original = model()
    original.save(tmp_path / "m.safetensors")
    assert same_model(MLP.load(tmp_path / "m.safetensors"), original)


def test_model_save_works_in_a_fresh_process_that_never_names_checkpoint(tmp_path):
    """nn does not import checkpoint (it sits above nn); the package installs it on import."""
    script = "import sys; from minitorch_nn.nn import MLP; MLP(2, [3, 1], seed=4).save(sys.argv[1])"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    path = tmp_path / "m.safetensors"
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, env=env)
    assert result.returncode == 0, result.stderr
    assert same_model(MLP.load(path), MLP(2, [3, 1], seed=4))


def test_load_state_into_an_existing_model_of_either_engine(tmp_path):
    original = model(seed=0)
    save_model(original, tmp_path / "m.safetensors")
    other = model(seed=1)
    assert load_state_into(other, tmp_path / "m.safetensors") is other
    assert same_model(other, original)
    tensor = tnn.MLP(2, [4, 1], activation="tanh", seed=3)  # same torch names and shapes
    load_state_into(tensor, tmp_path / "m.safetensors")
    np.testing.assert_allclose(run(X, tensor), run(X, original), rtol=1e-12)


@register_model
class Scaled(Module):
    """A model outside the torch-mappable families: stored under its own names."""

    def __init__(self, n: int) -> None:
        from minitorch_nn.engine import Value

        self.n = n
        self.scales = [Value(float(i) + 0.5) for i in range(n)]

    def config(self) -> dict:
        return {"type": "Scaled", "n": self.n}


def test_other_registered_models_use_their_own_names(tmp_path):
    original = Scaled(3)
    original.scales[1].data = -2.25
    path = save_model(original, tmp_path / "m.safetensors")
    assert read_checkpoint(path)[0]["layout"] == "native"
    assert set(load_file(path)) == {"scales.0", "scales.1", "scales.2"}
    assert load_model(path).state_dict() == original.state_dict()


# --------------------------------------------------------------------------- plain floats
def test_parameters_replaced_by_plain_floats_are_named_on_save(tmp_path):
    scalar = model()
    scalar.layers[1].neurons[0].w[2] = 0.5  # a float where a Value belongs
    with pytest.raises(ValueError, match=r"neurons\.0\.w\.2 is a plain float.*not a parameter"):
        save_model(scalar, tmp_path / "m.safetensors")
    tensor = tnn.MLP(2, [3, 1], seed=0)
    tensor.layers[0].bias = 0.0
    with pytest.raises(ValueError, match=r"bias is a plain float"):
        save_model(tensor, tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()


def test_loading_into_a_model_with_plain_floats_is_refused_untouched(tmp_path):
    save_model(model(seed=0), tmp_path / "m.safetensors")
    target = model(seed=1)
    target.layers[0].neurons[1].b = 1.0
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"neurons\.1\.b is a plain float"):
        load_state_into(target, tmp_path / "m.safetensors")
    assert target.state_dict() == before and target.layers[0].neurons[1].b == 1.0


# --------------------------------------------------------------------------- atomic saves
def test_failed_save_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    save_model(model(seed=0), path)
    before = path.read_bytes()

    def crash(fd):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk on fire"):
        save_model(model(seed=1), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_save_refuses_non_finite_weights(tmp_path):
    m = model()
    m.parameters()[3].data = float("nan")
    with pytest.raises(ValueError, match="NaN or inf"):
        save_model(m, tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()


# --------------------------------------------------------------------------- permissions
def test_new_file_gets_the_usual_permissions(tmp_path):
    path = save_model(model(), tmp_path / "m.safetensors")
    plain = tmp_path / "plain"
    plain.write_text("")
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o755])
def test_saving_over_a_file_keeps_its_permissions(tmp_path, mode):
    path = save_model(model(seed=0), tmp_path / "m.safetensors")
    os.chmod(path, mode)
    save_model(model(seed=1), path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert same_model(load_model(path), model(seed=1))


# --------------------------------------------------------------------------- special files
def _refused_untouched(path: Path, kind: str) -> None:
    before = os.lstat(path)
    with pytest.raises(ValueError, match=f"refusing to save to .*{kind}"):
        save_model(model(), path)
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (
        before.st_mode,
        before.st_ino,
        before.st_rdev,
    )


def test_dev_null_is_never_replaced():
    _refused_untouched(Path("/dev/null"), "character device")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_socket_and_directory_are_refused_before_writing(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _refused_untouched(fifo, "FIFO")
    directory = tmp_path / "adir"
    directory.mkdir()
    _refused_untouched(directory, "directory")
    short = Path(tempfile.mkdtemp(dir="/tmp"))  # a socket path must be short
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(short / "s"))
        _refused_untouched(short / "s", "socket")
        sock.close()
        assert sorted(p.name for p in short.iterdir()) == ["s"]
    finally:
        (short / "s").unlink()
        short.rmdir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "pipe"]  # no temp files
    assert list(directory.iterdir()) == []


def test_a_symlink_is_written_through_to_its_target(tmp_path):
    target = save_model(model(seed=0), tmp_path / "real.safetensors")
    os.chmod(target, 0o600)
    link = tmp_path / "latest.safetensors"
    link.symlink_to("real.safetensors")
    assert save_model(model(seed=1), link) == link
    assert link.is_symlink() and os.readlink(link) == "real.safetensors"
    assert same_model(load_model(target), model(seed=1))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    dangling = tmp_path / "new.safetensors"
    dangling.symlink_to("made-by-save.safetensors")
    save_model(model(seed=2), dangling)
    assert dangling.is_symlink()
    assert same_model(load_model(tmp_path / "made-by-save.safetensors"), model(seed=2))


def test_a_symlink_to_a_special_file_or_a_loop_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "to_pipe").symlink_to("pipe")
    with pytest.raises(ValueError, match="symlink points to .*FIFO"):
        save_model(model(), tmp_path / "to_pipe")
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe").st_mode)
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(ValueError, match="cannot save to"):
        save_model(model(), tmp_path / "a")


def test_a_missing_directory_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_model(model(), tmp_path / "nope" / "m.safetensors")


@pytest.mark.parametrize("special", ["fifo", "directory", "/dev/zero", "/dev/null"])
def test_loading_a_special_file_is_a_value_error_that_does_not_block(tmp_path, special):
    path = Path(special) if special.startswith("/") else tmp_path / special
    if special == "fifo":
        os.mkfifo(path)  # no writer: a blocking open would hang here
    elif special == "directory":
        path.mkdir()
    with pytest.raises(ValueError, match="not a checkpoint file"):
        load_model(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_model(tmp_path / "absent.safetensors")


# --------------------------------------------------------------------------- crash leftovers
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_files_of_dead_savers_are_removed(tmp_path):
    path = tmp_path / "m.safetensors"
    stale = tmp_path / f".m.safetensors.{_dead_pid()}.abcd1234{TMP_SUFFIX}"
    stale.write_bytes(b"half a checkpoint")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        in_use = tmp_path / f".m.safetensors.{live.pid}.00000000{TMP_SUFFIX}"
        in_use.write_bytes(b"being written")
        other = tmp_path / f".other.safetensors.{_dead_pid()}.1{TMP_SUFFIX}"
        other.write_bytes(b"another target's")
        save_model(model(), path)
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == sorted([path.name, in_use.name, other.name])
    finally:
        live.kill()
        live.wait()


# --------------------------------------------------------------------------- old and foreign files
def test_an_old_npz_checkpoint_is_refused_saying_the_format_changed(tmp_path):
    path = tmp_path / "old.npz"
    raw = np.frombuffer(json.dumps({"format": FORMAT, "version": 1}).encode(), dtype=np.uint8)
    np.savez(path, __header__=raw, w=np.zeros(2))
    with pytest.raises(ValueError, match="npz checkpoint.*safetensors files now"):
        load_model(path)


class _Marker:
    """Unpickling this creates a file: proof that a loader executed pickle code."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_pickle_file_is_refused_without_executing(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.safetensors"
    path.write_bytes(pickle.dumps(_Marker(str(marker))))
    with pytest.raises(ValueError, match="evil.safetensors"):
        load_model(path)
    assert not marker.exists()


def test_a_plain_safetensors_file_without_our_metadata(tmp_path):
    path = tmp_path / "torch.safetensors"
    save_file({"0.weight": np.zeros((1, 2)), "0.bias": np.zeros(1)}, path)
    with pytest.raises(ValueError, match="no __metadata__"):
        load_model(path)


def test_text_file_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.safetensors"
    path.write_text("hello world, not a checkpoint")
    with pytest.raises(ValueError, match="notes.safetensors: .*header"):
        load_model(path)


def test_wrong_architecture_leaves_the_model_untouched(tmp_path):
    save_model(model(hidden=4), tmp_path / "m.safetensors")
    target = model(hidden=5)
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"wrong architecture.*'0\.weight' has shape \(4, 2\)"):
        load_state_into(target, tmp_path / "m.safetensors")
    assert target.state_dict() == before


def test_a_failing_fill_is_rolled_back(tmp_path, monkeypatch):
    save_model(model(seed=0), tmp_path / "m.safetensors")
    target = model(seed=1)
    before = target.state_dict()
    real = checkpoint._write_dense
    calls = {"n": 0}

    def second_layer_fails(module, weight, bias):
        calls["n"] += 1
        if calls["n"] == 2:  # the first layer is already written, like a partial load
            raise KeyboardInterrupt
        real(module, weight, bias)

    monkeypatch.setattr(checkpoint, "_write_dense", second_layer_fails)
    with pytest.raises(KeyboardInterrupt):
        load_state_into(target, tmp_path / "m.safetensors")
    assert calls["n"] == 2 and target.state_dict() == before
