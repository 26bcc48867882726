"""Hostile checkpoints, by class: config amplification, malformed headers (nesting, dtypes,
sizes, length lies, truncation, encodings, duplicates, non-finite numbers), random mutations
of a valid file, fresh-process loads of tensor models, and kill -9 during a save loop."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.numpy import load as st_load
from safetensors.numpy import save as st_save

from minitorch_nn import nn
from minitorch_nn.io import checkpoint
from minitorch_nn.io.checkpoint import load_model, load_state_into, save_model
from minitorch_nn.io.files import TMP_SUFFIX
from minitorch_nn.io.format import MAX_HEADER_BYTES, MAX_SCALARS, digest
from minitorch_nn.tensor import nn as tnn

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


def demo_model(seed: int = 0) -> nn.MLP:
    return nn.MLP(2, [16, 16, 1], activation="relu", seed=seed)  # 337 parameters


def valid_bytes(tmp_path: Path, model: Any = None) -> bytes:
    path = save_model(model if model is not None else demo_model(), tmp_path / "valid.st")
    return path.read_bytes()


def split(data: bytes) -> tuple[dict[str, Any], bytes]:
    n = int.from_bytes(data[:8], "little")
    return json.loads(data[8 : 8 + n]), data[8 + n :]


def assemble(header: Any, body: bytes, length: int | None = None) -> bytes:
    text = header if isinstance(header, (str, bytes)) else json.dumps(header)
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return (len(raw) if length is None else length).to_bytes(8, "little") + raw + body


def resave(data: bytes, config: Any) -> bytes:
    """The same tensors with another config, its digest recomputed: only the config lies."""
    header, _ = split(data)
    meta = dict(header["__metadata__"])
    tensors = st_load(data)
    meta["config"] = config if isinstance(config, str) else json.dumps(config)
    meta["sha256"] = digest(meta["config"], tensors)
    return st_save(tensors, metadata=meta)


def outcome(tmp_path: Path, data: bytes) -> Any:
    """The loaded model, or the ValueError: any other exception fails the test."""
    path = tmp_path / "hostile.st"
    path.write_bytes(data)
    try:
        return load_model(path)
    except ValueError as exc:
        assert str(path) in str(exc)  # every refusal names the file
        return exc


def same_model(a: Any, b: Any) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return (
        type(a) is type(b)
        and a.config() == b.config()
        and sa.keys() == sb.keys()
        and all(np.array_equal(sa[k], sb[k]) for k in sa)
    )


# --------------------------------------------------------------------------- amplification
AMPLIFIED = [
    {"type": "MLP", "nin": 2, "nouts": [1000, 1000, 1], "activation": "relu", "init": "uniform"},
    {"type": "MLP", "nin": 10**8, "nouts": [16, 16, 1], "activation": "relu", "init": "uniform"},
    {"type": "MLP", "nin": 2, "nouts": [16] * 50_000, "activation": "relu", "init": "uniform"},
    {"type": "TensorMLP", "nin": 2, "nouts": [10**4, 10**4], "activation": None, "init": "he"},
    {"type": "Linear", "nin": 10**8, "nout": 10**8, "activation": None, "init": "uniform"},
    {"type": "Neuron", "nin": 10**8, "activation": "tanh", "init": "uniform"},
    {
        "type": "Sequential",
        "layers": [
            {"type": "Linear", "nin": 1000, "nout": 1000, "activation": None, "init": "uniform"}
        ]
        * 2000,
    },
    {"type": "MLP", "nin": 2, "nouts": [16, 16, 1, 1], "activation": "relu", "init": "uniform"},
]


@pytest.mark.parametrize("config", AMPLIFIED, ids=range(len(AMPLIFIED)))
def test_a_small_file_cannot_force_a_huge_build(tmp_path, monkeypatch, config):
    built = []
    monkeypatch.setattr(checkpoint, "build_model", lambda cfg: built.append(cfg))
    data = resave(valid_bytes(tmp_path), config)
    tracemalloc.start()
    try:
        result = outcome(tmp_path, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(result, ValueError)
    assert re.search("needs|does not hold|describes more", str(result))  # checked vs tensors
    assert built == []  # refused before any model was built
    assert peak < 60 * len(data) + 5_000_000  # nothing near the 470 MB a build would take


def test_the_issue_case_is_refused_with_both_shapes(tmp_path):
    """The issue's file: a few KB whose config alone says nouts [1000, 1000, 1]."""
    data = resave(valid_bytes(tmp_path, nn.MLP(2, [16, 16, 1], seed=0)), AMPLIFIED[0])
    assert len(data) < 4500
    (tmp_path / "x.st").write_bytes(data)
    with pytest.raises(ValueError, match=r"config describes more than 337 numbers"):
        load_model(tmp_path / "x.st")
    same_count = {**AMPLIFIED[0], "nouts": [1, 1, 1]}  # fewer numbers: the shapes disagree
    (tmp_path / "x.st").write_bytes(resave(data, same_count))
    with pytest.raises(ValueError, match=r"'0\.weight' has shape \(16, 2\).*needs \(1, 2\)"):
        load_model(tmp_path / "x.st")


