"""The playground's server: its JSON API, the limits it enforces, and the life of sessions."""

from __future__ import annotations

import base64
import gc
import http.client
import json
import math
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from minitorch_nn.cli import build_parser
from minitorch_nn.engine import no_grad
from minitorch_nn.io.checkpoint import load_model
from minitorch_nn.playground import make_server
from minitorch_nn.playground.datasets import DATASETS, make_dataset, problem_of
from minitorch_nn.playground.session import Session
from minitorch_nn.playground.settings import Config, ConfigError, parse_config
from minitorch_nn.playground.store import SessionGone, SessionStore
from minitorch_nn.tensor import Tensor
from minitorch_nn.train import decision_function

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server():
    srv = make_server("127.0.0.1", 0, store=SessionStore(max_sessions=200))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def request(srv, method, path, body=None, raw=None):
    """(status, headers, body bytes) of one request on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=60)
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), payload


def api(srv, action, body=None, raw=None):
    status, _, payload = request(srv, "POST", f"/api/{action}", body, raw)
    return status, json.loads(payload)


def opened(srv, session="tab-aaaaaaaa", **config):
    status, reply = api(srv, "open", {"session": session, "config": config})
    assert status == 200, reply
    return reply


# ----------------------------------------------------------------- the page and its assets
def test_page_and_assets_ship_in_the_package_and_fetch_nothing_else(server):
    status, headers, page = request(server, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = page.decode()
    for testid in ("epoch", "train-loss", "test-loss", "play", "step", "reset"):
        assert f'data-testid="{testid}"' in html
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        status, headers, body = request(server, "GET", f"/static/{name}")
        assert status == 200 and headers["Content-Type"].startswith(kind)
        text = body.decode()
        # no CDN, no web font: the only absolute URL is the SVG namespace name
        assert set(re.findall(r"https?://[^\s\"')]+", text)) <= {"http://www.w3.org/2000/svg"}
    assert not re.findall(r"(?:src|href)=\"https?://", html)
    assert request(server, "GET", "/static/../session.py")[0] == 404
    assert request(server, "GET", "/nothing")[0] == 404


# ----------------------------------------------------------------- training through the API
def test_play_trains_and_the_test_loss_falls_step_is_one_epoch(server):
    first = opened(server)
    assert first["frame"]["epoch"] == 0 and first["state"]["sizes"] == [2, 4, 4, 1]
    start_loss = first["frame"]["test_loss"]
    epoch = 0
    while epoch < 60:
        status, reply = api(server, "play", {"session": "tab-aaaaaaaa", "since": epoch})
        assert status == 200
        frame = reply["frame"]
        assert frame["epoch"] > epoch  # every play request trains at least one epoch
        assert [row[0] for row in frame["curve"]] == list(range(epoch + 1, frame["epoch"] + 1))
        epoch = frame["epoch"]
    assert frame["test_loss"] < 0.5 * start_loss
    status, reply = api(server, "step", {"session": "tab-aaaaaaaa", "since": epoch})
    assert reply["frame"]["epoch"] == epoch + 1
    # the heatmaps: 64 x 64 output, 24 x 24 per neuron, two hidden layers of four
    assert len(base64.b64decode(frame["output"])) == 64 * 64
    assert [len(layer) for layer in frame["neurons"]] == [4, 4]
    assert [np.shape(w) for w in frame["weights"]] == [(2, 4), (4, 4), (4, 1)]


def test_the_output_heatmap_is_the_models_prediction(server):
    opened(server)
    api(server, "play", {"session": "tab-aaaaaaaa"})
    session = server.store.get("tab-aaaaaaaa")
    frame = session.frame()
    pixels = np.frombuffer(base64.b64decode(frame["output"]), dtype=np.uint8)
    # the top-left cell's centre, and the centre of the square's cell just right of the middle
    cell = 12 / 64
    for index, (x1, x2) in (
        (0, (-6 + cell / 2, 6 - cell / 2)),
        (32 * 64 + 32, (cell / 2, -cell / 2)),
    ):
        score = decision_function(session.model, np.array([[x1, x2]]))[0]
        expected = np.clip(score, -1, 1)  # squared-error loss: the score itself
        assert pixels[index] == pytest.approx((expected + 1) * 127.5, abs=1)


def test_tabs_do_not_share_state(server):
    opened(server, "tab-one-1", dataset="xor", hidden=[3])
    opened(server, "tab-two-2", dataset="spiral", hidden=[8, 8], engine="scalar")
    for _ in range(3):
        api(server, "play", {"session": "tab-one-1"})
    _, one = api(server, "frame", {"session": "tab-one-1"})
    _, two = api(server, "frame", {"session": "tab-two-2"})
    assert one["frame"]["epoch"] >= 3 and two["frame"]["epoch"] == 0
    assert [np.shape(w) for w in one["frame"]["weights"]] == [(2, 3), (3, 1)]
    assert [np.shape(w) for w in two["frame"]["weights"]] == [(2, 8), (8, 8), (8, 1)]


def test_tabs_training_at_the_same_time_each_learn(server):
    tabs = ["tab-left-1", "tab-right-2"]
    first = {tab: opened(server, tab, dataset="gauss")["frame"]["train_loss"] for tab in tabs}
    failures: list[str] = []

    def play(tab):
        for _ in range(8):
            status, reply = api(server, "play", {"session": tab})
            if status != 200 or reply["frame"]["error"]:
                failures.append(f"{tab}: {status} {reply}")

    threads = [threading.Thread(target=play, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    for tab in tabs:  # grad mode is per thread: one tab's no_grad drawing never stops the other
        frame = api(server, "frame", {"session": tab})[1]["frame"]
        assert frame["epoch"] >= 8 and frame["train_loss"] < 0.5 * first[tab]


def test_a_learning_rate_change_keeps_training_a_new_network_starts_over(server):
    opened(server)
    api(server, "play", {"session": "tab-aaaaaaaa"})
    status, reply = api(server, "config", {"session": "tab-aaaaaaaa", "config": {"lr": 0.1}})
    assert status == 200 and not reply["rebuilt"] and reply["frame"]["epoch"] > 0
    assert server.store.get("tab-aaaaaaaa").optimizer.lr == 0.1
    status, reply = api(
        server, "config", {"session": "tab-aaaaaaaa", "config": {"hidden": [2, 2, 2]}}
    )
    assert reply["rebuilt"] and reply["frame"]["epoch"] == 0
    assert reply["state"]["config"]["lr"] == 0.1 and reply["state"]["sizes"] == [2, 2, 2, 2, 1]
    api(server, "play", {"session": "tab-aaaaaaaa"})
    status, reply = api(server, "reset", {"session": "tab-aaaaaaaa"})
    assert reply["frame"]["epoch"] == 0 and reply["state"]["config"]["hidden"] == [2, 2, 2]


@pytest.mark.parametrize(
    "config",
    [
        {"dataset": "gauss", "reg": "l1", "reg_rate": 0.003, "optimizer": "adam", "lr": 0.01},
        {"dataset": "moons", "reg": "l2", "reg_rate": 0.01, "optimizer": "momentum", "loss": "bce"},
        {"dataset": "plane", "problem": "regression", "features": ["x1", "x2", "x1x2"]},
        {"dataset": "multi-gauss", "problem": "regression", "hidden": [], "activation": "linear"},
        {"dataset": "spiral", "engine": "scalar", "features": ["x1sq", "sinx1", "sinx2"]},
        {"dataset": "xor", "loss": "hinge", "activation": "relu", "hidden": [8, 1, 8]},
    ],
)
def test_every_combination_of_controls_trains(server, config):
    reply = opened(server, **config)
    assert reply["state"]["config"] == {**Config().__dict__, **config}
    loss_0 = reply["frame"]["train_loss"]
    for _ in range(6):
        status, reply = api(server, "play", {"session": "tab-aaaaaaaa"})
        assert status == 200 and reply["frame"]["error"] is None
    assert reply["frame"]["train_loss"] < loss_0


def test_a_diverging_run_stops_with_a_message_not_a_crash(server):
    opened(server, lr=10.0, optimizer="sgd", dataset="gauss", noise=50, features=["x1sq", "x2sq"])
    for _ in range(20):
        status, reply = api(server, "play", {"session": "tab-aaaaaaaa"})
        assert status == 200
        if reply["frame"]["error"]:
            break
    assert "learning rate" in reply["frame"]["error"]
    session = server.store.get("tab-aaaaaaaa")
    session.model.parameters()[0].data[...] = np.nan  # as far as a run can diverge
    for action, body in (
        ("frame", {}),
        ("graph", {"layer": 1, "neuron": 0, "point": [1, 1]}),
        ("export", {}),
    ):
        status, reply = api(server, action, {"session": "tab-aaaaaaaa", **body})
        assert status == 200, reply
    status, _, body = request(server, "GET", "/api/checkpoint?session=tab-aaaaaaaa")
    assert status == 409 and b"NaN" in body
    assert api(server, "config", {"session": "tab-aaaaaaaa", "config": {"lr": 0.01}})[0] == 200


# ----------------------------------------------------------------- limits
@pytest.mark.parametrize(
    "raw, message",
    [
        (b'{"session": "tab-aaaaaaaa", "config": {"dataset": "mnist"}}', "unknown dataset 'mnist'"),
        (
            b'{"session": "tab-aaaaaaaa", "config": {"hidden": [4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,'
            b"4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4]}}",
            "hidden has 50 layers; expected 0 to 6",
        ),
        (
            b'{"session": "tab-aaaaaaaa", "config": {"hidden": [1000000]}}',
            "from 1 to 8, got 1000000",
        ),
        (b'{"session": "tab-aaaaaaaa", "config": {"lr": NaN}}', "lr must be a finite number"),
        (b'{"session": "tab-aaaaaaaa", "config": {"lr": "fast"}}', "lr must be a number"),
        (b'{"session": "tab-aaaaaaaa", "config": {"lr": 0}}', "in (0, 10]"),
        (b'{"session": "tab-aaaaaaaa", "config": {', "malformed JSON"),
        (b"\xff\xfe", "malformed JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"session": "tab-aaaaaaaa", "config": {"epochs": 5}}', "unknown setting 'epochs'"),
        (b'{"session": "tab-aaaaaaaa", "config": {"dataset": "plane"}}', "not a classification"),
        (b'{"session": "tab-aaaaaaaa", "config": {"features": []}}', "non-empty list"),
        (b'{"session": "tab-aaaaaaaa", "config": {"batch": -1}}', "batch must be an integer"),
        (b'{"session": "tab-aaaaaaaa", "config": {"noise": 1e308}}', "noise must be an integer"),
        (b'{"session": "tab-aaaaaaaa", "config": {"noise": NaN}}', "noise must be an integer"),
        (b'{"session": "tab-aaaaaaaa", "config": {"seed": -Infinity}}', "seed must be an integer"),
        (b'{"session": "../../etc", "config": {}}', "session must be 8 to 64 letters"),
        (b'{"session": "tab-aaaaaaaa", "config": {}, "admin": true}', "unknown field 'admin'"),
    ],
)
def test_the_server_refuses_bad_requests_with_one_clear_message(server, raw, message):
    status, reply = api(server, "open", raw=raw)
    assert status == 400
    assert list(reply) == ["error"] and message in reply["error"]
    assert "\n" not in reply["error"]
    assert len(server.store) == 0  # nothing was created


def test_limits_hold_on_every_call_not_only_open(server):
    opened(server)
    status, reply = api(server, "config", {"session": "tab-aaaaaaaa", "config": {"hidden": [9]}})
    assert status == 400 and "from 1 to 8, got 9" in reply["error"]
    assert server.store.get("tab-aaaaaaaa").config.hidden == [4, 4]  # unchanged
    status, reply = api(
        server, "graph", {"session": "tab-aaaaaaaa", "layer": 7, "neuron": 0, "point": [0, 0]}
    )
    assert status == 400 and "layer must be an integer from 1 to 3" in reply["error"]
    status, reply = api(
        server, "graph", {"session": "tab-aaaaaaaa", "layer": 1, "neuron": 0, "point": [0, 99]}
    )
    assert status == 400 and "x2 must be a finite number in [-6, 6]" in reply["error"]
    status, reply = api(server, "play", {"session": "tab-aaaaaaaa", "since": "x"})
    assert status == 400 and "since must be an integer" in reply["error"]


def test_oversized_bodies_unknown_calls_and_unknown_sessions(server):
    status, reply = api(server, "open", raw=b"x" * (65 * 1024))
    assert status == 413 and "at most 65536" in reply["error"]
    status, reply = api(server, "train-forever", {"session": "tab-aaaaaaaa"})
    assert status == 404 and "no API call" in reply["error"]
    status, reply = api(server, "play", {"session": "never-opened"})
    assert status == 404 and "open it again" in reply["error"]
    status, _, body = request(server, "GET", "/api/checkpoint?session=never-opened")
    assert status == 404


def test_only_json_posts_addressed_to_the_loopback_are_answered(server):
    port = server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"session": "tab-aaaaaaaa", "config": {}})
    conn.request("POST", "/api/open", body, {"Content-Type": "text/plain"})  # a form's kind
    response = conn.getresponse()
    assert response.status == 415 and "expected application/json" in response.read().decode()
    conn.close()
    for host in ("evil.example:8000", "127.0.0.1.evil.example"):  # DNS rebinding
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/", headers={"Host": host})
        response = conn.getresponse()
        assert response.status == 403 and "refused" in response.read().decode()
        conn.close()
    assert len(server.store) == 0
    for host in ("localhost:8000", f"127.0.0.1:{port}"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/health", headers={"Host": host})
        assert conn.getresponse().status == 200
        conn.close()


# ----------------------------------------------------------------- one neuron's graph
def test_a_neurons_graph_has_the_live_value_and_the_chain_rule(server):
    opened(server, hidden=[3, 2], activation="tanh")
    api(server, "play", {"session": "tab-aaaaaaaa"})
    session = server.store.get("tab-aaaaaaaa")
    point = [1.5, -2.0]
    status, reply = api(
        server, "graph", {"session": "tab-aaaaaaaa", "layer": 2, "neuron": 1, "point": point}
    )
    assert status == 200
    graph = reply["graph"]
    with no_grad():  # the same neuron by the tensor engine, from the live model
        h = session.model.layers[0](Tensor(np.array([point])))
        a = session.model.layers[1](h).data[0, 1]
    assert graph["value"] == pytest.approx(a, abs=1e-12)
    by_name = {item["lines"][0]: item for item in graph["items"] if item["kind"] != "op"}
    assert by_name["h2.2"]["role"] == "output"
    # d a/d b = tanh'(z) = 1 - a^2: the bias box shows it as its grad
    assert by_name["b"]["lines"][2] == f"grad {1 - a * a:.4g}"
    assert {"h1.1", "h1.2", "h1.3", "w1", "w2", "w3", "z"} <= set(by_name)
    assert any(edge["label"] for edge in graph["edges"])
    assert "Chain rule for h2.2 = tanh(z)" in graph["explain"]
    assert session.model.parameters()[0].grad is None or np.all(
        np.isfinite(session.model.parameters()[0].grad)
    )


# ----------------------------------------------------------------- export
def test_the_exported_command_parses_and_the_script_reproduces_the_setup(server, tmp_path):
    opened(server, dataset="moons", hidden=[5], lr=0.1, reg="l1", reg_rate=0.001, noise=10)
    api(server, "step", {"session": "tab-aaaaaaaa"})
    api(server, "step", {"session": "tab-aaaaaaaa"})
    status, reply = api(server, "export", {"session": "tab-aaaaaaaa"})
    assert status == 200
    lines = [ln for ln in reply["command"].splitlines() if not ln.startswith("#")]
    argv = shlex.split(" ".join(ln.rstrip("\\") for ln in lines))
    assert argv[0] == "minitorch-nn"
    args = build_parser().parse_args(argv[1:])
    assert (args.dataset, args.hidden, args.lr, args.epochs, args.batch_size) == (
        "moons",
        [5],
        0.1,
        2,
        10,
    )
    assert "no L1 regularization" in reply["command"]
    script = tmp_path / "run.py"
    script.write_text(reply["script"])
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    train_loss = float(re.search(r"train loss (\S+)", done.stdout).group(1))
    assert math.isfinite(train_loss) and train_loss < 2.0


# ----------------------------------------------------------------- the checkpoint download
def test_the_checkpoint_download_loads_back_and_leaves_no_file(server, tmp_path):
    opened(server, hidden=[3])
    api(server, "play", {"session": "tab-aaaaaaaa"})
    before = set(os.listdir(tempfile.gettempdir()))
    status, headers, body = request(server, "GET", "/api/checkpoint?session=tab-aaaaaaaa")
    assert status == 200
    assert 'filename="model.safetensors"' in headers["Content-Disposition"]
    assert set(os.listdir(tempfile.gettempdir())) == before  # the temporary file is gone
    path = tmp_path / "model.safetensors"
    path.write_bytes(body)
    model = load_model(path)
    session = server.store.get("tab-aaaaaaaa")
    X = np.random.default_rng(0).uniform(-6, 6, size=(20, 2))
    assert np.allclose(decision_function(model, X), decision_function(session.model, X))


# ----------------------------------------------------------------- session life
def test_idle_sessions_are_freed_and_the_cap_evicts_the_least_recently_used():
    now = [0.0]
    store = SessionStore(max_sessions=2, idle_timeout=60.0, clock=lambda: now[0])
    store.open("tab-first-1", Config())
    now[0] = 10.0
    store.open("tab-second-2", Config())
    now[0] = 20.0
    store.get("tab-first-1")  # used: now the second is the least recently used
    store.open("tab-third-3", Config())
    with pytest.raises(SessionGone):
        store.get("tab-second-2")
    assert len(store) == 2
    now[0] = 75.0  # the third (opened at 20) is idle 55 s, the first (used at 20) too
    assert store.reap() == 0
    now[0] = 81.0
    assert store.reap() == 2 and len(store) == 0
    with pytest.raises(SessionGone, match="freed after 60 s idle"):
        store.get("tab-first-1")


def test_closing_a_tab_frees_its_session(server):
    opened(server)
    assert api(server, "close", {"session": "tab-aaaaaaaa"}) == (200, {"closed": True})
    assert api(server, "play", {"session": "tab-aaaaaaaa"})[0] == 404
    assert api(server, "close", {"session": "tab-aaaaaaaa"}) == (200, {"closed": False})


def test_memory_of_100_sessions_comes_back(server):
    def cycle(prefix, n):
        for k in range(n):
            opened(server, f"{prefix}-{k:04d}", seed=k)
            if k % 10 == 0:  # some have trained: optimizer state, gradients, a longer curve
                api(server, "step", {"session": f"{prefix}-{k:04d}"})

    cycle("warm", 2)  # imports, caches, the first thread's buffers
    for k in range(2):
        api(server, "close", {"session": f"warm-{k:04d}"})
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        cycle("tab", 100)
        assert len(server.store) == 100
        held = tracemalloc.get_traced_memory()[0] - baseline
        for k in range(50):  # half closed by their tabs, half freed after their idle time
            api(server, "close", {"session": f"tab-{k:04d}"})
        server.store.idle_timeout = 1e-9
        assert server.store.reap() == 50
        server.store.idle_timeout = 600.0
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    print(f"100 sessions held {held / 1e6:.2f} MB; after dropping them {kept / 1e6:.3f} MB remain")
    assert len(server.store) == 0
    assert held > 0
    assert kept < 0.05 * held


def test_a_client_that_disconnects_mid_request_leaves_the_server_healthy(server):
    opened(server)
    port = server.server_address[1]
    body = json.dumps({"session": "tab-aaaaaaaa"}).encode()
    for payload in (
        # the body promised but never sent
        b"POST /api/play HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n" + body,
        # a whole request, the connection closed before the answer
        b"POST /api/play HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
        # a download abandoned
        b"GET /api/checkpoint?session=tab-aaaaaaaa HTTP/1.1\r\nHost: x\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(payload)
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
    status, reply = api(server, "play", {"session": "tab-aaaaaaaa"})
    assert status == 200 and reply["frame"]["epoch"] >= 1
    status, _, body = request(server, "GET", "/api/health")
    assert status == 200 and json.loads(body)["ok"] is True


# ----------------------------------------------------------------- settings and data
def test_settings_are_checked_one_by_one():
    assert parse_config({}) == Config()
    config = parse_config({"hidden": [], "features": ["sinx2", "x1"], "lr": 3})
    assert config.hidden == [] and config.features == ["x1", "sinx2"] and config.lr == 3.0
    assert parse_config({"lr": 0.5}, base=config).features == ["x1", "sinx2"]
    with pytest.raises(ConfigError, match="regression uses 'mse'"):
        parse_config({"dataset": "plane", "problem": "regression", "loss": "bce"})
    with pytest.raises(ConfigError, match="features lists a name twice"):
        parse_config({"features": ["x1", "x1"]})
    with pytest.raises(ConfigError, match="integer from 0 to 50, got True"):
        parse_config({"noise": True})


@pytest.mark.parametrize("name", DATASETS)
def test_every_dataset_fits_the_square_and_is_reproducible(name):
    X, y = make_dataset(name, 300, noise=25, seed=3)
    again, y_again = make_dataset(name, 300, noise=25, seed=3)
    assert np.array_equal(X, again) and np.array_equal(y, y_again)
    assert X.shape == (300, 2) and np.all(np.abs(X) <= 6.0)
    if problem_of(name) == "classification":
        assert set(np.unique(y)) == {0, 1} and abs(np.mean(y) - 0.5) < 0.05
    else:
        assert np.all(np.abs(y) <= 1.0) and np.std(y) > 0.1
    assert np.abs(X).max() > 3.0  # spread over the square, not a dot in the middle


def test_a_session_writes_nothing_to_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = Session(parse_config({"hidden": [2]}))
    session.train(epochs=2)
    session.frame()
    session.graph(1, 0, [0.5, 0.5])
    session.export()
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------- serve()
def _serve(host):
    code = (
        "import sys; sys.argv = ['x'];"
        "from minitorch_nn.playground import serve;"
        f"serve({host!r}, 0, open_browser=False)"
    )
    return subprocess.Popen(
        [sys.executable, "-u", "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_serve_says_where_it_listens_and_stops_cleanly_on_ctrl_c(host, warned):
    process = _serve(host)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://([\d.]+):(\d+)/", line)
        assert url, line
        conn = http.client.HTTPConnection("127.0.0.1", int(url.group(2)), timeout=30)
        conn.request("GET", "/api/health")
        assert conn.getresponse().status == 200
        conn.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "playground stopped" in out
    assert ("warning: listening on 0.0.0.0" in err) is warned
    assert "Traceback" not in err