# --------------------------------------------------------------------------- malformed headers
def _edit(data: bytes, fn) -> bytes:
    header, body = split(data)
    out = fn(header)
    return assemble(header if out is None else out, body)


def _set_entry(key: str, value: Any):
    def fn(header):
        header["0.weight"][key] = value

    return fn


def _deep(n: int) -> str:
    return "[" * n + "]" * n


DTYPES = ["BF16", "I64", "I32", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "C64", "f64", "", "F128"]
HUGE_SHAPES = [[10**12], [2**63, 2**63], [10**6] * 8, [1] * 9, [2**64], [-1, 2], [True, 2]]
BAD_OFFSETS = [[0, 2**64], [-8, 56], [8, 0], [0], [0, 64, 128], ["0", "64"], [0.0, 64.0], None]
CONFIG_NUMBERS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "2.0",
    "true",
    '"2"',
    "-1",
    "0",
    str(2**70),
    "1" * 5000,
]


def malformed_cases(data: bytes) -> list[tuple[str, bytes, str]]:
    """(class, bytes, expected message) for every malformed-header attempt."""
    header, body = split(data)
    n = int.from_bytes(data[:8], "little")
    text = data[8 : 8 + n].decode().rstrip()  # the writer pads the header with spaces
    config = json.loads(header["__metadata__"]["config"])
    cases: list[tuple[str, bytes, str]] = []
    # deep nesting, in the header and in the config
    for depth in (65, 1000, 100_000):
        deep_header = text[:-1] + f',"x":{_deep(depth)}}}'
        cases.append(("nesting", assemble(deep_header, body), "nests deeper"))
        cases.append(("nesting", resave(data, _deep(depth)), "nests deeper"))
    nested = config
    for _ in range(40):
        nested = {"type": "Sequential", "layers": [nested]}
    cases.append(("nesting", resave(data, nested), "nests deeper"))
    # unknown dtypes, encodings and compression
    for dtype in DTYPES:
        cases.append(("dtypes", _edit(data, _set_entry("dtype", dtype)), "dtype"))
    for key in ("compression", "encoding", "byteorder"):
        cases.append(("dtypes", _edit(data, _set_entry(key, "zlib")), "exactly dtype"))
    # huge or bad declared sizes and offsets
    for shape in HUGE_SHAPES:
        cases.append(("sizes", _edit(data, _set_entry("shape", shape)), "shape|numbers|offsets"))
    for offsets in BAD_OFFSETS:
        cases.append(("sizes", _edit(data, _set_entry("data_offsets", offsets)), "offsets"))
    # header length lies
    for length in (0, 1, 7, n - 1, n + 1, n + 8, len(data), 2**31, 2**63, 2**64 - 1):
        cases.append(("length", assemble(text, body, length), "header|length|JSON|bytes"))
    # truncation: every byte of the length and header start, every 5th after, the last 16
    for cut in sorted({*range(80), *range(80, len(data), 5), *range(len(data) - 16, len(data))}):
        cases.append(("truncation", data[:cut], "short|truncated|header|JSON|bytes|cover"))
    # encodings: bytes that are not UTF-8 inside the header
    raw = data[8 : 8 + n]
    for bad in (b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\x80", b"\xf8\x88\x80\x80\x80"):
        cases.append(("encoding", assemble(raw.replace(b"relu", bad), body), "UTF-8"))
    cases.append(("encoding", data[:8] + b"\xef" + data[9:], "UTF-8"))
    # duplicate names
    full = json.dumps(header)
    tensors_only = json.dumps({k: v for k, v in header.items() if k != "__metadata__"})
    twice = ['{"0.bias": ' + json.dumps(header["0.bias"]) + ", " + full[1:]]
    twice.append('{"__metadata__": ' + json.dumps(header["__metadata__"]) + ", " + full[1:])
    meta_twice = '{"format": "other", ' + json.dumps(header["__metadata__"])[1:]
    twice.append('{"__metadata__": ' + meta_twice + ", " + tensors_only[1:])
    cases += [("duplicates", assemble(t, body), "twice") for t in twice]
    dup_config = header["__metadata__"]["config"][:-1] + ', "nin": 3}'
    cases.append(("duplicates", resave(data, dup_config), "twice"))
    # non-finite and non-integer numbers in the config
    for number in CONFIG_NUMBERS:
        for key in ("nin", "nouts"):
            cfg = json.dumps({**config, key: "@"})
            value = number if key == "nin" else f"[{number}, 16, 1]"
            cases.append(("numbers", resave(data, cfg.replace('"@"', value)), "config|number|JSON"))
    return cases


def test_malformed_headers_are_value_errors_by_class(tmp_path, capsys):
    data = valid_bytes(tmp_path)
    counts: dict[str, int] = {}
    for kind, bad, message in malformed_cases(data):
        result = outcome(tmp_path, bad)
        assert isinstance(result, ValueError), (kind, bad[:200], result)
        assert re.search(message, str(result)), (kind, str(result))
        counts[kind] = counts.get(kind, 0) + 1
    with capsys.disabled():
        print("\nmalformed-header attempts per class:", counts)
    assert min(counts.values()) >= 4 and len(counts) == 8


def test_a_file_larger_than_any_checkpoint_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "sparse.st"
    with open(path, "wb") as f:  # a sparse file: 801 MB long, no blocks written
        f.truncate(8 + MAX_HEADER_BYTES + 8 * MAX_SCALARS + 1)
    with pytest.raises(ValueError, match="more than a checkpoint may"):
        load_model(path)


def test_metadata_problems_are_named(tmp_path):
    data = valid_bytes(tmp_path)
    header, body = split(data)
    edits = {
        "wrong format": ({"format": "torch"}, "wrong format 'torch'"),
        "newer": ({"format_version": "3"}, "newer than this library"),
        "older": ({"format_version": "1"}, "not a safetensors checkpoint"),
        "not a number": ({"format_version": "\u0663"}, "bad format_version"),
        "layout": ({"layout": "jax"}, "unknown layout"),
        "no digest": ({"sha256": None}, "no sha256"),
        "bad digest": ({"sha256": "0" * 64}, "digest does not match"),
        "not strings": ({"format": 2}, "__metadata__ of strings"),
        "unknown type": ({"config": '{"type": "Transformer"}'}, "built-in|Transformer|layout"),
    }
    for change, message in edits.values():
        meta = {**header["__metadata__"], **change}
        meta = {k: v for k, v in meta.items() if v is not None}
        with pytest.raises(ValueError, match=message):
            outcome_raise(tmp_path, assemble({**header, "__metadata__": meta}, body))


def outcome_raise(tmp_path: Path, data: bytes) -> Any:
    path = tmp_path / "hostile.st"
    path.write_bytes(data)
    return load_model(path)


def test_a_nan_weight_is_refused(tmp_path):
    data = valid_bytes(tmp_path)
    header, _ = split(data)
    tensors = st_load(data)
    tensors["2.bias"][3] = np.nan
    meta = header["__metadata__"]
    meta["sha256"] = digest(meta["config"], tensors)
    with pytest.raises(ValueError, match="'2.bias' holds NaN"):
        outcome_raise(tmp_path, st_save(tensors, metadata=meta))


# --------------------------------------------------------------------------- random mutations
@FUZZ
@given(
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
    cut=st.one_of(st.none(), st.integers(0, 10**6)),
    insert=st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.binary(max_size=8))),
)
def test_random_byte_mutations_are_refused_or_load_the_same_model(tmp_path, edits, cut, insert):
    original = demo_model()
    data = bytearray(valid_bytes(tmp_path, original))
    for at, byte in edits:
        data[at % len(data)] = byte
    if insert is not None:
        at, extra = insert
        data[at % len(data) : at % len(data)] = extra
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    result = outcome(tmp_path, bytes(data))
    assert isinstance(result, ValueError) or same_model(result, original)
    target = demo_model(seed=7)
    before = target.state_dict()
    try:
        load_state_into(target, tmp_path / "hostile.st")
    except ValueError:
        assert target.state_dict() == before
    else:
        assert same_model(target, original)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["F64", "F32", "BF16", "Sequential", "TensorMLP", "MLP", "relu"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found += _paths(v, (*prefix, i))
    return found


@FUZZ
@given(data=st.data(), value=json_values, in_config=st.booleans())
def test_structured_header_edits_are_refused_or_load_what_the_file_says(
    tmp_path, data, value, in_config
):
    """Replace one value anywhere in the header (or the config, digest recomputed): the load
    is a ValueError or a model whose config and tensors are the file's."""
    original = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    valid = valid_bytes(tmp_path, original)
    header, body = split(valid)
    if in_config:
        config = json.loads(header["__metadata__"]["config"])
        where = data.draw(st.sampled_from(_paths(config)[1:]))
        _put(config, where, value)
        bad = resave(valid, json.dumps(config))
    else:
        where = data.draw(st.sampled_from(_paths(header)[1:]))
        _put(header, where, value)
        bad = assemble(json.dumps(header), body)
    result = outcome(tmp_path, bad)
    if not isinstance(result, ValueError):
        meta = split(bad)[0]["__metadata__"]
        assert result.config() == json.loads(meta["config"])
        stored = st_load(bad)
        written = checkpoint._torch_state(result, result.config())
        assert written is not None and written.keys() == stored.keys()
        assert all(np.array_equal(written[k], stored[k]) for k in stored)


def _put(obj: Any, where: tuple, value: Any) -> None:
    for key in where[:-1]:
        obj = obj[key]
    obj[where[-1]] = value


# --------------------------------------------------------------------------- fresh processes
LOADER = """
import json, sys
from minitorch_nn.io.checkpoint import load_model
report = []
for path in sys.argv[1:]:
    m = load_model(path)
    report.append({
        "type": type(m).__module__ + "." + type(m).__name__,
        "config": m.config(),
        "state": {k: v.tolist() if hasattr(v, "tolist") else v for k, v in m.state_dict().items()},
        "tensor engine imported": "minitorch_nn.tensor" in sys.modules,
    })
print(json.dumps(report))
"""


def test_tensor_checkpoints_load_in_a_fresh_process(tmp_path):
    scalar = nn.MLP(2, [3, 1], seed=0)
    tensor = tnn.MLP(2, [4, 2], activation="tanh", seed=1)
    linear = tnn.Sequential(tnn.Linear(2, 3, activation="relu", seed=2), nn.Tanh())
    paths = [save_model(m, tmp_path / f"{i}.st") for i, m in enumerate((scalar, tensor, linear))]
    cli_out = tmp_path / "cli"
    cli = subprocess.run(
        [sys.executable, "-m", "minitorch_nn", "train", "--engine", "tensor"]
        + ["--n-samples", "40", "--epochs", "2", "--hidden", "4", "--out", str(cli_out)],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tmp_path,
    )
    assert cli.returncode == 0, cli.stderr
    paths.append(cli_out / "model.safetensors")
    proc = subprocess.run(
        [sys.executable, "-c", LOADER, *map(str, paths)],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [r["type"] for r in report] == [
        "minitorch_nn.nn.layers.MLP",
        "minitorch_nn.tensor.nn.MLP",
        "minitorch_nn.nn.layers.Sequential",
        "minitorch_nn.tensor.nn.MLP",
    ]
    assert report[0]["tensor engine imported"] is False  # the scalar path stays scalar
    for entry, model in zip(report, (scalar, tensor, linear)):
        assert entry["config"] == model.config()
        state = model.state_dict()
        assert {k: np.asarray(v).tolist() for k, v in state.items()} == entry["state"]
    assert report[3]["config"]["type"] == "TensorMLP"


# --------------------------------------------------------------------------- kill -9
SAVER = """
import sys
from minitorch_nn.io.checkpoint import save_model
from minitorch_nn.tensor import nn as tnn
models = [tnn.MLP(2, [256, 256, 1], seed=s) for s in (0, 1)]
print("ready", flush=True)
i = 0
while True:
    save_model(models[i % 2], sys.argv[1])
    i += 1
"""


def test_kill_9_in_a_save_loop_keeps_a_whole_file_and_the_next_save_cleans_up(tmp_path, capsys):
    path = tmp_path / "model.safetensors"
    rng = random.Random(0)
    leftovers = []
    for _ in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, text=True, env=ENV
        )
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.05, 0.4))
        proc.kill()  # SIGKILL: no cleanup handler runs
        proc.wait()
        proc.stdout.close()
        temps = [p for p in tmp_path.iterdir() if p.name.endswith(TMP_SUFFIX)]
        leftovers.append(len(temps))
        if path.exists():  # whole: one of the two models, never a mix
            loaded = load_model(path)
            assert any(same_model(loaded, tnn.MLP(2, [256, 256, 1], seed=s)) for s in (0, 1))
    with capsys.disabled():
        print(f"\ntemp files present after each kill -9: {leftovers}")
    save_model(tnn.MLP(2, [2, 1], seed=3), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors"]
    assert same_model(load_model(path), tnn.MLP(2, [2, 1], seed=3))
